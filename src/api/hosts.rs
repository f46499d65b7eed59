//! `/api/v1/hosts`: the remote hosts deliveries have trouble with, and resuming one that was
//! given up on.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::Admin;
use super::{ErrorBody, ListQuery};
use crate::db::hosts::{self, HostRow};
use crate::domain::HostState;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HostView {
    /// `host` or `host:port`.
    pub host: String,
    /// `available`, `backing_off` (paused after failed rounds) or `unavailable` (given up on:
    /// nothing is sent until it is heard from or resumed).
    #[schema(value_type = String)]
    pub state: HostState,
    pub consecutive_failures: i32,
    pub failing_since: Option<DateTime<Utc>>,
    pub unavailable_since: Option<DateTime<Utc>>,
    pub backoff_until: Option<DateTime<Utc>>,
    /// Accepted followers on this host.
    pub followers: i64,
    /// Deliveries waiting for it.
    pub pending_deliveries: i64,
}

impl From<HostRow> for HostView {
    fn from(h: HostRow) -> Self {
        let state = if h.unavailable_since.is_some() {
            HostState::Unavailable
        } else if h.backoff_until.is_some_and(|until| until > Utc::now()) {
            HostState::BackingOff
        } else {
            HostState::Available
        };
        Self {
            host: h.host,
            state,
            consecutive_failures: h.consecutive_failures,
            failing_since: h.failing_since,
            unavailable_since: h.unavailable_since,
            backoff_until: h.backoff_until,
            followers: h.followers,
            pending_deliveries: h.pending_deliveries,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HostList {
    pub items: Vec<HostView>,
    pub page: i64,
    pub per_page: i64,
}

/// The hosts with a failure record: unavailable ones first, then by failures in a row.
#[utoipa::path(get, path = "/api/v1/hosts", operation_id = "listHosts", params(("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = HostList), (status = 401, body = ErrorBody)))]
pub async fn list(
    _: Admin,
    State(state): State<AppState>,
    params: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<HostList>, AppError> {
    let list = ListQuery::from_request(params)?
        .parse(|_: &str| Err::<(), _>(String::from("hosts have no status filter")))?;
    let rows = hosts::list(&state.pool, list.per_page, list.offset()).await?;
    Ok(Json(HostList {
        items: rows.into_iter().map(HostView::from).collect(),
        page: list.page,
        per_page: list.per_page,
    }))
}

/// Resume deliveries to a host that was given up on; new reviews reach it again.
#[utoipa::path(post, path = "/api/v1/hosts/{host}/resume", operation_id = "resumeHost", params(("host" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn resume(
    _: Admin,
    State(state): State<AppState>,
    Path(host): Path<String>,
) -> Result<StatusCode, AppError> {
    if hosts::resume(&state.pool, &host.to_ascii_lowercase()).await? {
        tracing::info!(%host, "the critic resumed deliveries to a host");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}
