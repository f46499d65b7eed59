//! Deleting with a way back: a review deleted at the desk goes to the trash. It leaves the blog
//! at once (as [`hide`](super::hide) takes it off: servers keep their copy for now), and for
//! [`UNDO_MINUTES`] the critic may take it back as it was; then [`purge`] deletes it for good
//! and the fediverse is told. The admin API's `DELETE` stays immediate.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::config::Settings;
use crate::db::reviews::{self, trash};
use crate::db::DbError;
use crate::domain::ReviewStatus;
use crate::error::AppError;
use crate::outbound::Outbound;

/// How long a deleted review may be taken back.
pub const UNDO_MINUTES: i64 = 15;

/// When a review put in the trash at `trashed_at` is deleted for good.
pub fn gone_at(trashed_at: DateTime<Utc>) -> DateTime<Utc> {
    trashed_at + window()
}

fn window() -> chrono::Duration {
    chrono::Duration::minutes(UNDO_MINUTES)
}

/// Puts a review in the trash; its title, for the notice.
#[tracing::instrument(skip_all, fields(review = %id))]
pub async fn trash(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let stored = reviews::get(pool, id).await?.ok_or(AppError::NotFound)?;
    let was = stored.review.status;
    if was != ReviewStatus::Draft {
        // Off the blog now, the fediverse untouched until the trash is emptied.
        super::hide(pool, settings, outbound, id, now).await?;
    }
    let mut conn = pool.acquire().await.map_err(DbError::from)?;
    if !trash::mark(&mut conn, id, was, now).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(review = %id, was = was.as_str(), "review put in the trash");
    Ok(stored.review.title)
}

/// What taking a review back did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restored {
    /// As it was.
    AsItWas(ReviewStatus),
    /// A scheduled review whose time passed in the trash: a draft now, to schedule again.
    DraftNow,
}

/// Takes a review back from the trash, as it was: a published one is published again (the same
/// ActivityPub id, sent as an `Update`), a scheduled one scheduled again.
#[tracing::instrument(skip_all, fields(review = %id))]
pub async fn restore(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Restored, AppError> {
    let mut conn = pool.acquire().await.map_err(DbError::from)?;
    let was = trash::take_back(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    if was == ReviewStatus::Draft {
        return Ok(Restored::AsItWas(was));
    }
    let patch = serde_json::json!({ "status": was.as_str() });
    match super::update(
        pool,
        settings,
        outbound,
        id,
        super::Change::Patch(&patch),
        now,
    )
    .await
    {
        Ok(_) => Ok(Restored::AsItWas(was)),
        Err(AppError::Validation(_)) if was == ReviewStatus::Scheduled => Ok(Restored::DraftNow),
        Err(e) => Err(e),
    }
}

/// Deletes for good what has been in the trash longer than the undo window. Safe in several
/// processes: a review another one deleted first is passed over.
#[tracing::instrument(skip_all)]
pub async fn purge(
    pool: &PgPool,
    outbound: &dyn Outbound,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let due = trash::due(pool, now - window()).await?;
    let mut purged = 0;
    for id in due {
        match super::delete(pool, outbound, id, now).await {
            Ok(()) => purged += 1,
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(purged)
}
