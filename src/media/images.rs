//! A review's uploaded images: its poster (the one the page, the index and the fediverse show)
//! and its stills. An upload is checked whole before anything is kept; a poster becomes the
//! review's `film.poster_url` and `poster_alt` through the one path that edits reviews, so a
//! published review's `Update` goes out as for any edit.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::process::{self, Caps, Processed, Refusal};
use super::Store;
use crate::config::Settings;
use crate::db::images::{self, ImageRow, NewImage, Size};
use crate::domain::review::ValidationErrors;
use crate::error::AppError;
use crate::outbound::Outbound;
use crate::publishing::{self, Change};
use crate::urls::Urls;

/// The longest alt text taken.
pub const MAX_ALT_CHARS: usize = 1000;

/// Uploads decoded at once: one (each may hold hundreds of megabytes of pixels; one critic
/// uploads).
static DECODING: Semaphore = Semaphore::const_new(1);

/// What an uploaded image is to its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Poster,
    Still,
}

impl Kind {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "poster" => Some(Self::Poster),
            "still" => Some(Self::Still),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Poster => "poster",
            Self::Still => "still",
        }
    }
}

/// An upload as received.
pub struct Upload {
    pub kind: Kind,
    pub alt: String,
    pub bytes: Bytes,
}

/// What a service needs to attach images.
pub struct Attach<'a> {
    pub pool: &'a PgPool,
    pub settings: &'a Settings,
    pub outbound: &'a dyn Outbound,
    pub store: &'a Store,
    pub urls: &'a Urls,
}

/// The caps the settings put on uploads.
pub fn caps(settings: &Settings) -> Caps {
    Caps {
        max_bytes: settings.media.max_upload_bytes,
        max_pixels: settings.media.max_pixels,
    }
}

/// Checks an upload, stores its sizes and attaches it to the review. Refused (nothing kept):
/// no alt text (422), not an image (415), too many bytes (413) or pixels (422), no such
/// review (404).
#[tracing::instrument(skip_all, fields(%review_id, kind = upload.kind.as_str()))]
pub async fn add(
    at: Attach<'_>,
    review_id: Uuid,
    upload: Upload,
    now: DateTime<Utc>,
) -> Result<ImageRow, AppError> {
    let alt = alt_text(&upload.alt)?;
    if crate::db::reviews::get(at.pool, review_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let processed = decode(upload.bytes, caps(at.settings)).await?;
    let mut variants = Vec::with_capacity(processed.variants.len());
    for v in processed.variants {
        let name = at
            .store
            .put(v.bytes, v.extension)
            .await
            .map_err(|e| AppError::internal("storing an image", e))?;
        variants.push(Size {
            name,
            width: v.width,
            height: v.height,
        });
    }
    let largest = variants
        .last()
        .map(|s| s.name.clone())
        .ok_or(AppError::Bug("an image with no size"))?;
    if upload.kind == Kind::Poster {
        let poster = json!({"poster_url": at.urls.media(&largest), "poster_alt": alt});
        set_poster(&at, review_id, poster, now).await?;
    }
    let mut tx = at.pool.begin().await.map_err(crate::db::DbError::from)?;
    if upload.kind == Kind::Poster {
        images::delete_posters(&mut *tx, review_id).await?;
    }
    let row = images::insert(
        &mut *tx,
        NewImage {
            review_id: Some(review_id),
            kind: upload.kind.as_str(),
            alt: &alt,
            width: processed.width,
            height: processed.height,
            variants,
        },
    )
    .await?;
    tx.commit().await.map_err(crate::db::DbError::from)?;
    Ok(row)
}

/// Removes one of a review's images; a poster the review still shows is taken off it (an
/// edit like any other). The stored files stay: other images may share them by content.
#[tracing::instrument(skip_all, fields(%review_id, %id))]
pub async fn remove(
    at: Attach<'_>,
    review_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let row = images::delete(at.pool, review_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.kind != Kind::Poster.as_str() {
        return Ok(());
    }
    let Some(stored) = crate::db::reviews::get(at.pool, review_id).await? else {
        return Ok(());
    };
    let shown = stored
        .review
        .film
        .poster_url
        .as_ref()
        .map(|u| u.to_string());
    if row
        .largest()
        .is_some_and(|s| shown.as_deref() == Some(at.urls.media(&s.name).as_str()))
    {
        let none = json!({"poster_url": null, "poster_alt": null});
        set_poster(&at, review_id, none, now).await?;
    }
    Ok(())
}

/// Sets (or clears) the review's poster through the one path that edits reviews: a published
/// review's `Update` goes out as for any edit.
async fn set_poster(
    at: &Attach<'_>,
    review_id: Uuid,
    poster: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let patch = json!({ "film": poster });
    publishing::update(
        at.pool,
        at.settings,
        at.outbound,
        review_id,
        Change::Patch(&patch),
        now,
    )
    .await?;
    Ok(())
}

/// The alt text trimmed, or why it is refused.
fn alt_text(raw: &str) -> Result<String, AppError> {
    let alt = raw.trim();
    let problem = if alt.is_empty() {
        "is required: describe the image for readers who cannot see it"
    } else if alt.chars().count() > MAX_ALT_CHARS {
        "must be at most 1000 characters"
    } else {
        return Ok(alt.to_string());
    };
    let mut errors = ValidationErrors::default();
    errors.add("alt", problem);
    Err(AppError::Validation(errors))
}

/// Checks and sizes the bytes off the async threads, a few uploads at a time.
async fn decode(bytes: Bytes, caps: Caps) -> Result<Processed, AppError> {
    let _permit = DECODING
        .acquire()
        .await
        .map_err(|e| AppError::internal("waiting to decode an image", e))?;
    let outcome = tokio::task::spawn_blocking(move || process::process(&bytes, caps))
        .await
        .map_err(|e| AppError::internal("decoding an image", e))?;
    outcome.map_err(|refusal| match refusal {
        Refusal::TooLarge(_) => AppError::PayloadTooLarge,
        Refusal::NotAnImage => AppError::UnsupportedMediaType(refusal.to_string()),
        other => {
            let mut errors = ValidationErrors::default();
            errors.add("file", other.to_string());
            AppError::Validation(errors)
        }
    })
}
