//! Deleting a review at the desk, with a way back for a while (see
//! [`crate::publishing::trash`]).

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Utc;

use super::{path, see_other, NoFields, Posted, Refused};
use crate::domain::ReviewStatus;
use crate::publishing::trash::{self, Restored};
use crate::state::AppState;

/// A review in the trash, as the reviews page lists it.
pub struct TrashedLine {
    pub title: String,
    pub restore_url: String,
    /// When it goes for good, on the site's clock.
    pub gone_at: String,
}

/// What is in the trash (most recent first), as the list shows it.
pub fn lines(
    state: &AppState,
    trashed: Vec<crate::db::reviews::trash::Trashed>,
) -> Vec<TrashedLine> {
    let tz = state.settings.site.time_zone;
    trashed
        .into_iter()
        .map(|t| TrashedLine {
            title: t.title,
            restore_url: path(&format!("/reviews/{}/restore", t.id)),
            gone_at: trash::gone_at(t.trashed_at)
                .with_timezone(&tz)
                .format("%H:%M %Z")
                .to_string(),
        })
        .collect()
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _posted: Posted<NoFields>,
) -> Result<Response, Refused> {
    let id = super::id(&id)?;
    trash::trash(
        &state.pool,
        &state.settings,
        &*state.outbound,
        id,
        Utc::now(),
    )
    .await?;
    Ok(see_other(&path("/reviews?done=deleted")))
}

pub async fn restore(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _posted: Posted<NoFields>,
) -> Result<Response, Refused> {
    let id = super::id(&id)?;
    let done = match trash::restore(
        &state.pool,
        &state.settings,
        &*state.outbound,
        id,
        Utc::now(),
    )
    .await?
    {
        Restored::AsItWas(ReviewStatus::Published) => "restored-published",
        Restored::AsItWas(ReviewStatus::Scheduled) => "restored-scheduled",
        Restored::AsItWas(ReviewStatus::Draft) => "restored",
        Restored::DraftNow => "restored-late",
    };
    Ok(see_other(&format!(
        "{}?done={done}",
        path(&format!("/reviews/{id}"))
    )))
}
