//! The notification feed: an Atom feed (RFC 4287) of what waits for the critic, at a secret
//! address (`/admin/notifications/{secret}.atom`) a feed reader can poll without signing in.
//! Any other secret gets the plain 404 of an address where there is nothing.

use atom_syndication::{Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::path;
use crate::error::AppError;
use crate::notifications::{self, Notice};
use crate::state::AppState;

/// Entries in the feed: the newest.
const ENTRIES: usize = 100;

pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let secret = file.strip_suffix(".atom").unwrap_or_default();
    match notifications::feed_opens(&state.pool, secret).await {
        Ok(true) => {}
        Ok(false) => return crate::web::not_found(&state),
        Err(e) => return super::error_page(AppError::from(e)),
    }
    match render(&state, &file).await {
        Ok(xml) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/atom+xml; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (
                    header::HeaderName::from_static("x-robots-tag"),
                    HeaderValue::from_static("noindex, nofollow"),
                ),
                (
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                ),
            ],
            xml,
        )
            .into_response(),
        Err(e) => super::error_page(e),
    }
}

fn link(href: String, rel: &str, mime: &str) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel);
    l.set_mime_type(Some(mime.to_string()));
    l
}

fn entry(n: Notice) -> Entry {
    let at: FixedDateTime = n.arrived.fixed_offset();
    let mut author = Person::default();
    author.set_name(n.who.clone());
    let mut entry = Entry::default();
    entry.set_id(format!("urn:uuid:{}", n.id));
    entry.set_title(Text::plain(n.title()));
    entry.set_updated(at);
    entry.set_published(Some(at));
    entry.set_authors(vec![author]);
    let summary = match &n.about {
        Some(about) if n.kind == crate::domain::NoticeKind::Report => {
            format!("About {about}: {}", n.excerpt)
        }
        _ => n.excerpt.clone(),
    };
    entry.set_summary(Some(Text::plain(summary)));
    entry.set_links(vec![link(n.desk_url, "alternate", "text/html")]);
    entry
}

async fn render(state: &AppState, file: &str) -> Result<String, AppError> {
    let per_kind = i64::try_from(ENTRIES).unwrap_or(i64::MAX);
    let mut notices = notifications::waiting(&state.pool, &state.urls, per_kind, None).await?;
    notices.truncate(ENTRIES);
    let updated = notices
        .first()
        .map(|n| n.arrived)
        .or(notifications::feed_made_at(&state.pool).await?)
        .unwrap_or_else(chrono::Utc::now);
    let mut feed = Feed::default();
    feed.set_id(state.urls.join(&path("/notifications")));
    feed.set_title(Text::plain(format!(
        "{} – waiting at the desk",
        state.settings.site.title
    )));
    feed.set_updated(updated.fixed_offset());
    let mut author = Person::default();
    author.set_name(state.settings.site.title.clone());
    feed.set_authors(vec![author]);
    feed.set_links(vec![
        link(
            state.urls.join(&path(&format!("/notifications/{file}"))),
            "self",
            "application/atom+xml",
        ),
        link(state.urls.join(&path("")), "alternate", "text/html"),
    ]);
    feed.set_entries(notices.into_iter().map(entry).collect::<Vec<_>>());
    Ok(feed.to_string())
}
