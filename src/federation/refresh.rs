//! Thread refresh: recovering replies that never reached us (replies to replies that did not
//! mention the blog) by crawling the `replies` collections of a review's remote comments, and
//! noticing replies deleted on servers that tell only their followers. Bounded in fetches.

use activitypub_federation::config::Data;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::protocol::{Collection, CollectionPage, HttpUrl, IdOrObject, Note};
use super::replies::store;
use super::Context;
use super::FederationError;
use crate::changes::{self, Change};
use crate::db::comments;
use crate::domain::CommentOrigin;

/// The most pages of one `replies` collection read (its `first` and three `next`).
const MAX_PAGES: usize = 4;

/// Signed GET of an ActivityPub document, parsed into `T`.
async fn fetch<T: DeserializeOwned>(
    data: &Data<Context>,
    url: &HttpUrl,
) -> Result<T, FederationError> {
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
        if super::remote::is_gone(data, &comment.ap_id).await {
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
        let Some(replies) = &note.replies else {
            continue;
        };
        for reply_id in listed_replies(data, replies).await {
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
