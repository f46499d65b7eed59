//! "Reply from your fediverse account" and "Follow": the reader gives their handle, we find
//! their server's interaction page through WebFinger and send them there.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::message_page;
use crate::federation::remote;
use crate::limits::{self, ClientIp};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct InteractQuery {
    handle: Option<String>,
    uri: Option<String>,
}

/// `user@host` from `@user@host`, `acct:user@host` or a pasted handle with spaces.
fn parse_handle(raw: &str) -> Option<(String, String)> {
    let handle = raw
        .trim()
        .trim_start_matches("acct:")
        .trim_start_matches('@');
    let (user, host) = handle.split_once('@')?;
    let valid_user = !user.is_empty()
        && user
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'));
    let valid_host = !host.is_empty() && host.contains(['.', ':']) || host == "localhost";
    let host_chars = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    (valid_user && valid_host && host_chars).then(|| (user.to_string(), host.to_ascii_lowercase()))
}

/// The parts of a WebFinger answer (RFC 7033) we read.
#[derive(Debug, Deserialize)]
struct Jrd {
    subject: String,
    #[serde(default)]
    links: Vec<JrdLink>,
}

#[derive(Debug, Deserialize)]
struct JrdLink {
    #[serde(default)]
    rel: String,
    #[serde(default)]
    template: Option<String>,
}

const SUBSCRIBE_REL: &str = "http://ostatus.org/schema/1.0/subscribe";

impl Jrd {
    /// The subscribe template, when the answer is about the account asked for and the template
    /// is an http(s) URL with a `{uri}` slot.
    fn subscribe_template(&self, user: &str, host: &str) -> Option<&str> {
        let asked = format!("acct:{user}@{host}");
        if !self.subject.eq_ignore_ascii_case(&asked) {
            return None;
        }
        self.links
            .iter()
            .filter(|l| l.rel == SUBSCRIBE_REL)
            .find_map(|l| l.template.as_deref())
            .filter(|t| t.contains("{uri}"))
            .filter(|t| {
                url::Url::parse(&t.replace("{uri}", "x"))
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            })
    }
}

/// The subscribe template from the reader's WebFinger document (at most
/// [`remote::WEBFINGER_LIMIT`] bytes read, within the client's total timeout).
#[tracing::instrument(skip_all)]
async fn subscribe_template(
    state: &AppState,
    user: &str,
    host: &str,
) -> Result<Option<String>, String> {
    // Real servers answer over https; http only where local trials are allowed.
    let scheme = if state.settings.allow_private_networks {
        "http"
    } else {
        "https"
    };
    if !state.settings.allow_private_networks {
        // No addresses or ports: WebFinger lives on a public name's standard port.
        let name = host.split(':').next().unwrap_or_default();
        if host.contains(':') || name.parse::<std::net::IpAddr>().is_ok() || name == "localhost" {
            return Err(format!("{host} is not a public server name"));
        }
    }
    let url = format!("{scheme}://{host}/.well-known/webfinger?resource=acct:{user}@{host}");
    let response = state
        .federation
        .http
        .get(&url)
        .header("accept", "application/jrd+json, application/json")
        .send()
        .await
        .map_err(|_| format!("{host} could not be reached"))?;
    if !response.status().is_success() {
        return Err(format!(
            "{host} does not know {user}@{host} (HTTP {})",
            response.status().as_u16()
        ));
    }
    let body = remote::read_limited(response, remote::WEBFINGER_LIMIT)
        .await
        .map_err(|e| format!("{host} answered something unusable ({e})"))?;
    let jrd: Jrd = serde_json::from_slice(&body)
        .map_err(|_| format!("{host} answered something that is not WebFinger"))?;
    Ok(jrd.subscribe_template(user, host).map(str::to_string))
}

