//! HTML page handlers.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::posters::Posters;
use super::views::{Card, Layout, ReviewDetails};
use super::{error_page, html_headers};
use crate::changes::{cacheable, Change};
use crate::content;
use crate::db::comments;
use crate::db::reviews::{self, Listing};
use crate::error::AppError;
use crate::publishing::{self, Located};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "list.html", config = "config/askama.toml")]
pub struct ListPage {
    pub layout: Layout,
    pub heading: String,
    pub cards: Vec<Card>,
    pub page: i64,
    pub pages: i64,
    pub newer_url: Option<String>,
    pub older_url: Option<String>,
}

#[derive(Template)]
#[template(path = "review.html", config = "config/askama.toml")]
pub struct ReviewPage {
    pub layout: Layout,
    pub r: ReviewDetails,
}

#[derive(Template)]
#[template(path = "about.html", config = "config/askama.toml")]
pub struct AboutPage {
    pub layout: Layout,
    pub about_html: String,
    pub author: String,
}

#[derive(Template)]
#[template(path = "error.html", config = "config/askama.toml")]
pub struct ErrorPage {
    pub layout: Layout,
    pub heading: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "terms.html", config = "config/askama.toml")]
pub struct TermsPage {
    pub layout: Layout,
    pub heading: String,
    pub tags: bool,
    pub terms: Vec<TermEntry>,
    pub other_url: String,
}

pub struct TermEntry {
    pub name: String,
    pub url: String,
    pub count: i64,
}

/// The most terms an index page lists.
const MAX_TERMS: i64 = 1000;

/// `/categories` and `/tags`: every category or tag of a published review, most used first.
pub async fn terms(state: &AppState, which: reviews::Terms) -> Response {
    page(state, terms_page(state, which)).await
}

async fn terms_page(state: &AppState, which: reviews::Terms) -> Result<Response, AppError> {
    let urls = &state.urls;
    let tags = which == reviews::Terms::Tags;
    let (title, canonical, other_url) = if tags {
        ("Tags", urls.join("/tags"), urls.join("/categories"))
    } else {
        ("Categories", urls.join("/categories"), urls.join("/tags"))
    };
    let found = reviews::public_terms(&state.pool, which, MAX_TERMS).await?;
    let terms = found
        .into_iter()
        .map(|(term, count)| TermEntry {
            name: if tags {
                format!("#{}", term.name)
            } else {
                term.name.clone()
            },
            url: if tags {
                urls.tag(&term.key)
            } else {
                urls.category(&term.key)
            },
            count,
        })
        .collect();
    let layout = frame(state, title, &canonical).await?;
    render(
        &TermsPage {
            layout,
            heading: title.to_string(),
            tags,
            terms,
            other_url,
        },
        &[Change::Listings],
    )
}

#[derive(Debug, Deserialize)]
pub struct PageParams {
    page: Option<String>,
}

/// A rendered public page: the same for every reader until what it shows (`depends`) changes.
fn render(template: &impl Template, depends: &[Change]) -> Result<Response, AppError> {
    let html = template
        .render()
        .map_err(|e| AppError::internal("rendering a template", e))?;
    Ok(cacheable((html_headers(), html).into_response(), depends))
}

/// What every page shows around its content: the site's layout, the categories in its menu,
/// and where the blog went if it moved.
async fn frame(state: &AppState, title: &str, canonical: &str) -> Result<Layout, AppError> {
    let categories = reviews::public_categories(&state.pool).await?;
    let moved = crate::db::moves::current(&state.pool).await?;
    Ok(Layout::plain(state, title, canonical)
        .with_categories(&categories, &state.urls)
        .with_move(moved.as_ref()))
}

/// Runs a page handler and renders its error, if any, as an HTML page.
async fn page<F>(state: &AppState, handler: F) -> Response
where
    F: std::future::Future<Output = Result<Response, AppError>>,
{
    match handler.await {
        Ok(response) => response,
        Err(error) => error_page(state, error),
    }
}

