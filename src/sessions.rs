//! Signing in to the critic's desk, and minting API tokens: one password (argon2id, set with `reviewpub admin
//! set-password`), sessions kept by a random cookie of which only the SHA-256 is stored, and
//! each session's CSRF token, which every form of the desk carries. Changing the password or
//! signing out everywhere ends every session.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;

use crate::db::{desk, DbError};
use crate::domain::Invalid;
use crate::secrets;

/// A session not used for this long is signed out.
pub const IDLE_DAYS: i64 = 30;
/// The shortest password accepted (NIST SP 800-63B asks for at least 8; the desk publishes to
/// the world).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest: argon2 hashes any length, but a stranger's megabyte is refused before it.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// What a browser's `User-Agent` is cut to before it is stored.
const USER_AGENT_CHARS: usize = 300;

/// Why signing in failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("no password is set: run `reviewpub admin set-password` on the server")]
    NoPassword,
    #[error("wrong password")]
    Wrong,
    #[error(transparent)]
    Db(#[from] DbError),
    /// Our own fault: the stored hash does not parse, or hashing failed.
    #[error("{0}")]
    Hashing(String),
}

/// A session just signed in: the cookie's secret (sent once, never stored) and its CSRF token.
pub struct NewSession {
    pub secret: SecretString,
    pub csrf: String,
}

/// A signed-in session, as a request presents it.
#[derive(Clone)]
pub struct Session {
    csrf: String,
    /// The SHA-256 of the cookie's secret.
    id: Vec<u8>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Session")
    }
}

impl Session {
    /// The token the desk's forms carry.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// Whether a form's token is this session's.
    pub fn csrf_matches(&self, presented: &str) -> bool {
        secrets::constant_time_eq(presented.as_bytes(), self.csrf.as_bytes())
    }
}

/// The password rules.
pub fn check_password(password: &str) -> Result<(), Invalid> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(Invalid(format!(
            "must be at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Invalid(format!(
            "must be at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

/// Sets the desk's password and signs every session out.
#[tracing::instrument(skip_all)]
pub async fn set_password(pool: &PgPool, password: &SecretString) -> Result<(), SignInError> {
    check_password(password.expose_secret()).map_err(|e| SignInError::Hashing(e.0))?;
    let password = password.clone();
    let hash = tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| SignInError::Hashing(e.to_string()))?
    .map_err(|e| SignInError::Hashing(e.to_string()))?;
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    desk::set_password_hash(&mut *tx, &hash).await?;
    desk::delete_all_sessions(&mut *tx).await?;
    tx.commit().await.map_err(DbError::from)?;
    tracing::info!("the desk's password was set; every session was signed out");
    Ok(())
}

/// Checks the password and opens a session.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    pool: &PgPool,
    password: &SecretString,
    user_agent: Option<&str>,
    now: DateTime<Utc>,
) -> Result<NewSession, SignInError> {
    if password.expose_secret().len() > MAX_PASSWORD_BYTES {
        return Err(SignInError::Wrong);
    }
    let stored = desk::password_hash(pool)
        .await?
        .ok_or(SignInError::NoPassword)?;
    let password = password.clone();
    // Argon2 takes tens of milliseconds of CPU on purpose: off the async threads.
    let verified = tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored).map_err(|e| e.to_string())?;
        Ok::<bool, String>(
            Argon2::default()
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok(),
        )
    })
    .await
    .map_err(|e| SignInError::Hashing(e.to_string()))?
    .map_err(SignInError::Hashing)?;
    if !verified {
        return Err(SignInError::Wrong);
    }
    let secret = secrets::random_hex(32);
    let csrf = secrets::random_hex(32);
    let user_agent = user_agent.map(|ua| crate::content::clean_line(ua, USER_AGENT_CHARS));
    desk::insert_session(
        pool,
        &secrets::sha256(&secret),
        &csrf,
        user_agent.as_deref(),
        now + Duration::days(IDLE_DAYS),
    )
    .await?;
    tracing::info!("signed in to the desk");
    Ok(NewSession {
        secret: SecretString::from(secret),
        csrf,
    })
}

/// The session a cookie's secret opens, if it is signed in (its idle time starts again).
#[tracing::instrument(skip_all)]
pub async fn session(
    pool: &PgPool,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Option<Session>, DbError> {
    if secret.len() != 64 {
        return Ok(None);
    }
    let id = secrets::sha256(secret);
    let row = desk::use_session(pool, &id, now, now + Duration::days(IDLE_DAYS)).await?;
    Ok(row.map(|row| Session { csrf: row.csrf, id }))
}

/// Signs this session out.
#[tracing::instrument(skip_all)]
pub async fn sign_out(pool: &PgPool, session: &Session) -> Result<(), DbError> {
    desk::delete_session(pool, &session.id).await
}

/// Signs every session out; how many there were.
#[tracing::instrument(skip_all)]
pub async fn sign_out_everywhere(pool: &PgPool) -> Result<u64, DbError> {
    let count = desk::delete_all_sessions(pool).await?;
    tracing::info!(sessions = count, "signed out everywhere");
    Ok(count)
}

/// Mints an admin API token named `name`: its id and the token, shown once (only its
/// SHA-256 is stored).
#[tracing::instrument(skip_all)]
pub async fn mint_token(pool: &PgPool, name: &str) -> Result<(uuid::Uuid, String), DbError> {
    let token = format!("rp_{}", secrets::random_hex(32));
    let id = uuid::Uuid::now_v7();
    crate::db::tokens::insert(pool, id, name, &secrets::sha256(&token)).await?;
    tracing::info!(%id, "an API token was minted");
    Ok((id, token))
}

#[cfg(test)]
mod tests {
    use super::check_password;

    #[test]
    fn passwords_are_long_enough_and_bounded() {
        assert!(check_password("short").is_err());
        assert!(check_password("twelve chars").is_ok());
        assert!(check_password(&"x".repeat(2000)).is_err());
    }
}
