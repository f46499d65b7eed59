//! The inboxes: signature required (`401` before anything is stored), `Digest` checked, body
//! limited (`413`, by the router), blocked senders refused (`403`, before anything is
//! fetched), ids deduplicated (by the activities), unknown types `202`. A signature that fails
//! against a cached key is tried once more after fetching the actor again (key rotation).

use activitypub_federation::axum::inbox::{receive_activity, ActivityData};
use activitypub_federation::config::Data;
use activitypub_federation::error::Error as ApubError;
use activitypub_federation::fetch::object_id::ObjectId;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Path, Request};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use url::Url;

use super::actors::RemoteActor;
use super::message_signatures;
use super::protocol::values::id_only;
use super::protocol::{HttpUrl, InboxActivity};
use super::refuse_blocked;
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
    /// The crate's view of the same request, with `Host` set to our own configured authority:
    /// the signature is verified against it, never against what the sender claims.
    async fn activity_data(&self, host: &str) -> Result<ActivityData, FederationError> {
        let mut request = Request::builder()
            .method(self.method.clone())
            .uri(self.uri.clone());
        if let Some(headers) = request.headers_mut() {
            headers.extend(self.headers.clone());
            let host = axum::http::HeaderValue::from_str(host)
                .map_err(|e| FederationError::internal("our host as a header", e))?;
            headers.insert(axum::http::header::HOST, host);
        }
        let request = request
            .body(Body::from(self.body.clone()))
            .map_err(|e| FederationError::internal("rebuilding the request", e))?;
        ActivityData::from_request(request, &())
            .await
            .map_err(|rejection| {
                FederationError::internal(
                    "reading the activity",
                    format!("the library refused it with {}", rejection.status()),
                )
            })
    }

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

/// An activity signed the RFC 9421 way, which the library does not verify: parsed into our
/// protocol type, its actor fetched, the signature checked with the actor's key (fetched
/// again once, for rotated keys), then handled as the library would.
async fn receive_rfc9421(
    data: &Data<Context>,
    incoming: &Incoming,
    signature: &message_signatures::MessageSignature,
) -> Result<Response, FederationError> {
    use activitypub_federation::traits::Activity;
    let activity = InboxActivity::parse(&incoming.body)?;
    let actor_id = InboxActivity::actor(&activity).url().clone();
    if !crate::domain::same_server(&signature.signer()?, &actor_id) {
        return Err(FederationError::Unauthorized(
            "the key is not the activity's actor's".into(),
        ));
    }
    super::require_same_server(InboxActivity::id(&activity).url(), &actor_id)?;
    let target = url::Url::parse(&format!(
        "{}{}",
        data.urls.base(),
        incoming.uri.path_and_query().map_or("/", |p| p.as_str())
    ))
    .map_err(|e| FederationError::internal("our own URL", e))?;
    super::actors::verify_with_key(data, &actor_id, |key| {
        signature.verify(&incoming.method, &target, &incoming.headers, key)
    })
    .await?;
    // It signs the RFC 9421 way: so are our deliveries to it from now on.
    data.federation
        .signature_kinds
        .insert(
            crate::domain::authority(actor_id.as_str()),
            super::signatures::SignatureKind::Rfc9421,
        )
        .await;
    activity.verify(data).await?;
    activity.receive(data).await?;
    heard_from(data, &actor_id).await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// A verified activity from `actor`'s server: a host given up on is available again.
async fn heard_from(data: &Context, actor: &Url) -> Result<(), FederationError> {
    let host = crate::domain::authority(actor.as_str());
    if crate::db::hosts::resume(&data.pool, &host).await? {
        tracing::info!(%host, "an unavailable host was heard from: deliveries resume");
    }
    Ok(())
}

pub async fn shared(data: Data<Context>, incoming: Incoming) -> Response {
    receive(&data, incoming)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

pub async fn personal(
    data: Data<Context>,
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

#[tracing::instrument(skip_all)]
async fn receive(data: &Data<Context>, incoming: Incoming) -> Result<Response, FederationError> {
    let rfc9421 = message_signatures::is_present(&incoming.headers);
    let signature = if rfc9421 {
        let signature = message_signatures::parse(&incoming.headers)?;
        signature.check(chrono::Utc::now(), true)?;
        message_signatures::check_content_digest(&incoming.headers, &incoming.body)?;
        Some(signature)
    } else {
        super::signatures::check_request(&incoming.headers, chrono::Utc::now(), true)?;
        None
    };
    // Read once here for the checks before the library (which refuses a body that is not JSON).
    let body: Option<serde_json::Value> = serde_json::from_slice(&incoming.body).ok();
    if let Some(body) = &body {
        check_ids(body)?;
    }
    let actor = body.as_ref().and_then(Incoming::claimed_actor);
    if let Some(actor) = &actor {
        refuse_blocked(data, actor).await?;
    }
    if let Some(signature) = signature {
        return receive_rfc9421(data, &incoming, &signature).await;
    }
    let first = receive_activity::<InboxActivity, RemoteActor, Context>(
        incoming.activity_data(&data.urls.domain()).await?,
        data,
    )
    .await;
    match (first, actor) {
        (Ok(()), Some(actor)) => {
            heard_from(data, &actor).await?;
            Ok(StatusCode::ACCEPTED.into_response())
        }
        (Ok(()), None) => Ok(StatusCode::ACCEPTED.into_response()),
        (Err(FederationError::Apub(ApubError::ActivitySignatureInvalid)), Some(actor)) => {
            // Perhaps the key changed: fetch the actor again and verify once more.
            let id: ObjectId<RemoteActor> = actor.into();
            id.dereference_forced(data).await?;
            receive_activity::<InboxActivity, RemoteActor, Context>(
                incoming.activity_data(&data.urls.domain()).await?,
                data,
            )
            .await?;
            heard_from(data, id.inner()).await?;
            Ok(StatusCode::ACCEPTED.into_response())
        }
        (Err(e), _) => Err(e),
    }
}
