//! The desk's first page: what waits, and where to go.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{render, Critic, Frame, Refused};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "desk_home.html", config = "config/askama.toml")]
struct HomePage {
    frame: Frame,
    reviews: i64,
}

pub async fn home(State(state): State<AppState>, critic: Critic) -> Result<Response, Refused> {
    let reviews = crate::db::reviews::count_all(&state.pool)
        .await
        .map_err(crate::error::AppError::from)?;
    Ok(render(&HomePage {
        frame: Frame::new(&state, &critic, "Desk").await?,
        reviews,
    })?)
}
