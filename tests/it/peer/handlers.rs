//! The peer's HTTP side: alice's actor document, served objects, WebFinger, and inboxes that
//! record what arrives and answer as the test scripted.

use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::{json, Value};

use super::{lock, Received, Shared};

pub(super) async fn actor_doc(State(shared): State<Shared>) -> axum::response::Response {
    let doc = lock(&shared.actor).clone();
    if doc.is_null() {
        // The account was deleted (`Peer::delete_account`).
        return StatusCode::GONE.into_response();
    }
    (
        [("content-type", "application/activity+json")],
        doc.to_string(),
    )
        .into_response()
}

pub(super) async fn object(
    State(shared): State<Shared>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> axum::response::Response {
    match lock(&shared.objects).get(&name) {
        Some(doc) => (
            [("content-type", "application/activity+json")],
            doc.to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub(super) async fn webfinger(State(shared): State<Shared>) -> axum::response::Response {
    let base = lock(&shared.base).clone();
    let doc = json!({
        "subject": format!("acct:alice@{}", base.trim_start_matches("http://")),
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": format!("{base}/users/alice")},
            {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": format!("{base}/authorize_interaction?uri={{uri}}")},
        ],
    });
    ([("content-type", "application/jrd+json")], doc.to_string()).into_response()
}

pub(super) async fn inbox(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let _ = method;
    let at = Instant::now();
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let delay = *lock(&shared.delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    lock(&shared.received).push(Received {
        at,
        path: uri.path().to_string(),
        headers,
        body,
    });
    let first = lock(&shared.first_answers).remove(uri.path());
    let status = first.unwrap_or_else(|| lock(&shared.script).pop_front().unwrap_or(202));
    StatusCode::from_u16(status).unwrap_or(StatusCode::ACCEPTED)
}
