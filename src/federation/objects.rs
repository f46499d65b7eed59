//! The posts we serve as ActivityPub objects: reviews (by id, by revision), our comments and
//! our activities, with the collections of their replies, likes and shares.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::documents::{self, Document, PAGE_SIZE};
use super::negotiation::{activity_json, activity_json_with_status, wants_activity_json};
use super::routes::{cacheable_on, PageQuery};
use super::Context;
use super::FederationError;
use crate::changes::Change;
use crate::db::reviews;
use crate::db::{comments, deliveries, federation, quotes, reply_authorizations};
use crate::domain::{CommentOrigin, QuoteState, ReplyAuthorizationState};
use crate::publishing::{self, Located};

/// A review's `Article` (by slug, or by id and revision), or a `Tombstone` with `410 Gone`:
/// for a deleted review, and for the ids a review had before it was withdrawn from the
/// fediverse and published again (see `Urls::review_ap_id`). `revision` is `None` for the
/// first id and for slugs (which serve the current `Article`).
pub async fn review_object(
    state: &Context,
    slug_or_id: &str,
    revision: Option<u32>,
) -> Result<Response, FederationError> {
    let by_id = crate::domain::parse_id(slug_or_id);
    let asked = revision.unwrap_or(0);
    let mut located = publishing::locate(&state.pool, slug_or_id).await?;
    if let Located::Moved(current) = located {
        // Its document at its current slug (which is current: no second move to follow).
        located = match publishing::locate(&state.pool, &current).await? {
            Located::Moved(_) => Located::Missing,
            other => other,
        };
    }
    let gone = |id: Uuid, at| {
        let tombstone = Document::new(documents::tombstone(
            &state.urls.review_ap_id(id, asked),
            at,
        ));
        Ok(activity_json_with_status(StatusCode::GONE, &tombstone))
    };
    match located {
        Located::Public(stored) => {
            let review = &stored.review;
            match by_id {
                // An id withdrawn before the current one.
                Some(_) if asked < review.ap_revision => {
                    gone(review.id, review.ap_retired_at.unwrap_or(review.updated_at))
                }
                Some(_) if asked > review.ap_revision => Err(FederationError::NotFound),
                None if revision.is_some() => Err(FederationError::NotFound),
                _ => {
                    let mut conn = state.pool.acquire().await?;
                    let article = super::outbox::article_document(
                        &mut conn,
                        &state.urls,
                        review,
                        super::outbox::ArticleDefaults::of(&state.settings),
                    )
                    .await?;
                    let document = Document::new(article);
                    Ok(cacheable_on(
                        &[Change::Review(review.id)],
                        activity_json(&document),
                    ))
                }
            }
        }
        Located::Deleted(Some((id, deleted_at))) => gone(id, deleted_at),
        Located::Deleted(None) => Err(FederationError::Gone),
        Located::Moved(_) | Located::Missing => {
            // Back to draft after it was on the fediverse: its ids there are gone.
            let withdrawn = match by_id {
                Some(id) => reviews::get(&state.pool, id)
                    .await?
                    .filter(|r| asked < r.review.ap_revision),
                None => None,
            };
            match withdrawn {
                Some(stored) => {
                    let review = stored.review;
                    gone(review.id, review.ap_retired_at.unwrap_or(review.updated_at))
                }
                None => Err(FederationError::NotFound),
            }
        }
    }
}

