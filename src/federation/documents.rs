//! The JSON documents we serve and send: actors, the review `Article`, `Tombstone`,
//! collections and activities (DESIGN §3–4).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::config::Settings;
use crate::content::escape_html;
use crate::db::comments::Engagement;
use crate::db::federation::KeyRow;
use crate::domain::{CommentOrigin, Review, Term};
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
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "attributionDomains": {"@id": "toot:attributionDomains", "@type": "@id"},
            "webfinger": "https://purl.archive.org/socialweb/webfinger#webfinger",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "interactionPolicy": {"@id": "gts:interactionPolicy", "@type": "@id"},
            "canQuote": {"@id": "gts:canQuote", "@type": "@id"},
            "automaticApproval": {"@id": "gts:automaticApproval", "@type": "@id"},
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
            "sameAs": {"@id": "schema:sameAs", "@type": "@id"}
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

pub fn with_context(mut document: Value) -> Value {
    if let Value::Object(map) = &mut document {
        let mut out = Map::new();
        out.insert("@context".into(), context());
        out.append(map);
        return Value::Object(out);
    }
    document
}

pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The blog: a `Person` (Mastodon badges `Service` as a bot).
pub fn blog_actor(settings: &Settings, urls: &Urls, keys: &KeyRow) -> Value {
    let site = &settings.site;
    let actor = urls.actor();
    let avatar = site
        .avatar_url
        .as_ref()
        .map(|u| u.to_string())
        .unwrap_or_else(|| urls.avatar());
    let media_type = site.avatar_url.is_none().then(|| json!("image/png"));
    let icon = with_fields(
        json!({"type": "Image", "url": avatar}),
        [("mediaType", media_type)],
    );
    with_context(json!({
        "id": actor,
        "type": "Person",
        "preferredUsername": urls.handle().as_str(),
        "name": site.title,
        "summary": format!("<p>{}</p>", escape_html(&site.description)),
        "url": urls.home(),
        "icon": icon,
        "inbox": urls.actor_inbox(),
        "outbox": urls.outbox(),
        "followers": urls.followers(),
        "following": urls.following(),
        "featured": urls.featured(),
        "endpoints": {"sharedInbox": urls.shared_inbox()},
        "publicKey": {
            "id": format!("{actor}#main-key"),
            "owner": actor,
            "publicKeyPem": keys.public_key_pem,
        },
        "manuallyApprovesFollowers": settings.federation.manually_approves_followers,
        "discoverable": true,
        "indexable": true,
        "published": timestamp(keys.created_at),
        "attributionDomains": [urls.host()],
        "webfinger": urls.acct(),
        "attachment": [{
            "type": "PropertyValue",
            "name": "Blog",
            "value": format!("<a href=\"{0}\" rel=\"me nofollow noopener\" target=\"_blank\">{0}</a>", escape_html(&urls.home())),
        }],
    }))
}

/// The instance actor, which signs our fetches; it is not followable.
pub fn instance_actor(urls: &Urls, keys: &KeyRow) -> Value {
    let actor = urls.instance_actor();
    with_context(json!({
        "id": actor,
        "type": "Application",
        "preferredUsername": urls.host(),
        "name": "reviewpub",
        "url": urls.home(),
        "inbox": urls.instance_inbox(),
        "outbox": format!("{actor}/outbox"),
        "publicKey": {
            "id": format!("{actor}#main-key"),
            "owner": actor,
            "publicKeyPem": keys.public_key_pem,
        },
        "manuallyApprovesFollowers": true,
    }))
}

fn hashtag(term: &Term, href: String) -> Value {
    json!({"type": "Hashtag", "name": format!("#{}", term.hashtag()), "href": href})
}

/// The plain-text line Mastodon users read first: stars, film, year, director.
fn rating_line(review: &Review) -> Option<String> {
    let film = &review.film;
    let mut line = String::new();
    if let Some(rating) = review.rating {
        line.push_str(&format!("{} ({}) ", rating.stars(), rating.text()));
    }
    if !review.title.contains(&film.title) || review.rating.is_some() {
        line.push_str(&film.title);
        if let Some(year) = film.year {
            line.push_str(&format!(" ({year})"));
        }
    }
    if !film.directors.is_empty() {
        line.push_str(&format!(", directed by {}", film.directors.join(" and ")));
    }
    let line = line.trim().trim_start_matches(", ").to_string();
    (!line.is_empty()).then_some(line)
}

