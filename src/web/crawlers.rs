//! What search engines read: `/robots.txt` (the desk, the API and private previews are not for
//! them) and `/sitemap.xml` (every public page: home, about, each review, each category).

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::error_page;
use crate::changes::{cacheable, Change};
use crate::content::escape_html;
use crate::db::reviews;
use crate::error::AppError;
use crate::state::AppState;

/// A sitemap holds at most 50,000 addresses (sitemaps.org).
const MAX_URLS: i64 = 50_000;

pub async fn robots(State(state): State<AppState>) -> Response {
    let text = format!(
        "User-agent: *\nDisallow: /admin\nDisallow: /api/\nDisallow: /preview/\n\nSitemap: {}\n",
        state.urls.join("/sitemap.xml")
    );
    cacheable(
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        &[Change::Site],
    )
}

pub async fn sitemap(State(state): State<AppState>) -> Response {
    match build(&state).await {
        Ok(xml) => cacheable(
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/xml; charset=utf-8"),
                )],
                xml,
            )
                .into_response(),
            &[Change::Listings],
        ),
        Err(e) => error_page(&state, e),
    }
}

async fn build(state: &AppState) -> Result<String, AppError> {
    let urls = &state.urls;
    let categories = reviews::public_categories(&state.pool).await?;
    let room = MAX_URLS - 4 - i64::try_from(categories.len()).unwrap_or(MAX_URLS);
    let addresses = reviews::public_addresses(&state.pool, room.max(0)).await?;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut entry = |loc: &str, lastmod: Option<String>| {
        xml.push_str("<url><loc>");
        xml.push_str(&escape_html(loc));
        xml.push_str("</loc>");
        if let Some(at) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&at);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    };
    let newest = addresses
        .first()
        .map(|(_, at)| at.format("%Y-%m-%d").to_string());
    entry(&urls.home(), newest);
    entry(&urls.about(), None);
    entry(&urls.join("/categories"), None);
    entry(&urls.join("/tags"), None);
    for (slug, updated) in &addresses {
        let slug = crate::domain::Slug::parse(slug)
            .map_err(|_| AppError::Bug("a stored slug does not parse"))?;
        entry(
            &urls.review(&slug),
            Some(updated.format("%Y-%m-%d").to_string()),
        );
    }
    for (term, _) in &categories {
        entry(&urls.category(&term.key), None);
    }
    xml.push_str("</urlset>\n");
    Ok(xml)
}
