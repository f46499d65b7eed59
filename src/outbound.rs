//! What the fediverse is told when the blog changes. The services decide *when*: inside the
//! transaction that changes a review or a comment. Federation decides *what* (the activities and
//! their delivery jobs) by implementing [`Outbound`]; startup hands the implementation in, so
//! the services never import federation.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::comments::CommentRow;
use crate::db::DbError;
use crate::domain::Review;

/// What happened to one of the critic's own comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentActivity {
    Create,
    Update,
    Delete,
}

impl CommentActivity {
    /// The ActivityStreams type of the activity that says so.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Create => "Create",
            Self::Update => "Update",
            Self::Delete => "Delete",
        }
    }
}

/// Queues what followers (and people answered) must hear, in the caller's transaction.
#[async_trait::async_trait]
pub trait Outbound: Send + Sync {
    /// A review was created or edited (or left the public).
    async fn review_written(
        &self,
        conn: &mut PgConnection,
        review: &Review,
        now: DateTime<Utc>,
    ) -> Result<(), DbError>;

    /// A review was imported from another blog: a public one is in the outbox dated when it
    /// was first published; followers get its `Create` only when `deliver` (else nothing goes
    /// out, and later edits go out as `Update`s).
    async fn review_imported(
        &self,
        conn: &mut PgConnection,
        review: &Review,
        deliver: bool,
        now: DateTime<Utc>,
    ) -> Result<(), DbError>;

    /// A review was deleted for good.
    async fn review_deleted(
        &self,
        conn: &mut PgConnection,
        review_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), DbError>;

    /// The critic wrote, edited or deleted a comment.
    async fn comment_sent(
        &self,
        conn: &mut PgConnection,
        comment: &CommentRow,
        activity: CommentActivity,
        now: DateTime<Utc>,
    ) -> Result<(), DbError>;

    /// The transaction that queued activities has committed: deliveries may start now.
    fn queued(&self) {}
}
