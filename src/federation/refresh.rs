//! Thread refresh: recovering replies that never reached us (replies to replies that did not
//! mention the blog) by crawling the `replies` collections of a review's remote comments, and
//! noticing replies deleted on servers that tell only their followers. Bounded in fetches.

use activitypub_federation::config::Data;
use serde_json::Value;
use url::Url;
use uuid::Uuid;

use super::notes::{first_id, store, NoteJson};
use super::Context;
use super::FederationError;
use crate::changes::{self, Change};
use crate::db::comments;
use crate::domain::CommentOrigin;

/// Signed GET of any ActivityPub document.
async fn fetch_json(data: &Data<Context>, url: &str) -> Result<Value, FederationError> {
    let url =
        Url::parse(url).map_err(|_| FederationError::Refused(format!("{url} is not a URL")))?;
    Ok(
        activitypub_federation::fetch::fetch_object_http::<Context, Value>(&url, data)
            .await?
            .object,
    )
}

/// The ids (or embedded objects) of a collection page's items.
fn page_items(page: &Value) -> Vec<Value> {
    ["orderedItems", "items"]
        .iter()
        .filter_map(|k| page.get(*k))
        .flat_map(|items| match items {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        })
        .collect()
}

/// The replies a note's `replies` collection lists, following `first` and up to three
/// `next` pages.
async fn listed_replies(data: &Data<Context>, replies: &Value) -> Vec<Value> {
    let mut collection = replies.clone();
    if let Some(url) = collection.as_str() {
        match fetch_json(data, url).await {
            Ok(doc) => collection = doc,
            Err(_) => return Vec::new(),
        }
    }
    let mut items = page_items(&collection);
    let mut page = collection.get("first").cloned();
    for _ in 0..4 {
        let Some(current) = page.take() else { break };
        let current = match current.as_str() {
            Some(url) => match fetch_json(data, url).await {
                Ok(doc) => doc,
                Err(_) => break,
            },
            None => current,
        };
        items.extend(page_items(&current));
        page = current.get("next").cloned();
    }
    items
}

/// Whether a remote object is gone: its server answers `404` or `410` to a signed GET.
async fn is_gone(data: &Data<Context>, url: &str) -> bool {
    let request = data
        .federation
        .fetcher
        .get(url)
        .header("accept", "application/activity+json, application/ld+json");
    match request.send().await {
        Ok(response) => matches!(response.status().as_u16(), 404 | 410),
        Err(_) => false,
    }
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
        if is_gone(data, &comment.ap_id).await {
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
        let Ok(note) = fetch_json(data, &id).await else {
            continue;
        };
        let replies = note.get("replies").cloned().unwrap_or(Value::Null);
        for item in listed_replies(data, &replies).await {
            let Some(reply_id) = first_id(&item) else {
                continue;
            };
            if seen.contains(&reply_id)
                || comments::get_by_ap_id(&data.pool, &reply_id)
                    .await?
                    .is_some()
            {
                queue.push_back(reply_id);
                continue;
            }
            // Fetched from its own server, never taken from the listing (another server could
            // embed anything under anyone's name).
            let reply: Option<NoteJson> = fetch_json(data, &reply_id)
                .await
                .ok()
                .and_then(|doc| serde_json::from_value(doc).ok());
            budget = budget.saturating_sub(1);
            let Some(reply) = reply else { continue };
            if reply
                .author()
                .and_then(|a| Url::parse(&a).ok())
                .is_none_or(|a| !crate::domain::same_server(&a, &reply.id))
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
