//! The critic's decisions on follow requests (when `manually_approves_followers` is on).

use uuid::Uuid;

use super::{outbox, Context, FederationError};
use crate::changes::{self, Change};
use crate::db::federation::{self as db, FollowerRow};
use crate::domain::FollowerStatus;

/// Accepts a pending follow: the follower gets an `Accept` and, from then on, the reviews.
#[tracing::instrument(skip_all, fields(id))]
pub async fn approve(ctx: &Context, id: Uuid) -> Result<FollowerRow, FederationError> {
    let urls = &*ctx.urls;
    let mut tx = ctx.pool.begin().await?;
    let follower = db::get_follower(&mut *tx, id)
        .await?
        .ok_or(FederationError::NotFound)?;
    if follower.status != FollowerStatus::Accepted {
        db::accept_follower(&mut *tx, id).await?;
        outbox::answer_follow(
            &mut tx,
            urls,
            super::documents::ActivityKind::Accept,
            &follower.follow_id,
            &follower.actor_id,
            &follower.personal_inbox,
        )
        .await?;
    }
    let approved = db::get_follower(&mut *tx, id)
        .await?
        .ok_or(FederationError::NotFound)?;
    changes::announce(&mut *tx, &[Change::Followers]).await?;
    tx.commit().await?;
    ctx.federation.wake.notify_one();
    Ok(approved)
}

/// Refuses a follow (or removes a follower): they get a `Reject` and nothing more.
#[tracing::instrument(skip_all, fields(id))]
pub async fn reject(ctx: &Context, id: Uuid) -> Result<(), FederationError> {
    let urls = &*ctx.urls;
    let mut tx = ctx.pool.begin().await?;
    let follower = db::get_follower(&mut *tx, id)
        .await?
        .ok_or(FederationError::NotFound)?;
    db::remove_follower(&mut *tx, &follower.actor_id).await?;
    outbox::answer_follow(
        &mut tx,
        urls,
        super::documents::ActivityKind::Reject,
        &follower.follow_id,
        &follower.actor_id,
        &follower.personal_inbox,
    )
    .await?;
    changes::announce(&mut *tx, &[Change::Followers]).await?;
    tx.commit().await?;
    ctx.federation.wake.notify_one();
    Ok(())
}
