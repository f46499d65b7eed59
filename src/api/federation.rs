//! `/api/v1/followers`, `/api/v1/deliveries` and pinning: thin handlers over the federation
//! module.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Admin;
use super::{ErrorBody, ListQuery};
use crate::changes::{self, Change};
use crate::db::federation::FollowerRow;
use crate::db::{deliveries, federation as db, reviews};
use crate::domain::{DeliveryStatus, FollowerStatus};
use crate::error::AppError;
use crate::federation::{followers, FederationError};
use crate::state::AppState;

impl From<FederationError> for AppError {
    fn from(e: FederationError) -> Self {
        match e {
            FederationError::Db(db) => AppError::Db(db),
            FederationError::NotFound => AppError::NotFound,
            FederationError::Gone => AppError::Gone,
            // A refusal stays a refusal (4xx); only our own trouble is a 500, with its cause.
            FederationError::Refused(message)
            | FederationError::BadRequest(message)
            | FederationError::Unauthorized(message)
            | FederationError::Forbidden(message) => AppError::BadRequest(message),
            FederationError::Protocol(refusal) => AppError::BadRequest(refusal.to_string()),
            other => AppError::internal("federation", other),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowerView {
    pub id: Uuid,
    /// The follower's actor id.
    pub actor: String,
    /// `@user@host`.
    pub handle: Option<String>,
    pub name: Option<String>,
    /// Where deliveries to them go (their server's shared inbox when it has one).
    pub inbox: String,
    /// `pending` (awaiting approval) or `accepted`.
    pub status: FollowerStatus,
    pub since: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

impl From<FollowerRow> for FollowerView {
    fn from(f: FollowerRow) -> Self {
        let host = crate::domain::authority(&f.actor_id);
        let handle = f
            .preferred_username
            .as_ref()
            .map(|name| crate::domain::handle(name, &host));
        Self {
            id: f.id,
            actor: f.actor_id,
            handle,
            name: f.name,
            inbox: f.inbox,
            status: f.status,
            since: f.created_at,
            accepted_at: f.accepted_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowerList {
    pub items: Vec<FollowerView>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Followers, newest first (`status=pending` lists requests awaiting approval).
#[utoipa::path(get, path = "/api/v1/followers", operation_id = "listFollowers",
    params(("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query), ("status" = Option<crate::domain::FollowerStatus>, Query)),
    responses((status = 200, body = FollowerList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_followers(
    _: Admin,
    State(state): State<AppState>,
    params: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<FollowerList>, AppError> {
    let list =
        ListQuery::from_request(params)?.parse(|s| FollowerStatus::parse(s).map_err(|e| e.0))?;
    let (rows, total) =
        db::list_followers(&state.pool, list.status, list.per_page, list.offset()).await?;
    Ok(Json(FollowerList {
        items: rows.into_iter().map(Into::into).collect(),
        page: list.page,
        per_page: list.per_page,
        total,
    }))
}

/// Accept a pending follow request.
#[utoipa::path(post, path = "/api/v1/followers/{id}/approve", operation_id = "approveFollower", params(("id" = Uuid, Path)),
    responses((status = 200, body = FollowerView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn approve(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<FollowerView>, AppError> {
    let follower = followers::approve(&state.context(), super::path_id(&id)?).await?;
    Ok(Json(follower.into()))
}

/// Reject a follow request, or remove a follower.
#[utoipa::path(post, path = "/api/v1/followers/{id}/reject", operation_id = "rejectFollower", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reject(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    followers::reject(&state.context(), super::path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub activity: String,
    /// `Create`, `Update`, `Delete`, `Accept`, `Reject`.
    pub kind: String,
    pub inbox: String,
    /// `pending`, `delivered` or `failed`.
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryView>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Deliveries, newest first, with the last error of each.
#[utoipa::path(get, path = "/api/v1/deliveries", operation_id = "listDeliveries",
    params(("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query), ("status" = Option<crate::domain::DeliveryStatus>, Query)),
    responses((status = 200, body = DeliveryList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_deliveries(
    _: Admin,
    State(state): State<AppState>,
    params: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<DeliveryList>, AppError> {
    let list =
        ListQuery::from_request(params)?.parse(|s| DeliveryStatus::parse(s).map_err(|e| e.0))?;
    let (rows, total) =
        deliveries::list(&state.pool, list.status, list.per_page, list.offset()).await?;
    let items = rows
        .into_iter()
        .map(|d| DeliveryView {
            id: d.id,
            activity: d.activity_ap_id,
            kind: d.activity_kind,
            inbox: d.inbox,
            next_attempt_at: (d.status == DeliveryStatus::Pending).then_some(d.next_attempt_at),
            status: d.status,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            finished_at: d.finished_at,
        })
        .collect();
    Ok(Json(DeliveryList {
        items,
        page: list.page,
        per_page: list.per_page,
        total,
    }))
}

/// Try a failed (or waiting) delivery again now; its host's backoff is lifted.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/retry", operation_id = "retryDelivery", params(("id" = i64, Path)),
    responses((status = 202), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn retry(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    if !crate::federation::delivery::retry_now(&state.context(), id).await? {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::ACCEPTED)
}

/// Take a published review off the blog without telling the fediverse to delete it: it goes
/// back to draft, servers keep their copy, and publishing it again sends an `Update` of the
/// same id. (Going back to draft with `PATCH` sends a `Delete`, and the review returns under
/// a new id.)
#[utoipa::path(post, path = "/api/v1/reviews/{id}/hide", operation_id = "hideReview", params(("id" = Uuid, Path)),
    responses((status = 200, body = super::reviews::ReviewView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn hide(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<super::reviews::ReviewView>, AppError> {
    let id = super::path_id(&id)?;
    let stored = crate::publishing::hide(
        &state.pool,
        &state.settings,
        &*state.outbound,
        id,
        Utc::now(),
    )
    .await?;
    Ok(Json(super::reviews::ReviewView::new(&stored, &state.urls)))
}

/// Open a review to replies, close it (new replies are kept for the critic alone, and servers
/// are told only the blog may reply), or give it back to the blog's default
/// (`comments.close_after_days`).
#[utoipa::path(post, path = "/api/v1/reviews/{id}/replies/{policy}", operation_id = "setReplyPolicy", params(("id" = Uuid, Path), ("policy" = String, Path, description = "open, close or default")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_replies(
    _: Admin,
    State(state): State<AppState>,
    Path((id, policy)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let id = super::path_id(&id)?;
    let policy = match policy.as_str() {
        "open" => crate::domain::ReplyPolicy::Open,
        "close" => crate::domain::ReplyPolicy::Closed,
        "default" => crate::domain::ReplyPolicy::Default,
        _ => return Err(AppError::NotFound),
    };
    crate::comments::set_replies(&state.pool, &*state.outbound, id, policy, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pin a published review to the blog's profile (the `featured` collection).
#[utoipa::path(post, path = "/api/v1/reviews/{id}/pin", operation_id = "pinReview", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn pin(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = super::path_id(&id)?;
    let review = reviews::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !review.review.is_public() {
        return Err(AppError::BadRequest(
            "only published reviews can be pinned".into(),
        ));
    }
    db::pin(&state.pool, id).await?;
    changes::announce(&state.pool, &[Change::Listings]).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unpin a review.
#[utoipa::path(delete, path = "/api/v1/reviews/{id}/pin", operation_id = "unpinReview", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unpin(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    if !db::unpin(&state.pool, super::path_id(&id)?).await? {
        return Err(AppError::NotFound);
    }
    changes::announce(&state.pool, &[Change::Listings]).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_stay_refusals_and_our_faults_keep_their_cause() {
        let refused = AppError::from(FederationError::Refused("not ours".into()));
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let ours = AppError::from(FederationError::internal("signing", "no key"));
        assert_eq!(ours.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let cause = std::error::Error::source(&ours).map(ToString::to_string);
        assert_eq!(
            cause.as_deref(),
            Some("signing"),
            "the federation error is the cause"
        );
    }
}