/// The film and the rating as schema.org terms.
fn review_data(review: &Review) -> (Value, Option<Value>) {
    let film = &review.film;
    let same_as: Vec<String> = film
        .imdb_id
        .iter()
        .map(|i| i.url())
        .chain(film.wikidata_id.iter().map(|w| w.url()))
        .collect();
    let list = |names: &Vec<String>| (!names.is_empty()).then(|| json!(names));
    let movie = with_fields(
        json!({"type": "Movie", "name": film.title}),
        [
            ("dateCreated", film.year.map(|year| json!(year.to_string()))),
            (
                "alternateName",
                film.original_title.as_ref().map(|o| json!(o)),
            ),
            ("director", list(&film.directors)),
            ("author", list(&film.writers)),
            ("schema:actor", list(&film.cast)),
            // `duration` is an ActivityStreams term already; schema.org's is named by prefix.
            (
                "schema:duration",
                film.runtime_minutes
                    .map(|minutes| json!(format!("PT{minutes}M"))),
            ),
            ("sameAs", list(&same_as)),
        ],
    );
    let rating = review.rating.map(|r| {
        json!({"type": "Rating", "ratingValue": r.value(), "bestRating": r.best(), "worstRating": 0})
    });
    (movie, rating)
}

/// A review as an `Article` (without `@context`, so it can be embedded).
pub fn article(review: &Review, urls: &Urls, engagement: Engagement) -> Value {
    let id = urls.review_id(review.id);
    let mut summary = String::new();
    if let Some(line) = rating_line(review) {
        summary.push_str(&format!("<p>{}</p>", escape_html(&line)));
    }
    if let Some(warning) = &review.spoiler_warning {
        summary.push_str(&format!("<p>Spoiler warning: {}</p>", escape_html(warning)));
    }
    summary.push_str(&review.summary_html);
    let mut content = String::new();
    if let Some(warning) = &review.spoiler_warning {
        content.push_str(&format!(
            "<p><strong>Spoiler warning.</strong> {}</p>",
            escape_html(warning)
        ));
    }
    content.push_str(&review.body_html);
    let tags: Vec<Value> = review
        .categories
        .iter()
        .map(|t| hashtag(t, urls.category(&t.key)))
        .chain(review.tags.iter().map(|t| hashtag(t, urls.tag(&t.key))))
        .collect();
    let published = review.date();
    let (movie, rating) = review_data(review);
    let updated =
        review.updated_at > published.max(review.created_at) + chrono::Duration::seconds(1);
    let image = review.film.poster_url.as_ref().map(|url| {
        json!({
            "type": "Image",
            "url": url.as_str(),
            "name": review.film.poster_alt.clone().unwrap_or_else(|| format!("Poster of {}", review.film.title)),
        })
    });
    let article = json!({
        "id": id,
        "type": "Article",
        "attributedTo": urls.actor(),
        "name": review.title,
        "summary": summary,
        "content": content,
        "contentMap": {review.language.as_str(): content},
        "mediaType": "text/html",
        "source": {"content": review.body, "mediaType": "text/markdown"},
        "url": urls.review(&review.slug),
        "published": timestamp(published),
        "to": [PUBLIC],
        "cc": [urls.followers()],
        "tag": tags,
        "sensitive": review.spoiler_warning.is_some(),
        "replies": {"id": urls.replies(review.id), "type": "OrderedCollection", "totalItems": engagement.replies, "first": format!("{}?page=1", urls.replies(review.id))},
        "likes": {"id": urls.likes(review.id), "type": "Collection", "totalItems": engagement.likes},
        "shares": {"id": urls.shares(review.id), "type": "Collection", "totalItems": engagement.shares},
        "interactionPolicy": {"canQuote": {"automaticApproval": [PUBLIC]}},
        "itemReviewed": movie,
    });
    with_fields(
        article,
        [
            (
                "updated",
                updated.then(|| json!(timestamp(review.updated_at))),
            ),
            ("reviewRating", rating),
            ("image", image),
        ],
    )
}

