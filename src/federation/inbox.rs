//! The inboxes: signature required (`401` before anything is stored), `Digest` checked, body
//! limited (`413`, by the router), blocked senders refused (`403`, before anything is
//! fetched), ids deduplicated (by the activities), unknown types `202`. A signature that fails
//! against a cached key is tried once more after fetching the actor again (key rotation).

use activitypub_federation::config::Data;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Path, Request};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use url::Url;

use super::message_signatures;
use super::protocol::values::id_only;
use super::protocol::{HttpUrl, InboxActivity};
use super::refuse_blocked;
use super::request_data::FederationData;
use super::signatures::{self, PublicKey};
use super::Context;
use super::FederationError;
use crate::content;

/// An incoming POST, kept whole so it can be verified more than once.
pub struct Incoming {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for Incoming {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let uri = match OriginalUri::from_request_parts(&mut parts, state).await {
            Ok(OriginalUri(uri)) => uri,
            Err(never) => match never {},
        };
        let body = axum::body::to_bytes(body, super::routes::INBOX_BODY_LIMIT)
            .await
            .map_err(|e| {
                // A body that stalled (tower-http's body timeout) is 408, one too large 413.
                let timed_out = std::error::Error::source(&e)
                    .is_some_and(|s| s.is::<tower_http::timeout::TimeoutError>());
                if timed_out {
                    (
                        StatusCode::REQUEST_TIMEOUT,
                        "the body did not arrive in time",
                    )
                        .into_response()
                } else {
                    (StatusCode::PAYLOAD_TOO_LARGE, "the body is too large").into_response()
                }
            })?;
        Ok(Self {
            method: parts.method,
            uri,
            headers: parts.headers,
            body,
        })
    }
}

impl Incoming {
    /// The `actor` the body claims, without trusting anything yet.
    fn claimed_actor(body: &serde_json::Value) -> Option<Url> {
        #[derive(serde::Deserialize)]
        struct Claimed {
            #[serde(deserialize_with = "id_only")]
            actor: HttpUrl,
        }
        use serde::Deserialize;
        Claimed::deserialize(body).ok().map(|c| c.actor.into_url())
    }
}

/// Keys whose values are ids or addresses (strings, lists of them, or objects with an `id`).
const ID_KEYS: &[&str] = &[
    "id",
    "actor",
    "object",
    "target",
    "inReplyTo",
    "attributedTo",
    "to",
    "cc",
    "bto",
    "bcc",
    "audience",
    "url",
    "href",
    "context",
    "conversation",
    "quote",
    "quoteUrl",
    "quoteUri",
    "_misskey_quote",
    "instrument",
    "replies",
    "first",
    "next",
    "partOf",
    "owner",
];

/// Every id in an incoming activity (at any nesting the body has, walked without recursion)
/// is at most [`content::limits::URL_BYTES`] and holds no control character: longer ones
/// would not fit PostgreSQL's unique indexes, and a NUL cannot be stored at all.
fn check_ids(value: &serde_json::Value) -> Result<(), FederationError> {
    use serde_json::Value;
    let bad = |s: &str| s.len() > content::limits::URL_BYTES || s.chars().any(char::is_control);
    let mut stack: Vec<(&Value, bool)> = vec![(value, false)];
    while let Some((value, is_id)) = stack.pop() {
        match value {
            Value::String(s) if is_id && bad(s) => {
                return Err(FederationError::BadRequest(
                    "an id is longer than 2048 bytes or holds control characters".into(),
                ))
            }
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, is_id))),
            Value::Object(map) => stack.extend(
                map.iter()
                    .map(|(key, item)| (item, ID_KEYS.contains(&key.as_str()))),
            ),
            _ => {}
        }
    }
    Ok(())
}

/// A verified activity from `actor`'s server: a host given up on is available again.
/// Written at most once a minute per host (see [`super::Federation::heard_from`]).
async fn heard_from(data: &Context, actor: &Url) -> Result<(), FederationError> {
    let host = crate::domain::authority(actor.as_str());
    if data.federation.heard_from.contains_key(&host) {
        return Ok(());
    }
    if crate::db::hosts::resume(&data.pool, &host).await? {
        tracing::info!(%host, "an unavailable host was heard from: deliveries resume");
    }
    data.federation.heard_from.insert(host, ()).await;
    Ok(())
}

