//! Importing another blog's content: `POST /api/v1/import/wordpress` with the export as the body.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::Admin;
use super::ErrorBody;
use crate::error::AppError;
use crate::media::Media;
use crate::state::AppState;
use crate::wordpress::{self, Options, Report};

/// What to do besides importing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Send each published review to the followers as one `Create` (default: no, they are
    /// only in the outbox under their old dates).
    federate: Option<bool>,
    /// Download the posts' images and serve them from this blog (default: no, they stay links).
    fetch_media: Option<bool>,
}

/// Import a WordPress export (Tools → Export → All content): posts become reviews (drafts
/// stay drafts), their approved comments the threads, nested as they were; pages,
/// attachments, pingbacks, spam and unapproved comments are left out; the posts' old
/// addresses answer 301 to their reviews. Importing the same file again changes nothing. A
/// file that is not a WordPress export is refused (422) and nothing is stored. At most 64 MiB.
#[utoipa::path(post, path = "/api/v1/import/wordpress", operation_id = "importWordpress", params(ImportQuery),
    request_body(content = String, content_type = "application/xml"),
    responses((status = 200, body = Report), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn wordpress(
    _: Admin,
    State(state): State<AppState>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Report>, AppError> {
    let Query(query) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest(rejection.body_text())
        }
    })?;
    let xml = String::from_utf8(Vec::from(body)).map_err(|_| {
        AppError::BadRequest("the body is not UTF-8 text (a WordPress export is)".into())
    })?;
    let options = Options {
        federate: query.federate.unwrap_or(false),
        fetch_media: query.fetch_media.unwrap_or(false),
    };
    let media = if options.fetch_media {
        let client = crate::federation::http_client(&state.settings)
            .map_err(|e| AppError::internal("building the HTTP client", e))?;
        Some(Media::new(
            state.media.clone(),
            client,
            (*state.urls).clone(),
            state.settings.allow_private_networks,
        ))
    } else {
        None
    };
    let report = wordpress::import(
        &state.pool,
        &state.settings,
        &*state.outbound,
        media.as_ref(),
        xml,
        options,
        Utc::now(),
    )
    .await?;
    Ok(Json(report))
}
