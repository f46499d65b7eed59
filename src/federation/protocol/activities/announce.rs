//! `Announce`: a boost.

use serde::Deserialize;

use super::super::values::{
    addressed_publicly, id_only, lenient, Address, Date, HttpUrl, IdOrObject, ObjectStub, OneOrMany,
};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Announce {
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

impl Announce {
    /// What is boosted.
    pub fn announced(&self) -> &HttpUrl {
        match &self.object {
            IdOrObject::Id(id) => id,
            IdOrObject::Object(stub) => &stub.id,
        }
    }

    pub fn is_public(&self) -> bool {
        addressed_publicly([&self.to, &self.cc])
    }
}
