//! A review's images over the API: the image's bytes as the request body (any declared type:
//! the bytes are sniffed), what it is and its alt text in the query.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Admin;
use super::ErrorBody;
use crate::db::images::ImageRow;
use crate::error::AppError;
use crate::media::images::{self, Kind, Upload};
use crate::state::AppState;

/// What the uploaded image is.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UploadQuery {
    /// `poster` (the default: replaces the review's poster) or `still`.
    kind: Option<String>,
    /// What the image shows, for readers who cannot see it (required).
    alt: Option<String>,
}

/// An uploaded image.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageView {
    pub id: uuid::Uuid,
    pub kind: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    /// Its sizes, narrowest first (the largest is the page's and the fediverse's).
    pub sizes: Vec<SizeView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SizeView {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

impl ImageView {
    pub fn new(row: &ImageRow, urls: &crate::urls::Urls) -> Self {
        Self {
            id: row.id,
            kind: row.kind.clone(),
            alt: row.alt.clone(),
            width: u32::try_from(row.width).unwrap_or_default(),
            height: u32::try_from(row.height).unwrap_or_default(),
            sizes: row
                .variants
                .0
                .iter()
                .map(|s| SizeView {
                    url: urls.media(&s.name),
                    width: s.width,
                    height: s.height,
                })
                .collect(),
        }
    }
}

/// Upload a poster or a still (JPEG, PNG, WebP or AVIF) as the body.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/images", params(("id" = Uuid, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ImageView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<UploadQuery>,
    body: Body,
) -> Result<(StatusCode, Json<ImageView>), AppError> {
    let id = super::path_id(&id)?;
    let kind = match query.kind.as_deref() {
        None => Kind::Poster,
        Some(raw) => Kind::parse(raw).ok_or_else(|| {
            let mut errors = crate::domain::ValidationErrors::default();
            errors.add("kind", "must be \"poster\" or \"still\"");
            AppError::Validation(errors)
        })?,
    };
    let bytes = axum::body::to_bytes(body, state.settings.media.max_upload_bytes)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let upload = Upload {
        kind,
        alt: query.alt.unwrap_or_default(),
        bytes,
    };
    let row = images::add(state.attach(), id, upload, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(ImageView::new(&row, &state.urls))))
}

/// A review's images, its poster first.
#[utoipa::path(get, path = "/api/v1/reviews/{id}/images", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<ImageView>), (status = 401, body = ErrorBody)))]
pub async fn list(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<ImageView>>, AppError> {
    let rows = crate::db::images::of_review(&state.pool, super::path_id(&id)?).await?;
    Ok(Json(
        rows.iter()
            .map(|r| ImageView::new(r, &state.urls))
            .collect(),
    ))
}

/// Remove one of a review's images (a poster is taken off the review).
#[utoipa::path(delete, path = "/api/v1/reviews/{id}/images/{image}", params(("id" = Uuid, Path), ("image" = Uuid, Path)),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    _: Admin,
    State(state): State<AppState>,
    Path((id, image)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    images::remove(
        state.attach(),
        super::path_id(&id)?,
        super::path_id(&image)?,
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
