//! The ActivityPub protocol as types: what other servers send us (activities, posts, actors),
//! parsed at the edge into serde structs, with the rules that need nothing but the document
//! (who wrote it, who it is addressed to, what it refers to).
//!
//! Nothing here touches the database or the application state: the handlers (one per
//! activity, `super::activities`) verify and act on these types.
//!
//! Parsing is lenient where servers differ harmlessly (a missing or malformed `summary`,
//! `url`, `tag`, date; unknown properties; a `type` given as a list; one value where a list
//! is usual) and strict where it decides what happens: every id, actor and `inReplyTo` is an
//! absolute http(s) URL, addressing is well formed, lists hold at most
//! [`values::MAX_LIST_ITEMS`] items, and a known activity type that does not parse is an
//! error, never something else.

pub mod activities;
pub mod actor;
pub mod objects;
pub mod values;

pub use activities::{
    Accept, ActivityStub, Announce, Create, Delete, Flag, Follow, InboxActivity, Like, Move,
    QuoteRequest, Reject, ReplyRequest, Undo, Unknown, Update, Updated,
};
pub use actor::{Actor, Endpoints, PublicKey, ACTOR_TYPES};
pub use objects::{
    Attachment, Collection, CollectionPage, Image, InteractionPolicy, InteractionRule, Note,
    Source, Tag, POST_TYPES,
};
pub use values::{
    ids_of, web_url, Address, BadUrl, HasId, HttpUrl, IdOrObject, Kinds, LanguageMap, LinkRef,
    ObjectStub, OneOrMany, MAX_LIST_ITEMS, PUBLIC,
};

/// Why a document is refused.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("the body is not JSON")]
    Json(#[source] serde_json::Error),
    #[error("an activity must be a JSON object")]
    NotAnObject,
    #[error("this {kind} does not parse (at {path})")]
    Invalid {
        kind: String,
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("the activity's id is not on its actor's server")]
    ForeignActivity,
    #[error("the object must be embedded")]
    NotEmbedded,
    #[error("the post's attributedTo is not the activity's actor")]
    NotTheAuthor,
    #[error("the object is not on the actor's server")]
    ForeignObject,
    #[error("an Undo must come from the undone activity's actor")]
    NotTheUndoer,
    #[error("an actor may update only its own profile")]
    NotOwnProfile,
    #[error("an account may move only itself")]
    NotSelf,
    #[error("{0} is not an actor type")]
    NotAnActor(String),
    #[error("the actor's inbox is not on its host")]
    ForeignInbox,
    #[error("the actor has no key of its own")]
    NoOwnKey,
}

impl ProtocolError {
    /// The document is malformed (answer `400`), rather than well formed but refused by a
    /// rule (answer `422`).
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            Self::Json(_) | Self::NotAnObject | Self::Invalid { .. }
        )
    }
}
