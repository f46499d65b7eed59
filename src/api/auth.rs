//! Bearer tokens: the configured `admin_token`, or tokens minted with `reviewpub token create`
//! (only their SHA-256 is stored).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use rand::RngCore;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::db;
use crate::error::AppError;
use crate::state::AppState;

/// Proof that the request carried a valid admin token.
pub struct Admin;

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A new random token: `rp_` and 64 hex digits.
pub fn mint() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("rp_{}", hex::encode(bytes))
}

/// Compares two byte strings in time that depends only on their length.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
