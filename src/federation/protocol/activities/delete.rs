//! `Delete`: a deleted post (by id or as a `Tombstone`), or a deleted actor.

use serde::Deserialize;

use super::super::values::{
    id_only, lenient, Address, Date, HttpUrl, IdOrObject, ObjectStub, OneOrMany,
};
use super::super::ProtocolError;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delete {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    pub object: IdOrObject<ObjectStub>,
    #[serde(default)]
    pub to: OneOrMany<Address>,
    #[serde(default)]
    pub cc: OneOrMany<Address>,
    #[serde(default, deserialize_with = "lenient")]
    pub published: Date,
}

impl Delete {
    /// What is deleted.
    pub fn object_id(&self) -> &HttpUrl {
        match &self.object {
            IdOrObject::Id(id) => id,
            IdOrObject::Object(stub) => &stub.id,
        }
    }

    /// The actor deleted itself (its account is gone).
    pub fn deletes_actor(&self) -> bool {
        *self.object_id() == self.actor
    }

    /// What is deleted is on the deleting actor's server.
    pub fn check(&self) -> Result<(), ProtocolError> {
        if !self.object_id().same_server(&self.actor) {
            return Err(ProtocolError::ForeignObject);
        }
        Ok(())
    }
}
