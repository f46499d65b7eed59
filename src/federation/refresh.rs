//! Thread refresh: recovering replies that never reached us (replies to replies that did not
//! mention the blog) by crawling the `replies` and `context` collections of a review's remote
//! comments, and noticing replies deleted on servers that tell only their followers. Bounded
//! in fetches per crawl and per host and hour. It runs by itself ([`crawl_due`]): soon after
//! a review is published or a reply to a comment arrives, then often in a thread's first
//! days and rarely later ([`next_crawl`]); and when the critic asks.

use activitypub_federation::config::Data;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::protocol::{Collection, CollectionPage, HttpUrl, IdOrObject, Note};
use super::replies::store;
use super::Context;
use super::FederationError;
use crate::changes::{self, Change};
use crate::db::{comments, crawls, reviews};
use crate::domain::CommentOrigin;

/// The most pages of one `replies` collection read (its `first` and three `next`).
const MAX_PAGES: usize = 4;

/// How many fetches one automatic crawl of a thread may make.
const CRAWL_BUDGET: usize = 60;
/// How many threads one tick crawls.
const CRAWLS_PER_TICK: i64 = 2;

/// Whether another fetch from `url`'s server fits in its hourly allowance.
fn allowed(data: &Context, url: &str) -> bool {
    let host = crate::domain::authority(url);
    let ok = data.federation.crawl_limits.check_key(&host).is_ok();
    if !ok {
        tracing::info!(%host, "crawl allowance for this host used up for now");
    }
    ok
}

/// Signed GET of an ActivityPub document, parsed into `T`, within its host's allowance.
async fn fetch<T: DeserializeOwned>(
    data: &Data<Context>,
    url: &HttpUrl,
) -> Result<T, FederationError> {
    if !allowed(data, url.as_str()) {
        return Err(FederationError::Refused(
            "the crawl allowance for this host is used up".into(),
        ));
    }
    Ok(
        activitypub_federation::fetch::fetch_object_http::<Context, T>(url.url(), data)
            .await?
            .object,
    )
}

/// The replies a post's `replies` collection lists, following `first` and its `next` pages
/// (at most [`MAX_PAGES`]).
async fn listed_replies(data: &Data<Context>, replies: &IdOrObject<Collection>) -> Vec<HttpUrl> {
    let collection = match replies {
        IdOrObject::Object(collection) => collection.clone(),
        IdOrObject::Id(url) => match fetch::<Collection>(data, url).await {
            Ok(collection) => collection,
            Err(_) => return Vec::new(),
        },
    };
    let mut items: Vec<HttpUrl> = collection.item_ids().cloned().collect();
    let mut page = collection.first;
    for _ in 0..MAX_PAGES {
        let Some(current) = page.take() else { break };
        let current = match current {
            IdOrObject::Object(page) => page,
            IdOrObject::Id(url) => match fetch::<CollectionPage>(data, &url).await {
                Ok(page) => page,
                Err(_) => break,
            },
        };
        items.extend(current.item_ids().cloned());
        page = current.next.map(IdOrObject::Id);
    }
    items
}

/// What a thread refresh did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub found: usize,
    pub removed: usize,
}

