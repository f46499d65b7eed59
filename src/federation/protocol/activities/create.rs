//! `Create`: a new post (for us, a reply to a review or to a comment).

use serde::Deserialize;

use super::super::objects::Note;
use super::super::values::{
    addressed_publicly, id_only, lenient, Address, Date, HttpUrl, IdOrObject, OneOrMany,
};
use super::super::ProtocolError;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Create {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    pub object: IdOrObject<Box<Note>>,
    #[serde(default)]
    pub to: OneOrMany<Address>,
    #[serde(default)]
    pub cc: OneOrMany<Address>,
    #[serde(default, deserialize_with = "lenient")]
    pub published: Date,
}

impl Create {
    /// The embedded post.
    pub fn note(&self) -> Option<&Note> {
        self.object.object().map(|n| &**n)
    }

    /// The embedded post, which must be the actor's own, stored on the actor's server.
    pub fn own_note(&self) -> Result<&Note, ProtocolError> {
        let note = self.note().ok_or(ProtocolError::NotEmbedded)?;
        note.check_authored_by(&self.actor)?;
        Ok(note)
    }

    /// The activity or its post is addressed to the public.
    pub fn is_public(&self) -> bool {
        addressed_publicly([&self.to, &self.cc]) || self.note().is_some_and(Note::is_public)
    }

    pub fn check(&self) -> Result<(), ProtocolError> {
        self.own_note().map(|_| ())
    }
}
