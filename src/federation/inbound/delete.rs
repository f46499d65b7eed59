//! `Delete`: a reply deleted by its author (by id or as a `Tombstone`), or a deleted account
//! and with it all its replies.

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;

use crate::changes::{self, Change};
use crate::db::comments;
use crate::federation::followers;
use crate::federation::protocol::Delete;
use crate::federation::{Context, FederationError};

#[async_trait::async_trait]
impl Activity for Delete {
    activity_basics!();

    /// What is deleted is on the actor's server ([`Delete::check`], run before).
    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        let actor = self.actor.as_str();
        let now = chrono::Utc::now();
        if self.deletes_actor() {
            let mut tx = data.pool.begin().await?;
            let removed = comments::delete_by_author(&mut *tx, actor, now).await?;
            followers::remove(&mut tx, actor, followers::Leaving::Gone).await?;
            changes::announce(&mut *tx, &[Change::Site]).await?;
            tx.commit().await?;
            data.federation.actors.invalidate(actor).await;
            tracing::info!(
                actor,
                removed,
                "actor deleted by its server; their replies removed"
            );
            return Ok(());
        }
        match comments::get_by_ap_id(&data.pool, self.object_id().as_str()).await? {
            Some(comment) if comment.author_actor.as_deref() == Some(actor) => {
                let mut tx = data.pool.begin().await?;
                comments::mark_deleted(&mut *tx, comment.id, now).await?;
                changes::announce(&mut *tx, &[Change::Review(comment.review_id)]).await?;
                tx.commit().await?;
                tracing::info!(comment = %comment.id, "reply deleted by its author");
                Ok(())
            }
            Some(_) => Err(FederationError::Refused(
                "only its author may delete a reply".into(),
            )),
            None => Ok(()),
        }
    }
}