pub async fn index(State(state): State<AppState>, Query(params): Query<PageParams>) -> Response {
    page(&state, listing(&state, Listing::All, params)).await
}

pub async fn category(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(params): Query<PageParams>,
) -> Response {
    page(&state, listing(&state, Listing::Category(&key), params)).await
}

pub async fn tag(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(params): Query<PageParams>,
) -> Response {
    page(&state, listing(&state, Listing::Tag(&key), params)).await
}

/// The index, a category or a tag: newest first, `page_size` a page.
async fn listing(
    state: &AppState,
    listing: Listing<'_>,
    params: PageParams,
) -> Result<Response, AppError> {
    let page: i64 = match params.page.as_deref() {
        None => 1,
        Some(raw) => raw
            .parse()
            .ok()
            .filter(|p| (1..=1_000_000).contains(p))
            .ok_or(AppError::NotFound)?,
    };
    let size = i64::from(state.settings.site.page_size);
    let (rows, total) = reviews::list_public(&state.pool, listing, size, (page - 1) * size).await?;
    let pages = ((total + size - 1) / size).max(1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let urls = &state.urls;
    let term_name = || listing.term_name(&rows).ok_or(AppError::NotFound);
    let (base, title, heading, feed) = match listing {
        Listing::All => (urls.home(), String::new(), String::new(), None),
        Listing::Category(key) => {
            let name = term_name()?;
            (
                urls.category(key),
                name.clone(),
                format!("Reviews filed under {name}"),
                Some((format!("{name} reviews"), urls.category_feed(key))),
            )
        }
        Listing::Tag(key) => {
            let name = term_name()?;
            (
                urls.tag(key),
                format!("#{name}"),
                format!("Reviews tagged #{name}"),
                Some((format!("#{name} reviews"), urls.tag_feed(key))),
            )
        }
    };
    let page_url = |p: i64| {
        if p == 1 {
            base.clone()
        } else {
            format!("{base}?page={p}")
        }
    };
    let canonical = page_url(page);
    let posters = Posters::of(&state.pool, urls, rows.iter().map(|r| &r.review)).await?;
    let mut layout = frame(state, &title, &canonical).await?;
    if matches!(listing, Listing::All) {
        layout.actor_url = Some(urls.actor());
        layout.site_heading = true;
    }
    if let Some((title, url)) = feed {
        layout.feeds.push(super::views::FeedLink { title, url });
    }
    render(
        &ListPage {
            layout,
            heading,
            cards: rows
                .iter()
                .map(|r| Card::new(r, urls, posters.image(&r.review, urls)))
                .collect(),
            page,
            pages,
            newer_url: (page > 1).then(|| page_url(page - 1)),
            older_url: (page < pages).then(|| page_url(page + 1)),
        },
        &[Change::Listings],
    )
}

/// A review's page. Old slugs redirect permanently to the current one; the permanent id
/// redirects to the page; a deleted review is `410 Gone`.
pub async fn review(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    if crate::federation::negotiation::wants_activity_json(&headers) {
        return crate::federation::objects::review_object(&state.context(), &slug, None)
            .await
            .unwrap_or_else(IntoResponse::into_response);
    }
    page(&state, review_page(&state, slug)).await
}

/// To a review's current page: for good from a former slug, for now from its id (which
/// stays its permanent address).
fn redirect_to(urls: &crate::urls::Urls, asked: &str, current_slug: &str) -> Response {
    let target = urls.join(&format!("/reviews/{current_slug}"));
    let mut response = if crate::domain::parse_id(asked).is_some() {
        Redirect::to(&target).into_response()
    } else {
        Redirect::permanent(&target).into_response()
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

async fn review_page(state: &AppState, slug: String) -> Result<Response, AppError> {
    let urls = &state.urls;
    let stored = match publishing::locate(&state.pool, &slug).await? {
        Located::Public(stored) if stored.review.slug.as_str() == slug => stored,
        Located::Public(stored) => {
            return Ok(redirect_to(urls, &slug, stored.review.slug.as_str()))
        }
        Located::Moved(current) => return Ok(redirect_to(urls, &slug, &current)),
        Located::Deleted(_) => return Err(AppError::Gone),
        Located::Missing => return Err(AppError::NotFound),
    };
    let r = &stored.review;
    let thread = crate::comments::thread_for_page(comments::thread(&state.pool, r.id).await?);
    let engagement = comments::engagement(&state.pool, r.id).await?;
    let page = review_template(state, &stored, &thread, engagement).await?;
    // The same URL answers ActivityPub JSON to servers: caches must key on Accept.
    // Its thread and reactions, and the categories beside it.
    let depends = [Change::Review(r.id), Change::Listings];
    let mut response = render(&page, &depends)?;
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// A review's page as readers see it (its thread and counts as given).
async fn review_template(
    state: &AppState,
    stored: &crate::db::reviews::StoredReview,
    thread: &[crate::comments::Shown],
    engagement: comments::Engagement,
) -> Result<ReviewPage, AppError> {
    let urls = &state.urls;
    let r = &stored.review;
    let poster = Posters::of(&state.pool, urls, [r]).await?.image(r, urls);
    let details = ReviewDetails::new(r, urls, thread, engagement, poster.clone());
    let mut layout = frame(state, &r.title, &details.url).await?;
    layout.description = content::truncate(&stored.summary_text, 300);
    layout.og_type = "article";
    layout.lang = r.language.to_string();
    layout.image = poster;
    layout.feeds.push(super::views::FeedLink {
        title: format!("Comments on “{}”", r.title),
        url: urls.comments_feed(&r.slug),
    });
    for c in &r.categories {
        layout.feeds.push(super::views::FeedLink {
            title: format!("{} reviews", c.name),
            url: urls.category_feed(&c.key),
        });
    }
    Ok(ReviewPage { layout, r: details })
}

/// A review not (yet) public, as its page will look: the desk's preview, and the private
/// preview link of a draft or a scheduled review. Never cached; search engines stay away.
pub async fn preview_html(
    state: &AppState,
    stored: &crate::db::reviews::StoredReview,
) -> Result<String, AppError> {
    let engagement = comments::Engagement {
        replies: 0,
        likes: 0,
        shares: 0,
    };
    let mut page = review_template(state, stored, &[], engagement).await?;
    page.layout.title = format!("Preview: {}", page.layout.title);
    page.layout.robots_noindex = true;
    page.render()
        .map_err(|e| AppError::internal("rendering a preview", e))
}

/// `/preview/{token}`: a draft or scheduled review for whoever has its private link; a
/// published one's link leads to its page. Never cached, never indexed.
pub async fn private_preview(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    page(&state, async {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::NotFound);
        }
        let id = crate::db::previews::review_of(&state.pool, &token)
            .await?
            .ok_or(AppError::NotFound)?;
        let stored = reviews::get(&state.pool, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if stored.review.is_public() {
            return Ok(Redirect::to(&state.urls.review(&stored.review.slug)).into_response());
        }
        let html = preview_html(&state, &stored).await?;
        Ok((
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (
                    header::HeaderName::from_static("x-robots-tag"),
                    HeaderValue::from_static("noindex"),
                ),
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
            ],
            html,
        )
            .into_response())
    })
    .await
}

pub async fn about(State(state): State<AppState>) -> Response {
    page(&state, async {
        render(
            &AboutPage {
                layout: Layout {
                    actor_url: Some(state.urls.actor()),
                    ..frame(&state, "About", &state.urls.about()).await?
                },
                about_html: content::markdown_to_html(&state.settings.site.about),
                author: state.settings.site.author.clone(),
            },
            &[Change::Listings],
        )
    })
    .await
}
