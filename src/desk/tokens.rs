//! API tokens at the desk: the list, minting one (shown once), revoking one.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{path, render, see_other, Critic, Frame, NoFields, Posted, Refused};
use crate::db::tokens::{self, TokenRecord};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "desk_tokens.html", config = "config/askama.toml")]
struct TokensPage {
    frame: Frame,
    tokens: Vec<TokenLine>,
    /// A token just minted, shown this once.
    minted: Option<(String, String)>,
    error: Option<String>,
}

struct TokenLine {
    name: String,
    created: String,
    last_used: String,
    revoked: Option<String>,
    revoke_url: String,
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y, %H:%M UTC").to_string()
}

impl From<TokenRecord> for TokenLine {
    fn from(t: TokenRecord) -> Self {
        Self {
            revoke_url: path(&format!("/tokens/{}/revoke", t.id)),
            name: t.name,
            created: when(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "never".into(), when),
            revoked: t.revoked_at.map(when),
        }
    }
}

async fn page(
    state: &AppState,
    critic: &Critic,
    minted: Option<(String, String)>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let tokens = tokens::list(&state.pool).await?;
    render(&TokensPage {
        frame: Frame::new(state, critic, "API tokens").await?,
        tokens: tokens.into_iter().rev().map(TokenLine::from).collect(),
        minted,
        error,
    })
}

pub async fn list(State(state): State<AppState>, critic: Critic) -> Result<Response, Refused> {
    Ok(page(&state, &critic, None, None).await?)
}

#[derive(Deserialize)]
pub struct MintForm {
    #[serde(default)]
    name: String,
}

/// The longest token name.
const NAME_CHARS: usize = 100;

pub async fn mint(
    State(state): State<AppState>,
    posted: Posted<MintForm>,
) -> Result<Response, Refused> {
    let name = crate::content::clean_line(&posted.form.name, NAME_CHARS + 1);
    if name.is_empty() || name.chars().count() > NAME_CHARS {
        let error =
            format!("Give the token a name of 1 to {NAME_CHARS} characters, such as \"laptop\".");
        return Ok(page(&state, &posted.critic, None, Some(error)).await?);
    }
    let (_, token) = crate::sessions::mint_token(&state.pool, &name)
        .await
        .map_err(AppError::from)?;
    Ok(page(&state, &posted.critic, Some((name, token)), None).await?)
}

pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _signed_in: Posted<NoFields>,
) -> Result<Response, Refused> {
    let id = super::id(&id)?;
    tokens::revoke(&state.pool, id)
        .await
        .map_err(AppError::from)?;
    Ok(see_other(&path("/tokens")))
}
