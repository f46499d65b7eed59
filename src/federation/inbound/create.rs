//! `Create`: a reply to a review or to a comment ([`replies::store`] finds what it answers).

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;

use crate::federation::protocol::Create;
use crate::federation::replies;
use crate::federation::{Context, FederationError};

#[async_trait::async_trait]
impl Activity for Create {
    activity_basics!();

    /// The post is the actor's own, on its server ([`Create::check`], run before).
    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        replies::store(data, self.own_note()?, 0).await?;
        Ok(())
    }
}
