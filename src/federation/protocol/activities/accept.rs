//! `Accept` and `Reject`: an answer to one of our activities (a follow of a peer, or an
//! interaction GoToSocial approves), given by id or embedded.

use serde::Deserialize;

use super::super::values::{id_only, HttpUrl, IdOrObject};
use super::ActivityStub;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accept {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    pub object: IdOrObject<ActivityStub>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reject {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    pub object: IdOrObject<ActivityStub>,
}

impl Accept {
    /// The id of the accepted activity (or object).
    pub fn accepted_id(&self) -> Option<&HttpUrl> {
        self.object.id()
    }

    /// Its type, when embedded.
    pub fn accepted_kind(&self) -> Option<&str> {
        self.object.object().and_then(|a| a.kind.first())
    }
}

impl Reject {
    /// The id of the rejected activity (or object).
    pub fn rejected_id(&self) -> Option<&HttpUrl> {
        self.object.id()
    }

    /// Its type, when embedded.
    pub fn rejected_kind(&self) -> Option<&str> {
        self.object.object().and_then(|a| a.kind.first())
    }
}
