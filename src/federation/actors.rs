//! Actors: the blog and the instance actor (ours, with keys), and remote actors (fetched,
//! cached in `remote_actors`, refreshed when stale).

use activitypub_federation::config::Data;
use activitypub_federation::protocol::public_key::PublicKey;
use activitypub_federation::protocol::verification::verify_domains_match;
use activitypub_federation::traits::{Actor, Object};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::Context;
use super::FederationError;
use crate::content;
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

/// A remote actor as we keep it.
#[derive(Debug, Clone)]
pub struct RemoteActor {
    pub id: Url,
    pub row: RemoteActorRow,
    pub inbox: Url,
    pub shared_inbox: Option<Url>,
}

impl RemoteActor {
    /// Where deliveries to this actor go: the shared inbox when it has one.
    pub fn delivery_inbox(&self) -> &Url {
        self.shared_inbox.as_ref().unwrap_or(&self.inbox)
    }

    /// `@user@host`, for lists and logs.
    pub fn handle(&self) -> String {
        let host = super::delivery::authority(self.id.as_str());
        match &self.row.preferred_username {
            Some(name) => crate::domain::handle(name, &host),
            None => self.id.to_string(),
        }
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
        })
    }
}

/// The fields of a remote actor document we use; everything else is ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteActorJson {
    pub id: Url,
    #[serde(rename = "type")]
    pub kind: String,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub url: Option<Value>,
    #[serde(default)]
    pub icon: Option<Value>,
    pub inbox: Url,
    #[serde(default)]
    pub endpoints: Option<Endpoints>,
    pub public_key: PublicKey,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub shared_inbox: Option<Url>,
}

/// A remote URL we may link to or load: http(s) only, of a sensible length.
pub fn web_url(raw: &str) -> Option<String> {
    (raw.len() <= content::limits::URL_BYTES)
        .then(|| crate::domain::WebUrl::parse(raw).ok())
        .flatten()
        .map(|u| u.to_string())
}

const ACTOR_TYPES: &[&str] = &["Person", "Service", "Application", "Group", "Organization"];

/// A URL from a value that may be a string, a Link or an Image object, or a list of them.
fn first_url(value: &Option<Value>) -> Option<String> {
    match value.as_ref()? {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items.iter().find_map(|v| first_url(&Some(v.clone()))),
        Value::Object(map) => map
            .get("href")
            .or_else(|| map.get("url"))
            .and_then(|v| first_url(&Some(v.clone()))),
        _ => None,
    }
}

#[async_trait::async_trait]
impl Object for RemoteActor {
    type DataType = Context;
    type Kind = RemoteActorJson;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        Some(self.row.fetched_at)
    }

    async fn read_from_id(id: Url, data: &Data<Context>) -> Result<Option<Self>, FederationError> {
        db::get_remote_actor(&data.pool, id.as_str())
            .await?
            .map(Self::from_row)
            .transpose()
    }

    async fn into_json(self, _data: &Data<Context>) -> Result<RemoteActorJson, FederationError> {
        Err(FederationError::Refused(
            "remote actors are not served".into(),
        ))
    }

    async fn verify(
        json: &RemoteActorJson,
        expected: &Url,
        _data: &Data<Context>,
    ) -> Result<(), FederationError> {
        super::require_same_server(&json.id, expected)?;
        verify_domains_match(&json.id, &json.inbox)?;
        // A key we cannot use would lock the actor out for good (every later signature fails):
        // such a document is refused and the one we have is kept.
        use rsa::pkcs8::DecodePublicKey;
        if json.public_key.public_key_pem.len() > 16 * 1024
            || rsa::RsaPublicKey::from_public_key_pem(&json.public_key.public_key_pem).is_err()
        {
            return Err(FederationError::Refused(
                "the actor's public key is not a usable RSA key".into(),
            ));
        }
        if json.public_key.owner != json.id {
            return Err(FederationError::Refused(
                "the actor's key belongs to another actor".into(),
            ));
        }
        if !ACTOR_TYPES.contains(&json.kind.as_str()) {
            return Err(FederationError::Refused(format!(
                "{} is not an actor type",
                json.kind
            )));
        }
        Ok(())
    }

    async fn from_json(
        json: RemoteActorJson,
        data: &Data<Context>,
    ) -> Result<Self, FederationError> {
        let row = RemoteActorRow {
            id: json.id.to_string(),
            inbox: json.inbox.to_string(),
            // A shared inbox elsewhere than the actor's own server is ignored: deliveries must
            // not be pointed at third parties.
            shared_inbox: json
                .endpoints
                .and_then(|e| e.shared_inbox)
                .filter(|u| crate::domain::same_server(u, &json.id))
                .map(|u| u.to_string()),
            public_key_pem: json.public_key.public_key_pem,
            // Every string is cleaned and capped on arrival; URLs are kept only when http(s).
            preferred_username: json
                .preferred_username
                .map(|u| content::clean_line(&u, content::limits::USERNAME))
                .filter(|u| !u.is_empty()),
            name: json
                .name
                .map(|n| content::clean_line(&n, content::limits::NAME))
                .filter(|n| !n.is_empty()),
            url: first_url(&json.url).and_then(|u| web_url(&u)),
            icon_url: first_url(&json.icon).and_then(|u| web_url(&u)),
            kind: json.kind,
            fetched_at: Utc::now(),
        };
        db::upsert_remote_actor(&data.pool, &row).await?;
        Self::from_row(row)
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
