//! What NeoDB (and review platforms like it) read from an `Article`: exactly one catalog item
//! in `tag` (the film, by its IMDb or Wikidata page), and `relatedWith`, the `Review` and the
//! `Rating` about it (neodb-social/neodb `docs/internals/activitypub.md`). Other servers ignore
//! both; the schema.org `itemReviewed`/`reviewRating` stay beside them.

use serde::Serialize;

use super::Tag;
use crate::domain::Review;
use crate::urls::Urls;

/// The film as a catalog item, when it has an id NeoDB resolves (IMDb first, else Wikidata).
pub fn catalog_item(review: &Review) -> Option<Tag> {
    let film = &review.film;
    let href = film
        .imdb_id
        .as_ref()
        .map(|i| i.url())
        .or_else(|| film.wikidata_id.as_ref().map(|w| w.url()))?;
    Some(Tag {
        kind: "Movie",
        name: film.title.clone(),
        href,
    })
}

/// One entry of `relatedWith`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Related {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub href: String,
    pub with_regard_to: String,
    pub attributed_to: String,
    pub published: String,
    /// NeoDB always gives it: the publication time until the review is edited.
    pub updated: String,
    /// The review's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The review's Markdown body (without the spoiler marker, which NeoDB would show).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<&'static str>,
    /// The rating on NeoDB's scale: a whole number from 1 to 10.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst: Option<u32>,
}

/// A rating of `value` out of `best` on NeoDB's scale, a whole number from 1 to 10 (its
/// `docs/internals/federation.md`: "`worst` is always 1, `best` is always 10"; a 0 would
/// remove the rating there): no stars is 1, NeoDB's lowest grade.
pub fn on_ten(value: f64, best: u32) -> u32 {
    let scaled = (value / f64::from(best.max(1)) * 10.0).round();
    // In 1..=10 after the clamp, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let scaled = scaled.clamp(1.0, 10.0) as u32;
    scaled
}

/// The `Review` and (when the review rates the film) the `Rating` about `item`.
pub fn related(
    review: &Review,
    urls: &Urls,
    item: &Tag,
    article_id: &str,
    (published, updated): (&str, Option<&str>),
) -> Vec<Related> {
    let base = |fragment: &str, kind| Related {
        id: format!("{article_id}#{fragment}"),
        kind,
        href: urls.review(&review.slug),
        with_regard_to: item.href.clone(),
        attributed_to: urls.actor(),
        published: published.to_string(),
        updated: updated.unwrap_or(published).to_string(),
        name: None,
        content: None,
        media_type: None,
        value: None,
        best: None,
        worst: None,
    };
    let mut related = vec![Related {
        name: Some(review.title.clone()),
        content: Some(crate::content::without_spoiler_markers(&review.body)),
        media_type: Some("text/markdown"),
        ..base("review", "Review")
    }];
    if let Some(rating) = review.rating {
        related.push(Related {
            value: Some(on_ten(rating.value(), rating.best())),
            best: Some(10),
            worst: Some(1),
            ..base("rating", "Rating")
        });
    }
    related
}
