//! "Reply from your fediverse account" and "Follow": the reader gives their handle, we find
//! their server's interaction page through WebFinger and send them there.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;

use super::message_page;
use crate::app::AppState;

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

/// The subscribe template from the reader's WebFinger document.
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
        .map_err(|e| format!("{host} could not be reached ({e})"))?;
    if !response.status().is_success() {
        return Err(format!(
            "{host} does not know {user}@{host} (HTTP {})",
            response.status().as_u16()
        ));
    }
    let jrd: Value = response
        .json()
        .await
        .map_err(|_| format!("{host} answered something that is not WebFinger"))?;
    Ok(jrd["links"].as_array().and_then(|links| {
        links
            .iter()
            .find(|l| l["rel"] == "http://ostatus.org/schema/1.0/subscribe")
            .and_then(|l| l["template"].as_str())
            .filter(|t| {
                t.contains("{uri}") && (t.starts_with("https://") || t.starts_with("http://"))
            })
            .map(str::to_string)
    }))
}

pub async fn interact(State(state): State<AppState>, Query(q): Query<InteractQuery>) -> Response {
    let uri = q.uri.unwrap_or_default();
    let ours =
        uri == state.urls.actor() || uri.starts_with(&format!("{}/reviews/", state.urls.base()));
    if !ours {
        return message_page(
            &state,
            StatusCode::BAD_REQUEST,
            "Nothing to answer",
            "That is not a review or an account of this blog.",
        );
    }
    let Some((user, host)) = q.handle.as_deref().and_then(parse_handle) else {
        return message_page(
            &state,
            StatusCode::BAD_REQUEST,
            "Which account?",
            "Give your fediverse handle as @you@your.server, for example @alice@mastodon.social.",
        );
    };
    match subscribe_template(&state, &user, &host).await {
        Ok(Some(template)) => {
            let encoded: String = url::form_urlencoded::byte_serialize(uri.as_bytes()).collect();
            match url::Url::parse(&template.replace("{uri}", &encoded)) {
                Ok(target) => Redirect::to(target.as_str()).into_response(),
                Err(_) => message_page(
                    &state,
                    StatusCode::BAD_GATEWAY,
                    "Your server's answer is unusable",
                    &format!("{host} gave an interaction address that is not a URL. Search for this address on your server: {uri}"),
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
