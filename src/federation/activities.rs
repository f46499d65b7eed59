//! Activities the inbox accepts. Each is verified (signature, domains) by the crate before
//! `receive`; `receive` records the activity id so a repeated delivery changes nothing.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use activitypub_federation::kinds::activity::{FollowType, UndoType};
use activitypub_federation::traits::Activity;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::actors::RemoteActor;
use super::delivery::authority;
use super::notes::{self, first_id, NoteJson};
use super::Context;
use super::{outbox, FederationError};
use crate::changes::{self, Change};
use crate::db::federation as db;
use crate::db::reviews;
use crate::db::{comments, reactions, reports};
use crate::domain::{FollowerStatus, ReactionKind};

macro_rules! activity_basics {
    () => {
        type DataType = Context;
        type Error = FederationError;

        fn id(&self) -> &Url {
            &self.id
        }

        fn actor(&self) -> &Url {
            self.actor.inner()
        }
    };
}

/// What the inbox understands; anything else with an id and an actor is acknowledged.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
#[enum_delegate::implement(Activity)]
pub enum InboxActivity {
    Follow(Follow),
    Undo(Undo),
    Create(Create),
    Update(Update),
    Delete(Delete),
    Like(Like),
    Announce(Announce),
    Flag(Flag),
    Other(Other),
}

/// The id of an object given by reference or embedded.
fn object_id(value: &Value) -> Option<&str> {
    match value {
        Value::String(id) => Some(id),
        Value::Object(map) => map.get("id").and_then(Value::as_str),
        _ => None,
    }
}

#[derive(Debug, Deserialize)]
pub struct Follow {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: FollowType,
    pub actor: ObjectId<RemoteActor>,
    pub object: Value,
}

#[async_trait::async_trait]
impl Activity for Follow {
    activity_basics!();

    async fn verify(&self, data: &Data<Context>) -> Result<(), FederationError> {
        notes::refuse_blocked(data, self.actor.inner()).await?;
        if object_id(&self.object) != Some(data.urls.actor().as_str()) {
            return Err(FederationError::Refused(
                "only the blog can be followed".into(),
            ));
        }
        Ok(())
    }

