//! The public site: HTML pages and Atom feeds, server-rendered, no JavaScript.

mod crawlers;
mod feeds;
mod interact;
mod legacy;
mod media;
mod pages;
mod posters;

pub use pages::preview_html;
pub(crate) mod views;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::AppError;
use crate::state::AppState;

const STYLE: &str = include_str!("style.css");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(legacy::index))
        .route(crate::federation::routes::paths::REVIEW, get(pages::review))
        .route(
            "/categories",
            get(|State(state): State<AppState>| async move {
                pages::terms(&state, crate::db::reviews::Terms::Categories).await
            }),
        )
        .route(
            "/tags",
            get(|State(state): State<AppState>| async move {
                pages::terms(&state, crate::db::reviews::Terms::Tags).await
            }),
        )
        .route("/categories/{key}", get(pages::category))
        .route("/tags/{key}", get(pages::tag))
        .route("/about", get(pages::about))
        .route("/robots.txt", get(crawlers::robots))
        .route("/sitemap.xml", get(crawlers::sitemap))
        .route("/preview/{token}", get(pages::private_preview))
        .route("/feed.xml", get(feeds::site))
        .route("/categories/{key}/feed.xml", get(feeds::category))
        .route("/tags/{key}/feed.xml", get(feeds::tag))
        .route("/reviews/{slug}/comments.xml", get(feeds::comments))
        .route("/interact", get(interact::interact))
        .route("/style.css", get(style))
        .route("/healthz", get(healthz))
        .route("/media/{name}", get(media::serve))
        .fallback(legacy::fallback)
}

/// How long `/healthz` waits for the database.
const HEALTH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// `200 ok` when the database answers a query within [`HEALTH_TIMEOUT`], `503` otherwise: a
/// server whose pages fail for want of a database is not healthy.
async fn healthz(State(state): State<AppState>) -> Response {
    let failure = match tokio::time::timeout(HEALTH_TIMEOUT, crate::db::ping(&state.pool)).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!("no answer within {HEALTH_TIMEOUT:?}")),
    };
    let headers = [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    match failure {
        None => (headers, "ok").into_response(),
        Some(error) => {
            tracing::warn!(%error, "health check: the database is unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                headers,
                "database unavailable",
            )
                .into_response()
        }
    }
}

/// A short fingerprint of the stylesheet, so its URL changes when it does and can be cached long.
pub fn style_version() -> String {
    use sha2::Digest;
    // The first 6 bytes, as 12 hex digits (ASCII, so truncating cannot split a character).
    let mut hex = hex::encode(sha2::Sha256::digest(STYLE.as_bytes()));
    hex.truncate(12);
    hex
}

async fn style() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        STYLE,
    )
        .into_response()
}

/// Renders an error as an HTML page with the right status.
/// The answer to an address where there is nothing: the same page whatever was asked.
pub fn not_found(state: &AppState) -> Response {
    error_page(state, AppError::NotFound)
}

fn error_page(state: &AppState, error: AppError) -> Response {
    error.log();
    let status = error.status();
    let (heading, message) = match status {
        StatusCode::NOT_FOUND => ("Not found", "There is no page at this address."),
        StatusCode::GONE => ("Gone", "This review was deleted by its author."),
        _ => (
            "Something went wrong",
            "The page could not be shown. Please try again later.",
        ),
    };
    message_page(state, status, heading, message)
}

/// A page that only says something (errors, and what became of a reader's request).
fn message_page(state: &AppState, status: StatusCode, heading: &str, message: &str) -> Response {
    let page = pages::ErrorPage {
        layout: views::Layout::plain(state, heading, &state.urls.home()),
        heading: heading.to_string(),
        message: message.to_string(),
    };
    match askama::Template::render(&page) {
        Ok(html) => (status, html_headers(), html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a message page");
            (status, message.to_string()).into_response()
        }
    }
}

fn html_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    )]
}
