//! What the blog sends, decided inside the transaction that changes a review or a follow: the
//! activity and its delivery jobs are written with the change, or not at all.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::documents;
use crate::db::deliveries;
use crate::db::federation as db;
use crate::db::DbError;
use crate::domain::Review;
use crate::urls::Urls;

/// Stores an activity and queues it for every follower's inbox (shared inboxes once).
async fn to_followers(
    conn: &mut PgConnection,
    urls: &Urls,
    kind: &str,
    review_id: Uuid,
    object: Value,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let (id, ap_id) = documents::new_activity_id(urls);
    let body = documents::review_activity(kind, &ap_id, urls, object, now);
    deliveries::insert_activity(conn, id, &ap_id, kind, Some(review_id), true, &body).await?;
    let queued = deliveries::enqueue_to_followers(conn, id).await?;
    tracing::info!(activity = %ap_id, kind, review = %review_id, inboxes = queued, "activity queued");
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
) -> Result<(), DbError> {
    let federated = db::is_federated(&mut *conn, review.id).await?;
    match (review.is_public(), federated) {
        (true, false) => {
            to_followers(
                conn,
                urls,
                "Create",
                review.id,
                documents::article(review, urls),
                now,
            )
            .await?;
            db::set_federated(&mut *conn, review.id, true).await
        }
        (true, true) => {
            to_followers(
                conn,
                urls,
                "Update",
                review.id,
                documents::article(review, urls),
                now,
            )
            .await
        }
        (false, true) => {
            let tombstone = documents::tombstone(&urls.review_id(review.id), now);
            to_followers(conn, urls, "Delete", review.id, tombstone, now).await?;
            db::set_federated(&mut *conn, review.id, false).await
        }
        (false, false) => Ok(()),
    }
}

/// After a review was deleted: a `Delete` with a `Tombstone` if the fediverse had it.
#[tracing::instrument(skip(conn, urls))]
pub async fn review_deleted(
    conn: &mut PgConnection,
    urls: &Urls,
    review_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    if !db::is_federated(&mut *conn, review_id).await? {
        return Ok(());
    }
    let tombstone = documents::tombstone(&urls.review_id(review_id), now);
    to_followers(conn, urls, "Delete", review_id, tombstone, now).await?;
    db::set_federated(&mut *conn, review_id, false).await
}

/// `Accept` or `Reject` of a follow, to the follower's own inbox.
#[tracing::instrument(skip(conn, urls))]
pub async fn answer_follow(
    conn: &mut PgConnection,
    urls: &Urls,
    kind: &str,
    follow_id: &str,
    follower: &str,
    inbox: &str,
) -> Result<(), DbError> {
    let follow = serde_json::json!({"id": follow_id, "type": "Follow", "actor": follower, "object": urls.actor()});
    let (id, ap_id) = documents::new_activity_id(urls);
    let body = documents::follow_answer(kind, &ap_id, urls, &follow);
    deliveries::insert_activity(conn, id, &ap_id, kind, None, false, &body).await?;
    deliveries::enqueue_one(conn, id, inbox, &super::delivery::authority(inbox)).await?;
    tracing::info!(activity = %ap_id, kind, inbox, "follow answered");
    Ok(())
}
