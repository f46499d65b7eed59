//! `/api/v1/move`: moving the blog to another account, and cancelling the move (a thin
//! handler over [`crate::federation::moving`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Admin;
use super::{ErrorBody, JsonBody};
use crate::db::moves::{self, MoveRow};
use crate::domain::ValidationErrors;
use crate::error::{parse_value, AppError};
use crate::federation::moving::{self, MoveError};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// The new account: `@user@host`, or its ActivityPub id. It must list the blog among its
    /// aliases (`alsoKnownAs`).
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoveView {
    /// The new account's ActivityPub id.
    pub target: String,
    /// `@user@host`.
    pub handle: String,
    /// Its profile page.
    pub url: String,
    pub moved_at: DateTime<Utc>,
    /// How many follower inboxes the `Move` was queued to (only when it was just sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inboxes: Option<u64>,
}

impl MoveView {
    fn new(row: MoveRow, inboxes: Option<u64>) -> Self {
        Self {
            target: row.target,
            handle: row.target_handle,
            url: row.target_url,
            moved_at: row.moved_at,
            inboxes,
        }
    }
}

impl From<MoveError> for AppError {
    fn from(e: MoveError) -> Self {
        match e {
            MoveError::Federation(e) => e.into(),
            MoveError::AlreadyMoved(_) | MoveError::Lookup { .. } => {
                AppError::BadRequest(e.to_string())
            }
            MoveError::Account(_) | MoveError::Itself | MoveError::NotAliased { .. } => {
                let mut errors = ValidationErrors::default();
                errors.add("to", e.to_string());
                AppError::Validation(errors)
            }
        }
    }
}

/// Where the blog moved, if it did.
#[utoipa::path(get, path = "/api/v1/move", operation_id = "getMove",
    responses((status = 200, body = MoveView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(_: Admin, State(state): State<AppState>) -> Result<Json<MoveView>, AppError> {
    let row = moves::current(&state.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(MoveView::new(row, None)))
}

/// Move the blog to another account: its followers get a `Move` and follow the new account.
#[utoipa::path(post, path = "/api/v1/move", operation_id = "moveBlog", request_body = MoveInput,
    responses(
        (status = 200, body = MoveView),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn create(
    _: Admin,
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<MoveView>, AppError> {
    let input: MoveInput = parse_value(body)?;
    let data = crate::federation::config(&state.context())
        .await?
        .to_request_data();
    let (row, inboxes) = moving::move_to(&data, &input.to, Utc::now()).await?;
    Ok(Json(MoveView::new(row, Some(inboxes))))
}

/// Cancel the move: the blog no longer says it moved (followers that left stay gone).
#[utoipa::path(delete, path = "/api/v1/move", operation_id = "cancelMove",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn cancel(_: Admin, State(state): State<AppState>) -> Result<StatusCode, AppError> {
    let data = crate::federation::config(&state.context())
        .await?
        .to_request_data();
    if moving::cancel(&data, Utc::now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}
