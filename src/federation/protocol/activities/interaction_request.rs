//! Requests to interact with a post of ours that ask for our authorization: `QuoteRequest`
//! (FEP-044f, Mastodon 4.5) and `ReplyRequest` (GoToSocial's interaction controls). The
//! actor's post (`instrument`, embedded or by id) quotes or answers ours (`object`).

use std::marker::PhantomData;

use serde::Deserialize;

use super::super::objects::Note;
use super::super::values::{id_only, HttpUrl, IdOrObject, ObjectStub};
use super::super::ProtocolError;

/// The kind of a request to quote.
#[derive(Debug, Clone, Copy)]
pub struct Quote;
/// The kind of a request to reply.
#[derive(Debug, Clone, Copy)]
pub struct Reply;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionRequest<K> {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    /// The post quoted or answered (ours, if the request is for us).
    pub object: IdOrObject<ObjectStub>,
    /// The actor's post: the quote, or the reply.
    pub instrument: IdOrObject<Box<Note>>,
    #[serde(skip)]
    kind: PhantomData<K>,
}

pub type QuoteRequest = InteractionRequest<Quote>;
pub type ReplyRequest = InteractionRequest<Reply>;

impl<K> InteractionRequest<K> {
    /// What is quoted or answered.
    pub fn target(&self) -> &HttpUrl {
        match &self.object {
            IdOrObject::Id(id) => id,
            IdOrObject::Object(stub) => &stub.id,
        }
    }

    /// The actor's post's id.
    pub fn post(&self) -> &HttpUrl {
        match &self.instrument {
            IdOrObject::Id(id) => id,
            IdOrObject::Object(note) => &note.id,
        }
    }

    /// The post is the actor's: on the actor's server, and, when embedded, attributed to the
    /// actor.
    pub fn check(&self) -> Result<(), ProtocolError> {
        match &self.instrument {
            IdOrObject::Object(note) => note.check_authored_by(&self.actor),
            IdOrObject::Id(id) if !id.same_server(&self.actor) => Err(ProtocolError::ForeignObject),
            IdOrObject::Id(_) => Ok(()),
        }
    }
}
