//! The archive `reviewpub export` writes and `reviewpub import archive` reads back: the schema
//! of its `archive.json`, version [`VERSION`].
//!
//! One record type per stored table, each field named and typed as its column, so that an
//! archive restores every id, date and state as it was: the page URLs and ActivityPub ids of
//! an instance restored at the same public URL are the ones it had. What a record leaves out
//! is derived again on import: a review's HTML, teaser and category/tag keys from its Markdown
//! and terms (by the renderer that publishing uses), a comment's HTML is sanitized again.
//!
//! Not in an archive: admin API tokens (secrets; a hash is no use elsewhere: mint new ones),
//! the actors' private keys unless asked for ([`Archive::keys`]), received activity ids,
//! delivery history and hosts' failure records (bookkeeping that starts afresh). The settings
//! live in configuration files, not the database: the archive carries the critic's choices
//! among them ([`SettingsRecord`]) for the importer to compare, never a secret.
//!
//! The file is strict: an unknown field, a missing one, a wrong type or a value a rule refuses
//! (see [`Archive::validate`]) refuses the whole archive, naming the field.

mod settings;
mod validate;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{
    BlockKind, BlockSeverity, CommentOrigin, CommentStatus, DeliveryStatus, Film, FollowerStatus,
    QuotePolicy, QuoteState, ReactionKind, ReplyAuthorizationState, ReplyPolicy, ReviewStatus,
    Term, Visibility,
};

pub use settings::{CommentSettings, FederationSettings, SettingsRecord, SiteSettings};
pub use validate::ArchiveInvalid;

/// The value of [`Archive::format`].
pub const FORMAT: &str = "reviewpub-archive";
/// The archive version this reviewpub writes and reads.
pub const VERSION: u32 = 1;

/// Only what tells an archive's format and version, read before the rest.
#[derive(Debug, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
}

/// `archive.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Archive {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`] for this schema.
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    /// The program that wrote it (`reviewpub 0.1.0`).
    pub generator: String,
    /// The exporting instance's identity: its local ids and links are built from it.
    pub instance: Instance,
    /// The local actors' key pairs, only in an export made with `--with-keys`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<KeyRecord>>,
    pub reviews: Vec<ReviewRecord>,
    /// Slugs reviews used to have; their pages redirect (or answer 410 for a deleted review).
    pub former_slugs: Vec<FormerSlugRecord>,
    /// Reviews pinned to the profile (the `featured` collection).
    pub pinned: Vec<PinRecord>,
    /// Remote actors known to the blog: followers, commenters.
    pub remote_actors: Vec<RemoteActorRecord>,
    pub followers: Vec<FollowerRecord>,
    /// Every comment: replies from the fediverse, the critic's answers, imported ones; with
    /// their moderation state and visibility. Parents come before their answers.
    pub comments: Vec<CommentRecord>,
    pub reactions: Vec<ReactionRecord>,
    pub blocks: Vec<BlockRecord>,
    pub reports: Vec<ReportRecord>,
    pub quotes: Vec<QuoteRecord>,
    pub reply_authorizations: Vec<ReplyAuthorizationRecord>,
    /// The activities the blog sent (the outbox, and what `/activities/{id}` serves).
    pub activities: Vec<ActivityRecord>,
    /// Deliveries still waiting: they go out from the new instance.
    pub pending_deliveries: Vec<DeliveryRecord>,
    /// When each review's thread is crawled next for replies that never arrived.
    pub thread_crawls: Vec<ThreadCrawlRecord>,
    /// Where imported WordPress posts and comments came from (so that importing the same
    /// export again adds nothing), and the old blog's addresses that redirect to reviews.
    #[serde(default)]
    pub wordpress_posts: Vec<WordpressPostRecord>,
    #[serde(default)]
    pub wordpress_comments: Vec<WordpressCommentRecord>,
    #[serde(default)]
    pub legacy_paths: Vec<LegacyPathRecord>,
    /// The blog's moves to other accounts (the one not cancelled is in force).
    #[serde(default)]
    pub moves: Vec<MoveRecord>,
    /// The exporting instance's settings (absent from archives written before they were
    /// carried).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsRecord>,
}

/// Who exported: the base of every local id, and the blog's user name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub public_url: String,
    pub handle: String,
    /// When each local actor (`blog`, `instance`) was created: what its document gives as
    /// `published` (Mastodon's "joined"). Kept by an import even without the keys.
    pub actors: Vec<LocalActorRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalActorRecord {
    pub actor: String,
    pub created_at: DateTime<Utc>,
}

/// A local actor's RSA key pair (`blog`, `instance`), PEM. Its `Debug` never shows the private
/// key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRecord {
    pub actor: String,
    pub public_key_pem: String,
    pub private_key_pem: String,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for KeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRecord")
            .field("actor", &self.actor)
            .field("public_key_pem", &self.public_key_pem)
            .field("private_key_pem", &"[redacted]")
            .finish()
    }
}