    /// Records the follower and answers `Accept` at once, or holds the follow for approval.
    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        let actor = self.actor.dereference(data).await?;
        let mut tx = data.pool.begin().await?;
        if !db::record_received(&mut tx, self.id.as_str()).await? {
            tracing::info!(activity = %self.id, "duplicate Follow ignored");
            return Ok(());
        }
        let inbox = actor.delivery_inbox().to_string();
        let accept = !data.settings.federation.manually_approves_followers;
        let follower = db::upsert_follower(
            &mut tx,
            actor.id.as_str(),
            self.id.as_str(),
            &inbox,
            &authority(&inbox),
            accept,
        )
        .await?;
        if follower.status == FollowerStatus::Accepted {
            outbox::answer_follow(
                &mut tx,
                &data.urls,
                "Accept",
                self.id.as_str(),
                actor.id.as_str(),
                actor.inbox.as_str(),
            )
            .await?;
        }
        changes::announce(&mut *tx, &[Change::Followers]).await?;
        tx.commit().await?;
        data.federation.wake.notify_one();
        tracing::info!(follower = %actor.handle(), status = %follower.status, "follow received");
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
pub struct Undo {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: UndoType,
    pub actor: ObjectId<RemoteActor>,
    pub object: Value,
}

#[async_trait::async_trait]
impl Activity for Undo {
    activity_basics!();

    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        // Only the author of an activity may undo it.
        let embedded_actor = self.object.get("actor").and_then(object_id);
        if embedded_actor.is_some_and(|a| a != self.actor.inner().as_str()) {
            return Err(FederationError::Refused(
                "an Undo must come from the undone activity's actor".into(),
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        let mut tx = data.pool.begin().await?;
        if !db::record_received(&mut tx, self.id.as_str()).await? {
            return Ok(());
        }
        let actor = self.actor.inner().as_str();
        let undone_type = self.object.get("type").and_then(Value::as_str);
        let follower = db::get_follower_by_actor(&mut *tx, actor).await?;
        // Only a follow of the blog is undone: the one we stored (by id), or a Follow whose
        // object is our actor. Undoing a follow of someone else changes nothing here.
        let followed = self.object.get("object").and_then(object_id);
        let is_their_follow = match (undone_type, object_id(&self.object), &follower) {
            (_, Some(id), Some(f)) if f.follow_id == id => true,
            (Some("Follow"), _, Some(_)) => followed == Some(data.urls.actor().as_str()),
            _ => false,
        };
        let undone_id = object_id(&self.object);
        if is_their_follow {
            db::remove_follower(&mut *tx, actor).await?;
            if let Some(f) = &follower {
                crate::db::deliveries::cancel_unfollowed(&mut *tx, &f.inbox).await?;
            }
            changes::announce(&mut *tx, &[Change::Followers]).await?;
            tracing::info!(follower = actor, "unfollowed");
        } else if let Some(kind) = undone_type
            .map(str::to_ascii_lowercase)
            .and_then(|t| ReactionKind::parse(&t).ok())
        {
            let review = match self.object.get("object").and_then(first_id) {
                Some(object) => review_of(data, &object).await?,
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

/// Any other activity: acknowledged (`202`) and logged, never an error.
#[derive(Debug, Deserialize)]
pub struct Other {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: Value,
    pub actor: ObjectId<RemoteActor>,
}

#[async_trait::async_trait]
impl Activity for Other {
    activity_basics!();

    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, _data: &Data<Context>) -> Result<(), FederationError> {
        tracing::info!(activity = %self.id, kind = %self.kind, actor = %self.actor.inner(), "unsupported activity acknowledged and ignored");
        Ok(())
    }
}

/// The public review a URL of ours names (by id or page), if any.
async fn review_of(data: &Data<Context>, url: &str) -> Result<Option<uuid::Uuid>, FederationError> {
    let Some(path) = url.strip_prefix(&format!("{}/reviews/", data.urls.base())) else {
        return Ok(None);
    };
    let review = match uuid::Uuid::parse_str(path) {
        Ok(id) => reviews::get(&data.pool, id).await?,
        Err(_) => reviews::get_by_slug(&data.pool, path).await?,
    };
    Ok(review.filter(|r| r.review.is_public()).map(|r| r.review.id))
}

/// The embedded note of a `Create` or `Update`, which must be the activity actor's own.
fn own_note(object: &Value, actor: &Url) -> Result<NoteJson, FederationError> {
    let note: NoteJson = serde_json::from_value(object.clone()).map_err(|e| {
        FederationError::Refused(format!("the object is not a note we can read: {e}"))
    })?;
    if note.author().as_deref() != Some(actor.as_str()) {
        return Err(FederationError::Refused(
            "the note's attributedTo is not the activity's actor".into(),
        ));
    }
    if !crate::domain::same_server(&note.id, actor) {
        return Err(FederationError::Refused(
            "the note's id is not on the actor's server".into(),
        ));
    }
    Ok(note)
}

/// A reply: `Create{Note}` whose `inReplyTo` is a review or a comment.
#[derive(Debug, Deserialize)]
pub struct Create {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: activitypub_federation::kinds::activity::CreateType,
    pub actor: ObjectId<RemoteActor>,
    pub object: Value,
}

#[async_trait::async_trait]
impl Activity for Create {
    activity_basics!();

    async fn verify(&self, data: &Data<Context>) -> Result<(), FederationError> {
        notes::refuse_blocked(data, self.actor.inner()).await?;
        own_note(&self.object, self.actor.inner()).map(|_| ())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        let note = own_note(&self.object, self.actor.inner())?;
        notes::store(data, &note, 0).await?;
        Ok(())
    }
}

/// An edit of a reply by its author.
#[derive(Debug, Deserialize)]
pub struct Update {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: activitypub_federation::kinds::activity::UpdateType,
    pub actor: ObjectId<RemoteActor>,
    pub object: Value,
}

#[async_trait::async_trait]
impl Activity for Update {
    activity_basics!();

    async fn verify(&self, data: &Data<Context>) -> Result<(), FederationError> {
        notes::refuse_blocked(data, self.actor.inner()).await?;
        // Profile updates (`Update{Person}`) are acknowledged; notes must be the actor's own.
        if first_id(&self.object).as_deref() == Some(self.actor.inner().as_str()) {
            return Ok(());
        }
        own_note(&self.object, self.actor.inner()).map(|_| ())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        if first_id(&self.object).as_deref() == Some(self.actor.inner().as_str()) {
            // The actor changed its profile: fetch it again.
            self.actor.dereference_forced(data).await?;
            return Ok(());
        }
        let note = own_note(&self.object, self.actor.inner())?;
        match comments::get_by_ap_id(&data.pool, note.id.as_str()).await? {
            Some(comment)
                if comment.author_actor.as_deref() == Some(self.actor.inner().as_str()) =>
            {
                let html = crate::content::sanitize_remote(&note.html());
                let summary = note.summary();
                let at = note.updated().unwrap_or_else(chrono::Utc::now);
                let mut tx = data.pool.begin().await?;
                comments::edit(
                    &mut *tx,
                    comment.id,
                    &html,
                    None,
                    summary.as_deref(),
                    note.sensitive.unwrap_or(false),
                    at,
                )
                .await?;
                changes::announce(&mut *tx, &[Change::Review(comment.review_id)]).await?;
                tx.commit().await?;
                tracing::info!(comment = %comment.id, "reply edited");
                Ok(())
            }
            Some(_) => Err(FederationError::Refused(
                "only its author may edit a reply".into(),
            )),
            // An edit of a reply we never saw: take it as the reply.
            None => notes::store(data, &note, 0).await.map(|_| ()),
        }
    }
}

/// A deleted reply (by id or `Tombstone`), or a deleted actor and all their replies.
#[derive(Debug, Deserialize)]
pub struct Delete {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: activitypub_federation::kinds::activity::DeleteType,
    pub actor: ObjectId<RemoteActor>,
    pub object: Value,
}

#[async_trait::async_trait]
impl Activity for Delete {
    activity_basics!();

    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        let object = first_id(&self.object)
            .ok_or_else(|| FederationError::Refused("a Delete without an object".into()))?;
        let object = Url::parse(&object)
            .map_err(|_| FederationError::Refused("the deleted object is not a URL".into()))?;
        super::require_same_server(&object, self.actor.inner())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        let actor = self.actor.inner().as_str();
        let object = first_id(&self.object).unwrap_or_default();
        let now = chrono::Utc::now();
        if object == actor {
            let mut tx = data.pool.begin().await?;
            let removed = comments::delete_by_author(&mut *tx, actor, now).await?;
            db::remove_follower(&mut *tx, actor).await?;
            changes::announce(&mut *tx, &[Change::Site]).await?;
            tx.commit().await?;
            tracing::info!(
                actor,
                removed,
                "actor deleted by its server; their replies removed"
            );
            return Ok(());
        }
        match comments::get_by_ap_id(&data.pool, &object).await? {
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

/// A like of a review.
#[derive(Debug, Deserialize)]
pub struct Like {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: activitypub_federation::kinds::activity::LikeType,
    pub actor: ObjectId<RemoteActor>,
    pub object: Value,
}

/// A boost of a review.
#[derive(Debug, Deserialize)]
pub struct Announce {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: activitypub_federation::kinds::activity::AnnounceType,
    pub actor: ObjectId<RemoteActor>,
    pub object: Value,
}

async fn react(
    data: &Data<Context>,
    id: &Url,
    actor: &Url,
    object: &Value,
    kind: ReactionKind,
) -> Result<(), FederationError> {
    let Some(object) = first_id(object) else {
        return Ok(());
    };
    let Some(review) = review_of(data, &object).await? else {
        tracing::info!(activity = %id, object, "reaction to something that is not a review of ours; ignored");
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

    async fn verify(&self, data: &Data<Context>) -> Result<(), FederationError> {
        notes::refuse_blocked(data, self.actor.inner()).await
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        react(
            data,
            &self.id,
            self.actor.inner(),
            &self.object,
            ReactionKind::Like,
        )
        .await
    }
}

#[async_trait::async_trait]
impl Activity for Announce {
    activity_basics!();

    async fn verify(&self, data: &Data<Context>) -> Result<(), FederationError> {
        notes::refuse_blocked(data, self.actor.inner()).await
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        react(
            data,
            &self.id,
            self.actor.inner(),
            &self.object,
            ReactionKind::Announce,
        )
        .await
    }
}

/// A report from another server's moderators.
#[derive(Debug, Deserialize)]
pub struct Flag {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: activitypub_federation::kinds::activity::FlagType,
    pub actor: ObjectId<RemoteActor>,
    #[serde(default)]
    pub object: Value,
    #[serde(default)]
    pub content: Option<String>,
}

#[async_trait::async_trait]
impl Activity for Flag {
    activity_basics!();

    async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, data: &Data<Context>) -> Result<(), FederationError> {
        // What is reported: at most 50 URLs (Mastodon sends the account and some statuses).
        let objects: Vec<String> = match &self.object {
            Value::Array(items) => items.iter().filter_map(first_id).collect::<Vec<_>>(),
            other => first_id(other).into_iter().collect(),
        }
        .into_iter()
        .filter_map(|o| Url::parse(&o).ok().map(String::from))
        .take(50)
        .collect();
        let content = self
            .content
            .as_deref()
            .map(|c| crate::content::clean_text(c, crate::content::limits::REPORT));
        reports::add_report(
            &data.pool,
            self.id.as_str(),
            self.actor.inner().as_str(),
            content.as_deref(),
            &objects,
        )
        .await?;
        tracing::warn!(report = %self.id, from = %self.actor.inner(), "report received");
        Ok(())
    }
}
