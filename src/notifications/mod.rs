//! Being told: what waits for the critic (comments held for approval, reports, follow
//! requests), read from the rows themselves by their arrival time; the notification feed's
//! secret (only its SHA-256 is stored); and the e-mail rounds (`rounds`) that mail it through
//! the configured SMTP server (`mail`), each thing once.

mod mail;
mod rounds;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::db::federation::FollowerRow;
use crate::db::{self, DbError};
use crate::domain::{CommentFilter, CommentStatus, FollowerStatus, NoticeKind};
use crate::secrets;
use crate::urls::{Urls, DESK_PREFIX};

pub use mail::{send_test, MailError};
pub use rounds::{round, Outcome};

/// The longest excerpt of a comment or report.
const EXCERPT_CHARS: usize = 280;

/// A thing that waits for the critic.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: NoticeKind,
    /// The comment's, report's or follower's id.
    pub id: Uuid,
    pub arrived: DateTime<Utc>,
    /// The comment's author, the reporter, the follower.
    pub who: String,
    /// The review a comment answers; what a report is about.
    pub about: Option<String>,
    /// Plain text (escape it in HTML).
    pub excerpt: String,
    /// The desk page where it is handled.
    pub desk_url: String,
}

impl Notice {
    /// "New held comment by Alice on “Heat”".
    pub fn title(&self) -> String {
        match (self.kind, &self.about) {
            (NoticeKind::HeldComment, Some(review)) => {
                format!("Held comment by {} on “{review}”", self.who)
            }
            (NoticeKind::HeldComment, None) => format!("Held comment by {}", self.who),
            (NoticeKind::Report, _) => format!("Report from {}", self.who),
            (NoticeKind::FollowRequest, _) => format!("Follow request from {}", self.who),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// How a follower is named: "Name (@user@host)", or what is known of it.
pub fn follower_name(f: &FollowerRow) -> String {
    let host = crate::domain::authority(&f.actor_id);
    match (&f.name, &f.preferred_username) {
        (Some(name), Some(user)) => format!("{name} ({})", crate::domain::handle(user, &host)),
        (None, Some(user)) => crate::domain::handle(user, &host),
        (Some(name), None) => name.clone(),
        (None, None) => f.actor_id.clone(),
    }
}

/// What waits, newest first: at most `per_kind` of each kind (the newest), arrived after
/// `after`.
#[tracing::instrument(skip_all, fields(per_kind))]
pub async fn waiting(
    pool: &PgPool,
    urls: &Urls,
    per_kind: i64,
    after: Option<DateTime<Utc>>,
) -> Result<Vec<Notice>, DbError> {
    let desk = |rest: &str| urls.join(&format!("{DESK_PREFIX}{rest}"));
    let mut notices = Vec::new();
    let held = CommentFilter::Status(CommentStatus::Pending);
    let (comments, _) = db::comments::list(pool, Some(held), per_kind, 0).await?;
    let mut titles: HashMap<Uuid, Option<String>> = HashMap::new();
    for c in comments {
        if let std::collections::hash_map::Entry::Vacant(slot) = titles.entry(c.review_id) {
            slot.insert(
                db::reviews::get(pool, c.review_id)
                    .await?
                    .map(|r| r.review.title),
            );
        }
        let who = match &c.author_handle {
            Some(handle) => format!("{} ({handle})", c.author_name),
            None => c.author_name.clone(),
        };
        notices.push(Notice {
            kind: NoticeKind::HeldComment,
            id: c.id,
            arrived: c.created_at,
            who,
            about: titles.get(&c.review_id).cloned().flatten(),
            excerpt: crate::content::truncate(
                &crate::content::html_to_text(&c.content_html),
                EXCERPT_CHARS,
            ),
            desk_url: desk(&format!("/comments#comment-{}", c.id)),
        });
    }
    let reports = db::reports::list_reports(pool).await?;
    notices.extend(
        reports
            .into_iter()
            .take(usize::try_from(per_kind).unwrap_or(0))
            .map(|r| Notice {
                kind: NoticeKind::Report,
                id: r.id,
                arrived: r.created_at,
                who: r.actor_id,
                about: (!r.objects.is_empty()).then(|| r.objects.join(", ")),
                excerpt: crate::content::clean_text(
                    r.content.as_deref().unwrap_or_default(),
                    EXCERPT_CHARS,
                ),
                desk_url: desk("/fediverse#reports"),
            }),
    );
    let (requests, _) =
        db::federation::list_followers(pool, Some(FollowerStatus::Pending), per_kind, 0).await?;
    notices.extend(requests.into_iter().map(|f| Notice {
        kind: NoticeKind::FollowRequest,
        id: f.id,
        arrived: f.created_at,
        who: follower_name(&f),
        about: None,
        excerpt: f.actor_id,
        desk_url: desk("/fediverse#requests"),
    }));
    notices.retain(|n| after.is_none_or(|after| n.arrived > after));
    notices.sort_by(|a, b| b.arrived.cmp(&a.arrived).then(b.id.cmp(&a.id)));
    Ok(notices)
}

/// Makes a new secret for the notification feed's address (the old one stops working): the
/// secret, shown once; only its SHA-256 is stored.
#[tracing::instrument(skip_all)]
pub async fn new_feed_secret(pool: &PgPool) -> Result<String, DbError> {
    let secret = secrets::random_hex(32);
    db::notifications::set_feed_secret(pool, &secrets::sha256(&secret)).await?;
    tracing::info!("a new notification feed address was made; the old one no longer works");
    Ok(secret)
}

/// Whether `presented` is the feed's secret.
#[tracing::instrument(skip_all)]
pub async fn feed_opens(pool: &PgPool, presented: &str) -> Result<bool, DbError> {
    if presented.len() != 64 || !presented.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(false);
    }
    Ok(match db::notifications::feed_secret(pool).await? {
        Some((hash, _)) => secrets::constant_time_eq(&hash, &secrets::sha256(presented)),
        None => false,
    })
}

/// When the feed's current address was made, if one was.
pub async fn feed_made_at(pool: &PgPool) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(db::notifications::feed_secret(pool)
        .await?
        .map(|(_, made)| made))
}
