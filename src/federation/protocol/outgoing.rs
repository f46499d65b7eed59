//! What we send and serve, as types: the blog and instance actors, a review as an `Article`,
//! a comment of ours as a `Note`, `Tombstone`s, collections and their pages, and the
//! activities that carry them. Each serializes to exactly the JSON `super::super::documents`
//! builds with `json!` today (same fields, same order; the tests compare them), so the
//! handlers can switch to these one document at a time.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::config::Settings;
use crate::content::escape_html;
use crate::db::comments::{CommentRow, Engagement};
use crate::db::federation::KeyRow;
use crate::domain::{Review, Term};
use crate::federation::documents::{context, last_page, timestamp, AS_CONTEXT};
use crate::urls::Urls;

use super::values::PUBLIC;

/// A document at the top level: the JSON-LD `@context` first, then the document.
#[derive(Debug, Clone, Serialize)]
pub struct WithContext<T> {
    #[serde(rename = "@context")]
    pub context: Value,
    #[serde(flatten)]
    pub document: T,
}

impl<T> WithContext<T> {
    /// With our full context (ActivityStreams, security, the extension terms we use).
    pub fn new(document: T) -> Self {
        Self {
            context: context(),
            document,
        }
    }
}

/// `Image` (an avatar, a poster).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub shared_inbox: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    pub id: String,
    pub owner: String,
    pub public_key_pem: String,
}

/// A profile field.
#[derive(Debug, Clone, Serialize)]
pub struct PropertyValue {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub value: String,
}

/// One of our actors: the blog (`Person`) or the instance actor (`Application`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalActor {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub preferred_username: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Image>,
    pub inbox: String,
    pub outbox: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub featured: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    pub public_key: PublicKey,
    pub manually_approves_followers: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discoverable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution_domains: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webfinger: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<Vec<PropertyValue>>,
}

fn public_key(actor: &str, keys: &KeyRow) -> PublicKey {
    PublicKey {
        id: format!("{actor}#main-key"),
        owner: actor.to_string(),
        public_key_pem: keys.public_key_pem.clone(),
    }
}

/// The blog: a `Person` (Mastodon badges `Service` as a bot).
pub fn blog_actor(settings: &Settings, urls: &Urls, keys: &KeyRow) -> WithContext<LocalActor> {
    let site = &settings.site;
    let actor = urls.actor();
    let home = urls.home();
    WithContext::new(LocalActor {
        kind: "Person",
        preferred_username: urls.handle().as_str().to_string(),
        name: site.title.clone(),
        summary: Some(format!("<p>{}</p>", escape_html(&site.description))),
        url: home.clone(),
        icon: Some(Image {
            kind: "Image",
            url: site
                .avatar_url
                .as_ref()
                .map(|u| u.to_string())
                .unwrap_or_else(|| urls.avatar()),
            name: None,
            media_type: site.avatar_url.is_none().then_some("image/png"),
        }),
        inbox: urls.actor_inbox(),
        outbox: urls.outbox(),
        followers: Some(urls.followers()),
        following: Some(urls.following()),
        featured: Some(urls.featured()),
        endpoints: Some(Endpoints {
            shared_inbox: urls.shared_inbox(),
        }),
        public_key: public_key(&actor, keys),
        manually_approves_followers: settings.federation.manually_approves_followers,
        discoverable: Some(true),
        indexable: Some(true),
        published: Some(timestamp(keys.created_at)),
        attribution_domains: Some(vec![urls.host()]),
        webfinger: Some(urls.acct()),
        attachment: Some(vec![PropertyValue {
            kind: "PropertyValue",
            name: "Blog".into(),
            value: format!(
                "<a href=\"{0}\" rel=\"me nofollow noopener\" target=\"_blank\">{0}</a>",
                escape_html(&home)
            ),
        }]),
        id: actor,
    })
}

/// The instance actor, which signs our fetches; it is not followable.
pub fn instance_actor(urls: &Urls, keys: &KeyRow) -> WithContext<LocalActor> {
    let actor = urls.instance_actor();
    WithContext::new(LocalActor {
        kind: "Application",
        preferred_username: urls.host(),
        name: "reviewpub".into(),
        summary: None,
        url: urls.home(),
        icon: None,
        inbox: urls.instance_inbox(),
        outbox: format!("{actor}/outbox"),
        followers: None,
        following: None,
        featured: None,
        endpoints: None,
        public_key: public_key(&actor, keys),
        manually_approves_followers: true,
        discoverable: None,
        indexable: None,
        published: None,
        attribution_domains: None,
        webfinger: None,
        attachment: None,
        id: actor,
    })
}

/// A `Hashtag` tag.
#[derive(Debug, Clone, Serialize)]
pub struct Hashtag {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub href: String,
}

