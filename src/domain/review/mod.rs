//! A review: what the critic sends ([`ReviewInput`]), what validation makes of it
//! ([`ReviewDraft`]), and what is stored and shown ([`Review`]).

pub mod credits;
mod draft;
mod input;
mod validation;
mod when;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Invalid, Language, Rating, Slug, Term};

pub use draft::{Defaults, Film, RequestedStatus, ReviewDraft};
pub use input::{Credit, FilmInput, RatingInput, ReviewInput, SHAPES};
pub use validation::ValidationErrors;
pub use when::{PublishAt, DATE_FORMATS};

impl Film {
    fn to_input(&self) -> FilmInput {
        FilmInput {
            title: Some(self.title.clone()),
            year: self.year.map(i64::from),
            original_title: self.original_title.clone(),
            directors: self.directors.clone(),
            writers: self.writers.clone(),
            cast: self.cast.clone(),
            runtime_minutes: self.runtime_minutes.map(i64::from),
            poster_url: self.poster_url.as_ref().map(|u| u.to_string()),
            poster_alt: self.poster_alt.clone(),
            imdb_id: self.imdb_id.as_ref().map(|v| v.to_string()),
            wikidata_id: self.wikidata_id.as_ref().map(|v| v.to_string()),
            credits: self.credits.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    Draft,
    Scheduled,
    Published,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "draft" => Ok(Self::Draft),
            "scheduled" => Ok(Self::Scheduled),
            "published" => Ok(Self::Published),
            _ => Err(Invalid(
                "must be \"draft\", \"scheduled\" or \"published\"".into(),
            )),
        }
    }
}

/// A stored review.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub id: Uuid,
    pub slug: Slug,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub summary: Option<String>,
    /// The teaser shown in lists, feeds and on Mastodon: the summary, or the first paragraph
    /// before any spoilers (`content::teaser_markdown`).
    pub summary_html: String,
    pub film: Film,
    pub rating: Option<Rating>,
    pub categories: Vec<Term>,
    pub tags: Vec<Term>,
    pub spoiler_warning: Option<String>,
    pub language: Language,
    pub author: String,
    pub status: ReviewStatus,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// How many times it was withdrawn from the fediverse: its ActivityPub id is new after
    /// each (see `Urls::review_ap_id`).
    pub ap_revision: u32,
    /// When its previous ActivityPub id was last withdrawn (what those ids' tombstones say).
    pub ap_retired_at: Option<DateTime<Utc>>,
    /// Whether it takes replies (see [`Review::accepts_replies`]).
    pub replies: crate::domain::ReplyPolicy,
    /// Who may quote it; `None` follows the configured default.
    pub quote_policy: Option<crate::domain::QuotePolicy>,
}

impl Review {
    /// The review in the input shape, so a PATCH can be merged over it and validated again.
    pub fn to_input(&self) -> ReviewInput {
        ReviewInput {
            title: Some(self.title.clone()),
            body: Some(self.body.clone()),
            summary: self.summary.clone(),
            film: Some(self.film.to_input()),
            rating: self.rating.map(|r| RatingInput {
                value: r.value(),
                best: i64::from(r.best()),
            }),
            categories: self.categories.iter().map(|t| t.name.clone()).collect(),
            tags: self.tags.iter().map(|t| t.name.clone()).collect(),
            spoiler_warning: self.spoiler_warning.clone(),
            language: Some(self.language.to_string()),
            author: Some(self.author.clone()),
            status: Some(self.status.as_str().to_string()),
            publish_at: match self.status {
                ReviewStatus::Draft | ReviewStatus::Scheduled => self.publish_at,
                ReviewStatus::Published => self.published_at,
            }
            .map(PublishAt::Instant),
            slug: Some(self.slug.to_string()),
            quote_policy: self.quote_policy.map(|p| p.as_str().to_string()),
        }
    }

    /// The date a review shows: its publication, or its creation while unpublished.
    pub fn date(&self) -> DateTime<Utc> {
        self.published_at.unwrap_or(self.created_at)
    }

    /// Whether new replies join its thread at `now`: as the critic set it, else open until
    /// `close_after` has passed since publication (never, without it). A reply to a review that
    /// does not take them is kept, privately, for the critic alone.
    pub fn accepts_replies(
        &self,
        close_after: Option<chrono::Duration>,
        now: DateTime<Utc>,
    ) -> bool {
        use crate::domain::ReplyPolicy;
        match self.replies {
            ReplyPolicy::Open => true,
            ReplyPolicy::Closed => false,
            ReplyPolicy::Default => match (close_after, self.published_at) {
                (Some(after), Some(published)) => now < published + after,
                _ => true,
            },
        }
    }

    pub fn is_public(&self) -> bool {
        self.status == ReviewStatus::Published
    }

    /// Title with the film's year when the title does not already carry it.
    pub fn display_year(&self) -> Option<u16> {
        self.film
            .year
            .filter(|y| !self.title.contains(&y.to_string()))
    }
}

#[cfg(test)]
mod tests;
