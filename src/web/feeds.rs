//! Atom feeds (RFC 4287): the whole site, a category, a tag.

use atom_syndication::{
    Category, Content, Entry, Feed, FixedDateTime, Generator, Link, Person, Text,
};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::error_page;
use crate::changes::{cacheable, Change};
use crate::db::reviews::{self, Listing, StoredReview};
use crate::error::AppError;
use crate::state::AppState;
use crate::urls::Urls;

const ENTRIES: i64 = 20;

pub async fn site(State(state): State<AppState>) -> Response {
    respond(&state, feed(&state, Listing::All).await, Change::Listings)
}

pub async fn category(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    respond(
        &state,
        feed(&state, Listing::Category(&key)).await,
        Change::Listings,
    )
}

pub async fn tag(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    respond(
        &state,
        feed(&state, Listing::Tag(&key)).await,
        Change::Listings,
    )
}

/// The feed, kept until `depends` changes; or the error as a page.
fn respond(state: &AppState, result: Result<String, AppError>, depends: Change) -> Response {
    match result {
        Ok(xml) => cacheable(
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/atom+xml; charset=utf-8"),
                )],
                xml,
            )
                .into_response(),
            &[depends],
        ),
        Err(e) => error_page(state, e),
    }
}

fn fixed(at: DateTime<Utc>) -> FixedDateTime {
    at.fixed_offset()
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    let mut l = Link::default();
    l.set_href(href);
    l.set_rel(rel);
    l.set_mime_type(mime.map(str::to_string));
    l
}

async fn feed(state: &AppState, listing: Listing<'_>) -> Result<String, AppError> {
    let urls = &state.urls;
    let site = &state.settings.site;
    let (rows, _) = reviews::list_public(&state.pool, listing, ENTRIES, 0).await?;
    let name = || listing.term_name(&rows).ok_or(AppError::NotFound);
    let (title, self_url, page_url) = match listing {
        Listing::All => (site.title.clone(), urls.feed(), urls.home()),
        Listing::Category(key) => (
            format!("{} – {}", site.title, name()?),
            urls.category_feed(key),
            urls.category(key),
        ),
        Listing::Tag(key) => (
            format!("{} – #{}", site.title, name()?),
            urls.tag_feed(key),
            urls.tag(key),
        ),
    };
    let updated = rows
        .iter()
        .map(|r| r.review.updated_at.max(r.review.date()))
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH);

    let mut feed = Feed::default();
    feed.set_id(self_url.clone());
    feed.set_title(Text::plain(title));
    feed.set_subtitle(Some(Text::plain(site.description.clone())));
    feed.set_updated(fixed(updated));
    feed.set_lang(Some(site.language.to_string()));
    feed.set_links(vec![
        link(self_url, "self", Some("application/atom+xml")),
        link(page_url, "alternate", Some("text/html")),
    ]);
    feed.set_authors(vec![person(&site.author)]);
    let mut generator = Generator::default();
    generator.set_value("reviewpub");
    generator.set_version(Some(env!("CARGO_PKG_VERSION").to_string()));
    feed.set_generator(Some(generator));
    feed.set_entries(rows.iter().map(|r| entry(r, urls)).collect::<Vec<_>>());
    Ok(feed.to_string())
}

fn person(name: &str) -> Person {
    let mut p = Person::default();
    p.set_name(name);
    p
}

fn entry(stored: &StoredReview, urls: &Urls) -> Entry {
    let r = &stored.review;
    let mut html = String::new();
    if let Some(rating) = r.rating {
        html.push_str(&format!(
            "<p>Rating: {} ({})</p>",
            rating.stars(),
            rating.text()
        ));
    }
    if let Some(warning) = &r.spoiler_warning {
        html.push_str(&format!(
            "<p><strong>Spoiler warning.</strong> {}</p>",
            crate::content::escape_html(warning)
        ));
    }
    html.push_str(&r.body_html);
    let mut content = Content::default();
    content.set_content_type(Some("html".to_string()));
    content.set_value(Some(html));
    content.set_lang(Some(r.language.to_string()));

    let mut entry = Entry::default();
    entry.set_id(urls.review_id(r.id));
    entry.set_title(Text::plain(r.title.clone()));
    entry.set_links(vec![link(
        urls.review(&r.slug),
        "alternate",
        Some("text/html"),
    )]);
    entry.set_published(Some(fixed(stored.review.date())));
    entry.set_updated(fixed(r.updated_at.max(stored.review.date())));
    entry.set_authors(vec![person(&r.author)]);
    entry.set_summary(Some(Text::plain(stored.summary_text.clone())));
    entry.set_content(Some(content));
    let terms = r
        .categories
        .iter()
        .map(|t| (t, urls.join("/categories/")))
        .chain(r.tags.iter().map(|t| (t, urls.join("/tags/"))));
    entry.set_categories(
        terms
            .map(|(t, scheme)| {
                let mut c = Category::default();
                c.set_term(t.key.clone());
                c.set_label(Some(t.name.clone()));
                c.set_scheme(Some(scheme));
                c
            })
            .collect::<Vec<_>>(),
    );
    entry
}

/// A review's public comments, newest first.
pub async fn comments(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let stored = match reviews::get_by_slug(&state.pool, &slug).await {
        Ok(Some(stored)) if stored.review.is_public() => stored,
        Ok(_) => return error_page(&state, AppError::NotFound),
        Err(e) => return error_page(&state, e.into()),
    };
    let id = stored.review.id;
    respond(
        &state,
        comments_feed(&state, stored).await,
        Change::Review(id),
    )
}

async fn comments_feed(
    state: &AppState,
    stored: crate::db::reviews::StoredReview,
) -> Result<String, AppError> {
    let urls = &state.urls;
    let review = &stored.review;
    let mut rows: Vec<_> = crate::db::comments::thread(&state.pool, review.id)
        .await?
        .into_iter()
        .filter(|c| c.deleted_at.is_none())
        .collect();
    rows.reverse();
    rows.truncate(50);
    let self_url = urls.comments_feed(&review.slug);
    let page = urls.review(&review.slug);
    let mut feed = Feed::default();
    feed.set_id(self_url.clone());
    feed.set_title(Text::plain(format!("Comments on “{}”", review.title)));
    feed.set_updated(fixed(
        rows.iter()
            .map(|c| c.edited_at.unwrap_or(c.published_at))
            .max()
            .unwrap_or(review.updated_at),
    ));
    feed.set_links(vec![
        link(self_url, "self", Some("application/atom+xml")),
        link(page.clone(), "alternate", Some("text/html")),
    ]);
    feed.set_entries(
        rows.iter()
            .map(|c| {
                let mut entry = Entry::default();
                entry.set_id(c.ap_id.clone());
                entry.set_title(Text::plain(format!(
                    "{} on “{}”",
                    c.author_name, review.title
                )));
                entry.set_links(vec![link(
                    format!("{page}#comment-{}", c.id),
                    "alternate",
                    Some("text/html"),
                )]);
                entry.set_published(Some(fixed(c.published_at)));
                entry.set_updated(fixed(c.edited_at.unwrap_or(c.published_at)));
                let mut author = person(&c.author_name);
                author.set_uri(c.author_url.clone());
                entry.set_authors(vec![author]);
                let mut content = Content::default();
                content.set_content_type(Some("html".to_string()));
                content.set_value(Some(c.content_html.clone()));
                entry.set_content(Some(content));
                entry
            })
            .collect::<Vec<_>>(),
    );
    Ok(feed.to_string())
}
