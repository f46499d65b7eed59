//! Actors: the blog and the instance actor (ours, with keys), and remote actors (fetched,
//! cached in `remote_actors`, refreshed when stale).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use activitypub_federation::config::Data;
use activitypub_federation::traits::{Actor, Object};
use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::protocol;
use super::signatures::{PublicKey, SigningBackend};
use super::Context;
use super::FederationError;
use crate::db::federation::{self as db, KeyRow, RemoteActorRow};

/// One of our own actors, with its key pair.
#[derive(Clone)]
pub struct LocalActor {
    pub id: Url,
    pub inbox: Url,
    pub keys: KeyRow,
}

impl std::fmt::Debug for LocalActor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_struct("LocalActor")
            .field("id", &self.id.as_str())
            .finish()
    }
}

#[async_trait::async_trait]
impl Object for LocalActor {
    type DataType = Context;
    type Kind = Value;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(id: Url, data: &Data<Context>) -> Result<Option<Self>, FederationError> {
        let fed = &data.federation;
        Ok([&fed.blog, &fed.instance]
            .into_iter()
            .find(|a| a.id == id)
            .cloned())
    }

    async fn into_json(self, _data: &Data<Context>) -> Result<Value, FederationError> {
        Err(FederationError::Refused(
            "local actors are served by their own routes".into(),
        ))
    }

    async fn verify(
        _json: &Value,
        _expected: &Url,
        _data: &Data<Context>,
    ) -> Result<(), FederationError> {
        Err(FederationError::Refused(
            "local actors are never received".into(),
        ))
    }

    async fn from_json(_json: Value, _data: &Data<Context>) -> Result<Self, FederationError> {
        Err(FederationError::Refused(
            "local actors are never received".into(),
        ))
    }
}

impl Actor for LocalActor {
    fn public_key_pem(&self) -> &str {
        &self.keys.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        Some(self.keys.private_key_pem.clone())
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }
}

/// Checks a signature with `actor`'s key; when it fails, fetches the actor again once (its
/// key may have been rotated) and checks again.
pub async fn verify_with_key(
    data: &Data<Context>,
    actor: &url::Url,
    verify: impl Fn(&PublicKey) -> Result<(), FederationError>,
) -> Result<(), FederationError> {
    let id: activitypub_federation::fetch::object_id::ObjectId<RemoteActor> = actor.clone().into();
    let backend = data.settings.federation.signing_backend;
    let known = id.dereference(data).await?;
    if known.public_key(backend).and_then(&verify).is_ok() {
        return Ok(());
    }
    let fetched = id.dereference_forced(data).await?;
    verify(fetched.public_key(backend)?)
}

/// Remote actors recently read or fetched, with their parsed keys: an inbox POST from a known
/// actor costs no query for its key. Bounded in count and age; an actor fetched again (an
/// `Update`, a refresh, a rotated key) replaces its entry, a deleted one leaves. Another
/// process's refetch is seen here when the entry ages out, or at once when a signature fails
/// against the old key (the actor is then fetched again).
pub type Actors = moka::future::Cache<String, RemoteActor>;

/// How many remote actors are kept in memory, and for how long.
const ACTORS_KEPT: u64 = 10_000;
const ACTORS_KEPT_FOR: Duration = Duration::from_secs(10 * 60);

pub fn actors() -> Actors {
    moka::future::Cache::builder()
        .max_capacity(ACTORS_KEPT)
        .time_to_live(ACTORS_KEPT_FOR)
        .build()
}

/// A remote actor as we keep it.
#[derive(Debug, Clone)]
pub struct RemoteActor {
    pub id: Url,
    pub row: RemoteActorRow,
    pub inbox: Url,
    pub shared_inbox: Option<Url>,
    /// The key, parsed on first use (kept with the actor in [`Actors`]).
    key: Arc<OnceLock<Option<PublicKey>>>,
}

impl RemoteActor {
    /// Where deliveries to this actor go: the shared inbox when it has one.
    pub fn delivery_inbox(&self) -> &Url {
        self.shared_inbox.as_ref().unwrap_or(&self.inbox)
    }

