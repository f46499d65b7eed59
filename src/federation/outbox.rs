//! What the blog sends, decided inside the transaction that changes a review or a follow: the
//! activity and its delivery jobs are written with the change, or not at all.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use tokio::sync::Notify;
use uuid::Uuid;

use super::documents::{self, ActivityKind, Object};
use crate::db::comments::{self, CommentRow};
use crate::db::deliveries;
use crate::db::federation as db;
use crate::db::DbError;
use crate::domain::{QuotePolicy, Review};
use crate::outbound::{CommentActivity, Outbound};
use crate::urls::Urls;

/// The federation side of [`Outbound`]: builds the activities and queues their deliveries;
/// wakes this process's delivery workers once they are committed (when it has any).
pub struct Outbox {
    urls: Urls,
    /// The blog's defaults an Article shows (who may reply, who may quote).
    defaults: ArticleDefaults,
    wake: Option<Arc<Notify>>,
}

impl Outbox {
    /// For a process without delivery workers (the command line): the server that runs them
    /// finds the jobs at its next poll.
    pub fn new(settings: &crate::config::Settings) -> Self {
        Self {
            urls: Urls::new(settings),
            defaults: ArticleDefaults::of(settings),
            wake: None,
        }
    }

    /// For a server: its workers are woken as soon as something is queued.
    pub fn waking(settings: &crate::config::Settings, wake: Arc<Notify>) -> Self {
        Self {
            wake: Some(wake),
            ..Self::new(settings)
        }
    }
}

#[async_trait::async_trait]
impl Outbound for Outbox {
    async fn review_written(
        &self,
        conn: &mut PgConnection,
        review: &Review,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        review_written(conn, &self.urls, review, now, self.defaults).await
    }

    async fn review_deleted(
        &self,
        conn: &mut PgConnection,
        review_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        review_deleted(conn, &self.urls, review_id, now).await
    }

    async fn review_imported(
        &self,
        conn: &mut PgConnection,
        review: &Review,
        deliver: bool,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        review_imported(conn, &self.urls, review, deliver, now, self.defaults).await
    }

    async fn comment_sent(
        &self,
        conn: &mut PgConnection,
        comment: &CommentRow,
        activity: CommentActivity,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        let kind = match activity {
            CommentActivity::Create => ActivityKind::Create,
            CommentActivity::Update => ActivityKind::Update,
            CommentActivity::Delete => ActivityKind::Delete,
        };
        comment_sent(conn, &self.urls, comment, kind, now).await
    }

    fn queued(&self) {
        if let Some(wake) = &self.wake {
            wake.notify_one();
        }
    }
}

/// How soon after publication a review's thread is first crawled for replies that never
/// reached us.
pub const FIRST_CRAWL_AFTER: chrono::Duration = chrono::Duration::minutes(15);

/// Stores an activity and queues it for every follower's inbox (shared inboxes once).
async fn to_followers(
    conn: &mut PgConnection,
    urls: &Urls,
    kind: ActivityKind,
    review_id: Uuid,
    object: Object,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let (id, ap_id) = documents::new_activity_id(urls);
    let body = documents::review_activity(kind, &ap_id, urls, object, now);
    deliveries::insert_activity(
        conn,
        id,
        &ap_id,
        kind.as_str(),
        Some(review_id),
        true,
        &body,
    )
    .await?;
    let queued = deliveries::enqueue_to_followers(conn, id).await?;
    tracing::info!(activity = %ap_id, kind = kind.as_str(), review = %review_id, inboxes = queued, "activity queued");
    Ok(())
}

/// After a review was written: `Create` when it first goes public, `Update` when a public
/// review changes, `Delete` when it leaves the public (back to draft or rescheduled).
#[tracing::instrument(skip_all, fields(review = %review.id))]
pub async fn review_written(
    conn: &mut PgConnection,
    urls: &Urls,
    review: &Review,
    now: DateTime<Utc>,
    defaults: ArticleDefaults,
) -> Result<(), DbError> {
    let quote_policy = review.quote_policy.unwrap_or(defaults.quote_policy);
    super::quotes::revoke_disallowed(&mut *conn, urls, review, quote_policy, now).await?;
    let federated = db::is_federated(&mut *conn, review.id).await?;
    match (review.is_public(), federated) {
        (true, false) => {
            let article = article_document(conn, urls, review, defaults).await?;
            to_followers(
                conn,
                urls,
                ActivityKind::Create,
                review.id,
                Object::Article(Box::new(article)),
                now,
            )
            .await?;
            // Replies that never reach us (to replies that do not mention the blog) are
            // looked for by crawling the thread, first soon after publication.
            crate::db::crawls::schedule(&mut *conn, review.id, now + FIRST_CRAWL_AFTER).await?;
            db::set_federated(&mut *conn, review.id, true).await
        }
        (true, true) => {
            // Back from hiding, or edited: servers have it, so it is an `Update`.
            db::set_hidden(&mut *conn, review.id, false).await?;
            let article = article_document(conn, urls, review, defaults).await?;
            to_followers(
                conn,
                urls,
                ActivityKind::Update,
                review.id,
                Object::Article(Box::new(article)),
                now,
            )
            .await
        }
        (false, true) if db::is_hidden(&mut *conn, review.id).await? => {
            // Hidden by the critic: nothing goes out, servers keep their copy.
            Ok(())
        }
        (false, true) => {
            let id = urls.review_ap_id(review.id, review.ap_revision);
            let tombstone = documents::tombstone(&id, now);
            to_followers(
                conn,
                urls,
                ActivityKind::Delete,
                review.id,
                Object::Tombstone(tombstone),
                now,
            )
            .await?;
            // Servers keep the tombstone: a return goes out under a new id.
            db::retire_ap_id(&mut *conn, review.id, now).await?;
            Ok(())
        }
        (false, false) => Ok(()),
    }
}

