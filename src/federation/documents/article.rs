//! A review as an `Article`: the text, the film (schema.org `Movie`) and the rating, the tags,
//! the poster, its preview (see [`super::preview`]), and the collections of its replies, likes and shares.

use std::collections::BTreeMap;

use serde::Serialize;

use super::collection::{paged_collection, CountedCollection, FirstPage, PagedCollection};
use super::neodb;
use super::preview::{poster, preview, summary, Preview};
use super::quote::quote_approval;
use super::{timestamp, Image, Tag, PUBLIC};
use crate::content::escape_html;
use crate::db::comments::Engagement;
use crate::domain::{QuotePolicy, Review};
use crate::urls::Urls;

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
    pub content_map: BTreeMap<String, String>,
    pub media_type: &'static str,
    pub source: Source,
    pub url: String,
    pub published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub tag: Vec<Tag>,
    pub sensitive: bool,
    /// The whole conversation (FEP-7888).
    pub context: String,
    /// The direct answers, their first page embedded.
    pub replies: PagedCollection,
    pub likes: CountedCollection,
    pub shares: CountedCollection,
    pub interaction_policy: InteractionPolicy,
    /// NeoDB's: the `Review` and `Rating` about the film in `tag`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related_with: Vec<neodb::Related>,
    pub item_reviewed: Movie,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_rating: Option<Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// The poster again: Mastodon shows attachments (and then no link card), not `image`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<Image>,
    pub preview: Preview,
}

/// What the author wrote, and in which format.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub content: String,
    pub media_type: &'static str,
}

/// GoToSocial's (and Mastodon's, for quotes) `interactionPolicy`: who may quote, and who may
/// reply (anyone while the review takes replies, else the blog alone).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionPolicy {
    pub can_quote: Approval,
    pub can_reply: Approval,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    pub automatic_approval: Vec<String>,
}

/// The film, as schema.org describes it.
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub director: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub author: Vec<String>,
    #[serde(rename = "schema:actor", skip_serializing_if = "Vec::is_empty")]
    pub actor: Vec<String>,
    /// `duration` is an ActivityStreams term already; schema.org's is named by prefix.
    #[serde(rename = "schema:duration", skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_as: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rating {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub rating_value: f64,
    pub best_rating: u32,
    pub worst_rating: u8,
}

fn movie(review: &Review) -> Movie {
    let film = &review.film;
    Movie {
        kind: "Movie",
        name: film.title.clone(),
        date_created: film.year.map(|year| year.to_string()),
        alternate_name: film.original_title.clone(),
        director: film.directors.clone(),
        author: film.writers.clone(),
        actor: film.cast.clone(),
        duration: film.runtime_minutes.map(|minutes| format!("PT{minutes}M")),
        same_as: film
            .imdb_id
            .iter()
            .map(|i| i.url())
            .chain(film.wikidata_id.iter().map(|w| w.url()))
            .collect(),
    }
}

/// A review as an `Article`, to be served (with `@context`, see [`super::Document`]) or
/// embedded in an activity.
/// `replies` is the first page of its direct answers; `poster_size` the poster's pixel size
/// when it is an upload of ours.
pub fn article(
    review: &Review,
    urls: &Urls,
    engagement: Engagement,
    replies: FirstPage,
    accepts_replies: bool,
    default_quote_policy: QuotePolicy,
    poster_size: Option<(u32, u32)>,
) -> Article {
    let mut content = String::new();
    if let Some(warning) = &review.spoiler_warning {
        content.push_str(&format!(
            "<p><strong>Spoiler warning.</strong> {}</p>",
            escape_html(warning)
        ));
    }
    content.push_str(&review.body_html);
    let tag: Vec<Tag> = review
        .categories
        .iter()
        .map(|t| Tag::hashtag(t, urls.category(&t.key)))
        .chain(
            review
                .tags
                .iter()
                .map(|t| Tag::hashtag(t, urls.tag(&t.key))),
        )
        .collect();
    let published = review.date();
    let updated =
        review.updated_at > published.max(review.created_at) + chrono::Duration::seconds(1);
    let counted = |id: String, kind, total| CountedCollection {
        context: None,
        id,
        kind,
        total_items: Some(total),
        first: None,
    };
    let published = timestamp(published);
    let updated = updated.then(|| timestamp(review.updated_at));
    let url = urls.review(&review.slug);
    let image = poster(review, poster_size);
    let preview = preview(
        review,
        &tag,
        urls.actor(),
        &url,
        (published.clone(), updated.clone()),
        image.clone(),
    );
    let summary = summary(review, &tag, true);
    let id = urls.review_ap_id(review.id, review.ap_revision);
    // For NeoDB: the film as the one catalog item, and the review and rating about it (after
    // the summary and preview, which show hashtags only).
    let mut tag = tag;
    let related_with = match neodb::catalog_item(review) {
        Some(item) => {
            let related =
                neodb::related(review, urls, &item, &id, (&published, updated.as_deref()));
            tag.push(item);
            related
        }
        None => Vec::new(),
    };
    Article {
        id,
        kind: "Article",
        attributed_to: urls.actor(),
        name: review.title.clone(),
        summary,
        content_map: BTreeMap::from([(review.language.as_str().to_string(), content.clone())]),
        content,
        media_type: "text/html",
        source: Source {
            content: review.body.clone(),
            media_type: "text/markdown",
        },
        url,
        published,
        updated,
        to: vec![PUBLIC.to_string()],
        cc: vec![urls.followers()],
        tag,
        sensitive: review.spoiler_warning.is_some(),
        context: urls.context(review.id),
        replies: paged_collection(&urls.replies(review.id), replies),
        likes: counted(urls.likes(review.id), "Collection", engagement.likes),
        shares: counted(urls.shares(review.id), "Collection", engagement.shares),
        related_with,
        interaction_policy: InteractionPolicy {
            can_quote: Approval {
                automatic_approval: quote_approval(
                    review.quote_policy.unwrap_or(default_quote_policy),
                    urls,
                ),
            },
            can_reply: Approval {
                automatic_approval: vec![if accepts_replies {
                    PUBLIC.to_string()
                } else {
                    urls.actor()
                }],
            },
        },
        item_reviewed: movie(review),
        review_rating: review.rating.map(|r| Rating {
            kind: "Rating",
            rating_value: r.value(),
            best_rating: r.best(),
            worst_rating: 0,
        }),
        attachment: image.iter().cloned().collect(),
        image,
        preview,
    }
}