pub async fn interact(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    Query(q): Query<InteractQuery>,
) -> Response {
    let uri = q.uri.unwrap_or_default();
    let ours =
        uri == state.urls.actor() || uri.starts_with(&format!("{}/reviews/", state.urls.base()));
    // A comment shown on one of the reviews (its Reply link), wherever it lives.
    let shown_comment = !ours
        && uri.len() <= 2048
        && matches!(
            crate::db::comments::get_by_ap_id(&state.pool, &uri).await,
            Ok(Some(comment)) if comment.is_public()
        );
    if !ours && !shown_comment {
        return message_page(
            &state,
            StatusCode::BAD_REQUEST,
            "Nothing to answer",
            "That is not a review or an account of this blog.",
        );
    }
    if q.handle.as_deref().is_none_or(|h| h.trim().is_empty()) {
        return ask_for_handle(&state, &uri, shown_comment);
    }
    let Some((user, host)) = q.handle.as_deref().and_then(parse_handle) else {
        return message_page(
            &state,
            StatusCode::BAD_REQUEST,
            "Which account?",
            "Give your fediverse handle as @you@your.server, for example @alice@mastodon.social.",
        );
    };
    // Each lookup makes us fetch from a server the visitor names: limited per visitor and
    // in all.
    if let Err(wait) = state.limits.interact.check(client) {
        return limits::too_many(wait);
    }
    let Ok(_slot) = state.limits.interact_slots.try_acquire() else {
        let mut busy = message_page(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            "Too many lookups at once",
            &format!("Try again in a moment, or search for this address on your server: {uri}"),
        );
        busy.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("5"),
        );
        return busy;
    };
    match subscribe_template(&state, &user, &host).await {
        Ok(Some(template)) => {
            let encoded: String = url::form_urlencoded::byte_serialize(uri.as_bytes()).collect();
            match url::Url::parse(&template.replace("{uri}", &encoded)) {
                Ok(target) if matches!(target.scheme(), "http" | "https") => {
                    Redirect::to(target.as_str()).into_response()
                }
                _ => message_page(
                    &state,
                    StatusCode::BAD_GATEWAY,
                    "Your server's answer is unusable",
                    &format!("{host} gave an interaction address that is not a web address. Search for this address on your server: {uri}"),
                ),
            }
        }
        Ok(None) => message_page(
            &state,
            StatusCode::OK,
            "Your server offers no shortcut",
            &format!("{host} does not say where to answer from. Search for this address on your server and answer it there: {uri}"),
        ),
        Err(reason) => {
            tracing::info!(handle = %format!("{user}@{host}"), reason, "interaction lookup failed");
            message_page(
                &state,
                StatusCode::BAD_GATEWAY,
                "Your server could not be asked",
                &format!("{reason}. You can also search for this address on your server: {uri}"),
            )
        }
    }
}

#[derive(askama::Template)]
#[template(path = "interact.html", config = "config/askama.toml")]
struct HandlePage {
    layout: super::views::Layout,
    heading: &'static str,
    what: &'static str,
    action: String,
    uri: String,
}

/// The form that asks which account answers (a comment's Reply link arrives without one).
fn ask_for_handle(state: &AppState, uri: &str, comment: bool) -> Response {
    let (heading, what) = if comment {
        ("Reply to this comment", "comment")
    } else if uri == state.urls.actor() {
        ("Follow this blog", "blog's account")
    } else {
        ("Reply to this review", "review")
    };
    let action = state.urls.join("/interact");
    let mut layout = super::views::Layout::plain(state, heading, &action);
    layout.robots_noindex = true;
    let page = HandlePage {
        layout,
        heading,
        what,
        action,
        uri: uri.to_string(),
    };
    match askama::Template::render(&page) {
        Ok(html) => (StatusCode::OK, super::html_headers(), html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering the handle form");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_handle;

    #[test]
    fn handles() {
        assert_eq!(
            parse_handle("@alice@mastodon.social"),
            Some(("alice".into(), "mastodon.social".into()))
        );
        assert_eq!(
            parse_handle(" acct:bob@Example.org "),
            Some(("bob".into(), "example.org".into()))
        );
        assert_eq!(
            parse_handle("carol@localhost:8080"),
            Some(("carol".into(), "localhost:8080".into()))
        );
        assert_eq!(parse_handle("nobody"), None);
        assert_eq!(parse_handle("@x@evil.example/path?"), None);
        assert_eq!(parse_handle("@x y@host.example"), None);
    }
}