/// Recovers replies that never reached us (replies to replies that did not mention the blog)
/// by crawling the `replies` collections of the review's remote comments, breadth first, at
/// most `budget` fetches. Returns how many new comments were stored.
#[tracing::instrument(skip_all, fields(review_id, budget))]
pub async fn refresh_thread(
    data: &Data<Context>,
    review_id: Uuid,
    mut budget: usize,
) -> Result<Refreshed, FederationError> {
    // Replies deleted on servers that tell only their followers (snac does) are noticed here.
    let mut removed = 0;
    let mut queue = std::collections::VecDeque::new();
    for comment in comments::thread(&data.pool, review_id).await? {
        if comment.origin != CommentOrigin::Remote || comment.deleted_at.is_some() || budget == 0 {
            continue;
        }
        budget -= 1;
        if allowed(data, &comment.ap_id) && super::remote::is_gone(data, &comment.ap_id).await {
            let mut tx = data.pool.begin().await?;
            comments::mark_deleted(&mut *tx, comment.id, chrono::Utc::now()).await?;
            changes::announce(&mut *tx, &[Change::Review(review_id)]).await?;
            tx.commit().await?;
            removed += 1;
        } else {
            queue.push_back(comment.ap_id);
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut seen_contexts = std::collections::HashSet::new();
    let mut found = 0;
    while let Some(id) = queue.pop_front() {
        if budget == 0 {
            break;
        }
        if !seen.insert(id.clone()) {
            continue;
        }
        budget -= 1;
        let Ok(id) = HttpUrl::parse(&id) else {
            continue;
        };
        let Ok(note) = fetch::<Note>(data, &id).await else {
            continue;
        };
        let mut listed = match &note.replies {
            Some(replies) => listed_replies(data, replies).await,
            None => Vec::new(),
        };
        // The thread's own collection (FEP-7888), when the post's server serves one: once.
        if let Some(context) = note
            .context
            .as_deref()
            .and_then(|c| HttpUrl::parse(c).ok())
            .filter(|c| c.same_server(note.id.url()))
        {
            if seen_contexts.insert(context.to_string()) {
                budget = budget.saturating_sub(1);
                listed.extend(listed_replies(data, &IdOrObject::Id(context)).await);
            }
        }
        for reply_id in listed {
            if seen.contains(reply_id.as_str())
                || comments::get_by_ap_id(&data.pool, reply_id.as_str())
                    .await?
                    .is_some()
            {
                queue.push_back(reply_id.to_string());
                continue;
            }
            // Fetched from its own server, never taken from the listing (another server could
            // embed anything under anyone's name).
            let reply = fetch::<Note>(data, &reply_id).await.ok();
            budget = budget.saturating_sub(1);
            let Some(reply) = reply else { continue };
            if reply
                .author()
                .is_none_or(|a| !a.same_server(reply.id.url()))
            {
                continue;
            }
            if let Ok(Some(stored)) = store(data, &reply, 0).await {
                found += 1;
                queue.push_back(stored.ap_id);
            }
        }
    }
    tracing::info!(review = %review_id, found, removed, "thread refreshed");
    Ok(Refreshed { found, removed })
}

/// When a thread is crawled next, after a crawl at `now` of a review published at
/// `published`: hourly on its first day, every six hours in its first week, daily in its
/// first month, then never (the critic can still ask).
pub fn next_crawl(published: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let age = now - published;
    let every = if age < chrono::Duration::days(1) {
        chrono::Duration::hours(1)
    } else if age < chrono::Duration::days(7) {
        chrono::Duration::hours(6)
    } else if age < chrono::Duration::days(30) {
        chrono::Duration::days(1)
    } else {
        return None;
    };
    Some(now + every)
}

/// Crawls the threads that are due (a few per call), and says when each is due next.
/// Returns how many replies were found.
#[tracing::instrument(skip_all)]
pub async fn crawl_due(data: &Data<Context>) -> Result<usize, FederationError> {
    let now = Utc::now();
    let lease = now + chrono::Duration::minutes(10);
    let mut found = 0;
    for review_id in crawls::claim_due(&data.pool, CRAWLS_PER_TICK, lease).await? {
        let review = reviews::get(&data.pool, review_id)
            .await?
            .filter(|r| r.review.is_public());
        let Some(review) = review else {
            crawls::ran(&data.pool, review_id, 0, None).await?;
            continue;
        };
        let done = refresh_thread(data, review_id, CRAWL_BUDGET).await?;
        found += done.found;
        let next = next_crawl(review.review.date(), Utc::now());
        crawls::ran(&data.pool, review_id, done.found, next).await?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests;