/// After a review was imported (see [`Outbound::review_imported`]): its `Create`, dated when
/// it was published, in the outbox; queued to the followers only when `deliver`.
#[tracing::instrument(skip_all, fields(review = %review.id, deliver))]
pub async fn review_imported(
    conn: &mut PgConnection,
    urls: &Urls,
    review: &Review,
    deliver: bool,
    now: DateTime<Utc>,
    defaults: ArticleDefaults,
) -> Result<(), DbError> {
    if !review.is_public() || db::is_federated(&mut *conn, review.id).await? {
        return Ok(());
    }
    let at = review.published_at.unwrap_or(now);
    let article = article_document(conn, urls, review, defaults).await?;
    let (id, ap_id) = documents::new_activity_id(urls);
    let body = documents::review_activity(
        ActivityKind::Create,
        &ap_id,
        urls,
        Object::Article(Box::new(article)),
        at,
    );
    let kind = ActivityKind::Create.as_str();
    deliveries::insert_activity_dated(
        conn,
        id,
        &ap_id,
        kind,
        Some(review.id),
        true,
        &body,
        Some(at),
    )
    .await?;
    if deliver {
        let queued = deliveries::enqueue_to_followers(conn, id).await?;
        tracing::info!(activity = %ap_id, review = %review.id, inboxes = queued, "imported review queued");
    }
    db::set_federated(&mut *conn, review.id, true).await
}

/// After a review was deleted: a `Delete` with a `Tombstone` if the fediverse had it.
#[tracing::instrument(skip_all, fields(review_id))]
pub async fn review_deleted(
    conn: &mut PgConnection,
    urls: &Urls,
    review_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    super::quotes::revoke(&mut *conn, urls, review_id, false, now).await?;
    if !db::is_federated(&mut *conn, review_id).await? {
        return Ok(());
    }
    let revision = db::ap_revision(&mut *conn, review_id).await?;
    let tombstone = documents::tombstone(&urls.review_ap_id(review_id, revision), now);
    to_followers(
        conn,
        urls,
        ActivityKind::Delete,
        review_id,
        Object::Tombstone(tombstone),
        now,
    )
    .await?;
    db::set_federated(&mut *conn, review_id, false).await
}

/// The `Note` of one of our comments, with what it answers and whom it mentions.
pub async fn comment_document(
    conn: &mut PgConnection,
    urls: &Urls,
    comment: &CommentRow,
) -> Result<(documents::Note, Option<String>), DbError> {
    let revision = db::ap_revision(&mut *conn, comment.review_id).await?;
    let review_ap_id = urls.review_ap_id(comment.review_id, revision);
    let parent = match comment.parent_id {
        Some(id) => comments::get(&mut *conn, id).await?,
        None => None,
    };
    let in_reply_to = parent
        .as_ref()
        .map(|p| p.ap_id.clone())
        .unwrap_or_else(|| review_ap_id.clone());
    let mention = parent.as_ref().and_then(|p| {
        let actor = p.author_actor.as_deref()?;
        Some((
            actor.to_string(),
            p.author_handle.clone().unwrap_or_else(|| actor.to_string()),
            p.author_url.clone().unwrap_or_else(|| actor.to_string()),
        ))
    });
    let note = documents::comment_note(
        comment,
        &in_reply_to,
        &review_ap_id,
        mention
            .as_ref()
            .map(|(actor, handle, profile)| documents::Mention {
                actor,
                handle,
                profile,
            }),
        urls,
        first_replies(&mut *conn, comment.review_id, Some(comment.id)).await?,
    );
    Ok((note, mention.map(|(actor, _, _)| actor)))
}