/// A review, live or deleted (a deleted one keeps its id, its slug is `null`, its text empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRecord {
    pub id: Uuid,
    pub slug: Option<String>,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// The critic's teaser, Markdown.
    pub summary: Option<String>,
    pub film: Film,
    pub rating_value: Option<f64>,
    pub rating_best: Option<i32>,
    pub spoiler_warning: Option<String>,
    pub categories: Vec<Term>,
    pub tags: Vec<Term>,
    pub language: String,
    pub author: String,
    pub status: ReviewStatus,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Whether the fediverse has it (a `Create` went out, no `Delete` since).
    pub federated: bool,
    /// Taken off the blog without a `Delete` (its return is an `Update`).
    pub fediverse_hidden: bool,
    /// How many times it was withdrawn from the fediverse: its ActivityPub id is `/v{n}`.
    pub ap_revision: i32,
    pub ap_retired_at: Option<DateTime<Utc>>,
    pub replies: ReplyPolicy,
    pub quote_policy: Option<QuotePolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormerSlugRecord {
    pub slug: String,
    pub review_id: Uuid,
    pub retired_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinRecord {
    pub review_id: Uuid,
    pub pinned_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteActorRecord {
    pub id: String,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub public_key_pem: String,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub icon_url: Option<String>,
    pub kind: String,
    pub fetched_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowerRecord {
    pub id: Uuid,
    /// A [`RemoteActorRecord`]'s id.
    pub actor_id: String,
    /// The `Follow` activity's id (an `Undo` names it).
    pub follow_id: String,
    /// Where deliveries go (the shared inbox when there is one).
    pub inbox: String,
    pub host: String,
    pub status: FollowerStatus,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentRecord {
    pub id: Uuid,
    /// The ActivityPub id: the remote post's, or ours for local and imported comments.
    pub ap_id: String,
    pub review_id: Uuid,
    pub parent_id: Option<Uuid>,
    /// 0 answers the review, a parent's depth + 1 answers a comment.
    pub depth: i32,
    pub origin: CommentOrigin,
    pub author_actor: Option<String>,
    pub author_name: String,
    pub author_handle: Option<String>,
    pub author_url: Option<String>,
    pub author_avatar: Option<String>,
    pub url: Option<String>,
    /// Sanitized again on import.
    pub content_html: String,
    /// The critic's Markdown, for their own answers.
    pub source: Option<String>,
    pub summary: Option<String>,
    pub sensitive: bool,
    pub visibility: Visibility,
    /// The moderation state.
    pub status: CommentStatus,
    pub published_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReactionRecord {
    pub activity_id: String,
    pub review_id: Uuid,
    pub actor_id: String,
    pub kind: ReactionKind,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockRecord {
    pub id: Uuid,
    pub kind: BlockKind,
    /// An actor's id, or a host (with a port when not the default).
    pub value: String,
    pub severity: BlockSeverity,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRecord {
    pub id: Uuid,
    pub activity_id: String,
    pub actor_id: String,
    pub content: Option<String>,
    pub objects: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteRecord {
    pub id: Uuid,
    pub request_id: String,
    pub review_id: Uuid,
    pub quoting_post: String,
    pub author: String,
    pub author_inbox: String,
    pub state: QuoteState,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyAuthorizationRecord {
    pub id: Uuid,
    pub request_id: String,
    pub review_id: Uuid,
    pub target: String,
    pub reply: String,
    pub requester: String,
    pub requester_inbox: String,
    pub state: ReplyAuthorizationState,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityRecord {
    pub id: Uuid,
    pub ap_id: String,
    /// `Create`, `Update`, `Delete`, `Accept`, …
    pub kind: String,
    pub review_id: Option<Uuid>,
    pub public: bool,
    /// The activity as it was sent.
    pub body: Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryRecord {
    /// An [`ActivityRecord`]'s id.
    pub activity_id: Uuid,
    pub inbox: String,
    pub host: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadCrawlRecord {
    pub review_id: Uuid,
    pub due_at: DateTime<Utc>,
    pub runs: i32,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_found: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordpressPostRecord {
    pub site: String,
    pub post_id: i64,
    pub guid: String,
    pub review_id: Uuid,
    pub imported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordpressCommentRecord {
    pub site: String,
    pub comment_id: i64,
    pub comment_uuid: Uuid,
    pub imported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyPathRecord {
    pub path: String,
    pub review_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveRecord {
    pub id: Uuid,
    pub target: String,
    pub target_handle: String,
    pub target_url: String,
    pub activity_id: String,
    pub moved_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests;
