//! Blocking an actor or a server, directly or from one of their comments (a suspend: nothing
//! from them is accepted, and what they wrote disappears from every page).

use sqlx::PgPool;
use uuid::Uuid;

use crate::changes::{self, Change};
use crate::db::blocks::{self, BlockRow};
use crate::db::comments;
use crate::domain::BlockKind;
use crate::error::AppError;

/// Whom a block from a comment reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Author,
    Server,
}

/// Blocks the author of comment `id`, or their server; the block.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn block_from_comment(
    pool: &PgPool,
    id: Uuid,
    reach: Reach,
    reason: Option<&str>,
) -> Result<BlockRow, AppError> {
    let comment = comments::get(pool, id).await?.ok_or(AppError::NotFound)?;
    let actor = comment.author_actor.ok_or_else(|| {
        AppError::BadRequest(
            "this comment has no fediverse author (the critic's own, or imported)".into(),
        )
    })?;
    let (kind, value) = match reach {
        Reach::Author => (BlockKind::Actor, actor),
        Reach::Server => (BlockKind::Domain, crate::domain::authority(&actor)),
    };
    block(pool, kind, &value, reason).await
}

/// Blocks an actor or a server (a suspend); what they wrote disappears from every page.
#[tracing::instrument(skip_all)]
pub async fn block(
    pool: &PgPool,
    kind: BlockKind,
    value: &str,
    reason: Option<&str>,
) -> Result<BlockRow, AppError> {
    let row = blocks::add_block(pool, kind, value, reason).await?;
    changes::announce(pool, &[Change::Site]).await?;
    tracing::info!(kind = kind.as_str(), value, "blocked");
    Ok(row)
}
