//! The old blog's addresses (recorded by an import): `301` to the review's page, with or
//! without a trailing slash, `/?p=123` too; `/feed/` to our feed, a post's `/feed/` to its
//! comment feed. One indexed lookup, and only for paths no route of ours answers; unknown
//! paths stay `404`. The `301`s are not kept by the response cache (it keeps `200`s), so a
//! review's new slug is followed at once.

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::error_page;
use super::pages::{self, PageParams};
use crate::db::legacy_paths;
use crate::domain::wxr::legacy_path;
use crate::error::AppError;
use crate::publishing::{locate, Located};
use crate::state::AppState;

/// `/`: the index, or an old `/?p=123` link.
pub async fn index(state: State<AppState>, uri: Uri, params: Query<PageParams>) -> Response {
    if legacy_path(uri.path(), uri.query()).is_some() {
        return fallback(state, uri).await;
    }
    pages::index(state, params).await
}

/// Every path no route answers.
pub async fn fallback(State(state): State<AppState>, uri: Uri) -> Response {
    match redirect(&state, &uri).await {
        Ok(Some(to)) => moved(&to),
        Ok(None) => match without_trailing_slash(&state, &uri) {
            Some(to) => moved(&to),
            None => error_page(&state, AppError::NotFound),
        },
        Err(e) => error_page(&state, e),
    }
}

/// `/reviews/heat-1995/` → `/reviews/heat-1995`, and the same for the other pages of ours
/// (our addresses have no trailing slash); anything else stays a 404, and a redirect never
/// leads to another site.
fn without_trailing_slash(state: &AppState, uri: &Uri) -> Option<String> {
    let path = uri.path();
    let trimmed = path.trim_end_matches('/');
    if trimmed == path || trimmed.contains("//") || trimmed.contains('\\') {
        return None;
    }
    let ours = match trimmed.strip_prefix('/')?.split_once('/') {
        None => matches!(trimmed, "/about" | "/categories" | "/tags"),
        Some((section, rest)) => {
            matches!(section, "reviews" | "categories" | "tags")
                && !rest.is_empty()
                && !rest.contains('/')
        }
    };
    if !ours {
        return None;
    }
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(state.urls.join(&format!("{trimmed}{query}")))
}

async fn redirect(state: &AppState, uri: &Uri) -> Result<Option<String>, AppError> {
    let Some(path) = legacy_path(uri.path(), uri.query()) else {
        return Ok(None);
    };
    if path == "/feed" {
        return Ok(Some(state.urls.feed()));
    }
    let (path, feed) = match path.strip_suffix("/feed") {
        Some(post) if !post.is_empty() => (post.to_string(), true),
        _ => (path, false),
    };
    let Some(review) = legacy_paths::review_for(&state.pool, &path).await? else {
        return Ok(None);
    };
    match locate(&state.pool, &review.to_string()).await? {
        Located::Public(stored) if feed => Ok(Some(state.urls.comments_feed(&stored.review.slug))),
        Located::Public(stored) => Ok(Some(state.urls.review(&stored.review.slug))),
        Located::Deleted(_) => Err(AppError::Gone),
        Located::Moved(_) | Located::Missing => Ok(None),
    }
}

/// `301 Moved Permanently`, as the old blog's links and search engines expect.
fn moved(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(location) => (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