fn hashtag(term: &Term, href: String) -> Hashtag {
    Hashtag {
        kind: "Hashtag",
        name: format!("#{}", term.hashtag()),
        href,
    }
}

/// A `Mention` tag.
#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub href: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub content: String,
    pub media_type: &'static str,
}

/// A collection named by a post (`replies`, `likes`, `shares`), with its size.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionRef {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_items: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
}

/// `interactionPolicy` with only `canQuote` (who may quote without asking).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotePolicy {
    pub can_quote: AutomaticApproval,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticApproval {
    pub automatic_approval: Vec<String>,
}

/// The reviewed film, as a schema.org `Movie`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Movie {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternate_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub director: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Vec<String>>,
    #[serde(rename = "schema:actor", skip_serializing_if = "Option::is_none")]
    pub actor: Option<Vec<String>>,
    /// `duration` is an ActivityStreams term already; schema.org's is named by prefix.
    #[serde(rename = "schema:duration", skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as: Option<Vec<String>>,
}

/// The rating, as a schema.org `Rating`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rating {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub rating_value: f64,
    pub best_rating: u32,
    pub worst_rating: u32,
}

/// A review as an `Article` (without `@context`, so it can be embedded).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Article {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub attributed_to: String,
    pub name: String,
    pub summary: String,
    pub content: String,
    pub content_map: std::collections::BTreeMap<String, String>,
    pub media_type: &'static str,
    pub source: Source,
    pub url: String,
    pub published: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub tag: Vec<Hashtag>,
    pub sensitive: bool,
    pub replies: CollectionRef,
    pub likes: CollectionRef,
    pub shares: CollectionRef,
    pub interaction_policy: QuotePolicy,
    pub item_reviewed: Movie,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_rating: Option<Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
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

fn movie(review: &Review) -> Movie {
    let film = &review.film;
    let list = |names: &Vec<String>| (!names.is_empty()).then(|| names.clone());
    let same_as: Vec<String> = film
        .imdb_id
        .iter()
        .map(|i| i.url())
        .chain(film.wikidata_id.iter().map(|w| w.url()))
        .collect();
    Movie {
        kind: "Movie",
        name: film.title.clone(),
        date_created: film.year.map(|year| year.to_string()),
        alternate_name: film.original_title.clone(),
        director: list(&film.directors),
        author: list(&film.writers),
        actor: list(&film.cast),
        duration: film.runtime_minutes.map(|minutes| format!("PT{minutes}M")),
        same_as: list(&same_as),
    }
}

/// A review as an `Article`.
pub fn article(review: &Review, urls: &Urls, engagement: Engagement) -> Article {
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
    let published = review.date();
    let updated =
        review.updated_at > published.max(review.created_at) + chrono::Duration::seconds(1);
    let replies = urls.replies(review.id);
    Article {
        id: urls.review_id(review.id),
        kind: "Article",
        attributed_to: urls.actor(),
        name: review.title.clone(),
        summary,
        content_map: [(review.language.as_str().to_string(), content.clone())].into(),
        content,
        media_type: "text/html",
        source: Source {
            content: review.body.clone(),
            media_type: "text/markdown",
        },
        url: urls.review(&review.slug),
        published: timestamp(published),
        to: vec![PUBLIC.into()],
        cc: vec![urls.followers()],
        tag: review
            .categories
            .iter()
            .map(|t| hashtag(t, urls.category(&t.key)))
            .chain(review.tags.iter().map(|t| hashtag(t, urls.tag(&t.key))))
            .collect(),
        sensitive: review.spoiler_warning.is_some(),
        replies: CollectionRef {
            first: Some(format!("{replies}?page=1")),
            id: replies,
            kind: "OrderedCollection",
            total_items: Some(engagement.replies),
        },
        likes: CollectionRef {
            id: urls.likes(review.id),
            kind: "Collection",
            total_items: Some(engagement.likes),
            first: None,
        },
        shares: CollectionRef {
            id: urls.shares(review.id),
            kind: "Collection",
            total_items: Some(engagement.shares),
            first: None,
        },
        interaction_policy: QuotePolicy {
            can_quote: AutomaticApproval {
                automatic_approval: vec![PUBLIC.into()],
            },
        },
        item_reviewed: movie(review),
        updated: updated.then(|| timestamp(review.updated_at)),
        review_rating: review.rating.map(|r| Rating {
            kind: "Rating",
            rating_value: r.value(),
            best_rating: r.best(),
            worst_rating: 0,
        }),
        image: review.film.poster_url.as_ref().map(|url| Image {
            kind: "Image",
            url: url.as_str().to_string(),
            name: Some(
                review
                    .film
                    .poster_alt
                    .clone()
                    .unwrap_or_else(|| format!("Poster of {}", review.film.title)),
            ),
            media_type: None,
        }),
    }
}

