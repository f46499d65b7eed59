//! The inboxes: signature required (`401` before anything is stored), `Digest` checked, body
//! limited (by the router), ids deduplicated (by the activities), unknown types `202`.

use activitypub_federation::axum::inbox::{receive_activity, ActivityData};
use activitypub_federation::config::Data;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::activities::InboxActivity;
use super::actors::RemoteActor;
use super::FederationError;
use crate::app::AppState;

pub async fn shared(data: Data<AppState>, headers: HeaderMap, activity: ActivityData) -> Response {
    receive(&data, &headers, activity).await
}

pub async fn personal(
    data: Data<AppState>,
    Path(handle): Path<String>,
    headers: HeaderMap,
    activity: ActivityData,
) -> Response {
    if handle != data.urls.handle().as_str() {
        return FederationError::NotFound.into_response();
    }
    receive(&data, &headers, activity).await
}

#[tracing::instrument(skip_all)]
async fn receive(data: &Data<AppState>, headers: &HeaderMap, activity: ActivityData) -> Response {
    if !headers.contains_key("signature") {
        return FederationError::Unauthorized(
            "the request is not signed (no Signature header)".into(),
        )
        .into_response();
    }
    if !headers.contains_key("digest") {
        return FederationError::Unauthorized("a signed Digest header is required".into())
            .into_response();
    }
    match receive_activity::<InboxActivity, RemoteActor, AppState>(activity, data).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(error) => error.into_response(),
    }
}
