//! Immediate e-mail: each new thing is mailed once, shortly after it arrives; a failure to send
//! is recorded and tried again, and the server goes on.

use chrono::Utc;

use super::{
    a_held_question, desk_page, desk_post, follow_request, mailing, naming, report, round_at, Sink,
};
use crate::desk::{http_client, set_password, sign_in};
use crate::helpers::{eventually, free_port, TestApp};
use crate::peer::Peer;
use reviewpub::notifications::Outcome;

#[tokio::test]
async fn each_new_thing_is_mailed_once_soon_after_it_arrives() {
    let sink = Sink::start();
    let app = TestApp::spawn_with(|f| mailing(f, &sink.url(), "immediate")).await;
    let alice = a_held_question(&app).await;

    let mails = sink.wait_for(1).await;
    let mail = &mails[0];
    assert!(
        mail.contains("Subject: Test Reviews: 1 held comment\r\n"),
        "{mail}"
    );
    assert!(mail.contains("To: Critic <critic@example.test>"), "{mail}");
    assert!(
        mail.contains("multipart/alternative") && mail.contains("text/html"),
        "{mail}"
    );
    // Named in the text, escaped in the HTML, linked to the desk's queue.
    assert!(
        mail.contains("Is the diner scene <b>the best</b> one?"),
        "{mail}"
    );
    assert!(
        mail.contains("Is the diner scene &lt;b&gt;the best&lt;/b&gt; one?"),
        "{mail}"
    );
    assert!(mail.contains("“Heat (1995)”"), "{mail}");
    assert!(
        mail.contains(&app.url("/admin/comments#comment-")),
        "{mail}"
    );

    // A later round has nothing new to tell.
    assert_eq!(round_at(&app, Utc::now()).await, Outcome::Nothing);
    assert_eq!(sink.mails().len(), 1);

    // A follow request and a report: mailed too, and the comment not again.
    follow_request(&app, &alice).await;
    report(&app, &alice, "Spoilers without warning").await;
    let mails = eventually(
        "the follow request and the report mailed",
        std::time::Duration::from_secs(30),
        || async {
            let mails = sink.mails();
            if naming(&mails, "Follow request from") == 1
                && naming(&mails, "Spoilers without warning") == 1
            {
                Ok(mails)
            } else {
                Err(format!("{} mails", mails.len()))
            }
        },
    )
    .await;
    assert_eq!(round_at(&app, Utc::now()).await, Outcome::Nothing);
    let mails_now = sink.mails();
    assert_eq!(mails_now.len(), mails.len(), "nothing more was sent");
    assert_eq!(naming(&mails_now, "Is the diner scene"), 1);
    assert_eq!(naming(&mails_now, "Follow request from"), 1);
    assert_eq!(naming(&mails_now, "Spoilers without warning"), 1);

    // A restart (a new process on the same database) mails nothing again.
    let app = app.restart().await;
    assert_eq!(round_at(&app, Utc::now()).await, Outcome::Nothing);
    assert_eq!(sink.mails().len(), mails.len());
}

#[tokio::test]
async fn a_server_that_is_down_is_tried_again_and_the_blog_goes_on() {
    let port = free_port();
    let app =
        TestApp::spawn_with(|f| mailing(f, &format!("smtp://127.0.0.1:{port}"), "immediate")).await;
    set_password(&app).await;
    let alice = Peer::start().await;
    report(&app, &alice, "Spoilers without warning").await;

    let desk = http_client();
    let csrf = sign_in(&app, &desk).await;
    let page = eventually(
        "the failure shown at the desk",
        std::time::Duration::from_secs(30),
        || async {
            let page = desk
                .get(app.url("/admin/notifications"))
                .send()
                .await
                .map_err(|e| e.to_string())?
                .text()
                .await
                .map_err(|e| e.to_string())?;
            if page.contains("id=\"last-error\"") {
                Ok(page)
            } else {
                Err("no failure yet".into())
            }
        },
    )
    .await;
    assert!(page.contains("tried again later"), "{page}");
    // The blog goes on.
    assert_eq!(app.get("/").await.status().as_u16(), 200);
    let tested = desk_post(&desk, app.url("/admin/notifications/test"), &csrf).await;
    assert!(tested.contains("The test e-mail was not sent"), "{tested}");

    // The server comes up: the report is mailed, once, and the failure is over.
    let sink = Sink::start_on(port);
    let mails = sink.wait_for(1).await;
    assert!(
        mails[0].contains("Spoilers without warning"),
        "{}",
        mails[0]
    );
    assert_eq!(round_at(&app, Utc::now()).await, Outcome::Nothing);
    assert_eq!(sink.mails().len(), 1);
    let page = desk_page(&desk, app.url("/admin/notifications")).await;
    assert!(!page.contains("id=\"last-error\""), "{page}");
    let tested = desk_post(&desk, app.url("/admin/notifications/test"), &csrf).await;
    assert!(tested.contains("The test e-mail went"), "{tested}");
    let mails = sink.wait_for(2).await;
    assert!(
        mails[1].contains("Subject: Test Reviews: test e-mail"),
        "{}",
        mails[1]
    );
}
