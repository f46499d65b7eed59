//! `Update`: a reply edited by its author, or an actor's changed profile (fetched again).

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::Activity;

use crate::changes::{self, Change};
use crate::db::comments;
use crate::federation::actors::RemoteActor;
use crate::federation::protocol::Update;
use crate::federation::replies;
use crate::federation::{Context, FederationError};

#[async_trait::async_trait]
impl Activity for Update {
    activity_basics!();

    /// An actor updates only itself, a post only its own ([`Update::check`], run before).
    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        if self.is_profile_update() {
            // Nothing in the embedded profile is trusted: the actor is fetched again.
            ObjectId::<RemoteActor>::from(self.actor.url().clone())
                .dereference_forced(data)
                .await?;
            return Ok(());
        }
        let note = self.own_note()?;
        let Some(comment) = comments::get_by_ap_id(&data.pool, note.id.as_str()).await? else {
            // An edit of a reply we never saw: take it as the reply.
            return replies::store(data, note, 0).await.map(|_| ());
        };
        if comment.author_actor.as_deref() != Some(self.actor.as_str()) {
            return Err(FederationError::Refused(
                "only its author may edit a reply".into(),
            ));
        }
        let html = crate::content::sanitize_remote(note.html());
        let at = note.updated.unwrap_or_else(chrono::Utc::now);
        let mut tx = data.pool.begin().await?;
        comments::edit(
            &mut *tx,
            comment.id,
            &html,
            None,
            note.summary().as_deref(),
            note.is_sensitive(),
            at,
        )
        .await?;
        changes::announce(&mut *tx, &[Change::Review(comment.review_id)]).await?;
        tx.commit().await?;
        tracing::info!(comment = %comment.id, "reply edited");
        Ok(())
    }
}
