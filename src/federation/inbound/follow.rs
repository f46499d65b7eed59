//! `Follow` of the blog: the follower is recorded and answered `Accept` at once, or held for
//! the critic's approval when the blog approves followers by hand; after the blog moved away
//! it is answered `Reject`.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::Activity;

use crate::changes::{self, Change};
use crate::db::federation as db;
use crate::domain::FollowerStatus;
use crate::federation::actors::RemoteActor;
use crate::federation::documents::ActivityKind;
use crate::federation::protocol::Follow;
use crate::federation::{outbox, Context, FederationError};

#[async_trait::async_trait]
impl Activity for Follow {
    activity_basics!();

    async fn verify(&self, data: &Data<Context>) -> Result<(), FederationError> {
        if self.followed().as_str() != data.urls.actor() {
            return Err(FederationError::Refused(
                "only the blog can be followed".into(),
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        let actor = ObjectId::<RemoteActor>::from(self.actor.url().clone())
            .dereference(data)
            .await?;
        let mut tx = data.pool.begin().await?;
        if !db::record_received(&mut tx, self.id.as_str()).await? {
            tracing::info!(activity = %self.id, "duplicate Follow ignored");
            return Ok(());
        }
        let inbox = actor.delivery_inbox().to_string();
        let answer = if let Some(moved) = crate::db::moves::current(&mut *tx).await? {
            // As Mastodon does: a blog that moved is followed at its new address.
            tracing::info!(follower = %actor.handle(), moved_to = %moved.target, "follow of a blog that moved refused");
            Some(ActivityKind::Reject)
        } else {
            let accept = !data.settings.federation.manually_approves_followers;
            let follower = db::upsert_follower(
                &mut tx,
                actor.id.as_str(),
                self.id.as_str(),
                &inbox,
                &crate::domain::authority(&inbox),
                accept,
            )
            .await?;
            changes::announce(&mut *tx, &[Change::Followers]).await?;
            tracing::info!(follower = %actor.handle(), status = %follower.status, "follow received");
            (follower.status == FollowerStatus::Accepted).then_some(ActivityKind::Accept)
        };
        if let Some(kind) = answer {
            outbox::answer_follow(
                &mut tx,
                &data.urls,
                kind,
                self.id.as_str(),
                actor.id.as_str(),
                actor.inbox.as_str(),
            )
            .await?;
        }
        tx.commit().await?;
        data.federation.wake.notify_one();
        Ok(())
    }
}
