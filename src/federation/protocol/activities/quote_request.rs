//! `QuoteRequest` (FEP-044f, Mastodon 4.5): the actor's post (`instrument`, embedded as
//! Mastodon does, or by id) quotes ours (`object`), and asks us to authorize it.

use serde::Deserialize;

use super::super::objects::Note;
use super::super::values::{id_only, HttpUrl, IdOrObject, ObjectStub};
use super::super::ProtocolError;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteRequest {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    /// The quoted post (ours, if the request is for us).
    pub object: IdOrObject<ObjectStub>,
    /// The quoting post.
    pub instrument: IdOrObject<Box<Note>>,
}

impl QuoteRequest {
    /// What is quoted.
    pub fn quoted(&self) -> &HttpUrl {
        match &self.object {
            IdOrObject::Id(id) => id,
            IdOrObject::Object(stub) => &stub.id,
        }
    }

    /// The quoting post's id.
    pub fn quoting(&self) -> &HttpUrl {
        match &self.instrument {
            IdOrObject::Id(id) => id,
            IdOrObject::Object(note) => &note.id,
        }
    }

    /// The quoting post is the actor's: on the actor's server, and, when embedded, attributed
    /// to the actor.
    pub fn check(&self) -> Result<(), ProtocolError> {
        match &self.instrument {
            IdOrObject::Object(note) => note.check_authored_by(&self.actor),
            IdOrObject::Id(id) if !id.same_server(&self.actor) => Err(ProtocolError::ForeignObject),
            IdOrObject::Id(_) => Ok(()),
        }
    }
}
