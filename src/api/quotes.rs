//! `/api/v1/reviews/{id}/quotes`: the posts authorized to quote a review (FEP-044f).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Admin;
use super::{ErrorBody, ListQuery};
use crate::db::quotes::{self, QuoteRow};
use crate::db::reviews;
use crate::error::AppError;
use crate::state::AppState;

/// A quote of a review, authorized by the stamp at `stamp`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuoteView {
    pub id: Uuid,
    /// The `QuoteAuthorization` we serve for it.
    pub stamp: String,
    /// The quoting post.
    pub quoting_post: String,
    /// Its author's actor id.
    pub author: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct QuoteList {
    pub items: Vec<QuoteView>,
    pub page: i64,
    pub per_page: i64,
    /// How many posts quote the review with our authorization.
    pub total: i64,
}

fn view(row: &QuoteRow, state: &AppState) -> QuoteView {
    QuoteView {
        id: row.id,
        stamp: state.urls.quote(row.id),
        quoting_post: row.quoting_post.clone(),
        author: row.author.clone(),
        created_at: row.created_at,
    }
}

/// The review's authorized quotes, newest first, and their count.
#[utoipa::path(get, path = "/api/v1/reviews/{id}/quotes", operation_id = "listQuotes",
    params(
        ("id" = Uuid, Path),
        ("page" = Option<i64>, Query, description = "From 1"),
        ("per_page" = Option<i64>, Query, description = "1 to 100, default 20"),
    ),
    responses((status = 200, body = QuoteList), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<QuoteList>, AppError> {
    let id = super::path_id(&id)?;
    let list = ListQuery::from_request(params)?
        .parse(|_| Err::<(), String>("is not a filter of quotes".into()))?;
    reviews::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (rows, total) =
        quotes::list_accepted(&state.pool, id, list.per_page, list.offset()).await?;
    Ok(Json(QuoteList {
        items: rows.iter().map(|r| view(r, &state)).collect(),
        page: list.page,
        per_page: list.per_page,
        total,
    }))
}
