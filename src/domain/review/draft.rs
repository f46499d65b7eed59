//! What validation makes of a review: the validated film, the requested status and the draft
//! ready to be stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Credit;
use crate::domain::{ImdbId, Language, Rating, Slug, Term, WebUrl, WikidataId};

/// A validated film.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Film {
    pub title: String,
    pub year: Option<u16>,
    pub original_title: Option<String>,
    pub directors: Vec<String>,
    pub writers: Vec<String>,
    pub cast: Vec<String>,
    pub runtime_minutes: Option<u16>,
    pub poster_url: Option<WebUrl>,
    pub poster_alt: Option<String>,
    pub imdb_id: Option<ImdbId>,
    pub wikidata_id: Option<WikidataId>,
    pub credits: Vec<Credit>,
}

/// What the critic asked for: the status is decided against the clock at validation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestedStatus {
    /// `at`: when the critic means to publish it, kept for later.
    Draft {
        at: Option<DateTime<Utc>>,
    },
    /// `at` backdates the publication; `None` means now (or the first publication time).
    Published {
        at: Option<DateTime<Utc>>,
    },
    Scheduled {
        at: DateTime<Utc>,
    },
}

/// A review that passed validation, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewDraft {
    pub title: String,
    pub slug: Slug,
    pub body: String,
    pub summary: Option<String>,
    pub film: Film,
    pub rating: Option<Rating>,
    pub categories: Vec<Term>,
    pub tags: Vec<Term>,
    pub spoiler_warning: Option<String>,
    pub language: Language,
    pub author: String,
    pub status: RequestedStatus,
    /// `None`: the configured default.
    pub quote_policy: Option<crate::domain::QuotePolicy>,
}

/// Values used where the input is silent.
pub struct Defaults<'a> {
    pub language: &'a Language,
    pub author: &'a str,
    /// The site's clock, on which a date without an offset is read.
    pub time_zone: chrono_tz::Tz,
}
