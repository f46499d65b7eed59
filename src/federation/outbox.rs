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
    /// Who may quote a review whose own policy is not set.
    quote_policy: QuotePolicy,
    wake: Option<Arc<Notify>>,
}

impl Outbox {
    /// For a process without delivery workers (the command line): the server that runs them
    /// finds the jobs at its next poll.
    pub fn new(urls: Urls, quote_policy: QuotePolicy) -> Self {
        Self {
            urls,
            quote_policy,
            wake: None,
        }
    }

    /// For a server: its workers are woken as soon as something is queued.
    pub fn waking(urls: Urls, quote_policy: QuotePolicy, wake: Arc<Notify>) -> Self {
        Self {
            urls,
            quote_policy,
            wake: Some(wake),
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
        review_written(conn, &self.urls, review, self.quote_policy, now).await
    }

    async fn review_deleted(
        &self,
        conn: &mut PgConnection,
        review_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        review_deleted(conn, &self.urls, review_id, now).await
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
    default_quote_policy: QuotePolicy,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let quote_policy = review.quote_policy.unwrap_or(default_quote_policy);
    super::quotes::revoke_disallowed(&mut *conn, urls, review, quote_policy, now).await?;
    let federated = db::is_federated(&mut *conn, review.id).await?;
    let engagement = comments::engagement(&mut *conn, review.id).await?;
    match (review.is_public(), federated) {
        (true, false) => {
            to_followers(
                conn,
                urls,
                ActivityKind::Create,
                review.id,
                Object::Article(Box::new(documents::article(
                    review,
                    urls,
                    engagement,
                    quote_policy,
                ))),
                now,
            )
            .await?;
            db::set_federated(&mut *conn, review.id, true).await
        }
        (true, true) => {
            to_followers(
                conn,
                urls,
                ActivityKind::Update,
                review.id,
                Object::Article(Box::new(documents::article(
                    review,
                    urls,
                    engagement,
                    quote_policy,
                ))),
                now,
            )
            .await
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
    );
    Ok((note, mention.map(|(actor, _, _)| actor)))
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
