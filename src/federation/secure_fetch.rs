//! Secure mode (`federation.authorized_fetch`), like Mastodon's `AUTHORIZED_FETCH`: ActivityPub
//! GETs of reviews and collections must carry a valid signature, checked by this middleware
//! before anything (the cache included) answers.

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::negotiation::wants_activity_json;
use super::Context;
use super::FederationError;

/// Paths whose ActivityPub GETs stay public in secure mode: actors and keys (or signature
/// verification deadlocks), discovery, the avatar.
fn always_public(path: &str, urls: &crate::urls::Urls) -> bool {
    path == format!("/users/{}", urls.handle())
        || path == "/actor"
        || path.starts_with("/.well-known/")
        || path.starts_with("/nodeinfo/")
        || path == "/avatar.png"
}

/// Paths that only ever answer ActivityPub JSON, whatever the `Accept` header says.
fn activity_json_only(path: &str) -> bool {
    path.starts_with("/activities/")
        || [
            "/outbox",
            "/followers",
            "/following",
            "/featured",
            "/replies",
            "/likes",
            "/shares",
        ]
        .iter()
        .any(|suffix| path.ends_with(suffix))
}

/// Secure mode (`authorized_fetch`), like Mastodon's `AUTHORIZED_FETCH`: ActivityPub GETs of
/// reviews and collections must carry a valid signature; HTML pages are never affected.
pub async fn secure_fetch(
    data: activitypub_federation::config::Data<Context>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    let applies = data.settings.federation.authorized_fetch
        && request.method() == axum::http::Method::GET
        && (wants_activity_json(request.headers()) || activity_json_only(path))
        && !always_public(path, &data.urls);
    if !applies {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_string();
    let headers = request.headers().clone();
    match verify_fetch(&data, &method, &path, &headers).await {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

async fn verify_fetch(
    data: &activitypub_federation::config::Data<Context>,
    method: &axum::http::Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<(), FederationError> {
    use activitypub_federation::fetch::object_id::ObjectId;
    use activitypub_federation::traits::Actor;

    use super::actors::RemoteActor;
    use super::signatures;

    let signer = signatures::check_request(headers, chrono::Utc::now(), false)?.signer()?;
    super::refuse_blocked(data, &signer).await?;
    let domain = data.urls.domain();
    let id: ObjectId<RemoteActor> = signer.into();
    let actor = id.dereference(data).await?;
    if signatures::verify(
        method,
        path,
        headers,
        &domain,
        actor.public_key_pem(),
        false,
    )
    .is_ok()
    {
        return Ok(());
    }
    // The key may have been rotated: fetch the actor again once.
    let actor = id.dereference_forced(data).await?;
    signatures::verify(
        method,
        path,
        headers,
        &domain,
        actor.public_key_pem(),
        false,
    )
}
