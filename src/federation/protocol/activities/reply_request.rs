//! `ReplyRequest` (GoToSocial's interaction controls): the actor's reply (`instrument`,
//! embedded as GoToSocial does, or by id) answers our post (`object`), and asks us to
//! authorize it.

use serde::Deserialize;

use super::super::objects::Note;
use super::super::values::{id_only, HttpUrl, IdOrObject, ObjectStub};
use super::super::ProtocolError;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyRequest {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    /// The post answered (ours, if the request is for us).
    pub object: IdOrObject<ObjectStub>,
    /// The reply.
    pub instrument: IdOrObject<Box<Note>>,
}

impl ReplyRequest {
    /// What is answered.
    pub fn target(&self) -> &HttpUrl {
        match &self.object {
            IdOrObject::Id(id) => id,
            IdOrObject::Object(stub) => &stub.id,
        }
    }

    /// The reply's id.
    pub fn reply(&self) -> &HttpUrl {
        match &self.instrument {
            IdOrObject::Id(id) => id,
            IdOrObject::Object(note) => &note.id,
        }
    }

    /// The reply is the actor's: on the actor's server, and, when embedded, attributed to
    /// the actor.
    pub fn check(&self) -> Result<(), ProtocolError> {
        match &self.instrument {
            IdOrObject::Object(note) => note.check_authored_by(&self.actor),
            IdOrObject::Id(id) if !id.same_server(&self.actor) => Err(ProtocolError::ForeignObject),
            IdOrObject::Id(_) => Ok(()),
        }
    }
}
