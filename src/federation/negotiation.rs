//! Content negotiation: the same URL serves HTML to browsers and ActivityPub JSON to servers.

use axum::http::header::{ACCEPT, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

pub const ACTIVITY_JSON: &str = "application/activity+json";

/// Whether the `Accept` header prefers ActivityPub JSON over HTML. Parsed, not compared:
/// Mastodon sends `application/activity+json, application/ld+json`, its search adds
/// `text/html;q=0.1`, browsers send neither JSON type.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut best_json: f32 = 0.0;
    let mut best_html: f32 = 0.0;
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "application/activity+json" | "application/ld+json" => best_json = best_json.max(q),
            "text/html" | "application/xhtml+xml" => best_html = best_html.max(q),
            _ => {}
        }
    }
    best_json > 0.0 && best_json >= best_html
}

/// A JSON document with `Content-Type: application/activity+json`.
pub fn activity_json(document: &impl serde::Serialize) -> Response {
    activity_json_with_status(axum::http::StatusCode::OK, document)
}

pub fn activity_json_with_status(
    status: axum::http::StatusCode,
    document: &impl serde::Serialize,
) -> Response {
    let body = match serde_json::to_string(document) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "a document of ours did not serialize");
            return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    (
        status,
        [
            (CONTENT_TYPE, HeaderValue::from_static(ACTIVITY_JSON)),
            (VARY, HeaderValue::from_static("Accept")),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_str(value).expect("header"));
        headers
    }

    #[test]
    fn negotiation() {
        assert!(wants_activity_json(&accept(
            "application/activity+json, application/ld+json"
        )));
        assert!(wants_activity_json(&accept(
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\", application/activity+json, text/html;q=0.1"
        )));
        assert!(wants_activity_json(&accept("application/activity+json")));
        assert!(!wants_activity_json(&accept(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        )));
        assert!(!wants_activity_json(&accept("*/*")));
        assert!(!wants_activity_json(&accept(
            "text/html, application/activity+json;q=0.5"
        )));
        assert!(!wants_activity_json(&HeaderMap::new()));
    }
}
