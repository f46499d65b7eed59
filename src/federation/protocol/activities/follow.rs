//! `Follow`: someone follows an actor.

use serde::Deserialize;

use super::super::values::{id_only, HttpUrl, IdOrObject, ObjectStub};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Follow {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    pub object: IdOrObject<ObjectStub>,
}

impl Follow {
    /// Who is followed.
    pub fn followed(&self) -> &HttpUrl {
        match &self.object {
            IdOrObject::Id(id) => id,
            IdOrObject::Object(stub) => &stub.id,
        }
    }
}
