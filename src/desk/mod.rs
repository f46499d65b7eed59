//! The critic's desk at `/admin`: server-rendered pages and plain forms (JavaScript only
//! improves them), behind a password and a session cookie (see [`crate::sessions`]). Every
//! form carries the session's CSRF token, checked by [`Posted`] before a handler runs; every
//! page shows what waits for the critic.

mod comments;
mod editor;
mod fediverse;
mod home;
mod images;
mod live;
mod notifications;
mod notifications_feed;
mod reviews;
mod sign_in;
mod tokens;
mod trash;

use askama::Template;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::AppError;
use crate::sessions::{self, Session};
use crate::state::AppState;
use crate::urls::DESK_PREFIX;

const STYLE: &str = include_str!("desk.css");
const SCRIPT: &str = include_str!("desk.js");

/// The desk's pages run its own script (`desk.js`) and nothing else; the public pages run none.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
    style-src 'self'; img-src 'self' https: http: data:; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// The largest form the desk takes (review bodies are long; images come another way).
const FORM_BYTES: usize = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(DESK_PREFIX, get(home::home))
        .route(&path("/sign-in"), get(sign_in::form).post(sign_in::submit))
        .route(&path("/sign-out"), post(sign_in::sign_out))
        .route(
            &path("/sign-out-everywhere"),
            post(sign_in::sign_out_everywhere),
        )
        .route(&path("/reviews"), get(reviews::list))
        .route(&path("/reviews/{id}/delete"), post(trash::delete))
        .route(&path("/reviews/{id}/comments"), get(comments::thread))
        .route(&path("/reviews/{id}/restore"), post(trash::restore))
        .route(
            &path("/reviews/new"),
            get(reviews::new_form).post(reviews::create),
        )
        .route(
            &path("/reviews/{id}"),
            get(reviews::edit_form).post(reviews::update),
        )
        .route(
            &path("/reviews/{id}/images"),
            // The upload's own limit (`media.max_upload_bytes`), checked as it is read.
            post(images::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            &path("/reviews/{id}/images/{image}/remove"),
            post(images::remove),
        )
        .route(&path("/comments"), get(comments::list))
        .route(&path("/comments/{id}/approve"), post(comments::approve))
        .route(&path("/comments/{id}/reject"), post(comments::reject))
        .route(
            &path("/comments/{id}/block-author"),
            post(comments::block_author),
        )
        .route(
            &path("/comments/{id}/block-server"),
            post(comments::block_server),
        )
        .route(&path("/comments/{id}/answer"), post(comments::answer))
        .route(&path("/fediverse"), get(fediverse::page))
        .route(&path("/followers/{id}/approve"), post(fediverse::approve))
        .route(&path("/followers/{id}/reject"), post(fediverse::reject))
        .route(&path("/hosts/{host}/resume"), post(fediverse::resume))
        .route(&path("/deliveries/{id}/retry"), post(fediverse::retry))
        .route(&path("/notifications"), get(notifications::show))
        .route(
            &path("/notifications/regenerate"),
            post(notifications::regenerate),
        )
        .route(&path("/notifications/test"), post(notifications::test))
        .route(
            &path("/notifications/{file}"),
            get(notifications_feed::feed),
        )
        .route(&path("/tokens"), get(tokens::list).post(tokens::mint))
        .route(&path("/tokens/{id}/revoke"), post(tokens::revoke))
        .route(&path("/desk.css"), get(style))
        .route(&path("/desk.js"), get(script))
        .route(&path("/preview"), post(live::preview))
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
}

async fn script() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        SCRIPT,
    )
        .into_response()
}

/// A desk address.
pub fn path(rest: &str) -> String {
    format!("{DESK_PREFIX}{rest}")
}

async fn style() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        STYLE,
    )
        .into_response()
}

/// The session cookie's name: with `__Host-` (Secure, this host only, path `/`) on https.
fn cookie_name(state: &AppState) -> &'static str {
    if secure(state) {
        "__Host-reviewpub_session"
    } else {
        "reviewpub_session"
    }
}

fn secure(state: &AppState) -> bool {
    state.settings.public_url.as_str().starts_with("https://")
}

/// The session cookie for `secret` (an empty one removes it).
fn session_cookie(state: &AppState, secret: String) -> Cookie<'static> {
    let mut cookie = Cookie::new(cookie_name(state), secret);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Strict);
    cookie.set_secure(secure(state));
    cookie.set_path("/");
    cookie
}

/// A request from the signed-in critic. Without a session, a page answers with a redirect to
/// the sign-in form (which comes back here after).
pub struct Critic {
    pub session: Session,
}

