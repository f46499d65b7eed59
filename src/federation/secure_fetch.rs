//! Secure mode (`federation.authorized_fetch`), like Mastodon's `AUTHORIZED_FETCH`: ActivityPub
//! GETs of reviews and collections must carry a valid signature, checked by this middleware
//! before anything (the cache included) answers.

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use axum::extract::MatchedPath;
use axum::Extension;

use super::negotiation::wants_activity_json;
use super::request_data::SharedConfig;
use super::routes::{signed_fetch, SignedFetch};
use super::Context;
use super::FederationError;

/// Secure mode (`authorized_fetch`), like Mastodon's `AUTHORIZED_FETCH`: GETs of ActivityPub
/// objects and collections must carry a valid signature. Decided by the route the request
/// matched ([`signed_fetch`]), never by how its path looks: HTML pages stay public whatever
/// their slug, the admin API keeps its token alone, actors and discovery stay public (or
/// signature verification deadlocks).
///
/// A `Router::layer` middleware, so it runs once the route is known, and outside the cache:
/// a kept answer never skips it.
pub async fn secure_fetch(
    Extension(config): Extension<SharedConfig>,
    route: Option<MatchedPath>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let needed = match signed_fetch(route.as_ref().map(MatchedPath::as_str)) {
        SignedFetch::Never => false,
        SignedFetch::Always => true,
        SignedFetch::ForActivityJson => wants_activity_json(request.headers()),
    };
    let applies = config.context().settings.federation.authorized_fetch
        && request.method() == axum::http::Method::GET
        && needed;
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
    let data = config.data();
    match verify_signed_get(&data, &method, &path, &headers).await {
        Ok(_) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// Verifies a signed GET: the signer is not blocked and its key (fetched, and fetched again
/// once if the signature fails, for rotated keys) signed the request. Returns the signer.
pub async fn verify_signed_get(
    data: &activitypub_federation::config::Data<Context>,
    method: &axum::http::Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<url::Url, FederationError> {
    use super::signatures;

    if super::message_signatures::is_present(headers) {
        return verify_rfc9421_get(data, method, path, headers).await;
    }
    let signer = signatures::check_request(headers, chrono::Utc::now(), false)?.signer()?;
    super::refuse_blocked(data, &signer).await?;
    let domain = data.urls.domain();
    super::actors::verify_with_key(data, &signer, |key| {
        signatures::verify_key(method, path, headers, &domain, key, false)
    })
    .await?;
    Ok(signer)
}

/// [`verify_signed_get`] for a GET signed the RFC 9421 way.
async fn verify_rfc9421_get(
    data: &activitypub_federation::config::Data<Context>,
    method: &axum::http::Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<url::Url, FederationError> {
    let signature = super::message_signatures::parse(headers)?;
    signature.check(chrono::Utc::now(), false)?;
    let signer = signature.signer()?;
    super::refuse_blocked(data, &signer).await?;
    let target = url::Url::parse(&format!("{}{path}", data.urls.base()))
        .map_err(|e| FederationError::internal("our own URL", e))?;
    super::actors::verify_with_key(data, &signer, |key| {
        signature.verify(method, &target, headers, key)
    })
    .await?;
    super::message_signatures::remember_signer(data, &signer).await;
    Ok(signer)
}