/// The first page of the public answers to a review (`parent` `None`) or to one of its
/// comments, as a post's `replies` embeds it.
pub async fn first_replies(
    db: impl sqlx::PgExecutor<'_>,
    review_id: Uuid,
    parent: Option<Uuid>,
) -> Result<documents::FirstPage, DbError> {
    let (ids, total) =
        comments::public_replies_page(db, review_id, parent, documents::PAGE_SIZE, 0).await?;
    Ok(documents::FirstPage { ids, total })
}

/// What an Article shows of the blog's settings when the review sets nothing itself: when
/// replies close (`comments.close_after_days`) and who may quote (`federation.quote_policy`).
#[derive(Debug, Clone, Copy)]
pub struct ArticleDefaults {
    pub close_after: Option<chrono::Duration>,
    pub quote_policy: QuotePolicy,
}

impl ArticleDefaults {
    pub fn of(settings: &crate::config::Settings) -> Self {
        Self {
            close_after: settings.comments.close_after,
            quote_policy: settings.federation.quote_policy,
        }
    }
}

/// A review's `Article`, with its counts and the first page of its answers.
pub async fn article_document(
    conn: &mut PgConnection,
    urls: &Urls,
    review: &Review,
    defaults: ArticleDefaults,
) -> Result<documents::Article, DbError> {
    let engagement = comments::engagement(&mut *conn, review.id).await?;
    let replies = first_replies(&mut *conn, review.id, None).await?;
    let open = review.accepts_replies(defaults.close_after, Utc::now());
    let poster_size = poster_size(&mut *conn, urls, review).await?;
    Ok(documents::article(
        review,
        urls,
        engagement,
        replies,
        open,
        defaults.quote_policy,
        poster_size,
    ))
}

/// The pixel size of the review's poster when it is an upload of ours.
async fn poster_size(
    conn: &mut PgConnection,
    urls: &Urls,
    review: &Review,
) -> Result<Option<(u32, u32)>, DbError> {
    let Some(name) = review
        .film
        .poster_url
        .as_ref()
        .and_then(|u| urls.media_name(u.as_str()))
    else {
        return Ok(None);
    };
    let rows = crate::db::images::by_largest(&mut *conn, &[name]).await?;
    Ok(rows
        .first()
        .and_then(|row| row.largest())
        .map(|s| (s.width, s.height)))
}

/// After the critic wrote, edited or deleted a comment: `Create`, `Update` or `Delete` of the
/// `Note`, to the followers and to the commenter answered.
#[tracing::instrument(skip_all, fields(comment = %comment.id))]
pub async fn comment_sent(
    conn: &mut PgConnection,
    urls: &Urls,
    comment: &CommentRow,
    kind: ActivityKind,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let (note, mentioned) = comment_document(conn, urls, comment).await?;
    let object = if kind == ActivityKind::Delete {
        Object::Tombstone(documents::comment_tombstone(&comment.ap_id, now))
    } else {
        Object::Note(Box::new(note))
    };
    let (id, ap_id) = documents::new_activity_id(urls);
    let mut body = documents::review_activity(kind, &ap_id, urls, object, now);
    body.cc.extend(mentioned.clone());
    deliveries::insert_activity(
        conn,
        id,
        &ap_id,
        kind.as_str(),
        Some(comment.review_id),
        false,
        &body,
    )
    .await?;
    let queued = deliveries::enqueue_to_followers(conn, id).await?;
    if let Some(actor) = mentioned {
        if let Some(remote) = db::get_remote_actor(&mut *conn, &actor).await? {
            let inbox = remote.shared_inbox.unwrap_or(remote.inbox);
            deliveries::enqueue_one(conn, id, &inbox, &crate::domain::authority(&inbox)).await?;
        }
    }
    tracing::info!(activity = %ap_id, kind = kind.as_str(), followers_inboxes = queued, "comment activity queued");
    Ok(())
}

/// `Accept` or `Reject` of a follow, to the follower's own inbox.
#[tracing::instrument(skip_all)]
pub async fn answer_follow(
    conn: &mut PgConnection,
    urls: &Urls,
    kind: ActivityKind,
    follow_id: &str,
    follower: &str,
    inbox: &str,
) -> Result<(), DbError> {
    let (id, ap_id) = documents::new_activity_id(urls);
    let body = documents::follow_answer(kind, &ap_id, urls, follow_id, follower);
    deliveries::insert_activity(conn, id, &ap_id, kind.as_str(), None, false, &body).await?;
    deliveries::enqueue_one(conn, id, inbox, &crate::domain::authority(inbox)).await?;
    tracing::info!(activity = %ap_id, kind = kind.as_str(), inbox, "follow answered");
    Ok(())
}
