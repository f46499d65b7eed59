//! The activities an inbox receives, one file each, and [`InboxActivity`], the one type the
//! inbox parses a body into: the activity's `type` picks the variant, a known type that does
//! not parse is an error (never silently something else), an unknown type keeps its id and
//! actor so it can be verified and acknowledged.

mod accept;
mod announce;
mod create;
mod delete;
mod flag;
mod follow;
mod interaction_request;
mod like;
mod moved;
mod undo;
mod update;

pub use accept::{Accept, Reject};
pub use announce::Announce;
pub use create::Create;
pub use delete::Delete;
pub use flag::Flag;
pub use follow::Follow;
pub use interaction_request::{InteractionRequest, QuoteRequest, ReplyRequest};
pub use like::{Like, MAX_REACTION_CHARS};
pub use moved::Move;
pub use undo::Undo;
pub use update::{Update, Updated};

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::values::{id_only, HasId, HttpUrl, IdOrObject, Kinds, ObjectStub, OneOrMany};
use super::ProtocolError;

/// An activity embedded in another (the follow an `Accept` answers, the like an `Undo` takes
/// back): its id, type, actor and object, when given; the rest is ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityStub {
    #[serde(default)]
    pub id: Option<HttpUrl>,
    #[serde(rename = "type", default)]
    pub kind: Kinds,
    #[serde(default, deserialize_with = "optional_id_only")]
    pub actor: Option<HttpUrl>,
    #[serde(default)]
    pub object: OneOrMany<IdOrObject<ObjectStub>>,
}

impl HasId for ActivityStub {
    fn ap_id(&self) -> Option<&HttpUrl> {
        self.id.as_ref()
    }
}

fn optional_id_only<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HttpUrl>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "id_only")] HttpUrl);
    Ok(Option::<Wrapped>::deserialize(d)?.map(|w| w.0))
}

/// Any other activity (`Block`, `Add`, `Remove`, `Read`, `dfrn:relocate`, …): acknowledged.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Unknown {
    pub id: HttpUrl,
    #[serde(rename = "type", default)]
    pub kind: Kinds,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
}

/// What the inbox understands.
#[derive(Debug, Clone)]
pub enum InboxActivity {
    Create(Create),
    Update(Update),
    Delete(Delete),
    Follow(Follow),
    Accept(Accept),
    Reject(Reject),
    Undo(Undo),
    /// `Like` and `EmojiReact`.
    Like(Like),
    Announce(Announce),
    Flag(Flag),
    Move(Move),
    QuoteRequest(QuoteRequest),
    ReplyRequest(ReplyRequest),
    Unknown(Unknown),
}

/// The activity types with a variant of their own.
pub const KNOWN_TYPES: &[&str] = &[
    "Create",
    "Update",
    "Delete",
    "Follow",
    "Accept",
    "Reject",
    "Undo",
    "Like",
    "EmojiReact",
    "Announce",
    "Flag",
    "Move",
    "QuoteRequest",
    "ReplyRequest",
];

fn typed<T: serde::de::DeserializeOwned>(kind: &str, value: Value) -> Result<T, ProtocolError> {
    serde_path_to_error::deserialize(value).map_err(|e| ProtocolError::Invalid {
        kind: kind.to_string(),
        path: e.path().to_string(),
        source: e.into_inner(),
    })
}

impl InboxActivity {
    /// Parses a request body.
    pub fn parse(body: &[u8]) -> Result<Self, ProtocolError> {
        Self::from_value(serde_json::from_slice(body).map_err(ProtocolError::Json)?)
    }

