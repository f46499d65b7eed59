//! The e-mail rounds: a background task runs one every `scheduler.interval_seconds`. A round
//! claims the state row (another process's round makes it skip), finds what waits and was not
//! mailed yet, and mails it when it is time: with `immediate`, once the first of it is
//! `debounce_seconds` old; with `daily`, at `daily_at` in the site's time zone. What was mailed
//! is recorded in the same transaction, so nothing is mailed twice, across restarts and
//! processes; a failure is recorded and tried again `retry_seconds` later.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;

use super::mail::{compose, send};
use super::{waiting, Notice, NotifyError};
use crate::config::{Digest, Settings};
use crate::db::{self, notifications::MailState, DbError};
use crate::domain::NoticeKind;
use crate::urls::Urls;

/// Things of each kind a round looks at (the newest).
const SCAN: i64 = 500;

/// What a round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// E-mail is off.
    Off,
    /// Another process's round is under way.
    Busy,
    /// Not the time yet (the debounce, the daily time, or the pause after a failure).
    NotDue,
    /// Nothing new to tell.
    Nothing,
    /// One e-mail went, telling of so many things.
    Sent(usize),
    /// The e-mail did not go (logged; tried again later).
    Failed,
}

/// One round, as of `now`.
#[tracing::instrument(skip_all)]
pub async fn round(
    pool: &PgPool,
    settings: &Settings,
    urls: &Urls,
    now: DateTime<Utc>,
) -> Result<Outcome, NotifyError> {
    let n = &settings.notifications;
    let Some(email) = n.email.as_ref().filter(|_| n.digest != Digest::Off) else {
        return Ok(Outcome::Off);
    };
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    let Some(state) = db::notifications::claim(&mut tx).await? else {
        return Ok(Outcome::Busy);
    };
    if let Some(failed_at) = state.last_error_at {
        if now < failed_at + duration(n.retry_after) {
            return Ok(Outcome::NotDue);
        }
    }
    let digest = n.digest == Digest::Daily;
    if digest && !daily_due(&state, now, n.daily_at, settings.site.time_zone) {
        return Ok(Outcome::NotDue);
    }
    let new = unmailed(pool, urls, &state).await?;
    let Some(oldest) = new.iter().map(|n| n.arrived).min() else {
        if digest {
            db::notifications::record_quiet_digest(&mut *tx, now).await?;
            tx.commit().await.map_err(DbError::from)?;
        }
        return Ok(Outcome::Nothing);
    };
    if !digest && now < oldest + duration(n.debounce) {
        return Ok(Outcome::NotDue);
    }
    match send(email, compose(settings, &new)).await {
        Ok(()) => {
            let items: Vec<(NoticeKind, uuid::Uuid)> = new.iter().map(|n| (n.kind, n.id)).collect();
            db::notifications::record_sent(&mut tx, &items, now, digest).await?;
            tx.commit().await.map_err(DbError::from)?;
            tracing::info!(items = items.len(), "a notification e-mail was sent");
            Ok(Outcome::Sent(items.len()))
        }
        Err(e) => {
            tracing::warn!(error = %e, "the notification e-mail was not sent; it is tried again later");
            db::notifications::record_failure(&mut *tx, now, &e.to_string()).await?;
            tx.commit().await.map_err(DbError::from)?;
            Ok(Outcome::Failed)
        }
    }
}

fn duration(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

/// What waits, arrived since e-mail began, and was not mailed yet.
async fn unmailed(pool: &PgPool, urls: &Urls, state: &MailState) -> Result<Vec<Notice>, DbError> {
    let mut new = waiting(pool, urls, SCAN, Some(state.mail_from)).await?;
    for &kind in NoticeKind::ALL {
        let ids: Vec<uuid::Uuid> = new
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.id)
            .collect();
        if ids.is_empty() {
            continue;
        }
        let mailed = db::notifications::mailed_among(pool, kind, &ids).await?;
        new.retain(|n| n.kind != kind || !mailed.contains(&n.id));
    }
    Ok(new)
}

/// Whether the daily digest is due: the last `daily_at` (in `tz`) up to `now` came after the
/// last digest.
fn daily_due(state: &MailState, now: DateTime<Utc>, at: NaiveTime, tz: Tz) -> bool {
    let since = state.last_digest_at.unwrap_or(state.mail_from);
    last_daily(now, at, tz).is_some_and(|time| time > since)
}

/// The last moment up to `now` when it was `at` in `tz` (a time skipped by a clock change
/// counts an hour later).
fn last_daily(now: DateTime<Utc>, at: NaiveTime, tz: Tz) -> Option<DateTime<Utc>> {
    let today = now.with_timezone(&tz).date_naive();
    [Some(today), today.pred_opt()]
        .into_iter()
        .flatten()
        .filter_map(|date| {
            let local = date.and_time(at);
            tz.from_local_datetime(&local).earliest().or_else(|| {
                tz.from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })
        })
        .map(|time| time.with_timezone(&Utc))
        .find(|time| *time <= now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("date")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_daily_digest_is_due_once_after_its_time_in_the_site_zone() {
        let paris: Tz = "Europe/Paris".parse().expect("zone");
        let eight = NaiveTime::from_hms_opt(8, 0, 0).expect("time");
        // 08:00 in Paris is 07:00 UTC in winter.
        assert_eq!(
            last_daily(utc("2026-12-01T07:30:00Z"), eight, paris),
            Some(utc("2026-12-01T07:00:00Z"))
        );
        assert_eq!(
            last_daily(utc("2026-12-01T06:30:00Z"), eight, paris),
            Some(utc("2026-11-30T07:00:00Z"))
        );
        let mut state = MailState {
            mail_from: utc("2026-11-30T12:00:00Z"),
            last_digest_at: None,
            last_sent_at: None,
            last_error: None,
            last_error_at: None,
        };
        assert!(!daily_due(
            &state,
            utc("2026-12-01T06:59:00Z"),
            eight,
            paris
        ));
        assert!(daily_due(&state, utc("2026-12-01T07:00:00Z"), eight, paris));
        state.last_digest_at = Some(utc("2026-12-01T07:00:05Z"));
        assert!(!daily_due(
            &state,
            utc("2026-12-01T20:00:00Z"),
            eight,
            paris
        ));
        assert!(daily_due(&state, utc("2026-12-02T07:01:00Z"), eight, paris));
        // 02:30 does not exist on the night clocks go forward: the digest goes at 03:30.
        let half_two = NaiveTime::from_hms_opt(2, 30, 0).expect("time");
        assert_eq!(
            last_daily(utc("2027-03-28T02:00:00Z"), half_two, paris),
            Some(utc("2027-03-28T01:30:00Z"))
        );
    }
}
