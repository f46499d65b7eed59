//! `Undo`: a follow, like, reaction or boost taken back; the undone activity is given by id
//! or embedded.

use serde::Deserialize;

use super::super::values::{id_only, HttpUrl, IdOrObject};
use super::super::ProtocolError;
use super::ActivityStub;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Undo {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    pub object: IdOrObject<ActivityStub>,
}

impl Undo {
    /// The id of the undone activity (absent only for an embedded one without id).
    pub fn undone_id(&self) -> Option<&HttpUrl> {
        self.object.id()
    }

    /// The undone activity, when embedded.
    pub fn undone(&self) -> Option<&ActivityStub> {
        self.object.object()
    }

    /// The undone activity's type, when embedded (`Follow`, `Like`, `EmojiReact`, …).
    pub fn undone_kind(&self) -> Option<&str> {
        self.undone().and_then(|a| a.kind.first())
    }

    /// What the undone activity was about (the followed actor, the liked post).
    pub fn undone_object(&self) -> Option<&HttpUrl> {
        self.undone().and_then(|a| a.object.first_id())
    }

    /// Only the author of an activity may undo it.
    pub fn check(&self) -> Result<(), ProtocolError> {
        match self.undone().and_then(|a| a.actor.as_ref()) {
            Some(undoer) if *undoer != *self.actor => Err(ProtocolError::NotTheUndoer),
            _ => Ok(()),
        }
    }
}