    /// Parses a JSON value by its `type` (a list of types picks the first known one).
    pub fn from_value(value: Value) -> Result<Self, ProtocolError> {
        if !value.is_object() {
            return Err(ProtocolError::NotAnObject);
        }
        let kinds: Kinds = match value.get("type") {
            Some(kind) => typed("activity", kind.clone())?,
            None => Kinds::default(),
        };
        let kind = kinds.pick(KNOWN_TYPES).unwrap_or_default().to_string();
        Ok(match kind.as_str() {
            "Create" => Self::Create(typed(&kind, value)?),
            "Update" => Self::Update(typed(&kind, value)?),
            "Delete" => Self::Delete(typed(&kind, value)?),
            "Follow" => Self::Follow(typed(&kind, value)?),
            "Accept" => Self::Accept(typed(&kind, value)?),
            "Reject" => Self::Reject(typed(&kind, value)?),
            "Undo" => Self::Undo(typed(&kind, value)?),
            "Like" | "EmojiReact" => Self::Like(typed(&kind, value)?),
            "Announce" => Self::Announce(typed(&kind, value)?),
            "Flag" => Self::Flag(typed(&kind, value)?),
            "Move" => Self::Move(typed(&kind, value)?),
            "QuoteRequest" => Self::QuoteRequest(typed(&kind, value)?),
            "ReplyRequest" => Self::ReplyRequest(typed(&kind, value)?),
            _ => Self::Unknown(typed(&kind, value)?),
        })
    }

    pub fn id(&self) -> &HttpUrl {
        match self {
            Self::Create(a) => &a.id,
            Self::Update(a) => &a.id,
            Self::Delete(a) => &a.id,
            Self::Follow(a) => &a.id,
            Self::Accept(a) => &a.id,
            Self::Reject(a) => &a.id,
            Self::Undo(a) => &a.id,
            Self::Like(a) => &a.id,
            Self::Announce(a) => &a.id,
            Self::Flag(a) => &a.id,
            Self::Move(a) => &a.id,
            Self::QuoteRequest(a) => &a.id,
            Self::ReplyRequest(a) => &a.id,
            Self::Unknown(a) => &a.id,
        }
    }

    pub fn actor(&self) -> &HttpUrl {
        match self {
            Self::Create(a) => &a.actor,
            Self::Update(a) => &a.actor,
            Self::Delete(a) => &a.actor,
            Self::Follow(a) => &a.actor,
            Self::Accept(a) => &a.actor,
            Self::Reject(a) => &a.actor,
            Self::Undo(a) => &a.actor,
            Self::Like(a) => &a.actor,
            Self::Announce(a) => &a.actor,
            Self::Flag(a) => &a.actor,
            Self::Move(a) => &a.actor,
            Self::QuoteRequest(a) => &a.actor,
            Self::ReplyRequest(a) => &a.actor,
            Self::Unknown(a) => &a.actor,
        }
    }

    /// The type, for logs.
    pub fn kind(&self) -> String {
        match self {
            Self::Create(_) => "Create".into(),
            Self::Update(_) => "Update".into(),
            Self::Delete(_) => "Delete".into(),
            Self::Follow(_) => "Follow".into(),
            Self::Accept(_) => "Accept".into(),
            Self::Reject(_) => "Reject".into(),
            Self::Undo(_) => "Undo".into(),
            Self::Like(a) => a
                .kind
                .pick(&["Like", "EmojiReact"])
                .unwrap_or("Like")
                .into(),
            Self::Announce(_) => "Announce".into(),
            Self::Flag(_) => "Flag".into(),
            Self::Move(_) => "Move".into(),
            Self::QuoteRequest(_) => "QuoteRequest".into(),
            Self::ReplyRequest(_) => "ReplyRequest".into(),
            Self::Unknown(a) => a.kind.to_string(),
        }
    }

    /// The rules that need nothing but the activity: its id is on its actor's server, and
    /// each type's own (a post is its author's, a deletion or an undo is by its author, an
    /// actor updates or moves only itself).
    pub fn check(&self) -> Result<(), ProtocolError> {
        if !self.id().same_server(self.actor()) {
            return Err(ProtocolError::ForeignActivity);
        }
        match self {
            Self::Create(a) => a.check(),
            Self::Update(a) => a.check(),
            Self::Delete(a) => a.check(),
            Self::Undo(a) => a.check(),
            Self::Move(a) => a.check(),
            Self::QuoteRequest(a) => a.check(),
            Self::ReplyRequest(a) => a.check(),
            Self::Follow(_)
            | Self::Accept(_)
            | Self::Reject(_)
            | Self::Like(_)
            | Self::Announce(_)
            | Self::Flag(_)
            | Self::Unknown(_) => Ok(()),
        }
    }
}

impl<'de> Deserialize<'de> for InboxActivity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(value).map_err(serde::de::Error::custom)
    }
}
