//! `/api/v1/comments`, the critic's answers and imports, `/api/v1/blocks`, `/api/v1/reports`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Admin;
use super::{ErrorBody, JsonBody, ListQuery};
use crate::changes::{self, Change};
use crate::comments::{self, ImportInput, ReplyInput};
use crate::db::blocks::{self, BlockRow};
use crate::db::comments::{self as db, CommentRow};
use crate::db::reports::{self, ReportRow};
use crate::domain::{
    BlockKind, BlockSeverity, CommentFilter, CommentOrigin, CommentStatus, ValidationErrors,
    Visibility,
};
use crate::error::{parse_value, AppError};
use crate::federation::request_data::FederationData;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentView {
    pub id: Uuid,
    /// Its ActivityPub id.
    pub ap_id: String,
    pub review_id: Uuid,
    pub in_reply_to: Option<Uuid>,
    /// How deep it sits: 0 answers the review, 1 a comment on it, and so on.
    pub depth: i32,
    /// `remote` (from the fediverse), `local` (the critic's) or `imported`.
    pub origin: CommentOrigin,
    pub author_name: String,
    pub author_handle: Option<String>,
    pub author_url: Option<String>,
    pub author_actor: Option<String>,
    pub url: Option<String>,
    pub content_html: String,
    /// `public`, or `private` (followers-only or direct: never shown).
    pub visibility: Visibility,
    /// `pending`, `published` or `rejected`.
    pub status: CommentStatus,
    pub published_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
}

