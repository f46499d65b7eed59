//! Signing in and out of the desk.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use axum_extra::extract::CookieJar;
use secrecy::SecretString;
use serde::Deserialize;

use super::{path, render, see_other, session_cookie, NoFields, Posted, Refused};
use crate::error::AppError;
use crate::limits::ClientIp;
use crate::sessions::{self, SignInError};
use crate::state::AppState;
use crate::urls::DESK_PREFIX;

#[derive(Template)]
#[template(path = "desk_sign_in.html", config = "config/askama.toml")]
struct SignInPage {
    site_title: String,
    action: String,
    next: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: a desk page, never another site.
fn next_or_home(next: Option<&str>) -> String {
    next.filter(|n| {
        n.starts_with(DESK_PREFIX)
            && !n.starts_with("//")
            && !n.contains(['\\', '\r', '\n'])
            && n.len() <= 2048
    })
    .unwrap_or(DESK_PREFIX)
    .to_string()
}

fn page(state: &AppState, next: &str, error: Option<String>, status: StatusCode) -> Response {
    let page = SignInPage {
        site_title: state.settings.site.title.clone(),
        action: path("/sign-in"),
        next: next.to_string(),
        error,
    };
    match render(&page) {
        Ok(mut response) => {
            *response.status_mut() = status;
            response
        }
        Err(e) => e.into_response(),
    }
}

pub async fn form(State(state): State<AppState>, Query(query): Query<NextQuery>) -> Response {
    page(
        &state,
        &next_or_home(query.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Response {
    let next = next_or_home(form.next.as_deref());
    let too_many = |wait: std::time::Duration| {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let mut response = page(
            &state,
            &next,
            Some(format!(
                "Too many attempts. Try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            )),
            StatusCode::TOO_MANY_REQUESTS,
        );
        if let Ok(value) = wait.as_secs().max(1).to_string().parse() {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    };
    if let Err(wait) = state.limits.sign_in.check(ip) {
        return too_many(wait);
    }
    if let Err(wait) = state.limits.sign_in_failures.check() {
        return too_many(wait);
    }
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let password = SecretString::from(form.password);
    match sessions::sign_in(&state.pool, &password, user_agent, chrono::Utc::now()).await {
        Ok(session) => {
            use secrecy::ExposeSecret;
            let cookie = session_cookie(&state, session.secret.expose_secret().to_string());
            (jar.add(cookie), see_other(&next)).into_response()
        }
        Err(SignInError::Wrong) => {
            state.limits.sign_in_failures.failed();
            tracing::info!(client = %ip, "a desk sign-in failed");
            page(
                &state,
                &next,
                Some("That password is not right.".into()),
                StatusCode::UNAUTHORIZED,
            )
        }
        Err(SignInError::NoPassword) => page(
            &state,
            &next,
            Some(
                "The desk has no password yet. Set one on the server with \
                 `reviewpub admin set-password`."
                    .into(),
            ),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        Err(SignInError::Db(e)) => AppError::from(e).into_response(),
        Err(SignInError::Hashing(e)) => {
            AppError::internal("checking the desk password", e).into_response()
        }
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    posted: Posted<NoFields>,
) -> Result<Response, Refused> {
    sessions::sign_out(&state.pool, &posted.critic.session)
        .await
        .map_err(AppError::from)?;
    Ok(signed_out(&state, jar))
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    jar: CookieJar,
    _signed_in: Posted<NoFields>,
) -> Result<Response, Refused> {
    sessions::sign_out_everywhere(&state.pool)
        .await
        .map_err(AppError::from)?;
    Ok(signed_out(&state, jar))
}

fn signed_out(state: &AppState, jar: CookieJar) -> Response {
    let jar = jar.remove(session_cookie(state, String::new()));
    (jar, see_other(&path("/sign-in"))).into_response()
}
