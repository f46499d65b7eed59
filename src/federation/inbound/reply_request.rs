//! `ReplyRequest` (GoToSocial's interaction controls): a reply of the actor's to one of our
//! reviews or comments asks to be authorized. The reply is stored as any reply is
//! ([`replies::store`]); when the review takes replies the answer is `Accept` with a
//! `ReplyAuthorization` we serve at `/reply-authorizations/{id}`, else `Reject` (and the
//! reply stays private, as replies to a closed review do). A request for anything not ours
//! is ignored: no answer. The reply is the actor's: checked on the embedded post, or on the
//! post fetched when only its id is given, and it must answer what the request names. A
//! repeated request changes nothing: the same activity is acknowledged and dropped, and a new
//! request for a reply already authorized is answered with the authorization it has.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::traits::Activity;
use chrono::Utc;

use crate::db::federation as db;
use crate::db::reply_authorizations::{self, NewReplyAuthorization};
use crate::db::reviews;
use crate::domain::ReplyAuthorizationState;
use crate::federation::actors::RemoteActor;
use crate::federation::documents::InteractionRequestDoc;
use crate::federation::protocol::ReplyRequest;
use crate::federation::{interactions, replies, Context, FederationError};

#[async_trait::async_trait]
impl Activity for ReplyRequest {
    activity_basics!();

    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        let Some(place) = replies::ours(data, self.target().url()).await? else {
            tracing::info!(activity = %self.id, object = %self.target(), "reply request for something that is not ours; ignored");
            return Ok(());
        };
        let note = interactions::requested_post(data, &self).await?;
        if note.parent() != Some(self.target()) {
            return Err(FederationError::Refused(
                "the reply does not answer the requested object".into(),
            ));
        }
        let Some(review) = reviews::get(&data.pool, place.review_id).await? else {
            return Ok(());
        };
        let allowed = review
            .review
            .accepts_replies(data.settings.comments.close_after, Utc::now());
        // Stored as any reply (privately when the review is closed); a reply stored before
        // is left as it is.
        if replies::store(data, &note, 0).await?.is_none() {
            return Ok(());
        }
        let actor = ObjectId::<RemoteActor>::from(self.actor.url().clone())
            .dereference(data)
            .await?;
        let inbox = actor.inbox.as_str();
        let mut tx = data.pool.begin().await?;
        if !db::record_received(&mut tx, self.id.as_str()).await? {
            tracing::info!(activity = %self.id, "duplicate ReplyRequest ignored");
            return Ok(());
        }
        let reply = self.post().as_str();
        let existing = reply_authorizations::accepted_for(&mut *tx, reply).await?;
        let authorization = match existing {
            Some(row) if allowed => Some(row.id),
            _ => {
                let new = NewReplyAuthorization {
                    request_id: self.id.as_str(),
                    review_id: review.review.id,
                    target: self.target().as_str(),
                    reply,
                    requester: self.actor.as_str(),
                    requester_inbox: inbox,
                    state: if allowed {
                        ReplyAuthorizationState::Accepted
                    } else {
                        ReplyAuthorizationState::Rejected
                    },
                };
                match reply_authorizations::insert(&mut tx, &new).await? {
                    Some(id) if allowed => Some(id),
                    Some(_) => None,
                    // Another request for this reply won the race: its authorization stands.
                    None => reply_authorizations::accepted_for(&mut *tx, reply)
                        .await?
                        .filter(|_| allowed)
                        .map(|r| r.id),
                }
            }
        };
        let request = InteractionRequestDoc {
            id: self.id.to_string(),
            kind: "ReplyRequest",
            actor: self.actor.to_string(),
            object: self.target().to_string(),
            instrument: reply.to_string(),
        };
        let result = authorization.map(|id| data.urls.reply_authorization(id));
        interactions::answer(&mut tx, &data.urls, request, result, inbox).await?;
        tx.commit().await?;
        data.federation.wake.notify_one();
        tracing::info!(review = %review.review.id, accepted = authorization.is_some(), "reply request answered");
        Ok(())
    }
}
