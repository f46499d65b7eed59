//! The admin API under `/api/v1`: JSON, bearer tokens, one error shape.

pub mod auth;
pub mod comments;
pub mod federation;
pub mod hosts;
pub mod images;
pub mod imports;
pub mod moving;
pub mod quotes;
pub mod reviews;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Query, Request};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::config::Settings;
use crate::domain::ValidationErrors;
use crate::error::AppError;
use crate::state::AppState;

/// An id from the path; an id that is not one names nothing (404).
fn path_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    crate::domain::parse_id(raw).ok_or(AppError::NotFound)
}

pub fn router(settings: &Settings) -> Router<AppState> {
    Router::new()
        .route("/reviews", get(reviews::list).post(reviews::create))
        .route(
            "/reviews/{id}",
            get(reviews::get)
                .patch(reviews::update)
                .delete(reviews::delete),
        )
        .route("/reviews/{id}/hide", post(federation::hide))
        .route(
            "/reviews/{id}/images",
            // The image's own limit (`media.max_upload_bytes`), checked as it is read.
            get(images::list)
                .post(images::upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/reviews/{id}/images/{image}",
            axum::routing::delete(images::remove),
        )
        .route(
            "/reviews/{id}/replies/{policy}",
            post(federation::set_replies),
        )
        .route(
            "/reviews/{id}/pin",
            post(federation::pin).delete(federation::unpin),
        )
        .route("/followers", get(federation::list_followers))
        .route("/followers/{id}/approve", post(federation::approve))
        .route("/followers/{id}/reject", post(federation::reject))
        .route("/deliveries", get(federation::list_deliveries))
        .route("/hosts", get(hosts::list))
        .route("/hosts/{host}/resume", post(hosts::resume))
        .route("/deliveries/{id}/retry", post(federation::retry))
        .route("/reviews/{id}/comments", post(comments::reply))
        .route("/reviews/{id}/quotes", get(quotes::list))
        .route("/reviews/{id}/comments/import", post(comments::import))
        .route("/reviews/{id}/comments/refresh", post(comments::refresh))
        .route("/comments", get(comments::list))
        .route(
            "/comments/{id}",
            axum::routing::patch(comments::edit).delete(comments::delete),
        )
        .route("/comments/{id}/approve", post(comments::approve))
        .route("/comments/{id}/reject", post(comments::reject))
        .route("/blocks", get(comments::blocks).post(comments::block))
        .route(
            "/blocks/import",
            post(comments::import_blocks)
                .layer(DefaultBodyLimit::max(crate::domain::blocklist::MAX_BYTES)),
        )
        .route("/blocks/{id}", axum::routing::delete(comments::unblock))
        .route("/reports", get(comments::reports))
        .route(
            "/move",
            get(moving::get).post(moving::create).delete(moving::cancel),
        )
        .route(
            "/import/wordpress",
            // A whole blog's export: its own limit, over the API's.
            post(imports::wordpress).layer(DefaultBodyLimit::max(crate::domain::wxr::MAX_BYTES)),
        )
        .route("/openapi.json", get(openapi))
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(settings.api_max_body_bytes))
}

/// `?page=&per_page=&status=` of the list endpoints.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    per_page: Option<String>,
    status: Option<String>,
}

/// A parsed [`ListQuery`].
pub struct Listing<S> {
    pub page: i64,
    pub per_page: i64,
    pub status: Option<S>,
}

impl<S> Listing<S> {
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

impl ListQuery {
    pub fn from_request(query: Result<Query<ListQuery>, QueryRejection>) -> Result<Self, AppError> {
        query
            .map(|Query(q)| q)
            .map_err(|e| AppError::BadRequest(e.body_text()))
    }

    /// Paging (`page` from 1, `per_page` 1–100, default 20) and a status filter parsed by
    /// `status`; every bad parameter is named.
    pub fn parse<S>(
        self,
        status: impl Fn(&str) -> Result<S, String>,
    ) -> Result<Listing<S>, AppError> {
        let mut errors = ValidationErrors::default();
        let mut number = |field: &str, raw: &Option<String>, default: i64, max: i64| match raw
            .as_deref()
            .map(str::parse::<i64>)
        {
            None => default,
            Some(Ok(n)) if (1..=max).contains(&n) => n,
            Some(_) => {
                errors.add(field, format!("must be a whole number from 1 to {max}"));
                default
            }
        };
        let page = number("page", &self.page, 1, 1_000_000);
        let per_page = number("per_page", &self.per_page, 20, 100);
        let status = match self.status.as_deref().map(&status) {
            None => None,
            Some(Ok(s)) => Some(s),
            Some(Err(message)) => {
                errors.add("status", message);
                None
            }
        };
        if errors.is_empty() {
            Ok(Listing {
                page,
                per_page,
                status,
            })
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

/// The error shape of every admin API response that is not a success.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// A short description: "validation failed", "not found", "conflict", …
    pub error: String,
    /// For 422 and 409, an object from field name to what is wrong with it.
    pub details: Option<Value>,
}

/// A JSON request body, parsed to a value; syntax errors are 400, oversized bodies 413.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest(rejection.body_text())
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| AppError::BadRequest(format!("the body is not valid JSON: {e}")))
    }
}

struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "reviewpub admin API", description = "Publish, edit, schedule and delete film reviews."),
    paths(
        reviews::create, reviews::list, reviews::get, reviews::update, reviews::delete,
        federation::pin, federation::unpin, federation::hide, federation::set_replies, federation::list_followers, federation::approve,
        federation::reject, federation::list_deliveries, federation::retry, hosts::list, hosts::resume,
        comments::list, comments::approve, comments::reject, comments::delete, comments::edit,
        comments::reply, comments::import, comments::refresh, comments::block, comments::blocks, comments::unblock,
        comments::reports, comments::import_blocks, quotes::list, imports::wordpress, moving::get,
        moving::create, moving::cancel, images::upload, images::list, images::remove,
    ),
    components(schemas(ErrorBody, reviews::ReviewView, reviews::ReviewList, federation::FollowerView, federation::DeliveryView, hosts::HostView, hosts::HostList, quotes::QuoteView, quotes::QuoteList, moving::MoveInput, moving::MoveView, images::ImageView, images::SizeView)),
    modifiers(&BearerSecurity),
    security(("bearer" = []))
)]
pub struct ApiDoc;

/// The OpenAPI description, generated from the handlers and types above.
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
