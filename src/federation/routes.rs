//! The ActivityPub endpoints: the router (and which routes secure mode signs), the actors,
//! the blog's collections, the inboxes; the objects are served by [`super::objects`].

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tower_http::limit::RequestBodyLimitLayer;

use super::documents::{self, ActivityKind, Object, PAGE_SIZE};
use super::negotiation::{activity_json, wants_activity_json};
use super::Context;
use super::{discovery, inbox, objects, outbox, FederationError};
use crate::changes::{cacheable, Change};
use crate::db::reviews;
use crate::db::{deliveries, federation as db};
use crate::domain::FollowerStatus;

/// Mastodon accepts inbox bodies up to 1 MiB.
pub const INBOX_BODY_LIMIT: usize = 1024 * 1024;

const AVATAR: &[u8] = include_bytes!("avatar.png");

/// The routes of ActivityPub objects and collections, named once: the router serves them and
/// secure mode ([`super::secure_fetch`]) decides by them which GETs need a signature.
pub mod paths {
    pub const OUTBOX: &str = "/users/{handle}/outbox";
    pub const FOLLOWERS: &str = "/users/{handle}/followers";
    pub const FOLLOWING: &str = "/users/{handle}/following";
    /// Always signed, by its own handler (FEP-8fcf).
    pub const FOLLOWERS_SYNC: &str = "/users/{handle}/followers_synchronization";
    pub const FEATURED: &str = "/users/{handle}/featured";
    pub const REPLIES: &str = "/reviews/{id}/replies";
    pub const LIKES: &str = "/reviews/{id}/likes";
    pub const SHARES: &str = "/reviews/{id}/shares";
    pub const CONTEXT: &str = "/reviews/{id}/context";
    pub const ACTIVITY: &str = "/activities/{id}";
    pub const COMMENT: &str = "/comments/{id}";
    pub const COMMENT_REPLIES: &str = "/comments/{id}/replies";
    /// A quote's stamp (FEP-044f `QuoteAuthorization`).
    pub const QUOTE: &str = "/quotes/{id}";
    /// A reply's authorization (GoToSocial's `ReplyAuthorization`).
    pub const REPLY_AUTHORIZATION: &str = "/reply-authorizations/{id}";
    /// Served by the web router: the review's page, or its `Article` to ActivityPub clients.
    pub const REVIEW: &str = "/reviews/{slug}";
    /// A review's id after it came back to the fediverse (`v1`, `v2`, …).
    pub const REVIEW_REVISION: &str = "/reviews/{id}/{revision}";
}

/// How a route's GETs are treated in secure mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedFetch {
    /// Public whatever is asked (pages, feeds, actors and keys, discovery, the admin API,
    /// which has its own token).
    Never,
    /// Only ActivityPub JSON: a signature is needed.
    Always,
    /// An HTML page and an ActivityPub object at one address: a signature is needed when the
    /// client asks for ActivityPub JSON.
    ForActivityJson,
}

/// What secure mode asks of a GET of the route `route` (a pattern of [`paths`]; `None` when
/// no route matched).
pub fn signed_fetch(route: Option<&str>) -> SignedFetch {
    use paths::*;
    match route {
        Some(
            OUTBOX | FOLLOWERS | FOLLOWING | FEATURED | REPLIES | LIKES | SHARES | CONTEXT
            | ACTIVITY | COMMENT_REPLIES | QUOTE | REPLY_AUTHORIZATION,
        ) => SignedFetch::Always,
        Some(COMMENT | REVIEW | REVIEW_REVISION) => SignedFetch::ForActivityJson,
        _ => SignedFetch::Never,
    }
}

pub fn router() -> Router<Context> {
    let inboxes = Router::new()
        .route("/inbox", post(inbox::shared))
        .route("/users/{handle}/inbox", post(inbox::personal))
        .route("/actor/inbox", post(inbox::shared))
        .layer(RequestBodyLimitLayer::new(INBOX_BODY_LIMIT));
    Router::new()
        .route("/.well-known/webfinger", get(discovery::webfinger))
        .route("/.well-known/host-meta", get(discovery::host_meta))
        .route("/.well-known/nodeinfo", get(discovery::nodeinfo_links))
        .route("/nodeinfo/{version}", get(discovery::nodeinfo))
        .route("/users/{handle}", get(actor))
        .route(paths::OUTBOX, get(outbox))
        .route(paths::FOLLOWERS, get(followers))
        .route(paths::FOLLOWING, get(following))
        .route(
            paths::FOLLOWERS_SYNC,
            get(super::follower_sync::partial_followers),
        )
        .route(paths::FEATURED, get(featured))
        .route("/actor", get(instance_actor))
        .route(paths::REPLIES, get(objects::replies))
        .route(paths::LIKES, get(objects::likes))
        .route(paths::SHARES, get(objects::shares))
        .route(paths::CONTEXT, get(objects::context))
        .route(paths::REVIEW_REVISION, get(objects::review_revision))
        .route(paths::ACTIVITY, get(objects::activity))
        .route(paths::COMMENT, get(objects::comment))
        .route(paths::COMMENT_REPLIES, get(objects::comment_replies))
        .route(paths::QUOTE, get(objects::quote_stamp))
        .route(
            paths::REPLY_AUTHORIZATION,
            get(objects::reply_authorization),
        )
        .route("/avatar.png", get(avatar))
        .route("/favicon.ico", get(avatar))
        .route("/authorize_interaction", get(authorize_interaction))
        .merge(inboxes)
}

fn check_handle(state: &Context, handle: &str) -> Result<(), FederationError> {
    if handle == state.urls.handle().as_str() {
        Ok(())
    } else {
        Err(FederationError::NotFound)
    }
}

