//! The admin API under `/api/v1`: JSON, bearer tokens, one error shape.

pub mod auth;
pub mod reviews;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::app::AppState;
use crate::config::Settings;
use crate::error::AppError;

pub fn router(settings: &Settings) -> Router<AppState> {
    Router::new()
        .route("/reviews", get(reviews::list).post(reviews::create))
        .route(
            "/reviews/{id}",
            get(reviews::get)
                .patch(reviews::update)
                .delete(reviews::delete),
        )
        .route("/openapi.json", get(openapi))
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(settings.api_max_body_bytes))
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
    paths(reviews::create, reviews::list, reviews::get, reviews::update, reviews::delete),
    components(schemas(ErrorBody, reviews::ReviewView, reviews::ReviewList)),
    modifiers(&BearerSecurity),
    security(("bearer" = []))
)]
pub struct ApiDoc;

/// The OpenAPI description, generated from the handlers and types above.
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