/// A comment of ours as a `Note` (without `@context`): the critic's answer, or an imported
/// comment (attributed to the blog, its author named in the text). `mention` is the answered
/// commenter: actor id and `@user@host`.
pub fn comment_note(
    comment: &crate::db::comments::CommentRow,
    in_reply_to: &str,
    review_ap_id: &str,
    mention: Option<(&str, &str, &str)>,
    urls: &Urls,
) -> Value {
    let mut content = String::new();
    let mut cc = vec![json!(urls.followers())];
    let mut tags = Vec::new();
    if let Some((actor, handle, profile)) = mention {
        let user = handle
            .trim_start_matches('@')
            .split('@')
            .next()
            .unwrap_or_default();
        content.push_str(&format!(
            "<p><span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span></p>",
            escape_html(profile),
            escape_html(user)
        ));
        cc.push(json!(actor));
        tags.push(json!({"type": "Mention", "href": actor, "name": handle}));
    }
    if comment.origin == CommentOrigin::Imported {
        let name = escape_html(&comment.author_name);
        let who = match &comment.author_url {
            Some(url) => format!(
                "<a href=\"{}\" rel=\"nofollow noopener ugc\">{name}</a>",
                escape_html(url)
            ),
            None => name,
        };
        content.push_str(&format!("<p><strong>{who}</strong> wrote:</p>"));
    }
    content.push_str(&comment.content_html);
    let note = json!({
        "id": comment.ap_id,
        "type": "Note",
        "attributedTo": urls.actor(),
        "inReplyTo": in_reply_to,
        "content": content,
        "published": timestamp(comment.published_at),
        "url": format!("{}#comment-{}", review_ap_id, comment.id),
        "to": [PUBLIC],
        "cc": cc,
        "tag": tags,
        "context": review_ap_id,
        "conversation": review_ap_id,
        "replies": {"id": format!("{}/replies", comment.ap_id), "type": "OrderedCollection"},
    });
    with_fields(
        note,
        [("updated", comment.edited_at.map(|at| json!(timestamp(at))))],
    )
}

/// A `Tombstone` for one of our comments.
pub fn comment_tombstone(id: &str, deleted_at: DateTime<Utc>) -> Value {
    json!({"id": id, "type": "Tombstone", "formerType": "Note", "deleted": timestamp(deleted_at)})
}

/// What a deleted review's id answers, and what a `Delete` carries.
pub fn tombstone(id: &str, deleted_at: DateTime<Utc>) -> Value {
    json!({"id": id, "type": "Tombstone", "formerType": "Article", "deleted": timestamp(deleted_at)})
}

/// An activity by the blog about a review, addressed publicly.
pub fn review_activity(
    kind: &str,
    activity_id: &str,
    urls: &Urls,
    object: Value,
    at: DateTime<Utc>,
) -> Value {
    with_context(json!({
        "id": activity_id,
        "type": kind,
        "actor": urls.actor(),
        "published": timestamp(at),
        "to": [PUBLIC],
        "cc": [urls.followers()],
        "object": object,
    }))
}

/// `Accept` or `Reject` of a follow, embedding the follow as received.
pub fn follow_answer(kind: &str, activity_id: &str, urls: &Urls, follow: &Value) -> Value {
    with_context(json!({
        "id": activity_id,
        "type": kind,
        "actor": urls.actor(),
        "object": follow,
    }))
}

/// An `OrderedCollection` whose items are on pages `?page=N`.
pub fn collection(id: &str, total: i64, paged: bool) -> Value {
    let c = json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
    });
    let paged = paged && total > 0;
    with_fields(
        c,
        [
            ("first", paged.then(|| json!(format!("{id}?page=1")))),
            (
                "last",
                paged.then(|| json!(format!("{id}?page={}", last_page(total)))),
            ),
        ],
    )
}

pub const PAGE_SIZE: i64 = 20;

pub fn last_page(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

/// One page of an `OrderedCollection`.
pub fn collection_page(id: &str, page: i64, total: i64, items: Vec<Value>) -> Value {
    let p = json!({
        "@context": context(),
        "id": format!("{id}?page={page}"),
        "type": "OrderedCollectionPage",
        "partOf": id,
        "totalItems": total,
        "orderedItems": items,
    });
    with_fields(
        p,
        [
            (
                "prev",
                (page > 1).then(|| json!(format!("{id}?page={}", page - 1))),
            ),
            (
                "next",
                (page < last_page(total)).then(|| json!(format!("{id}?page={}", page + 1))),
            ),
        ],
    )
}

/// A fresh id for an activity of ours.
pub fn new_activity_id(urls: &Urls) -> (Uuid, String) {
    let id = Uuid::now_v7();
    (id, urls.activity(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_fields_adds_present_fields_last_replaces_in_place_and_leaves_absent_ones_out() {
        let object = json!({"id": "a", "type": "Note", "cc": []});
        let out = with_fields(
            object,
            [
                ("updated", None),
                ("cc", Some(json!(["b"]))),
                ("name", Some(json!("n"))),
            ],
        );
        assert_eq!(
            out.to_string(),
            r#"{"id":"a","type":"Note","cc":["b"],"name":"n"}"#
        );
        assert_eq!(with_fields(json!([1]), [("x", Some(json!(1)))]), json!([1]));
    }
}
