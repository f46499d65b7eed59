//! `/media/{name}`: a stored image, read from the media store (so every process sharing a
//! bucket serves every image). Its name is its content's hash: it never changes, so it is
//! cached for good and its ETag is that hash.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;

use super::error_page;
use crate::error::AppError;
use crate::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub async fn serve(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let stored = match state.media.get(&name).await {
        Ok(Some(stored)) => stored,
        Ok(None) => return error_page(&state, AppError::NotFound),
        Err(e) => return error_page(&state, AppError::internal("reading a stored image", e)),
    };
    let hash = name.split_once('.').map(|(h, _)| h).unwrap_or_default();
    let etag = HeaderValue::from_str(&format!("\"{hash}\"")).ok();
    let common = |etag: Option<HeaderValue>| {
        let mut h = HeaderMap::new();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if let Some(etag) = etag {
            h.insert(header::ETAG, etag);
        }
        h
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == format!("\"{hash}\""))
        });
    if matches {
        return (StatusCode::NOT_MODIFIED, common(etag)).into_response();
    }
    let mut h = common(etag);
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(stored.content_type),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(stored.size));
    let body = Body::from_stream(stored.body.inspect_err(|e| {
        tracing::warn!(error = %e, "a stored image could not be read to the end");
    }));
    (h, body).into_response()
}
