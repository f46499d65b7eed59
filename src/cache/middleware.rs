//! The cache in front of the public handlers.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Entry, Key, ResponseCache, X_CACHE};
use crate::changes::{self, Cacheable};

/// Answers from the cache what it may, keeps what handlers mark, and applies at once the
/// changes a writing request announced. Outside it nothing is cached; it must run inside
/// `secure_fetch` and `FederationMiddleware`.
pub async fn middleware(
    State(cache): State<Arc<ResponseCache>>,
    request: Request,
    next: Next,
) -> Response {
    if !cache.enabled {
        return next.run(request).await;
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        // Its transaction has committed (or rolled back) by the time it answers.
        let (response, announced) = changes::recording(next.run(request)).await;
        cache.apply_own(&announced);
        return response;
    }
    let Some(key) = Key::for_request(&request) else {
        return next.run(request).await;
    };
    if let Some(hit) = cache.lookup(&key, Instant::now()) {
        return hit;
    }
    // Read before rendering: if a write lands meanwhile, this answer is never served after it.
    let started = cache.started();
    let response = next.run(request).await;
    let mut response = keep(&cache, key, started, response).await;
    response
        .headers_mut()
        .insert(X_CACHE, HeaderValue::from_static("miss"));
    response
}

/// Keeps `response` if its handler marked it and it is a `200` of known, bounded size; gives it
/// back either way.
pub(super) async fn keep(
    cache: &ResponseCache,
    key: Key,
    started: u64,
    response: Response,
) -> Response {
    let depends = match response.extensions().get::<Cacheable>() {
        Some(Cacheable(depends)) => depends.clone(),
        None => return response,
    };
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let max_bytes = cache.limits.max_bytes;
    let bounded = response
        .body()
        .size_hint()
        .exact()
        .and_then(|n| usize::try_from(n).ok())
        .is_some_and(|n| n <= max_bytes);
    if !bounded {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, max_bytes).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, path = %key.target, "reading a response to keep it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let now = Instant::now();
    let entry = Entry::new(
        &key,
        parts.status,
        parts.headers.clone(),
        body.clone(),
        depends,
        started,
        now,
    );
    cache.insert(key, entry, now);
    Response::from_parts(parts, Body::from(body))
}
