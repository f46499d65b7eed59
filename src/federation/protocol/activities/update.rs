//! `Update`: an edited post, or an actor's changed profile.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::super::actor::{Actor, ACTOR_TYPES};
use super::super::objects::Note;
use super::super::values::{
    id_only, lenient, Address, Date, HasId, HttpUrl, IdOrObject, Kinds, ObjectStub, OneOrMany,
};
use super::super::ProtocolError;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Update {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    pub object: IdOrObject<Updated>,
    #[serde(default)]
    pub to: OneOrMany<Address>,
    #[serde(default)]
    pub cc: OneOrMany<Address>,
    #[serde(default, deserialize_with = "lenient")]
    pub published: Date,
}

/// What an `Update` carries: an actor (by its type) or a post (anything else). An actor
/// document that does not parse is kept as its id and type: a profile update only makes us
/// fetch the actor again, so nothing in it is trusted.
#[derive(Debug, Clone)]
pub enum Updated {
    Actor(Box<Actor>),
    OtherActor(ObjectStub),
    Post(Box<Note>),
}

impl HasId for Updated {
    fn ap_id(&self) -> Option<&HttpUrl> {
        match self {
            Self::Actor(actor) => Some(&actor.id),
            Self::OtherActor(stub) => Some(&stub.id),
            Self::Post(note) => Some(&note.id),
        }
    }
}

impl<'de> Deserialize<'de> for Updated {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = Value::deserialize(deserializer)?;
        let kinds = value
            .get("type")
            .map(Kinds::deserialize)
            .transpose()
            .map_err(D::Error::custom)?
            .unwrap_or_default();
        if kinds.is_any(ACTOR_TYPES) {
            match Actor::deserialize(&value) {
                Ok(actor) => Ok(Self::Actor(Box::new(actor))),
                Err(_) => ObjectStub::deserialize(value)
                    .map(Self::OtherActor)
                    .map_err(D::Error::custom),
            }
        } else {
            Note::deserialize(value)
                .map(|n| Self::Post(Box::new(n)))
                .map_err(D::Error::custom)
        }
    }
}

impl Update {
    /// Whether this is the actor's own profile that changed (by id or embedded).
    pub fn is_profile_update(&self) -> bool {
        self.object.id().is_some_and(|id| *id == self.actor)
    }

    /// The embedded actor, when it is one.
    pub fn actor_document(&self) -> Option<&Actor> {
        match self.object.object()? {
            Updated::Actor(actor) => Some(actor),
            Updated::OtherActor(_) | Updated::Post(_) => None,
        }
    }

    /// The embedded post, when it is one.
    pub fn note(&self) -> Option<&Note> {
        match self.object.object()? {
            Updated::Post(note) => Some(note),
            Updated::Actor(_) | Updated::OtherActor(_) => None,
        }
    }

    /// The edited post, which must be the actor's own, stored on the actor's server.
    pub fn own_note(&self) -> Result<&Note, ProtocolError> {
        let note = self.note().ok_or(ProtocolError::NotEmbedded)?;
        note.check_authored_by(&self.actor)?;
        Ok(note)
    }

    /// An actor may update only itself; a post only its own.
    pub fn check(&self) -> Result<(), ProtocolError> {
        match self.object.object() {
            Some(Updated::Actor(_) | Updated::OtherActor(_)) if !self.is_profile_update() => {
                Err(ProtocolError::NotOwnProfile)
            }
            Some(Updated::Actor(_) | Updated::OtherActor(_)) => Ok(()),
            _ if self.is_profile_update() => Ok(()),
            _ => self.own_note().map(|_| ()),
        }
    }
}