/// `/reviews/{id}/v{n}`: the review's id after it came back to the fediverse. A browser is
/// sent to the review's page.
pub(super) async fn review_revision(
    State(state): State<Context>,
    Path((id, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, FederationError> {
    let revision = version
        .strip_prefix('v')
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| *n > 0)
        .ok_or(FederationError::NotFound)?;
    if !wants_activity_json(&headers) {
        let id = crate::domain::parse_id(&id).ok_or(FederationError::NotFound)?;
        return Ok(Redirect::to(&state.urls.review_id(id)).into_response());
    }
    review_object(&state, &id, Some(revision)).await
}

/// The review's public review if it exists, else why not.
async fn public_review(state: &Context, id: &str) -> Result<Uuid, FederationError> {
    let id = crate::domain::parse_id(id).ok_or(FederationError::NotFound)?;
    match publishing::locate(&state.pool, &id.to_string()).await? {
        Located::Public(stored) if stored.review.id == id => Ok(id),
        Located::Deleted(_) => Err(FederationError::Gone),
        _ => Err(FederationError::NotFound),
    }
}

/// The approved public answers to a review, oldest first, by id.
pub(super) async fn replies(
    State(state): State<Context>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, FederationError> {
    let id = public_review(&state, &id).await?;
    replies_collection(&state, &state.urls.replies(id), id, None, q.page()?).await
}

/// A collection of reply ids, its first page embedded; `?page=N` pages of [`PAGE_SIZE`].
async fn replies_collection(
    state: &Context,
    collection_id: &str,
    review: Uuid,
    parent: Option<Uuid>,
    page: Option<i64>,
) -> Result<Response, FederationError> {
    let page_number = page.unwrap_or(1);
    let (ids, total) = comments::public_replies_page(
        &state.pool,
        review,
        parent,
        PAGE_SIZE,
        (page_number - 1) * PAGE_SIZE,
    )
    .await?;
    paged(collection_id, review, page, ids, total)
}

/// A collection's answer: the collection with its first page, or page `page`.
fn paged(
    collection_id: &str,
    review: Uuid,
    page: Option<i64>,
    ids: Vec<String>,
    total: i64,
) -> Result<Response, FederationError> {
    let response = match page {
        None => activity_json(
            &documents::paged_collection(collection_id, documents::FirstPage { ids, total })
                .served(),
        ),
        Some(n) if n > documents::last_page(total) => return Err(FederationError::NotFound),
        Some(n) => activity_json(&documents::collection_page(collection_id, n, total, ids)),
    };
    Ok(cacheable_on(&[Change::Review(review)], response))
}

/// `/reviews/{id}/context`: the whole public conversation (FEP-7888), the review first, then
/// every approved public comment at any depth, oldest first.
pub(super) async fn context(
    State(state): State<Context>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, FederationError> {
    let id = public_review(&state, &id).await?;
    let page = q.page()?;
    let page_number = page.unwrap_or(1);
    // The review takes the first place of page 1.
    let offset = ((page_number - 1) * PAGE_SIZE - 1).max(0);
    let limit = if page_number == 1 {
        PAGE_SIZE - 1
    } else {
        PAGE_SIZE
    };
    let (mut ids, comments_total) =
        comments::conversation_page(&state.pool, id, limit, offset).await?;
    if page_number == 1 {
        let revision = crate::db::federation::ap_revision(&state.pool, id).await?;
        ids.insert(0, state.urls.review_ap_id(id, revision));
    }
    paged(&state.urls.context(id), id, page, ids, comments_total + 1)
}

/// A count-only collection of a review's likes or boosts.
async fn reactions(state: &Context, id: &str, kind: &str) -> Result<Response, FederationError> {
    let id = public_review(state, id).await?;
    let engagement = comments::engagement(&state.pool, id).await?;
    let (collection, total) = match kind {
        "likes" => (state.urls.likes(id), engagement.likes),
        _ => (state.urls.shares(id), engagement.shares),
    };
    Ok(cacheable_on(
        &[Change::Review(id)],
        activity_json(&documents::counted(collection, total)),
    ))
}

pub(super) async fn likes(
    State(state): State<Context>,
    Path(id): Path<String>,
) -> Result<Response, FederationError> {
    reactions(&state, &id, "likes").await
}

pub(super) async fn shares(
    State(state): State<Context>,
    Path(id): Path<String>,
) -> Result<Response, FederationError> {
    reactions(&state, &id, "shares").await
}

/// One of our comments as a `Note`; a browser goes to its place in the thread.
pub(super) async fn comment(
    State(state): State<Context>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, FederationError> {
    let id = crate::domain::parse_id(&id).ok_or(FederationError::NotFound)?;
    let comment = comments::get(&state.pool, id)
        .await?
        .filter(|c| c.origin != CommentOrigin::Remote)
        .ok_or(FederationError::NotFound)?;
    let review = reviews::get(&state.pool, comment.review_id)
        .await?
        .filter(|r| r.review.is_public())
        .ok_or(FederationError::NotFound)?;
    if !wants_activity_json(&headers) {
        let target = format!(
            "{}#comment-{}",
            state.urls.review(&review.review.slug),
            comment.id
        );
        return Ok(Redirect::to(&target).into_response());
    }
    if let Some(deleted_at) = comment.deleted_at {
        return Ok(activity_json_with_status(
            StatusCode::GONE,
            &Document::new(documents::comment_tombstone(&comment.ap_id, deleted_at)),
        ));
    }
    if !comment.is_public() {
        return Err(FederationError::NotFound);
    }
    let mut conn = state.pool.acquire().await?;
    let (note, _) = super::outbox::comment_document(&mut conn, &state.urls, &comment).await?;
    Ok(cacheable_on(
        &[Change::Review(comment.review_id)],
        activity_json(&Document::new(note)),
    ))
}

pub(super) async fn comment_replies(
    State(state): State<Context>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, FederationError> {
    let id = crate::domain::parse_id(&id).ok_or(FederationError::NotFound)?;
    let comment = comments::get(&state.pool, id)
        .await?
        .filter(|c| c.is_public() && c.origin != CommentOrigin::Remote)
        .ok_or(FederationError::NotFound)?;
    replies_collection(
        &state,
        &format!("{}/replies", comment.ap_id),
        comment.review_id,
        Some(comment.id),
        q.page()?,
    )
    .await
}

/// A public activity we sent.
pub(super) async fn activity(
    State(state): State<Context>,
    Path(id): Path<String>,
) -> Result<Response, FederationError> {
    let id = crate::domain::parse_id(&id).ok_or(FederationError::NotFound)?;
    let body = deliveries::public_activity(&state.pool, id)
        .await?
        .ok_or(FederationError::NotFound)?;
    Ok(activity_json(&body))
}

/// A quote's stamp: the `QuoteAuthorization` while it stands, a `Tombstone` with `410 Gone`
/// once revoked; a refused quote has none.
pub(super) async fn quote_stamp(
    State(state): State<Context>,
    Path(id): Path<String>,
) -> Result<Response, FederationError> {
    let id = crate::domain::parse_id(&id).ok_or(FederationError::NotFound)?;
    let quote = quotes::get(&state.pool, id)
        .await?
        .ok_or(FederationError::NotFound)?;
    let stamp = state.urls.quote(quote.id);
    match quote.state {
        QuoteState::Accepted => {
            let revision = federation::ap_revision(&state.pool, quote.review_id).await?;
            let review = state.urls.review_ap_id(quote.review_id, revision);
            Ok(activity_json(&documents::quote_authorization(
                &state.urls,
                &stamp,
                &quote.quoting_post,
                &review,
            )))
        }
        QuoteState::Revoked => Ok(activity_json_with_status(
            StatusCode::GONE,
            &Document::new(documents::tombstone(
                &stamp,
                quote.revoked_at.unwrap_or(quote.created_at),
            )),
        )),
        QuoteState::Rejected => Err(FederationError::NotFound),
    }
}

/// A reply's authorization (GoToSocial's `ReplyAuthorization`); a refused request has none.
/// Closing the review to replies later does not withdraw it.
pub(super) async fn reply_authorization(
    State(state): State<Context>,
    Path(id): Path<String>,
) -> Result<Response, FederationError> {
    let id = crate::domain::parse_id(&id).ok_or(FederationError::NotFound)?;
    let row = reply_authorizations::get(&state.pool, id)
        .await?
        .filter(|r| r.state == ReplyAuthorizationState::Accepted)
        .ok_or(FederationError::NotFound)?;
    Ok(activity_json(&documents::reply_authorization(
        &state.urls,
        &state.urls.reply_authorization(row.id),
        &row.reply,
        &row.target,
    )))
}
