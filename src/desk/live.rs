//! The editor's live preview: `desk.js` posts the form as the critic types and shows the page
//! this returns (the review's public page as it would look) in the preview frame. Without
//! JavaScript, the Preview button does the same through the whole editor page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;

use super::editor::EditorForm;
use super::{html_page, Posted, Refused};
use crate::content::escape_html;
use crate::error::AppError;
use crate::publishing;
use crate::state::AppState;

pub async fn preview(
    State(state): State<AppState>,
    posted: Posted<EditorForm>,
) -> Result<Response, Refused> {
    let tz = state.settings.site.time_zone;
    let mut errors = Vec::new();
    let input = posted.form.input(None, tz, &mut errors);
    let html = html_page;
    match publishing::preview(&state.settings.site, &input, None, Utc::now()) {
        Ok(review) if errors.is_empty() => Ok(html(
            StatusCode::OK,
            crate::web::preview_html(&state, &review).await?,
        )),
        Ok(_) => Ok(html(StatusCode::UNPROCESSABLE_ENTITY, problems(&errors))),
        Err(AppError::Validation(found)) => {
            errors.extend(found.0);
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, problems(&errors)))
        }
        Err(other) => Err(other.into()),
    }
}

/// What keeps the preview from being drawn, as a small page for the frame.
fn problems(errors: &[(String, String)]) -> String {
    let items: String = errors
        .iter()
        .map(|(field, message)| {
            format!("<li>{}: {}</li>", escape_html(field), escape_html(message))
        })
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>No preview yet</title></head>\
         <body><main><h1>No preview yet</h1><ul>{items}</ul></main></body></html>"
    )
}
