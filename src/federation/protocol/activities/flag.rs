//! `Flag`: a report from another server's moderators (the account and some posts).

use serde::Deserialize;

use super::super::values::{id_only, lenient, HttpUrl, IdOrObject, ObjectStub, OneOrMany};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flag {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    #[serde(default)]
    pub object: OneOrMany<IdOrObject<ObjectStub>>,
    /// The reporter's comment.
    #[serde(default, deserialize_with = "lenient")]
    pub content: Option<String>,
}

impl Flag {
    /// What is reported.
    pub fn reported(&self) -> impl Iterator<Item = &HttpUrl> {
        self.object.ids()
    }
}
