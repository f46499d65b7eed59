//! `Like` and `Announce` (a boost) of a review, counted on its page. Reactions to anything
//! else (a comment, another server's post) and emoji reactions (`EmojiReact`) are ignored.

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;

use crate::changes::{self, Change};
use crate::db::reactions;
use crate::domain::ReactionKind;
use crate::federation::protocol::{Announce, HttpUrl, Like};
use crate::federation::replies;
use crate::federation::{Context, FederationError};

/// Records `actor`'s reaction `id` to `object`, when `object` is one of our public reviews.
async fn react(
    data: &Data<Context>,
    id: &HttpUrl,
    actor: &HttpUrl,
    object: &HttpUrl,
    kind: ReactionKind,
) -> Result<(), FederationError> {
    let review = replies::ours(data, object.url())
        .await?
        .filter(|place| place.parent_id.is_none());
    let Some(review) = review.map(|place| place.review_id) else {
        tracing::info!(activity = %id, %object, "reaction to something that is not a review of ours; ignored");
        return Ok(());
    };
    let mut tx = data.pool.begin().await?;
    reactions::add_reaction(&mut *tx, id.as_str(), review, actor.as_str(), kind).await?;
    changes::announce(&mut *tx, &[Change::Review(review)]).await?;
    tx.commit().await?;
    Ok(())
}

#[async_trait::async_trait]
impl Activity for Like {
    activity_basics!();

    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        if self.is_emoji_react() {
            tracing::info!(activity = %self.id, "emoji reaction acknowledged and ignored");
            return Ok(());
        }
        react(
            data,
            &self.id,
            &self.actor,
            self.liked(),
            ReactionKind::Like,
        )
        .await
    }
}

#[async_trait::async_trait]
impl Activity for Announce {
    activity_basics!();

    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        react(
            data,
            &self.id,
            &self.actor,
            self.announced(),
            ReactionKind::Announce,
        )
        .await
    }
}
