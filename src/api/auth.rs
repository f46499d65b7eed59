//! Bearer tokens: the configured `admin_token`, or tokens minted with `reviewpub token create`
//! (only their SHA-256 is stored).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use secrecy::ExposeSecret;

use crate::db;
use crate::error::AppError;
use crate::secrets::{self, constant_time_eq};
use crate::state::AppState;

/// Proof that the request carried a valid admin token.
pub struct Admin;

pub fn hash(token: &str) -> Vec<u8> {
    secrets::sha256(token)
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized)?;
        let presented = hash(token);
        if let Some(configured) = &state.settings.admin_token {
            if constant_time_eq(&presented, &hash(configured.expose_secret())) {
                return Ok(Admin);
            }
        }
        match db::tokens::use_token(&state.pool, &presented).await? {
            Some(_) => Ok(Admin),
            None => Err(AppError::Unauthorized),
        }
    }
}
