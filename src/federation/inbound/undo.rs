//! `Undo`: an unfollow, or a like or boost taken back.

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;

use crate::changes::{self, Change};
use crate::db::{federation as db, reactions};
use crate::domain::ReactionKind;
use crate::federation::protocol::Undo;
use crate::federation::{followers, replies};
use crate::federation::{Context, FederationError};

#[async_trait::async_trait]
impl Activity for Undo {
    activity_basics!();

    /// Only the undone activity's actor may undo it ([`Undo::check`], run before).
    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        let mut tx = data.pool.begin().await?;
        if !db::record_received(&mut tx, self.id.as_str()).await? {
            return Ok(());
        }
        let actor = self.actor.as_str();
        let undone_id = self.undone_id().map(|id| id.as_str());
        let follower = db::get_follower_by_actor(&mut *tx, actor).await?;
        // Only a follow of the blog is undone: the one we stored (by id), or a Follow whose
        // object is our actor. Undoing a follow of someone else changes nothing here.
        let is_their_follow = match (self.undone_kind(), undone_id, &follower) {
            (_, Some(id), Some(f)) if f.follow_id == id => true,
            (Some("Follow"), _, Some(_)) => self
                .undone_object()
                .is_some_and(|followed| followed.as_str() == data.urls.actor()),
            _ => false,
        };
        let reaction = self
            .undone_kind()
            .map(str::to_ascii_lowercase)
            .and_then(|kind| ReactionKind::parse(&kind).ok());
        if is_their_follow {
            followers::remove(&mut tx, actor, followers::Leaving::Unfollowed).await?;
            tracing::info!(follower = actor, "unfollowed");
        } else if let Some(kind) = reaction {
            let review = match self.undone_object() {
                Some(object) => replies::ours(data, object.url())
                    .await?
                    .filter(|place| place.parent_id.is_none())
                    .map(|place| place.review_id),
                None => None,
            };
            reactions::remove_reaction(&mut *tx, actor, undone_id, review, kind).await?;
            // Without the review, the reaction's review is not known here: every page.
            let changed = review.map_or(Change::Site, Change::Review);
            changes::announce(&mut *tx, &[changed]).await?;
        } else if let Some(id) = undone_id {
            // A bare id: whatever reaction that activity made.
            for &kind in ReactionKind::ALL {
                reactions::remove_reaction(&mut *tx, actor, Some(id), None, kind).await?;
            }
            changes::announce(&mut *tx, &[Change::Site]).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
