//! Discovery without authentication: WebFinger, host-meta and NodeInfo.

use axum::extract::{Query, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::documents;
use super::Context;
use super::FederationError;
use crate::changes::{cacheable, Change};

/// Discovery documents are kept until anything changes (they are cheap, and rarely asked).
fn cacheable_site(response: Response) -> Response {
    cacheable(response, &[Change::Site])
}
use crate::db::federation as db;

#[derive(Debug, Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
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
    Query(query): Query<WebfingerQuery>,
) -> Result<Response, FederationError> {
    let urls = &state.urls;
    let resource = query
        .resource
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| FederationError::BadRequest("the resource parameter is required".into()))?;
    let acct = resource
        .strip_prefix("acct:")
        .unwrap_or(resource)
        .trim_start_matches('@')
        .to_ascii_lowercase();
    let blog = [
        urls.acct(),
        urls.actor(),
        format!("{}/@{}", urls.base(), urls.handle()),
    ];
    let instance = [
        format!("{}@{}", urls.host(), urls.domain()),
        urls.instance_actor(),
    ];
    let body = if blog.iter().any(|b| b.to_ascii_lowercase() == acct) {
        documents::blog_jrd(urls)
    } else if instance.iter().any(|i| i.to_ascii_lowercase() == acct) {
        documents::instance_jrd(urls)
    } else {
        return Err(FederationError::NotFound);
    };
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
