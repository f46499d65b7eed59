//! What the critic sends: a review and its film as the admin API and front matter accept them,
//! every field optional until validation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
/// rules live in [`ReviewInput::parse`]. A PATCH is this same shape merged over the stored review.
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
    pub status: Option<String>,
    /// When a scheduled review goes live; for a published one, its publication date.
    pub publish_at: Option<DateTime<Utc>>,
    pub slug: Option<String>,
    /// Who may quote it on the fediverse: `anyone`, `followers` or `nobody`; absent (or
    /// `null`) follows `federation.quote_policy`.
    pub quote_policy: Option<String>,
}
