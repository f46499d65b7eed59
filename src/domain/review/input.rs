//! What the critic sends: a review and its film as the admin API and front matter accept them,
//! every field optional until validation.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::PublishAt;

/// The shapes of the fields whose type alone says too little, for error messages.
pub const SHAPES: crate::domain::json::Shapes = &[
    (
        "film",
        "an object such as {\"title\": \"Heat\", \"year\": 1995}",
    ),
    ("film.directors", "a list of names"),
    ("film.writers", "a list of names"),
    ("film.cast", "a list of names"),
    (
        "film.credits",
        "a list of objects such as {\"role\": \"Music\", \"name\": \"Elliot Goldenthal\"}",
    ),
    ("film.credits.role", "text such as \"Music\""),
    ("film.credits.name", "a name"),
    ("film.year", "a year such as 1995"),
    ("film.runtime_minutes", "a whole number of minutes"),
    ("rating", "an object such as {\"value\": 4.5, \"best\": 5}"),
    ("rating.value", "a number such as 4.5"),
    ("rating.best", "a whole number such as 5"),
    ("categories", "a list of names"),
    ("tags", "a list of names"),
    ("publish_at", crate::domain::review::DATE_FORMATS),
];

/// The film a review is about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilmInput {
    pub title: Option<String>,
    pub year: Option<i64>,
    pub original_title: Option<String>,
    #[serde(default)]
    pub directors: Vec<String>,
    #[serde(default)]
    pub writers: Vec<String>,
    #[serde(default)]
    pub cast: Vec<String>,
    pub runtime_minutes: Option<i64>,
    pub poster_url: Option<String>,
    pub poster_alt: Option<String>,
    pub imdb_id: Option<String>,
    pub wikidata_id: Option<String>,
    /// Further credits as the review gives them: `{"role": "Music", "name": "Rachel Portman"}`.
    #[serde(default)]
    pub credits: Vec<Credit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credit {
    pub role: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    pub value: f64,
    #[serde(default = "default_best")]
    pub best: i64,
}

fn default_best() -> i64 {
    5
}

/// A review as the admin API and front matter accept it. Every field is optional here; the
/// rules are checked when it is written, and every field that breaks one is named. A PATCH is
/// this same shape merged over the stored review.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub title: Option<String>,
    /// Markdown.
    pub body: Option<String>,
    /// A short Markdown teaser; the body's first paragraph when absent.
    pub summary: Option<String>,
    pub film: Option<FilmInput>,
    pub rating: Option<RatingInput>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub spoiler_warning: Option<String>,
    pub language: Option<String>,
    pub author: Option<String>,
    /// `draft` (default), `scheduled` (needs a future `publish_at`) or `published`.
    #[schema(value_type = Option<super::ReviewStatus>)]
    pub status: Option<String>,
    /// When a scheduled review goes live; for a published one, its publication date; kept on
    /// a draft for when it is scheduled. A day (`2027-01-01`) or a day and time
    /// (`2027-01-01 20:00`) are on the site's clock; an RFC 3339 instant is exact.
    pub publish_at: Option<PublishAt>,
    pub slug: Option<String>,
    /// Who may quote it on the fediverse: `anyone`, `followers` or `nobody`; absent (or
    /// `null`) follows `federation.quote_policy`.
    #[schema(value_type = Option<crate::domain::QuotePolicy>)]
    pub quote_policy: Option<String>,
}
