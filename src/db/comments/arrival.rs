//! What decides a remote reply's fate on arrival, read in one query.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::db::DbError;

/// Whether a reply is here already and where its author stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Arrival {
    /// The comment stored before under the reply's id (a delivery made again).
    pub existing: Option<Uuid>,
    /// The author or their server is blocked.
    pub blocked: bool,
    /// The author's server is silenced (an imported blocklist's `silence`): their comments
    /// wait for approval.
    pub silenced: bool,
    /// The author has a public comment the critic let through (the `first_time` policy).
    pub approved: bool,
}

/// [`Arrival`] of the reply `ap_id` by `author`: one round trip instead of four.
#[tracing::instrument(skip_all)]
pub async fn arrival(
    db: impl PgExecutor<'_>,
    ap_id: &str,
    author: &str,
) -> Result<Arrival, DbError> {
    Ok(sqlx::query_as(
        "SELECT (SELECT id FROM comments WHERE ap_id = $1) AS existing, \
                actor_is_blocked($2) AS blocked, actor_is_silenced($2) AS silenced, \
                EXISTS (SELECT 1 FROM comments WHERE author_actor = $2 \
                        AND status = 'published' AND visibility = 'public') AS approved",
    )
    .bind(ap_id)
    .bind(author)
    .fetch_one(db)
    .await?)
}