impl From<CommentRow> for CommentView {
    fn from(c: CommentRow) -> Self {
        Self {
            id: c.id,
            ap_id: c.ap_id,
            review_id: c.review_id,
            in_reply_to: c.parent_id,
            depth: c.depth,
            origin: c.origin,
            author_name: c.author_name,
            author_handle: c.author_handle,
            author_url: c.author_url,
            author_actor: c.author_actor,
            url: c.url,
            content_html: c.content_html,
            visibility: c.visibility,
            status: c.status,
            published_at: c.published_at,
            edited_at: c.edited_at,
            deleted: c.deleted_at.is_some(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentList {
    pub items: Vec<CommentView>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Comments by moderation state: `pending`, `published`, `rejected`, or `private`.
#[utoipa::path(get, path = "/api/v1/comments", operation_id = "listComments",
    params(("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query), ("status" = Option<String>, Query, description = "pending, published, rejected or private")),
    responses((status = 200, body = CommentList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    _: Admin,
    State(state): State<AppState>,
    params: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<CommentList>, AppError> {
    let list =
        ListQuery::from_request(params)?.parse(|s| CommentFilter::parse(s).map_err(|e| e.0))?;
    let (rows, total) = db::list(&state.pool, list.status, list.per_page, list.offset()).await?;
    Ok(Json(CommentList {
        items: rows.into_iter().map(Into::into).collect(),
        page: list.page,
        per_page: list.per_page,
        total,
    }))
}

/// Publish a held comment.
#[utoipa::path(post, path = "/api/v1/comments/{id}/approve", operation_id = "approveComment", params(("id" = Uuid, Path)),
    responses((status = 200, body = CommentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn approve(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CommentView>, AppError> {
    Ok(Json(
        comments::moderate(&state.pool, super::path_id(&id)?, CommentStatus::Published)
            .await?
            .into(),
    ))
}

/// Reject a comment: it is not shown.
#[utoipa::path(post, path = "/api/v1/comments/{id}/reject", operation_id = "rejectComment", params(("id" = Uuid, Path)),
    responses((status = 200, body = CommentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reject(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CommentView>, AppError> {
    Ok(Json(
        comments::moderate(&state.pool, super::path_id(&id)?, CommentStatus::Rejected)
            .await?
            .into(),
    ))
}

/// Delete a comment; the critic's own answers are deleted from the fediverse too.
#[utoipa::path(delete, path = "/api/v1/comments/{id}", operation_id = "deleteComment", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    comments::delete(
        &state.pool,
        &*state.outbound,
        super::path_id(&id)?,
        Utc::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditInput {
    /// Markdown.
    pub body: String,
}

/// Edit one of the critic's answers (sent as an `Update`).
#[utoipa::path(patch, path = "/api/v1/comments/{id}", operation_id = "editComment", params(("id" = Uuid, Path)), request_body = EditInput,
    responses((status = 200, body = CommentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<CommentView>, AppError> {
    let input: EditInput = parse_value(body)?;
    let edited = comments::edit(
        &state.pool,
        &*state.outbound,
        super::path_id(&id)?,
        &input.body,
        Utc::now(),
    )
    .await?;
    Ok(Json(edited.into()))
}

/// The critic answers a comment (or the review): stored, shown, and sent as a `Create{Note}`
/// to the commenter (with a `Mention`) and the followers.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/comments", operation_id = "answerOnReview", params(("id" = Uuid, Path)), request_body = ReplyInput,
    responses((status = 201, body = CommentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<CommentView>), AppError> {
    let input: ReplyInput = parse_value(body)?;
    let stored = comments::reply(
        &state.pool,
        &state.settings,
        &*state.outbound,
        super::path_id(&id)?,
        &input,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// Import a comment from an older blog.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/comments/import", operation_id = "importComment", params(("id" = Uuid, Path)), request_body = ImportInput,
    responses((status = 201, body = CommentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<CommentView>), AppError> {
    let input: ImportInput = parse_value(body)?;
    let stored =
        comments::import(&state.pool, &state.settings, super::path_id(&id)?, &input).await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockInput {
    /// An actor id to block…
    pub actor: Option<String>,
    /// …or a whole server, by host (`bad.example`, or `host:port`).
    pub domain: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlockView {
    pub id: Uuid,
    /// `actor` or `domain`.
    pub kind: BlockKind,
    pub value: String,
    /// `suspend` (activities refused, comments hidden) or `silence` (a server whose comments
    /// wait for approval, from an imported list). A block made here is always `suspend`.
    pub severity: BlockSeverity,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<BlockRow> for BlockView {
    fn from(b: BlockRow) -> Self {
        Self {
            id: b.id,
            kind: b.kind,
            value: b.value,
            severity: b.severity,
            reason: b.reason,
            created_at: b.created_at,
        }
    }
}

/// Block an actor or a server: their activities are refused, their comments hidden.
#[utoipa::path(post, path = "/api/v1/blocks", operation_id = "blockAccountOrServer", request_body = BlockInput,
    responses((status = 201, body = BlockView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn block(
    _: Admin,
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<BlockView>), AppError> {
    let input: BlockInput = parse_value(body)?;
    let mut errors = ValidationErrors::default();
    let (kind, value) = match (
        input.actor.as_deref().map(str::trim),
        input.domain.as_deref().map(str::trim),
    ) {
        (Some(actor), None) => match url::Url::parse(actor) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {
                (BlockKind::Actor, url.to_string())
            }
            _ => {
                errors.add("actor", "must be an actor's http(s) URL");
                (BlockKind::Actor, String::new())
            }
        },
        (None, Some(domain)) => match crate::domain::HostName::parse_authority(domain) {
            Ok(authority) => (BlockKind::Domain, authority),
            Err(e) => {
                errors.add("domain", e.0);
                (BlockKind::Domain, String::new())
            }
        },
        _ => {
            errors.add("request", "give exactly one of actor and domain");
            (BlockKind::Actor, String::new())
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let row = crate::moderation::block(&state.pool, kind, &value, input.reason.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Blocked actors and servers.
#[utoipa::path(get, path = "/api/v1/blocks", operation_id = "listBlocks", responses((status = 200, body = Vec<BlockView>), (status = 401, body = ErrorBody)))]
pub async fn blocks(
    _: Admin,
    State(state): State<AppState>,
) -> Result<Json<Vec<BlockView>>, AppError> {
    Ok(Json(
        blocks::list_blocks(&state.pool)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Lift a block.
#[utoipa::path(delete, path = "/api/v1/blocks/{id}", operation_id = "unblock", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unblock(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    if !blocks::remove_block(&state.pool, super::path_id(&id)?).await? {
        return Err(AppError::NotFound);
    }
    changes::announce(&state.pool, &[Change::Site]).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: Uuid,
    pub activity: String,
    /// Who sent the report (usually the other server's instance actor).
    pub reporter: String,
    pub content: Option<String>,
    /// The reported objects and actors.
    pub objects: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl From<ReportRow> for ReportView {
    fn from(r: ReportRow) -> Self {
        Self {
            id: r.id,
            activity: r.activity_id,
            reporter: r.actor_id,
            content: r.content,
            objects: r.objects,
            created_at: r.created_at,
        }
    }
}

/// Reports (`Flag`) sent by other servers.
#[utoipa::path(get, path = "/api/v1/reports", operation_id = "listReports", responses((status = 200, body = Vec<ReportView>), (status = 401, body = ErrorBody)))]
pub async fn reports(
    _: Admin,
    State(state): State<AppState>,
) -> Result<Json<Vec<ReportView>>, AppError> {
    Ok(Json(
        reports::list_reports(&state.pool)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefreshView {
    /// Replies found and stored.
    pub found: usize,
    /// Comments whose originals are gone (`404`/`410`), now deleted.
    pub removed: usize,
}

/// Recover replies that never reached the blog by crawling the `replies` collections of the
/// review's comments on their servers.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/comments/refresh", operation_id = "refreshComments", params(("id" = Uuid, Path)),
    responses((status = 200, body = RefreshView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn refresh(
    _: Admin,
    FederationData(data): FederationData,
    Path(id): Path<String>,
) -> Result<Json<RefreshView>, AppError> {
    let id = super::path_id(&id)?;
    match crate::db::reviews::get(&data.pool, id).await? {
        Some(r) if r.review.is_public() => {}
        _ => return Err(AppError::NotFound),
    }
    let done = crate::federation::refresh::refresh_thread(&data, id, 200).await?;
    Ok(Json(RefreshView {
        found: done.found,
        removed: done.removed,
    }))
}

/// Import a Mastodon domain-block CSV (`#domain,#severity,…`, as Mastodon exports it): each
/// `suspend` becomes a block, each `silence` holds every comment from that server for
/// approval, `noop` is skipped; importing again updates the servers already listed, but never
/// softens a suspend (`kept_suspended`). A list over 1 MiB is `413`; one over 100,000 rows, or
/// in which no row names a server, is `422` (`details.file` says why) and nothing is stored.
#[utoipa::path(post, path = "/api/v1/blocks/import", operation_id = "importBlocklist", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = crate::blocklists::Imported), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_blocks(
    _: Admin,
    State(state): State<AppState>,
    body: String,
) -> Result<Json<crate::blocklists::Imported>, AppError> {
    use crate::blocklists::ImportError;
    match crate::blocklists::import_mastodon_csv(&state.pool, &body).await {
        Ok(report) => Ok(Json(report)),
        Err(ImportError::Refused(why)) => {
            let mut errors = ValidationErrors::default();
            errors.add("file", why.to_string());
            Err(AppError::Validation(errors))
        }
        Err(ImportError::Db(e)) => Err(e.into()),
    }
}
