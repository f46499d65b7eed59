//! `Flag`: a report from another server's moderators, kept for the critic.

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;

use crate::content;
use crate::db::reports;
use crate::federation::protocol::Flag;
use crate::federation::{Context, FederationError};

/// The most reported objects kept from one report (Mastodon sends the account and the
/// statuses picked by the reporter).
const MAX_REPORTED: usize = 50;

#[async_trait::async_trait]
impl Activity for Flag {
    activity_basics!();

    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        let objects: Vec<String> = self
            .reported()
            .take(MAX_REPORTED)
            .map(ToString::to_string)
            .collect();
        let comment = self
            .content
            .as_deref()
            .map(|c| content::clean_text(c, content::limits::REPORT));
        reports::add_report(
            &data.pool,
            self.id.as_str(),
            self.actor.as_str(),
            comment.as_deref(),
            &objects,
        )
        .await?;
        tracing::warn!(report = %self.id, from = %self.actor, "report received");
        Ok(())
    }
}
