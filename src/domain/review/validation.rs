//! Validation of a review's input: every field checked, all errors collected under their
//! field path.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{
    Credit, Defaults, Film, FilmInput, RatingInput, RequestedStatus, ReviewDraft, ReviewInput,
};
use crate::domain::{ImdbId, Invalid, Language, Rating, Slug, Term, WebUrl, WikidataId};

/// Field path → what is wrong with it, e.g. `film.year` → "must be between 1870 and 2100".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub BTreeMap<String, String>);

impl ValidationErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps the value if it parsed, records the error under `field` otherwise.
    fn check<T>(&mut self, field: &str, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(Invalid(message)) => {
                self.add(field, message);
                None
            }
        }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        f.write_str(&parts.join("; "))
    }
}
const MAX_BODY_BYTES: usize = 512 * 1024;
const MAX_LIST: usize = 100;

fn text(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<&str>,
    max_chars: usize,
    required: bool,
) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    match value {
        None if required => {
            errors.add(field, "is required");
            None
        }
        None => None,
        Some(v) if v.chars().count() > max_chars => {
            errors.add(field, format!("must be at most {max_chars} characters"));
            None
        }
        Some(v)
            if v.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') =>
        {
            errors.add(field, "must not contain control characters");
            None
        }
        Some(v) => Some(v.to_string()),
    }
}

fn names(errors: &mut ValidationErrors, field: &str, values: &[String]) -> Vec<String> {
    if values.len() > MAX_LIST {
        errors.add(field, format!("must have at most {MAX_LIST} entries"));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = text(errors, &format!("{field}[{i}]"), Some(v), 200, true) {
            out.push(v);
        }
    }
    out
}

fn terms(errors: &mut ValidationErrors, field: &str, values: &[String]) -> Vec<Term> {
    if values.len() > 30 {
        errors.add(field, "must have at most 30 entries");
        return Vec::new();
    }
    let mut out: Vec<Term> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if let Some(term) = errors.check(&format!("{field}[{i}]"), Term::parse(v)) {
            if !out.iter().any(|t| t.key == term.key) {
                out.push(term);
            }
        }
    }
    out
}

impl ReviewInput {
    /// Validates every field, collecting all errors rather than stopping at the first.
    pub fn parse(
        &self,
        defaults: &Defaults<'_>,
        now: DateTime<Utc>,
    ) -> Result<ReviewDraft, ValidationErrors> {
        let mut e = ValidationErrors::default();

        let title = text(&mut e, "title", self.title.as_deref(), 300, true);
        let body = self.body.clone().unwrap_or_default();
        if body.len() > MAX_BODY_BYTES {
            e.add("body", format!("must be at most {MAX_BODY_BYTES} bytes"));
        }
        let summary = text(&mut e, "summary", self.summary.as_deref(), 2000, false);
        let spoiler_warning = text(
            &mut e,
            "spoiler_warning",
            self.spoiler_warning.as_deref(),
            500,
            false,
        );
        let author = text(&mut e, "author", self.author.as_deref(), 200, false)
            .unwrap_or_else(|| defaults.author.to_string());
        let language = match self.language.as_deref() {
            Some(l) => e.check("language", Language::parse(l)),
            None => Some(defaults.language.clone()),
        };
        let slug = match self.slug.as_deref() {
            Some(s) => e.check("slug", Slug::parse(s.trim())),
            None => title.as_deref().map(Slug::from_text),
        };
        let rating = self.rating.and_then(|r| {
            let best = u32::try_from(r.best).unwrap_or(0);
            e.check("rating", Rating::new(r.value, best))
        });
        let film = self.film.as_ref().map(|f| parse_film(&mut e, f));
        if self.film.is_none() {
            e.add("film", "is required (at least film.title)");
        }
        let categories = terms(&mut e, "categories", &self.categories);
        let tags = terms(&mut e, "tags", &self.tags);
        let quote_policy = self
            .quote_policy
            .as_deref()
            .and_then(|p| e.check("quote_policy", crate::domain::QuotePolicy::parse(p.trim())));

        let publish_at = self
            .publish_at
            .and_then(|at| e.check("publish_at", at.resolve(defaults.time_zone)));
        let status = match self.status.as_deref().map(str::trim).unwrap_or("draft") {
            "draft" => Some(RequestedStatus::Draft { at: publish_at }),
            "published" => match publish_at {
                Some(at) if at > now + chrono::Duration::minutes(1) => {
                    e.add(
                        "publish_at",
                        "is in the future: use status \"scheduled\" to publish later",
                    );
                    None
                }
                at => Some(RequestedStatus::Published { at }),
            },
            "scheduled" => match publish_at {
                Some(at) if at > now => Some(RequestedStatus::Scheduled { at }),
                Some(_) => {
                    e.add("publish_at", "must be in the future for a scheduled review");
                    None
                }
                None => {
                    e.add("publish_at", "is required when status is \"scheduled\"");
                    None
                }
            },
            _ => {
                e.add(
                    "status",
                    "must be \"draft\", \"scheduled\" or \"published\"",
                );
                None
            }
        };
        if matches!(
            status,
            Some(RequestedStatus::Published { .. } | RequestedStatus::Scheduled { .. })
        ) && body.trim().is_empty()
        {
            e.add(
                "body",
                "must not be empty for a review that is published or scheduled",
            );
        }

        match (
            title,
            slug,
            film,
            rating_ok(&self.rating, &rating),
            language,
            status,
        ) {
            (Some(title), Some(slug), Some(film), true, Some(language), Some(status))
                if e.is_empty() =>
            {
                Ok(ReviewDraft {
                    title,
                    slug,
                    body,
                    summary,
                    film,
                    rating,
                    categories,
                    tags,
                    spoiler_warning,
                    language,
                    author,
                    status,
                    quote_policy,
                })
            }
            _ => Err(e),
        }
    }
}

