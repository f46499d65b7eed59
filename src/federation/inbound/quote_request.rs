//! `QuoteRequest` (FEP-044f): a post of the actor's quotes one of our public reviews. The
//! review's quote policy (its own, else `federation.quote_policy`) decides: `Accept` with a
//! stamp we serve at `/quotes/{id}`, or `Reject`. A request for anything else (not ours, a
//! comment, a review no longer public) is ignored, as Mastodon ignores it: no answer. The
//! quoting post is the actor's: checked on the embedded post, or on the post fetched when
//! only its id is given. A
//! repeated request changes nothing: the same activity is acknowledged and dropped, and a
//! new request for a post already authorized is answered with the stamp it has.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::Activity;

use crate::changes::{self, Change};
use crate::db::federation as db;
use crate::db::quotes::{self, NewQuote};
use crate::db::reviews;
use crate::domain::{FollowerStatus, QuoteState};
use crate::federation::actors::RemoteActor;
use crate::federation::documents::InteractionRequestDoc;
use crate::federation::protocol::QuoteRequest;
use crate::federation::{interactions, replies, Context, FederationError};

#[async_trait::async_trait]
impl Activity for QuoteRequest {
    activity_basics!();

    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        let place = replies::ours(data, self.target().url())
            .await?
            .filter(|place| place.parent_id.is_none());
        let review = match place {
            Some(place) => reviews::get(&data.pool, place.review_id)
                .await?
                .filter(|r| r.review.is_public()),
            None => None,
        };
        let Some(review) = review.map(|stored| stored.review) else {
            tracing::info!(activity = %self.id, object = %self.target(), "quote request for something that is not a public review of ours; ignored");
            return Ok(());
        };
        // Given by id only, the quoting post is fetched: it must be the actor's.
        interactions::requested_post(data, &self).await?;
        let actor = ObjectId::<RemoteActor>::from(self.actor.url().clone())
            .dereference(data)
            .await?;
        let inbox = actor.inbox.as_str();
        let mut tx = data.pool.begin().await?;
        if !db::record_received(&mut tx, self.id.as_str()).await? {
            tracing::info!(activity = %self.id, "duplicate QuoteRequest ignored");
            return Ok(());
        }
        let policy = review
            .quote_policy
            .unwrap_or(data.settings.federation.quote_policy);
        let follower = db::get_follower_by_actor(&mut *tx, self.actor.as_str())
            .await?
            .is_some_and(|f| f.status == FollowerStatus::Accepted);
        let allowed = policy.allows(follower);
        let quoting = self.post().as_str();
        let existing = quotes::accepted_for(&mut *tx, review.id, quoting).await?;
        let stamp = match existing {
            Some(quote) if allowed => Some(quote.id),
            _ => {
                let new = NewQuote {
                    request_id: self.id.as_str(),
                    review_id: review.id,
                    quoting_post: quoting,
                    author: self.actor.as_str(),
                    author_inbox: inbox,
                    state: if allowed {
                        QuoteState::Accepted
                    } else {
                        QuoteState::Rejected
                    },
                };
                match quotes::insert(&mut tx, &new).await? {
                    Some(id) if allowed => Some(id),
                    Some(_) => None,
                    None => {
                        // Another request for this post won the race: its stamp stands.
                        quotes::accepted_for(&mut *tx, review.id, quoting)
                            .await?
                            .filter(|_| allowed)
                            .map(|q| q.id)
                    }
                }
            }
        };
        let request = InteractionRequestDoc {
            id: self.id.to_string(),
            kind: "QuoteRequest",
            actor: self.actor.to_string(),
            object: self.target().to_string(),
            instrument: quoting.to_string(),
        };
        let stamp_id = stamp.map(|s| data.urls.quote(s));
        crate::federation::interactions::answer(&mut tx, &data.urls, request, stamp_id, inbox)
            .await?;
        changes::announce(&mut *tx, &[Change::Review(review.id)]).await?;
        tx.commit().await?;
        data.federation.wake.notify_one();
        tracing::info!(review = %review.id, accepted = stamp.is_some(), %policy, "quote request answered");
        Ok(())
    }
}
