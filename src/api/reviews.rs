//! `/api/v1/reviews`: thin handlers over [`crate::publishing`].

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Admin;
use super::{ErrorBody, JsonBody, ListQuery};
use crate::db::reviews::{self, StoredReview};
use crate::domain::review::FilmInput;
use crate::domain::{QuotePolicy, ReviewInput, ReviewStatus};
use crate::error::AppError;
use crate::publishing;
use crate::state::AppState;
use crate::urls::Urls;

/// A review as the admin API returns it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewView {
    pub id: Uuid,
    pub slug: String,
    /// The public page.
    pub url: String,
    /// The permanent ActivityPub id.
    pub ap_id: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub body_html: String,
    pub summary: Option<String>,
    pub summary_html: String,
    pub film: FilmInput,
    pub rating: Option<RatingView>,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub spoiler_warning: Option<String>,
    pub language: String,
    pub author: String,
    pub status: ReviewStatus,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Who may quote it; `null` follows `federation.quote_policy`.
    pub quote_policy: Option<QuotePolicy>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RatingView {
    pub value: f64,
    pub best: u32,
    /// Five stars: "★★★★☆".
    pub stars: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewList {
    pub items: Vec<ReviewView>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl ReviewView {
    pub fn new(stored: &StoredReview, urls: &Urls) -> Self {
        let r = &stored.review;
        let input = r.to_input();
        Self {
            id: r.id,
            slug: r.slug.to_string(),
            url: urls.review(&r.slug),
            ap_id: urls.review_ap_id(r.id, r.ap_revision),
            title: r.title.clone(),
            body: r.body.clone(),
            body_html: r.body_html.clone(),
            summary: r.summary.clone(),
            summary_html: r.summary_html.clone(),
            film: input.film.unwrap_or_default(),
            rating: r.rating.map(|x| RatingView {
                value: x.value(),
                best: x.best(),
                stars: x.stars(),
            }),
            categories: input.categories,
            tags: input.tags,
            spoiler_warning: r.spoiler_warning.clone(),
            language: r.language.to_string(),
            author: r.author.clone(),
            status: r.status,
            publish_at: r.publish_at,
            published_at: r.published_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            quote_policy: r.quote_policy,
        }
    }
}

/// Create a review.
#[utoipa::path(post, path = "/api/v1/reviews", operation_id = "createReview", request_body = ReviewInput,
    responses(
        (status = 201, description = "Created", body = ReviewView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 409, description = "Slug already used", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named in details", body = ErrorBody),
    ))]
pub async fn create(
    _: Admin,
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<impl IntoResponse, AppError> {
    let input = publishing::input_from_value(body)?;
    let stored = publishing::create(
        &state.pool,
        &state.settings,
        &*state.outbound,
        &input,
        Utc::now(),
    )
    .await?;
    let view = ReviewView::new(&stored, &state.urls);
    let location = format!("/api/v1/reviews/{}", view.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    ))
}

/// List reviews, newest first.
#[utoipa::path(get, path = "/api/v1/reviews", operation_id = "listReviews",
    params(
        ("page" = Option<i64>, Query, description = "From 1"),
        ("per_page" = Option<i64>, Query, description = "1 to 100, default 20"),
        ("status" = Option<ReviewStatus>, Query),
    ),
    responses((status = 200, body = ReviewList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Admin,
    State(state): State<AppState>,
    params: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ReviewList>, AppError> {
    let list =
        ListQuery::from_request(params)?.parse(|s| ReviewStatus::parse(s).map_err(|e| e.0))?;
    let (page, per_page, status) = (list.page, list.per_page, list.status);
    let (rows, total) =
        reviews::list_all(&state.pool, status, per_page, (page - 1) * per_page).await?;
    let items = rows
        .iter()
        .map(|r| ReviewView::new(r, &state.urls))
        .collect();
    Ok(Json(ReviewList {
        items,
        page,
        per_page,
        total,
    }))
}

/// Fetch one review.
#[utoipa::path(get, path = "/api/v1/reviews/{id}", operation_id = "getReview", params(("id" = Uuid, Path)),
    responses((status = 200, body = ReviewView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ReviewView>, AppError> {
    let stored = reviews::get(&state.pool, super::path_id(&id)?)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(ReviewView::new(&stored, &state.urls)))
}

/// Change a review: a JSON merge patch of the create fields (`null` clears a field).
#[utoipa::path(patch, path = "/api/v1/reviews/{id}", operation_id = "updateReview", params(("id" = Uuid, Path)), request_body = ReviewInput,
    responses(
        (status = 200, body = ReviewView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn update(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody,
) -> Result<Json<ReviewView>, AppError> {
    let stored = publishing::update(
        &state.pool,
        &state.settings,
        &*state.outbound,
        super::path_id(&id)?,
        publishing::Change::Patch(&patch),
        Utc::now(),
    )
    .await?;
    Ok(Json(ReviewView::new(&stored, &state.urls)))
}

/// Delete a review; its page and id answer 410 Gone from then on.
#[utoipa::path(delete, path = "/api/v1/reviews/{id}", operation_id = "deleteReview", params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    publishing::delete(
        &state.pool,
        &*state.outbound,
        super::path_id(&id)?,
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
