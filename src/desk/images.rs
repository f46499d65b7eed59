//! A review's poster and stills at the desk: the upload form (multipart, its CSRF token
//! checked like every other form's), the images with their alt text, and removing one.

use std::collections::HashMap;

use axum::extract::multipart::Field;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use chrono::Utc;

use super::{check_csrf, path, see_other, Critic, NoFields, Posted, Refused};
use crate::db::images::ImageRow;
use crate::error::AppError;
use crate::media::images::{self, Kind, Upload};
use crate::state::AppState;
use crate::urls::Urls;

/// The longest text field an upload form takes.
const FIELD_BYTES: usize = 8 * 1024;
/// The most fields an upload form has.
const MAX_FIELDS: usize = 8;

/// An image as the editor lists it.
pub struct ImageItem {
    pub kind: &'static str,
    pub alt: String,
    pub thumb: String,
    pub width: u32,
    pub height: u32,
    pub remove_url: String,
}

impl ImageItem {
    fn new(row: &ImageRow, urls: &Urls) -> Self {
        let smallest = row.variants.0.first();
        Self {
            kind: if row.kind == "poster" {
                "Poster"
            } else {
                "Still"
            },
            alt: row.alt.clone(),
            thumb: smallest.map(|s| urls.media(&s.name)).unwrap_or_default(),
            width: u32::try_from(row.width).unwrap_or_default(),
            height: u32::try_from(row.height).unwrap_or_default(),
            remove_url: path(&format!(
                "/reviews/{}/images/{}/remove",
                row.review_id.unwrap_or_default(),
                row.id
            )),
        }
    }
}

/// A review's images, for its editor.
pub async fn of_review(state: &AppState, review: uuid::Uuid) -> Result<Vec<ImageItem>, AppError> {
    let rows = crate::db::images::of_review(&state.pool, review).await?;
    Ok(rows
        .iter()
        .map(|r| ImageItem::new(r, &state.urls))
        .collect())
}

/// A multipart form sent by the signed-in critic, its CSRF token checked before any of it is
/// used: its text fields and its one file.
pub struct Uploaded {
    pub fields: HashMap<String, String>,
    pub file: Bytes,
}

impl FromRequest<AppState> for Uploaded {
    type Rejection = Refused;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Refused> {
        let (mut parts, body) = request.into_parts();
        let critic = Critic::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| AppError::BadRequest(format!("the form is malformed: {e}")))?;
        let mut fields = HashMap::new();
        let mut file = Bytes::new();
        let max = state.settings.media.max_upload_bytes;
        for _ in 0..MAX_FIELDS {
            let Some(field) = multipart.next_field().await.map_err(malformed)? else {
                break;
            };
            let name = field.name().unwrap_or_default().to_string();
            if name == "file" {
                file = read(field, max).await?;
            } else {
                let bytes = read(field, FIELD_BYTES).await?;
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        check_csrf(
            &critic,
            fields.get("csrf").map(String::as_str).unwrap_or_default(),
        )?;
        Ok(Self { fields, file })
    }
}

fn malformed(e: axum::extract::multipart::MultipartError) -> AppError {
    AppError::BadRequest(format!("the form is malformed: {e}"))
}

/// A field's bytes, refused past `max`.
async fn read(mut field: Field<'_>, max: usize) -> Result<Bytes, AppError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        if bytes.len() + chunk.len() > max {
            return Err(AppError::PayloadTooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}

/// `POST /admin/reviews/{id}/images`: a poster or a still, with its alt text.
pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uploaded: Uploaded,
) -> Result<Response, Refused> {
    let id = super::id(&id)?;
    let field = |name: &str| uploaded.fields.get(name).cloned().unwrap_or_default();
    let kind = Kind::parse(&field("kind")).unwrap_or(Kind::Poster);
    if uploaded.file.is_empty() {
        return Err(AppError::BadRequest("choose an image file to upload".into()).into());
    }
    let upload = Upload {
        kind,
        alt: field("alt"),
        bytes: uploaded.file,
    };
    images::add(state.attach(), id, upload, Utc::now()).await?;
    Ok(see_other(&path(&format!("/reviews/{id}?done=image"))))
}

/// `POST /admin/reviews/{id}/images/{image}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    Path((id, image)): Path<(String, String)>,
    _: Posted<NoFields>,
) -> Result<Response, Refused> {
    let id = super::id(&id)?;
    let image = super::id(&image)?;
    images::remove(state.attach(), id, image, Utc::now()).await?;
    Ok(see_other(&path(&format!(
        "/reviews/{id}?done=image-removed"
    ))))
}
