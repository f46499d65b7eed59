//! The daily digest: once at `daily_at` in the site's time zone, of what arrived since the last
//! one; nothing when nothing did. The clock is the round's `now`, given here.

use chrono::{Duration, Utc};

use super::{held_reply, mailing, naming, round_at, Sink};
use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;
use reviewpub::notifications::Outcome;

#[tokio::test]
async fn the_daily_digest_goes_once_a_day_at_its_time() {
    let sink = Sink::start();
    // Tokyo keeps no summer time: the digest's time is two hours ago there, so the next one is
    // due in 22 hours (the server's own rounds, on the real clock, find it not due).
    let tokyo: chrono_tz::Tz = "Asia/Tokyo".parse().expect("zone");
    let daily_at = (Utc::now() - Duration::hours(2))
        .with_timezone(&tokyo)
        .format("%H:%M")
        .to_string();
    let app = TestApp::spawn_with(|f| {
        mailing(f, &sink.url(), "daily")
            .merge(("notifications.daily_at", daily_at.as_str()))
            .merge(("site.time_zone", "Asia/Tokyo"))
    })
    .await;
    let review = app.create_review(sample_review("Heat (1995)")).await;
    let ap_id = review["ap_id"].as_str().expect("ap_id");
    let alice = Peer::start().await;
    held_reply(&app, &alice, ap_id, "reply-1", "<p>First question.</p>").await;

    let start = Utc::now();
    assert_eq!(round_at(&app, start).await, Outcome::NotDue);
    assert_eq!(
        round_at(&app, start + Duration::hours(21)).await,
        Outcome::NotDue
    );
    // Past its time: the digest goes, once.
    let first = start + Duration::hours(23);
    assert_eq!(round_at(&app, first).await, Outcome::Sent(1));
    let mails = sink.wait_for(1).await;
    assert!(
        mails[0].contains("Subject: Test Reviews: 1 held comment"),
        "{}",
        mails[0]
    );
    assert!(mails[0].contains("First question.") && mails[0].contains("(Asia/Tokyo)"));
    assert_eq!(
        round_at(&app, first + Duration::minutes(1)).await,
        Outcome::NotDue
    );
    assert_eq!(
        round_at(&app, first + Duration::hours(20)).await,
        Outcome::NotDue
    );

    // The next day, nothing new: nothing is sent.
    assert_eq!(
        round_at(&app, first + Duration::hours(24)).await,
        Outcome::Nothing
    );
    // Something new: the day after, the digest tells of it alone.
    held_reply(&app, &alice, ap_id, "reply-2", "<p>Second question.</p>").await;
    assert_eq!(
        round_at(&app, first + Duration::hours(25)).await,
        Outcome::NotDue
    );
    assert_eq!(
        round_at(&app, first + Duration::hours(48)).await,
        Outcome::Sent(1)
    );
    let mails = sink.wait_for(2).await;
    assert_eq!(mails.len(), 2, "no third mail");
    assert!(mails[1].contains("Second question.") && !mails[1].contains("First question."));
    assert_eq!(naming(&mails, "First question."), 1);
}
