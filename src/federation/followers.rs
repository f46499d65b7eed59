//! Followers leaving: the critic's decisions on follow requests (when
//! `manually_approves_followers` is on), unfollows, and accounts that are gone.

use sqlx::PgConnection;
use uuid::Uuid;

use super::{outbox, Context, FederationError};
use crate::changes::{self, Change};
use crate::db::deliveries;
use crate::db::federation::{self as db, FollowerRow};
use crate::domain::FollowerStatus;

/// How many followers behind one gone inbox are checked (a personal inbox has one; a shared
/// inbox that answers 410 has a whole server behind it, checked a few at a time as deliveries
/// to it keep failing).
const MAX_CHECKED: i64 = 20;

/// Why a follower leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    /// They unfollowed, or the critic refused them: the answer to them still goes.
    Unfollowed,
    /// Their account is gone: nothing more goes to their inbox.
    Gone,
}

/// Removes `actor` as a follower, with the deliveries still waiting for an inbox no follower
/// uses any more; announces the change. In the caller's transaction. `None` when `actor` did
/// not follow the blog.
#[tracing::instrument(skip_all, fields(why = ?why))]
pub async fn remove(
    conn: &mut PgConnection,
    actor: &str,
    why: Leaving,
) -> Result<Option<FollowerRow>, FederationError> {
    let Some(follower) = db::get_follower_by_actor(&mut *conn, actor).await? else {
        return Ok(None);
    };
    db::remove_follower(&mut *conn, actor).await?;
    let (public_only, reason) = match why {
        Leaving::Unfollowed => (true, "unfollowed before delivery"),
        Leaving::Gone => (false, "the account is gone"),
    };
    deliveries::cancel_for_inbox(&mut *conn, &follower.inbox, public_only, reason).await?;
    if why == Leaving::Gone && follower.personal_inbox != follower.inbox {
        // What was addressed to them alone (an `Accept`, an answer) goes to their own inbox.
        deliveries::cancel_for_inbox(&mut *conn, &follower.personal_inbox, false, reason).await?;
    }
    changes::announce(&mut *conn, &[Change::Followers]).await?;
    Ok(Some(follower))
}

/// A delivery to `inbox` was answered `410 Gone`: every follower behind it whose actor is
/// gone too (its server answers 404 or 410 for it) is removed. Returns how many were.
#[tracing::instrument(skip_all)]
pub async fn remove_gone_behind(ctx: &Context, inbox: &str) -> Result<usize, FederationError> {
    let mut removed = 0;
    for actor in db::followers_at_inbox(&ctx.pool, inbox, MAX_CHECKED).await? {
        if !super::remote::is_gone(ctx, &actor).await {
            continue;
        }
        let mut tx = ctx.pool.begin().await?;
        if remove(&mut tx, &actor, Leaving::Gone).await?.is_some() {
            removed += 1;
        }
        tx.commit().await?;
        tracing::info!(follower = %actor, "follower's account is gone; removed");
    }
    Ok(removed)
}

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
    remove(&mut tx, &follower.actor_id, Leaving::Unfollowed).await?;
    outbox::answer_follow(
        &mut tx,
        urls,
        super::documents::ActivityKind::Reject,
        &follower.follow_id,
        &follower.actor_id,
        &follower.personal_inbox,
    )
    .await?;
    tx.commit().await?;
    ctx.federation.wake.notify_one();
    Ok(())
}
