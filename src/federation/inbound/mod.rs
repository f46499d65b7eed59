//! What the inbox does with each activity, one file per activity: `verify` (the rules that
//! need our state, after the protocol's own in [`InboxActivity::check`]) and `receive` (the
//! effect, in one transaction that announces what changed).
//!
//! By the time a handler runs, the inbox has checked the sender is not blocked, and the
//! library has parsed the body into [`InboxActivity`], fetched the actor and verified the
//! signature.

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;
use url::Url;

use super::protocol::InboxActivity;
use super::{Context, FederationError};

/// The parts of [`Activity`] every handler writes the same way.
macro_rules! activity_basics {
    () => {
        type DataType = $crate::federation::Context;
        type Error = $crate::federation::FederationError;

        fn id(&self) -> &url::Url {
            self.id.url()
        }

        fn actor(&self) -> &url::Url {
            self.actor.url()
        }
    };
}

mod acknowledged;
mod create;
mod delete;
mod flag;
mod follow;
mod quote_request;
mod reaction;
mod reply_request;
mod undo;
mod update;

#[cfg(test)]
mod tests;

#[async_trait::async_trait]
impl Activity for InboxActivity {
    type DataType = Context;
    type Error = FederationError;

    fn id(&self) -> &Url {
        InboxActivity::id(self).url()
    }

    fn actor(&self) -> &Url {
        InboxActivity::actor(self).url()
    }

    async fn verify(&self, data: &Data<Context>) -> Result<(), FederationError> {
        self.check()?;
        match self {
            Self::Create(a) => a.verify(data).await,
            Self::Update(a) => a.verify(data).await,
            Self::Delete(a) => a.verify(data).await,
            Self::Follow(a) => a.verify(data).await,
            Self::Accept(a) => a.verify(data).await,
            Self::Reject(a) => a.verify(data).await,
            Self::Undo(a) => a.verify(data).await,
            Self::Like(a) => a.verify(data).await,
            Self::Announce(a) => a.verify(data).await,
            Self::Flag(a) => a.verify(data).await,
            Self::Move(a) => a.verify(data).await,
            Self::QuoteRequest(a) => a.verify(data).await,
            Self::ReplyRequest(a) => a.verify(data).await,
            Self::Unknown(a) => a.verify(data).await,
        }
    }

    #[tracing::instrument(skip_all, fields(kind = %self.kind()))]
    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        match self {
            Self::Create(a) => a.receive(data).await,
            Self::Update(a) => a.receive(data).await,
            Self::Delete(a) => a.receive(data).await,
            Self::Follow(a) => a.receive(data).await,
            Self::Accept(a) => a.receive(data).await,
            Self::Reject(a) => a.receive(data).await,
            Self::Undo(a) => a.receive(data).await,
            Self::Like(a) => a.receive(data).await,
            Self::Announce(a) => a.receive(data).await,
            Self::Flag(a) => a.receive(data).await,
            Self::Move(a) => a.receive(data).await,
            Self::QuoteRequest(a) => a.receive(data).await,
            Self::ReplyRequest(a) => a.receive(data).await,
            Self::Unknown(a) => a.receive(data).await,
        }
    }
}