/// A comment of ours as a `Note` (without `@context`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub attributed_to: String,
    pub in_reply_to: String,
    pub content: String,
    pub published: String,
    pub url: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub tag: Vec<Mention>,
    pub context: String,
    pub conversation: String,
    pub replies: CollectionRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
}

/// The critic's answer, or an imported comment (attributed to the blog, its author named in
/// the text). `mention` is the answered commenter: actor id, `@user@host` and profile.
pub fn comment_note(
    comment: &CommentRow,
    in_reply_to: &str,
    review_ap_id: &str,
    mention: Option<(&str, &str, &str)>,
    urls: &Urls,
) -> Note {
    let mut content = String::new();
    let mut cc = vec![urls.followers()];
    let mut tag = Vec::new();
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
        cc.push(actor.to_string());
        tag.push(Mention {
            kind: "Mention",
            href: actor.to_string(),
            name: handle.to_string(),
        });
    }
    if comment.origin == crate::domain::CommentOrigin::Imported {
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
    Note {
        id: comment.ap_id.clone(),
        kind: "Note",
        attributed_to: urls.actor(),
        in_reply_to: in_reply_to.to_string(),
        content,
        published: timestamp(comment.published_at),
        url: format!("{}#comment-{}", review_ap_id, comment.id),
        to: vec![PUBLIC.into()],
        cc,
        tag,
        context: review_ap_id.to_string(),
        conversation: review_ap_id.to_string(),
        replies: CollectionRef {
            id: format!("{}/replies", comment.ap_id),
            kind: "OrderedCollection",
            total_items: None,
            first: None,
        },
        updated: comment.edited_at.map(timestamp),
    }
}

/// What a deleted review's or comment's id answers, and what a `Delete` carries.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `Article` (a review) or `Note` (a comment).
    pub former_type: &'static str,
    pub deleted: String,
}

pub fn tombstone(id: &str, former_type: &'static str, deleted_at: DateTime<Utc>) -> Tombstone {
    Tombstone {
        id: id.to_string(),
        kind: "Tombstone",
        former_type,
        deleted: timestamp(deleted_at),
    }
}

/// An activity by the blog about a review (`Create`, `Update`, `Delete`, `Announce`),
/// addressed publicly.
#[derive(Debug, Clone, Serialize)]
pub struct Activity<T> {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub actor: String,
    pub published: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub object: T,
}

pub fn review_activity<T>(
    kind: &'static str,
    activity_id: &str,
    urls: &Urls,
    object: T,
    at: DateTime<Utc>,
) -> WithContext<Activity<T>> {
    WithContext::new(Activity {
        id: activity_id.to_string(),
        kind,
        actor: urls.actor(),
        published: timestamp(at),
        to: vec![PUBLIC.into()],
        cc: vec![urls.followers()],
        object,
    })
}

/// `Accept` or `Reject` of a follow, embedding the follow as received.
#[derive(Debug, Clone, Serialize)]
pub struct FollowAnswer<T> {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub actor: String,
    pub object: T,
}

pub fn follow_answer<T>(
    kind: &'static str,
    activity_id: &str,
    urls: &Urls,
    follow: T,
) -> WithContext<FollowAnswer<T>> {
    WithContext::new(FollowAnswer {
        id: activity_id.to_string(),
        kind,
        actor: urls.actor(),
        object: follow,
    })
}

/// An `OrderedCollection` whose items are on pages `?page=N`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollection {
    #[serde(rename = "@context")]
    pub context: &'static str,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub total_items: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
}

pub fn collection(id: &str, total: i64, paged: bool) -> OrderedCollection {
    let paged = paged && total > 0;
    OrderedCollection {
        context: AS_CONTEXT,
        id: id.to_string(),
        kind: "OrderedCollection",
        total_items: total,
        first: paged.then(|| format!("{id}?page=1")),
        last: paged.then(|| format!("{id}?page={}", last_page(total))),
    }
}

/// One page of an `OrderedCollection`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderedCollectionPage<T> {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub part_of: String,
    pub total_items: i64,
    pub ordered_items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

pub fn collection_page<T>(
    id: &str,
    page: i64,
    total: i64,
    items: Vec<T>,
) -> WithContext<OrderedCollectionPage<T>> {
    WithContext::new(OrderedCollectionPage {
        id: format!("{id}?page={page}"),
        kind: "OrderedCollectionPage",
        part_of: id.to_string(),
        total_items: total,
        ordered_items: items,
        prev: (page > 1).then(|| format!("{id}?page={}", page - 1)),
        next: (page < last_page(total)).then(|| format!("{id}?page={}", page + 1)),
    })
}

#[cfg(test)]
mod tests;