pub async fn shared(FederationData(data): FederationData, incoming: Incoming) -> Response {
    receive(&data, incoming)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub async fn personal(
    FederationData(data): FederationData,
    Path(handle): Path<String>,
    incoming: Incoming,
) -> Response {
    if handle != data.urls.handle().as_str() {
        return FederationError::NotFound.into_response();
    }
    receive(&data, incoming)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// How a request was signed: checked (times, covered parts, digest) but not yet verified.
enum Signature {
    Rfc9421(message_signatures::MessageSignature),
    Cavage(super::signatures::SignatureHeader),
}

impl Signature {
    /// Everything but the cryptography, before anything is read or fetched.
    fn check(incoming: &Incoming) -> Result<Self, FederationError> {
        let now = chrono::Utc::now();
        if message_signatures::is_present(&incoming.headers) {
            let signature = message_signatures::parse(&incoming.headers)?;
            signature.check(now, true)?;
            message_signatures::check_content_digest(&incoming.headers, &incoming.body)?;
            Ok(Self::Rfc9421(signature))
        } else {
            let header = signatures::check_request(&incoming.headers, now, true)?;
            signatures::check_digest(&incoming.headers, &incoming.body)?;
            Ok(Self::Cavage(header))
        }
    }

    /// The actor whose key made it (from the key id).
    fn signer(&self) -> Result<Url, FederationError> {
        match self {
            Self::Rfc9421(signature) => signature.signer(),
            Self::Cavage(header) => header.signer(),
        }
    }

    fn verify(
        &self,
        data: &Context,
        incoming: &Incoming,
        key: &PublicKey,
    ) -> Result<(), FederationError> {
        let path = incoming.uri.path_and_query().map_or("/", |p| p.as_str());
        match self {
            Self::Rfc9421(signature) => {
                let target = Url::parse(&format!("{}{path}", data.urls.base()))
                    .map_err(|e| FederationError::internal("our own URL", e))?;
                signature.verify(&incoming.method, &target, &incoming.headers, key)
            }
            Self::Cavage(_) => signatures::verify_key(
                &incoming.method,
                path,
                &incoming.headers,
                &data.urls.domain(),
                key,
                true,
            ),
        }
    }
}

/// One incoming activity: the signature's form and the digest checked, the body parsed once
/// (ids bounded, the claimed actor not blocked), the activity typed, its id on its actor's
/// server and the key's, the signature verified with the actor's key (kept in memory; fetched
/// when unseen, and fetched again once when it fails, for rotated keys), then handled.
#[tracing::instrument(skip_all)]
async fn receive(data: &Data<Context>, incoming: Incoming) -> Result<Response, FederationError> {
    use activitypub_federation::traits::Activity;
    let signature = Signature::check(&incoming)?;
    let body: serde_json::Value = serde_json::from_slice(&incoming.body)
        .map_err(|_| FederationError::BadRequest("the body is not JSON".into()))?;
    check_ids(&body)?;
    if let Some(actor) = Incoming::claimed_actor(&body) {
        refuse_blocked(data, &actor).await?;
    }
    let activity = InboxActivity::from_value(body)?;
    let actor_id = InboxActivity::actor(&activity).url().clone();
    if !crate::domain::same_server(&signature.signer()?, &actor_id) {
        return Err(FederationError::Unauthorized(
            "the key is not the activity's actor's".into(),
        ));
    }
    super::require_same_server(InboxActivity::id(&activity).url(), &actor_id)?;
    if crate::domain::same_server(&actor_id, &data.federation.blog.id) {
        return Err(FederationError::Refused(
            "an activity from this server itself".into(),
        ));
    }
    super::actors::verify_with_key(data, &actor_id, |key| {
        signature.verify(data, &incoming, key)
    })
    .await?;
    if let Signature::Rfc9421(_) = signature {
        message_signatures::remember_signer(data, &actor_id).await;
    }
    activity.verify(data).await?;
    activity.receive(data).await?;
    heard_from(data, &actor_id).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}
