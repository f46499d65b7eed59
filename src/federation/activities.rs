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
use super::{outbox, FederationError};
use crate::app::AppState;
use crate::db::federation as db;

/// What the inbox understands; anything else with an id and an actor is acknowledged.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
#[enum_delegate::implement(Activity)]
pub enum InboxActivity {
    Follow(Follow),
    Undo(Undo),
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
    type DataType = AppState;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, data: &Data<AppState>) -> Result<(), FederationError> {
        if object_id(&self.object) != Some(data.urls.actor().as_str()) {
            return Err(FederationError::Refused(
                "only the blog can be followed".into(),
            ));
        }
        Ok(())
    }

    /// Records the follower and answers `Accept` at once, or holds the follow for approval.
    async fn receive(self, data: &Data<AppState>) -> Result<(), FederationError> {
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
        if follower.status == "accepted" {
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
    type DataType = AppState;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, _data: &Data<AppState>) -> Result<(), FederationError> {
        // Only the author of an activity may undo it.
        let embedded_actor = self.object.get("actor").and_then(object_id);
        if embedded_actor.is_some_and(|a| a != self.actor.inner().as_str()) {
            return Err(FederationError::Refused(
                "an Undo must come from the undone activity's actor".into(),
            ));
        }
        Ok(())
    }

    async fn receive(self, data: &Data<AppState>) -> Result<(), FederationError> {
        let mut tx = data.pool.begin().await?;
        if !db::record_received(&mut tx, self.id.as_str()).await? {
            return Ok(());
        }
        let actor = self.actor.inner().as_str();
        let undone_type = self.object.get("type").and_then(Value::as_str);
        let follower = db::get_follower_by_actor(&mut *tx, actor).await?;
        let is_their_follow = match (undone_type, object_id(&self.object), &follower) {
            (Some("Follow"), _, Some(_)) => true,
            (None, Some(id), Some(f)) => f.follow_id == id,
            _ => false,
        };
        if is_their_follow {
            db::remove_follower(&mut *tx, actor).await?;
            tracing::info!(follower = actor, "unfollowed");
        } else {
            tracing::info!(activity = %self.id, undone = ?undone_type, "Undo of something we do not keep; ignored");
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
    type DataType = AppState;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        self.actor.inner()
    }

    async fn verify(&self, _data: &Data<AppState>) -> Result<(), FederationError> {
        Ok(())
    }

    async fn receive(self, _data: &Data<AppState>) -> Result<(), FederationError> {
        tracing::info!(activity = %self.id, kind = %self.kind, actor = %self.actor.inner(), "unsupported activity acknowledged and ignored");
        Ok(())
    }
}
