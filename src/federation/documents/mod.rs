//! The JSON documents we serve and send, as types: our actors, the review `Article`, our
//! comments' `Note`s, `Tombstone`s, collections and activities (DESIGN §3–4). What we receive
//! is typed in [`super::protocol`].

mod activity;
mod actor;
mod article;
mod collection;
mod discovery;
mod neodb;
mod note;
mod preview;
mod quote;

pub use activity::{follow_answer, move_to, review_activity, Activity, ActivityKind, Object};
pub use actor::{blog_actor, instance_actor, Actor};
pub use article::{article, Article};
pub use collection::{
    collection, collection_page, counted, inline_collection, last_page, paged_collection,
    CountedCollection, FirstPage, OrderedCollection, OrderedCollectionPage, PagedCollection,
    PAGE_SIZE,
};
pub use discovery::{blog_jrd, instance_jrd, nodeinfo, nodeinfo_links, Jrd, NodeInfo};
pub use note::{comment_note, comment_tombstone, tombstone, Mention, Note, Tombstone};
pub use preview::{Preview, SUMMARY_CHARS};
pub use quote::{
    interaction_answer, quote_approval, quote_authorization, reply_authorization, stamp_revocation,
    InteractionAnswer, InteractionAuthorization, InteractionRequestDoc,
};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::domain::Term;
use crate::urls::Urls;

/// The public collection (one home: the protocol types).
pub use super::protocol::values::PUBLIC;
pub const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
pub const SECURITY_CONTEXT: &str = "https://w3id.org/security/v1";
pub const SCHEMA: &str = "https://schema.org/";

/// ActivityStreams, the security vocabulary (strict JSON-LD peers drop `publicKey` without
/// it), and the extension terms we use, each mapped to a full IRI.
pub fn context() -> Value {
    json!([
        AS_CONTEXT,
        SECURITY_CONTEXT,
        {
            "toot": "http://joinmastodon.org/ns#",
            "schema": SCHEMA,
            "gts": "https://gotosocial.org/ns#",
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "featured": {"@id": "toot:featured", "@type": "@id"},
            "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
            "movedTo": {"@id": "as:movedTo", "@type": "@id"},
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "attributionDomains": {"@id": "toot:attributionDomains", "@type": "@id"},
            "webfinger": "https://purl.archive.org/socialweb/webfinger#webfinger",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "interactionPolicy": {"@id": "gts:interactionPolicy", "@type": "@id"},
            "canQuote": {"@id": "gts:canQuote", "@type": "@id"},
            "automaticApproval": {"@id": "gts:automaticApproval", "@type": "@id"},
            "interactingObject": {"@id": "gts:interactingObject", "@type": "@id"},
            "interactionTarget": {"@id": "gts:interactionTarget", "@type": "@id"},
            "QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest",
            "QuoteAuthorization": "https://w3id.org/fep/044f#QuoteAuthorization",
            "ReplyRequest": "gts:ReplyRequest",
            "ReplyAuthorization": "gts:ReplyAuthorization",
            "itemReviewed": "schema:itemReviewed",
            "reviewRating": "schema:reviewRating",
            "Movie": "schema:Movie",
            "Rating": "schema:Rating",
            "ratingValue": "schema:ratingValue",
            "bestRating": "schema:bestRating",
            "worstRating": "schema:worstRating",
            "director": "schema:director",
            "author": "schema:author",
            "dateCreated": "schema:dateCreated",
            "alternateName": "schema:alternateName",
            "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
            "neodb": "https://neodb.net/ns#",
            "relatedWith": "neodb:relatedWith",
            "withRegardTo": {"@id": "neodb:withRegardTo", "@type": "@id"},
            "Review": "schema:Review",
            "best": "neodb:best",
            "worst": "neodb:worst"
        }
    ])
}

/// `object` with the `fields` that are `Some` set (a new key goes last, an existing one keeps
/// its place); a `None` field stays absent rather than `null`. Anything but an object is
/// returned as it is.
pub fn with_fields<const N: usize>(object: Value, fields: [(&str, Option<Value>); N]) -> Value {
    let Value::Object(mut map) = object else {
        return object;
    };
    for (key, value) in fields {
        if let Some(value) = value {
            map.insert(key.to_owned(), value);
        }
    }
    Value::Object(map)
}

/// A `Hashtag` or a `Mention`.
#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub href: String,
}

impl Tag {
    pub fn hashtag(term: &Term, href: String) -> Self {
        Self {
            kind: "Hashtag",
            name: format!("#{}", term.hashtag()),
            href,
        }
    }
}

/// An `Image` (a poster, an avatar): `name` is its alt text.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Pixel size, when known (Mastodon lays attachments out with it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// An object served on its own: with `@context` (an `Article`, a `Note`, a `Tombstone`).
#[derive(Debug, Clone, Serialize)]
pub struct Document<T> {
    #[serde(rename = "@context")]
    pub context: Value,
    #[serde(flatten)]
    pub object: T,
}

impl<T> Document<T> {
    pub fn new(object: T) -> Self {
        Self {
            context: context(),
            object,
        }
    }
}

pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A fresh id for an activity of ours.
pub fn new_activity_id(urls: &Urls) -> (Uuid, String) {
    let id = Uuid::now_v7();
    (id, urls.activity(id))
}

#[cfg(test)]
mod tests;