/// Why a desk request was turned away.
pub enum Refused {
    /// Not signed in: to the sign-in form, then back to `next`.
    SignIn {
        next: String,
    },
    /// A form without this session's CSRF token.
    Forged,
    Error(AppError),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn { next } => {
                let query =
                    serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
                Redirect::to(&format!("{}?{query}", path("/sign-in"))).into_response()
            }
            Self::Forged => (
                StatusCode::FORBIDDEN,
                no_store(),
                "This form is out of date or was not sent from the desk. Go back, reload the \
                 page and send it again.",
            )
                .into_response(),
            Self::Error(e) => error_page(e),
        }
    }
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        Self::Error(e)
    }
}

impl FromRequestParts<AppState> for Critic {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refused> {
        let jar = CookieJar::from_headers(&parts.headers);
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .filter(|p| p.starts_with(DESK_PREFIX) && parts.method == axum::http::Method::GET)
            .unwrap_or_else(|| DESK_PREFIX.to_string());
        let Some(secret) = jar.get(cookie_name(state)).map(|c| c.value().to_string()) else {
            return Err(Refused::SignIn { next });
        };
        match sessions::session(&state.pool, &secret, chrono::Utc::now())
            .await
            .map_err(AppError::from)?
        {
            Some(session) => Ok(Self { session }),
            None => Err(Refused::SignIn { next }),
        }
    }
}

/// A form sent by the signed-in critic, its CSRF token checked: the form's fields as `T`
/// (which ignores the `csrf` field).
pub struct Posted<T> {
    pub critic: Critic,
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Refused;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Refused> {
        let (mut parts, body) = request.into_parts();
        let critic = Critic::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, FORM_BYTES)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        let csrf: CsrfField = serde_html_form::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(format!("the form is malformed: {e}")))?;
        check_csrf(&critic, &csrf.csrf)?;
        let form = serde_html_form::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(format!("the form is malformed: {e}")))?;
        Ok(Self { critic, form })
    }
}

/// The one check of a desk form's CSRF token (urlencoded forms and uploads alike).
fn check_csrf(critic: &Critic, token: &str) -> Result<(), Refused> {
    if critic.session.csrf_matches(token) {
        Ok(())
    } else {
        tracing::warn!("a desk form without the session's CSRF token was refused");
        Err(Refused::Forged)
    }
}

/// A form with no fields but the CSRF token.
#[derive(Deserialize)]
pub struct NoFields {}

/// What waits for the critic, shown on every desk page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Waiting {
    pub held_comments: i64,
    pub reports: i64,
    pub follow_requests: i64,
}

/// What every desk page shows around its content.
pub struct Frame {
    pub title: String,
    pub csrf: String,
    pub waiting: Waiting,
    pub site_title: String,
    pub home_url: String,
}

impl Frame {
    pub async fn new(state: &AppState, critic: &Critic, title: &str) -> Result<Self, AppError> {
        let pool = &state.pool;
        let waiting = Waiting {
            held_comments: crate::db::comments::count_pending(pool).await?,
            reports: crate::db::reports::count(pool).await?,
            follow_requests: crate::db::federation::count_pending_followers(pool).await?,
        };
        Ok(Self {
            title: title.to_string(),
            csrf: critic.session.csrf().to_string(),
            waiting,
            site_title: state.settings.site.title.clone(),
            home_url: state.urls.home(),
        })
    }
}

/// A desk error as a page: what was wrong (our own faults only say so; they are logged).
fn error_page(error: AppError) -> Response {
    let status = error.status();
    let message = if status.is_server_error() {
        error.log();
        "Something went wrong on our side; it was logged. Try again in a moment.".to_string()
    } else {
        match &error {
            AppError::Validation(errors) => errors.to_string(),
            other => other.to_string(),
        }
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>Not done – desk</title><link \
         rel=\"stylesheet\" href=\"{style}\"></head><body><main id=\"main\"><h1>Not done</h1><p \
         class=\"error\" role=\"alert\">{message}</p><p><a href=\"{desk}\">Back to the desk</a> \
         (or use your browser's Back button: what you typed is still there).</p></main></body></html>",
        style = path("/desk.css"),
        message = crate::content::escape_html(&message),
        desk = DESK_PREFIX,
    );
    (
        status,
        no_store(),
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response()
}

fn no_store() -> [(header::HeaderName, HeaderValue); 1] {
    [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]
}

/// A desk page: HTML, never stored by caches.
fn render(template: &impl Template) -> Result<Response, AppError> {
    let html = template
        .render()
        .map_err(|e| AppError::internal("rendering a desk template", e))?;
    Ok(html_page(StatusCode::OK, html))
}

/// A desk answer in HTML: never cached.
fn html_page(status: StatusCode, html: String) -> Response {
    (
        status,
        no_store(),
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response()
}

/// The id in a desk address (`/admin/reviews/{id}`, `/admin/comments/{id}`, …): not one is
/// an address with nothing there.
fn id(raw: &str) -> Result<uuid::Uuid, AppError> {
    crate::domain::parse_id(raw).ok_or(AppError::NotFound)
}

/// After a form: back to a desk page (303, so that reloading does not send it again).
fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
