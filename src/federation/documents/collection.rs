//! Collections we serve: the outbox, followers, following, featured, a post's replies (each an
//! `OrderedCollection`, its items on pages `?page=N`), and the count-only likes and shares.

use serde::Serialize;

use super::{context, AS_CONTEXT};

/// How many items a page holds.
pub const PAGE_SIZE: i64 = 20;

/// The number of the last page of `total` items (1 when there are none).
pub fn last_page(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

fn page_url(id: &str, page: i64) -> String {
    format!("{id}?page={page}")
}

/// An `OrderedCollection`, with its items on pages or (`featured`) inline.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollection<I> {
    #[serde(rename = "@context")]
    pub context: serde_json::Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub total_items: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordered_items: Option<Vec<I>>,
}

/// A collection of `total` items; with `paged`, it names its first and last pages.
pub fn collection(id: &str, total: i64, paged: bool) -> OrderedCollection<String> {
    let paged = paged && total > 0;
    OrderedCollection {
        context: AS_CONTEXT.into(),
        id: id.to_string(),
        kind: "OrderedCollection",
        total_items: total,
        first: paged.then(|| page_url(id, 1)),
        last: paged.then(|| page_url(id, last_page(total))),
        ordered_items: None,
    }
}

/// A collection with its items inline (the featured reviews).
pub fn inline_collection<I>(id: &str, items: Vec<I>) -> OrderedCollection<I> {
    OrderedCollection {
        context: context(),
        id: id.to_string(),
        kind: "OrderedCollection",
        total_items: i64::try_from(items.len()).unwrap_or(i64::MAX),
        first: None,
        last: None,
        ordered_items: Some(items),
    }
}

/// One page of an `OrderedCollection`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollectionPage<I> {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    pub context: Option<serde_json::Value>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub part_of: String,
    pub total_items: i64,
    pub ordered_items: Vec<I>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Page `page` of collection `id`, holding `items` of `total`.
pub fn collection_page<I>(
    id: &str,
    page: i64,
    total: i64,
    items: Vec<I>,
) -> OrderedCollectionPage<I> {
    OrderedCollectionPage {
        context: Some(context()),
        id: page_url(id, page),
        kind: "OrderedCollectionPage",
        part_of: id.to_string(),
        total_items: total,
        ordered_items: items,
        prev: (page > 1).then(|| page_url(id, page - 1)),
        next: (page < last_page(total)).then(|| page_url(id, page + 1)),
    }
}

/// A post's `replies`, or a thread's `context` (FEP-7888): an `OrderedCollection` with its
/// first page embedded, as Mastodon wants it (it fetches the collection again on every
/// `Create` when the page is not there). Embedded in a post without `@context`; served on
/// its own with it ([`PagedCollection::served`]).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PagedCollection {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    pub context: Option<serde_json::Value>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub total_items: i64,
    pub first: OrderedCollectionPage<String>,
}

/// The first page of what a collection holds: at most [`PAGE_SIZE`] ids, and how many in all.
#[derive(Debug, Clone, Default)]
pub struct FirstPage {
    pub ids: Vec<String>,
    pub total: i64,
}

/// Collection `id` with its first page embedded.
pub fn paged_collection(id: &str, first: FirstPage) -> PagedCollection {
    let FirstPage { ids, total } = first;
    PagedCollection {
        context: None,
        id: id.to_string(),
        kind: "OrderedCollection",
        total_items: total,
        first: OrderedCollectionPage {
            context: None,
            ..collection_page(id, 1, total, ids)
        },
    }
}

impl PagedCollection {
    /// The collection served on its own.
    pub fn served(self) -> Self {
        Self {
            context: Some(context()),
            ..self
        }
    }
}

/// A collection of which only the size is told (a review's likes and shares), or a reference
/// to one embedded in a post (its `replies`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountedCollection {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    pub context: Option<&'static str>,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_items: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
}

/// A count-only `Collection`, served on its own.
pub fn counted(id: String, total: i64) -> CountedCollection {
    CountedCollection {
        context: Some(AS_CONTEXT),
        id,
        kind: "Collection",
        total_items: Some(total),
        first: None,
    }
}
