//! Being told, at the desk: the notification feed's secret address (made anew here, shown
//! once), the e-mail settings as they stand (never the SMTP password), the last e-mail sent
//! or failure, and a test e-mail.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::{path, render, Critic, Frame, NoFields, Posted, Refused};
use crate::config::Digest;
use crate::error::AppError;
use crate::notifications;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "desk_notifications.html", config = "config/askama.toml")]
struct NotificationsPage {
    frame: Frame,
    /// The feed's address, just made: shown this once.
    feed_url: Option<String>,
    feed_made: Option<String>,
    digest: &'static str,
    daily_at: String,
    email: Option<EmailLine>,
    last_sent: Option<String>,
    last_error: Option<(String, String)>,
    /// The result of a test e-mail just sent: (it went, what to say).
    tested: Option<(bool, String)>,
    regenerate_url: String,
    test_url: String,
}

struct EmailLine {
    to: String,
    from: String,
    server: String,
}

fn when(at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    format!(
        "{} ({})",
        at.with_timezone(&tz).format("%-d %B %Y, %H:%M"),
        tz.name()
    )
}

async fn page(
    state: &AppState,
    critic: &Critic,
    feed_url: Option<String>,
    tested: Option<(bool, String)>,
) -> Result<Response, AppError> {
    let settings = &state.settings.notifications;
    let tz = state.settings.site.time_zone;
    let mail = crate::db::notifications::state(&state.pool).await?;
    render(&NotificationsPage {
        frame: Frame::new(state, critic, "Notifications").await?,
        feed_url,
        feed_made: notifications::feed_made_at(&state.pool)
            .await?
            .map(|at| when(at, tz)),
        digest: match settings.digest {
            Digest::Immediate => "immediately, one e-mail per batch of new things",
            Digest::Daily => "once a day",
            Digest::Off => "off",
        },
        daily_at: format!("{} ({})", settings.daily_at.format("%H:%M"), tz.name()),
        email: settings.email.as_ref().map(|e| EmailLine {
            to: e.to.to_string(),
            from: e.from.to_string(),
            server: e.smtp_server.clone(),
        }),
        last_sent: mail.last_sent_at.map(|at| when(at, tz)),
        last_error: mail
            .last_error
            .zip(mail.last_error_at)
            .map(|(error, at)| (when(at, tz), error)),
        tested,
        regenerate_url: path("/notifications/regenerate"),
        test_url: path("/notifications/test"),
    })
}

pub async fn show(State(state): State<AppState>, critic: Critic) -> Result<Response, Refused> {
    Ok(page(&state, &critic, None, None).await?)
}

/// Makes a new feed address (the old one stops working) and shows it once.
pub async fn regenerate(
    State(state): State<AppState>,
    posted: Posted<NoFields>,
) -> Result<Response, Refused> {
    let secret = notifications::new_feed_secret(&state.pool)
        .await
        .map_err(AppError::from)?;
    let url = state
        .urls
        .join(&path(&format!("/notifications/{secret}.atom")));
    Ok(page(&state, &posted.critic, Some(url), None).await?)
}

/// Sends a test e-mail and says how it went.
pub async fn test(
    State(state): State<AppState>,
    posted: Posted<NoFields>,
) -> Result<Response, Refused> {
    let tested = match notifications::send_test(&state.settings).await {
        Ok(()) => (true, "The test e-mail went to the SMTP server.".to_string()),
        Err(e) => {
            tracing::warn!(error = %e, "the test e-mail was not sent");
            (false, format!("The test e-mail was not sent: {e}"))
        }
    };
    Ok(page(&state, &posted.critic, None, Some(tested)).await?)
}