fn rating_ok(input: &Option<RatingInput>, parsed: &Option<Rating>) -> bool {
    input.is_none() || parsed.is_some()
}

fn parse_film(e: &mut ValidationErrors, f: &FilmInput) -> Film {
    let year = f.year.and_then(|y| match u16::try_from(y) {
        Ok(y) if (1870..=2100).contains(&y) => Some(y),
        _ => {
            e.add("film.year", "must be between 1870 and 2100");
            None
        }
    });
    let runtime_minutes = f.runtime_minutes.and_then(|m| match u16::try_from(m) {
        Ok(m) if (1..=2000).contains(&m) => Some(m),
        _ => {
            e.add("film.runtime_minutes", "must be between 1 and 2000");
            None
        }
    });
    let mut credits = Vec::new();
    if f.credits.len() > MAX_LIST {
        e.add(
            "film.credits",
            format!("must have at most {MAX_LIST} entries"),
        );
    } else {
        for (i, c) in f.credits.iter().enumerate() {
            let role = text(
                e,
                &format!("film.credits[{i}].role"),
                Some(&c.role),
                100,
                true,
            );
            let name = text(
                e,
                &format!("film.credits[{i}].name"),
                Some(&c.name),
                300,
                true,
            );
            if let (Some(role), Some(name)) = (role, name) {
                credits.push(Credit { role, name });
            }
        }
    }
    let poster_url = f
        .poster_url
        .as_deref()
        .and_then(|u| e.check("film.poster_url", WebUrl::parse(u)));
    let poster_alt = text(e, "film.poster_alt", f.poster_alt.as_deref(), 1000, false);
    if poster_url.is_some() && poster_alt.is_none() {
        e.add(
            "film.poster_alt",
            "is required with a poster, for readers who cannot see it",
        );
    }
    Film {
        title: text(e, "film.title", f.title.as_deref(), 300, true).unwrap_or_default(),
        year,
        original_title: text(
            e,
            "film.original_title",
            f.original_title.as_deref(),
            300,
            false,
        ),
        directors: names(e, "film.directors", &f.directors),
        writers: names(e, "film.writers", &f.writers),
        cast: names(e, "film.cast", &f.cast),
        runtime_minutes,
        poster_url,
        poster_alt,
        imdb_id: f
            .imdb_id
            .as_deref()
            .and_then(|v| e.check("film.imdb_id", ImdbId::parse(v))),
        wikidata_id: f
            .wikidata_id
            .as_deref()
            .and_then(|v| e.check("film.wikidata_id", WikidataId::parse(v))),
        credits,
    }
}
