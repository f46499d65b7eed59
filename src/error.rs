//! The application's error type and its one mapping to HTTP.
//!
//! The admin API answers `{"error": …, "details": …}`; public pages render the same status as
//! HTML (see `web`). Every error that reaches a client is logged once here.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use uuid::Uuid;

use crate::db::DbError;
use crate::domain::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("a valid bearer token is required")]
    Unauthorized,
    #[error("not found")]
    NotFound,
    #[error("gone")]
    Gone,
    #[error("invalid fields: {0}")]
    Validation(ValidationErrors),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request body too large")]
    PayloadTooLarge,
    /// The body is not of a type taken here (415), with what was expected.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The slug is another review's (409, as [`DbError::SlugTaken`], naming that review).
    #[error("the slug {slug} is already used by review {review}")]
    SlugUsedBy { slug: String, review: Uuid },
    /// The slug is a former slug of another review, which it redirects to (409): writes from
    /// files never take such a slug over.
    #[error("the slug {slug} is a former slug of review {review} and redirects to it")]
    SlugRedirectsTo { slug: String, review: Uuid },
    #[error(transparent)]
    Db(#[from] DbError),
    /// Our own fault, with its cause.
    #[error("internal error: {what}")]
    Internal {
        what: &'static str,
        #[source]
        source: BoxError,
    },
    /// Something that cannot happen did (an invariant broke).
    #[error("internal error: {0}")]
    Bug(&'static str),
}

/// Any error, as a cause kept by [`AppError::Internal`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl AppError {
    /// Our own fault while doing `what`, keeping `source`.
    pub fn internal(what: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Internal {
            what,
            source: source.into(),
        }
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Gone => StatusCode::GONE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Db(DbError::SlugTaken)
            | Self::SlugUsedBy { .. }
            | Self::SlugRedirectsTo { .. } => StatusCode::CONFLICT,
            Self::Db(_) | Self::Internal { .. } | Self::Bug(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short, stable description of the error for clients (internals stay in the log).
    fn public_message(&self) -> String {
        match self {
            Self::Db(DbError::SlugTaken)
            | Self::SlugUsedBy { .. }
            | Self::SlugRedirectsTo { .. } => "conflict".into(),
            Self::Db(_) | Self::Internal { .. } | Self::Bug(_) => "internal server error".into(),
            Self::Validation(_) => "validation failed".into(),
            other => other.to_string(),
        }
    }

    fn details(&self) -> serde_json::Value {
        match self {
            Self::Validation(errors) => json!(errors.0),
            Self::Db(DbError::SlugTaken) | Self::SlugUsedBy { .. } => {
                json!({ "slug": "is already used by another review" })
            }
            Self::SlugRedirectsTo { .. } => {
                json!({ "slug": "is a former slug of another review and redirects to it" })
            }
            Self::BadRequest(message) => json!(message),
            _ => serde_json::Value::Null,
        }
    }

    /// The JSON body the admin API answers: `{"error": …, "details": …}`.
    pub fn body(&self) -> serde_json::Value {
        json!({ "error": self.public_message(), "details": self.details() })
    }

    /// Logs the error at a level that fits it.
    pub fn log(&self) {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, cause = ?std::error::Error::source(self), status = status.as_u16(), "request failed");
        } else {
            tracing::info!(error = %self, status = status.as_u16(), "request refused");
        }
    }
}

/// Parses a JSON value into a request type, naming every wrong field in plain words (422).
pub fn parse_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, AppError> {
    let read = crate::domain::json::read(value, &[]);
    match read.value {
        Some(value) if read.errors.is_empty() => Ok(value),
        _ => Err(AppError::Validation(read.errors)),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let body = Json(self.body());
        let mut response = (status, body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"reviewpub\""),
            );
        }
        response
    }
}