    /// `@user@host`, when the actor has a username.
    pub fn handle_if_known(&self) -> Option<String> {
        let host = crate::domain::authority(self.id.as_str());
        self.row
            .preferred_username
            .as_ref()
            .map(|name| crate::domain::handle(name, &host))
    }

    /// `@user@host`, else the actor's id: for lists and logs.
    pub fn handle(&self) -> String {
        self.handle_if_known()
            .unwrap_or_else(|| self.id.to_string())
    }

    /// The actor's public key, parsed for `backend`.
    pub fn public_key(&self, backend: SigningBackend) -> Result<&PublicKey, FederationError> {
        self.key
            .get_or_init(|| PublicKey::from_pem(&self.row.public_key_pem, backend).ok())
            .as_ref()
            .ok_or_else(|| {
                FederationError::Unauthorized("the signer's key is not a usable RSA key".into())
            })
    }

    fn from_row(row: RemoteActorRow) -> Result<Self, FederationError> {
        let parse = |u: &str| {
            Url::parse(u).map_err(|e| FederationError::Refused(format!("stored URL {u}: {e}")))
        };
        Ok(Self {
            id: parse(&row.id)?,
            inbox: parse(&row.inbox)?,
            shared_inbox: row.shared_inbox.as_deref().map(parse).transpose()?,
            row,
            key: Arc::default(),
        })
    }
}

#[async_trait::async_trait]
impl Object for RemoteActor {
    type DataType = Context;
    type Kind = protocol::Actor;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        Some(self.row.fetched_at)
    }

    async fn read_from_id(id: Url, data: &Data<Context>) -> Result<Option<Self>, FederationError> {
        if let Some(known) = data.federation.actors.get(id.as_str()).await {
            return Ok(Some(known));
        }
        let Some(actor) = db::get_remote_actor(&data.pool, id.as_str())
            .await?
            .map(Self::from_row)
            .transpose()?
        else {
            return Ok(None);
        };
        data.federation
            .actors
            .insert(actor.row.id.clone(), actor.clone())
            .await;
        Ok(Some(actor))
    }

    async fn into_json(self, _data: &Data<Context>) -> Result<protocol::Actor, FederationError> {
        Err(FederationError::Refused(
            "remote actors are not served".into(),
        ))
    }

    async fn verify(
        json: &protocol::Actor,
        expected: &Url,
        _data: &Data<Context>,
    ) -> Result<(), FederationError> {
        super::require_same_server(json.id.url(), expected)?;
        // An actor type, an inbox on its own server, a key it owns.
        json.check()?;
        // A key we cannot use would lock the actor out for good (every later signature fails):
        // such a document is refused and the one we have is kept.
        let usable = json.public_key().is_some_and(|key| {
            PublicKey::from_pem(&key.public_key_pem, SigningBackend::Rsa).is_ok()
        });
        if !usable {
            return Err(FederationError::Refused(
                "the actor's public key is not a usable RSA key".into(),
            ));
        }
        Ok(())
    }

    async fn from_json(
        json: protocol::Actor,
        data: &Data<Context>,
    ) -> Result<Self, FederationError> {
        let key = json
            .public_key()
            .ok_or(FederationError::Protocol(protocol::ProtocolError::NoOwnKey))?;
        // Every string is cleaned and capped on arrival (by the protocol type's accessors);
        // URLs are kept only when http(s).
        let row = RemoteActorRow {
            id: json.id.to_string(),
            inbox: json.inbox.to_string(),
            shared_inbox: json.shared_inbox().map(ToString::to_string),
            public_key_pem: key.public_key_pem.clone(),
            preferred_username: json.username(),
            name: json.display_name(),
            url: json.profile_url(),
            icon_url: json.avatar_url(),
            kind: json
                .kind
                .pick(protocol::ACTOR_TYPES)
                .unwrap_or("Person")
                .to_string(),
            fetched_at: Utc::now(),
        };
        db::upsert_remote_actor(&data.pool, &row).await?;
        let actor = Self::from_row(row)?;
        data.federation
            .actors
            .insert(actor.row.id.clone(), actor.clone())
            .await;
        Ok(actor)
    }
}

impl Actor for RemoteActor {
    fn public_key_pem(&self) -> &str {
        &self.row.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        None
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }

    fn shared_inbox(&self) -> Option<Url> {
        self.shared_inbox.clone()
    }
}