/// The blog actor as JSON; a browser is sent to the blog's home page.
async fn actor(
    State(state): State<Context>,
    Path(handle): Path<String>,
    headers: HeaderMap,
) -> Result<Response, FederationError> {
    check_handle(&state, &handle)?;
    if !wants_activity_json(&headers) {
        return Ok(Redirect::to(&state.urls.home()).into_response());
    }
    let moved = crate::db::moves::current(&state.pool).await?;
    Ok(cacheable_on(
        &[Change::Listings, Change::Followers],
        activity_json(&documents::blog_actor(
            &state.settings,
            &state.urls,
            &state.federation.blog.keys,
            moved.as_ref().map(|m| m.target.as_str()),
        )),
    ))
}

async fn instance_actor(State(state): State<Context>) -> Response {
    cacheable_on(
        &[Change::Site],
        activity_json(&documents::instance_actor(
            &state.urls,
            &state.federation.instance.keys,
        )),
    )
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

impl PageQuery {
    /// `None` for the collection itself, `Some(n)` for page n (`page=true` is page 1).
    pub(super) fn page(&self) -> Result<Option<i64>, FederationError> {
        match self.page.as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(1)),
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|p| (1..=100_000).contains(p))
                .map(Some)
                .ok_or(FederationError::NotFound),
        }
    }
}

/// The public `Create`s, newest first, each carrying the review as it is now.
async fn outbox(
    State(state): State<Context>,
    Path(handle): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, FederationError> {
    check_handle(&state, &handle)?;
    let id = state.urls.outbox();
    let Some(page) = q.page()? else {
        let (_, total) = deliveries::outbox_page(&state.pool, 0, 0).await?;
        return Ok(cacheable_on(
            &[Change::Listings],
            activity_json(&documents::collection(&id, total, true)),
        ));
    };
    let (rows, total) =
        deliveries::outbox_page(&state.pool, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let mut items = Vec::with_capacity(rows.len());
    for (activity_id, review_id, sent_at) in rows {
        if let Some(stored) = reviews::get(&state.pool, review_id).await? {
            let mut conn = state.pool.acquire().await?;
            let article = outbox::article_document(
                &mut conn,
                &state.urls,
                &stored.review,
                outbox::ArticleDefaults::of(&state.settings),
            )
            .await?;
            let create = documents::review_activity(
                ActivityKind::Create,
                &activity_id,
                &state.urls,
                Object::Article(Box::new(article)),
                sent_at,
            );
            items.push(create.embedded());
        }
    }
    Ok(cacheable_on(
        &[Change::Listings],
        activity_json(&documents::collection_page(&id, page, total, items)),
    ))
}

/// Followers: the count is public; the list unless `show_followers` is off.
async fn followers(
    State(state): State<Context>,
    Path(handle): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, FederationError> {
    check_handle(&state, &handle)?;
    let id = state.urls.followers();
    let show = state.settings.federation.show_followers;
    let page = q.page()?;
    let (rows, total) = match (show, page) {
        (true, Some(page)) => {
            db::list_followers(
                &state.pool,
                Some(FollowerStatus::Accepted),
                PAGE_SIZE,
                (page - 1) * PAGE_SIZE,
            )
            .await?
        }
        _ => (
            Vec::new(),
            db::list_followers(&state.pool, Some(FollowerStatus::Accepted), 0, 0)
                .await?
                .1,
        ),
    };
    let response = match (show, page) {
        (true, Some(page)) => {
            let items: Vec<String> = rows.into_iter().map(|f| f.actor_id).collect();
            activity_json(&documents::collection_page(&id, page, total, items))
        }
        _ => activity_json(&documents::collection(&id, total, show)),
    };
    Ok(cacheable_on(&[Change::Followers], response))
}

async fn following(
    State(state): State<Context>,
    Path(handle): Path<String>,
) -> Result<Response, FederationError> {
    check_handle(&state, &handle)?;
    Ok(activity_json(&documents::collection(
        &state.urls.following(),
        0,
        false,
    )))
}

/// Pinned reviews, embedded (Mastodon shows them on the profile).
async fn featured(
    State(state): State<Context>,
    Path(handle): Path<String>,
) -> Result<Response, FederationError> {
    check_handle(&state, &handle)?;
    let mut items = Vec::new();
    for id in db::featured(&state.pool).await? {
        if let Some(stored) = reviews::get(&state.pool, id).await? {
            let mut conn = state.pool.acquire().await?;
            items.push(
                outbox::article_document(
                    &mut conn,
                    &state.urls,
                    &stored.review,
                    outbox::ArticleDefaults::of(&state.settings),
                )
                .await?,
            );
        }
    }
    let collection = documents::inline_collection(&state.urls.featured(), items);
    Ok(cacheable_on(
        &[Change::Listings],
        activity_json(&collection),
    ))
}

async fn avatar(State(state): State<Context>) -> Response {
    if let Some(url) = &state.settings.site.avatar_url {
        return Redirect::to(url.as_str()).into_response();
    }
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        AVATAR,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct InteractionQuery {
    uri: Option<String>,
}

/// The subscribe template's target: our own objects open here, anything else on the home page.
async fn authorize_interaction(
    State(state): State<Context>,
    Query(q): Query<InteractionQuery>,
) -> Response {
    let uri = q.uri.unwrap_or_default();
    let ours = url::Url::parse(uri.trim_start_matches("acct:"))
        .ok()
        .filter(|u| {
            u.as_str()
                .starts_with(&format!("{}/reviews/", state.urls.base()))
        });
    if let Some(ours) = ours {
        return Redirect::to(ours.as_str()).into_response();
    }
    Redirect::to(&state.urls.home()).into_response()
}

/// `response`, kept until `depends` changes.
pub(super) fn cacheable_on(depends: &[Change], response: Response) -> Response {
    cacheable(response, depends)
}
