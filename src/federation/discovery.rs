//! Discovery without authentication: WebFinger, host-meta and NodeInfo.

use axum::extract::{RawQuery, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

use super::documents;
use super::Context;
use super::FederationError;
use crate::changes::{cacheable, Change};

/// Discovery documents are kept until anything changes (they are cheap, and rarely asked).
fn cacheable_site(response: Response) -> Response {
    cacheable(response, &[Change::Site])
}
use crate::db::federation as db;

/// A WebFinger query (RFC 7033 §4.1): one `resource`, and any number of `rel`s that filter
/// the links.
#[derive(Debug, Default)]
pub struct WebfingerQuery {
    resource: Option<String>,
    rels: Vec<String>,
}

impl WebfingerQuery {
    /// At most this many `rel` parameters are read.
    const MAX_RELS: usize = 16;

    fn parse(raw: Option<&str>) -> Self {
        let mut query = Self::default();
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "resource" if query.resource.is_none() => query.resource = Some(value.into_owned()),
                "rel" if query.rels.len() < Self::MAX_RELS => query.rels.push(value.into_owned()),
                _ => {}
            }
        }
        query
    }
}

/// A `resource` asked about: an account (`acct:user@host`; like Mastodon, `acct:` and a
/// leading `@` may be left out) or a URL, lowercased for comparison.
fn parse_resource(raw: Option<&str>) -> Result<Option<String>, FederationError> {
    let bad = |why: &str| FederationError::BadRequest(format!("the resource {why}"));
    let raw = raw
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| bad("parameter is required"))?;
    if raw.len() > crate::content::limits::URL_BYTES || raw.chars().any(char::is_control) {
        return Err(bad("is too long or holds control characters"));
    }
    let lower = raw.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return url::Url::parse(raw)
            .map(|_| Some(lower))
            .map_err(|_| bad("is not a valid URL"));
    }
    // Another URI scheme (`mailto:`, `did:`…): well formed, and nothing of ours.
    if !lower.starts_with("acct:") && has_scheme(&lower) {
        return Ok(None);
    }
    match crate::domain::AccountRef::parse(&lower) {
        Ok(account @ crate::domain::AccountRef::Handle { .. }) => Ok(Some(account.to_string())),
        _ => Err(bad("is neither acct:user@host nor an http(s) URL")),
    }
}

/// Whether `s` starts with a URI scheme (`letter *( letter / digit / "+" / "-" / "." ) ":"`).
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn json_response(content_type: &'static str, body: &impl serde::Serialize) -> Response {
    let Ok(body) = serde_json::to_string(body) else {
        tracing::error!("a discovery document did not serialize");
        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
        ],
        body,
    )
        .into_response()
}

/// `/.well-known/webfinger?resource=acct:NAME@DOMAIN` (also the actor id or profile URL).
/// The `self` link's `href` equals the actor id exactly; Mastodon checks the round trip.
pub async fn webfinger(
    State(state): State<Context>,
    RawQuery(query): RawQuery,
) -> Result<Response, FederationError> {
    let urls = &state.urls;
    let query = WebfingerQuery::parse(query.as_deref());
    let Some(acct) = parse_resource(query.resource.as_deref())? else {
        return Err(FederationError::NotFound);
    };
    let blog = [
        urls.acct(),
        urls.actor(),
        format!("{}/@{}", urls.base(), urls.handle()),
    ];
    let instance = [
        format!("{}@{}", urls.host(), urls.domain()),
        urls.instance_actor(),
    ];
    let mut body = if blog.iter().any(|b| b.to_ascii_lowercase() == acct) {
        documents::blog_jrd(urls)
    } else if instance.iter().any(|i| i.to_ascii_lowercase() == acct) {
        documents::instance_jrd(urls)
    } else {
        return Err(FederationError::NotFound);
    };
    if !query.rels.is_empty() {
        body.links
            .retain(|link| query.rels.iter().any(|rel| rel == link.rel));
    }
    Ok(cacheable_site(json_response(
        "application/jrd+json; charset=utf-8",
        &body,
    )))
}

/// `/.well-known/host-meta`: where WebFinger is (the LRDD template).
pub async fn host_meta(State(state): State<Context>) -> Response {
    let template = format!(
        "{}/.well-known/webfinger?resource={{uri}}",
        state.urls.base()
    );
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{}\"/>\n</XRD>\n",
        crate::content::escape_html(&template)
    );
    cacheable_site(
        (
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("application/xrd+xml; charset=utf-8"),
            )],
            xml,
        )
            .into_response(),
    )
}

/// `/.well-known/nodeinfo`: links to the NodeInfo documents.
pub async fn nodeinfo_links(State(state): State<Context>) -> Response {
    cacheable_site(json_response(
        "application/json",
        &documents::nodeinfo_links(&state.urls),
    ))
}

/// NodeInfo 2.1 (and 2.0, the same minus the repository): software, protocols, usage.
pub async fn nodeinfo(
    State(state): State<Context>,
    axum::extract::Path(version): axum::extract::Path<String>,
) -> Result<Response, FederationError> {
    let (content_type, version) = match version.as_str() {
        "2.1" => (
            "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
            "2.1",
        ),
        "2.0" => (
            "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.0#\"",
            "2.0",
        ),
        _ => return Err(FederationError::NotFound),
    };
    let posts = db::published_count(&state.pool).await?;
    let document = documents::nodeinfo(
        version,
        &state.urls,
        posts,
        &state.settings.site.title,
        &state.settings.site.description,
    );
    Ok(cacheable_site(json_response(content_type, &document)))
}

#[cfg(test)]
mod tests;
