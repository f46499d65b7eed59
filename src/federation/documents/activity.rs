//! The activities the blog sends: `Create`, `Update` and `Delete` of reviews and comments,
//! `Accept` or `Reject` of a follow, and `Update` of the blog and its `Move` when it moves.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{context, timestamp, Article, Note, Tombstone, PUBLIC};
use crate::urls::Urls;

/// The types of activity we send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ActivityKind {
    Create,
    Update,
    Delete,
    Accept,
    Reject,
    Follow,
    Move,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "Create",
            Self::Update => "Update",
            Self::Delete => "Delete",
            Self::Accept => "Accept",
            Self::Reject => "Reject",
            Self::Follow => "Follow",
            Self::Move => "Move",
        }
    }
}

/// What an activity of ours carries.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Object {
    Article(Box<Article>),
    Note(Box<Note>),
    Tombstone(Tombstone),
    /// An activity we answer (the follow an `Accept` accepts).
    Activity(Box<Activity>),
    /// The blog's actor (its `Update` when it moved).
    Actor(Box<super::Actor>),
    /// An object by id.
    Id(String),
}

/// An activity. `@context` is present on documents served or sent on their own, absent on
/// those embedded in a collection page or in another activity.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    pub context: Option<serde_json::Value>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ActivityKind,
    pub actor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<String>,
    pub object: Object,
    /// Where a `Move` goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl Activity {
    /// The same activity, to be embedded (without `@context`).
    pub fn embedded(mut self) -> Self {
        self.context = None;
        self
    }
}

/// An activity by the blog about a review, a comment or itself, addressed publicly and to
/// the followers.
pub fn review_activity(
    kind: ActivityKind,
    activity_id: &str,
    urls: &Urls,
    object: Object,
    at: DateTime<Utc>,
) -> Activity {
    Activity {
        context: Some(context()),
        id: activity_id.to_string(),
        kind,
        actor: urls.actor(),
        published: Some(timestamp(at)),
        to: vec![PUBLIC.to_string()],
        cc: vec![urls.followers()],
        object,
        target: None,
    }
}

/// `Accept` or `Reject` of `follower`'s follow `follow_id`, embedding the follow.
pub fn follow_answer(
    kind: ActivityKind,
    activity_id: &str,
    urls: &Urls,
    follow_id: &str,
    follower: &str,
) -> Activity {
    let follow = Activity {
        context: None,
        id: follow_id.to_string(),
        kind: ActivityKind::Follow,
        actor: follower.to_string(),
        published: None,
        to: Vec::new(),
        cc: Vec::new(),
        object: Object::Id(urls.actor()),
        target: None,
    };
    Activity {
        context: Some(context()),
        id: activity_id.to_string(),
        kind,
        actor: urls.actor(),
        published: None,
        to: Vec::new(),
        cc: Vec::new(),
        object: Object::Activity(Box::new(follow)),
        target: None,
    }
}

/// `Move` of the blog to `target` (the new account, which names the blog in `alsoKnownAs`),
/// to the followers, whose servers then follow the new account.
pub fn move_to(activity_id: &str, urls: &Urls, target: &str, at: DateTime<Utc>) -> Activity {
    Activity {
        context: Some(context()),
        id: activity_id.to_string(),
        kind: ActivityKind::Move,
        actor: urls.actor(),
        published: Some(timestamp(at)),
        to: vec![urls.followers()],
        cc: Vec::new(),
        object: Object::Id(urls.actor()),
        target: Some(target.to_string()),
    }
}
