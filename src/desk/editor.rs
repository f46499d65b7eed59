//! The review editor's form: what the browser sends (plain fields, credits as repeated rows,
//! times in the site's time zone) and the review input it stands for, both ways.

use chrono_tz::Tz;
use serde::Deserialize;

use crate::domain::review::{Credit, FilmInput, PublishAt, RatingInput};
use crate::domain::{Invalid, ReviewInput};

/// The roles the editor suggests for further credits (as film reviews write them).
pub const ROLES: &[&str] = &[
    "Based on",
    "Narrated by",
    "Music",
    "Cinematography",
    "Editing",
    "Produced by",
    "Production design",
    "Costume design",
    "Studio",
];

/// Empty credit rows offered below the filled ones (no JavaScript needed to add one).
const SPARE_CREDIT_ROWS: usize = 3;

/// The editor's fields, as sent and as shown again.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EditorForm {
    pub title: String,
    pub slug: String,
    pub film_title: String,
    pub film_year: String,
    pub original_title: String,
    /// Comma-separated names.
    pub directors: String,
    pub writers: String,
    pub cast: String,
    pub runtime: String,
    pub poster_url: String,
    pub poster_alt: String,
    pub imdb_id: String,
    pub wikidata_id: String,
    pub credit_role: Vec<String>,
    pub credit_name: Vec<String>,
    /// Stars out of 5 in halves ("3.5"), or empty.
    pub rating: String,
    /// Comma-separated.
    pub categories: String,
    pub tags: String,
    pub spoiler_warning: String,
    pub summary: String,
    pub body: String,
    /// `YYYY-MM-DDTHH:MM` (an `<input type="datetime-local">`) in the site's time zone.
    pub publish_at: String,
    /// The button pressed: `draft`, `preview`, `schedule`, `publish`.
    pub action: String,
}

/// What the critic asked for with the button they pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SaveDraft,
    Preview,
    Schedule,
    Publish,
}

impl Action {
    pub fn of(raw: &str) -> Self {
        match raw {
            "preview" => Self::Preview,
            "schedule" => Self::Schedule,
            "publish" => Self::Publish,
            _ => Self::SaveDraft,
        }
    }
}

fn names(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn text(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

/// A credit row as the form shows it.
pub struct CreditRow {
    pub role: String,
    pub name: String,
}

impl EditorForm {
    /// The form of a review as stored (times in `tz`).
    pub fn of(input: &ReviewInput, tz: Tz) -> Self {
        let film = input.film.clone().unwrap_or_default();
        let join = |v: &[String]| v.join(", ");
        Self {
            title: input.title.clone().unwrap_or_default(),
            slug: input.slug.clone().unwrap_or_default(),
            film_title: film.title.clone().unwrap_or_default(),
            film_year: film.year.map(|y| y.to_string()).unwrap_or_default(),
            original_title: film.original_title.clone().unwrap_or_default(),
            directors: join(&film.directors),
            writers: join(&film.writers),
            cast: join(&film.cast),
            runtime: film
                .runtime_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
            poster_url: film.poster_url.clone().unwrap_or_default(),
            poster_alt: film.poster_alt.clone().unwrap_or_default(),
            imdb_id: film.imdb_id.clone().unwrap_or_default(),
            wikidata_id: film.wikidata_id.clone().unwrap_or_default(),
            credit_role: film.credits.iter().map(|c| c.role.clone()).collect(),
            credit_name: film.credits.iter().map(|c| c.name.clone()).collect(),
            rating: input
                .rating
                .map(|r| stars_of(r.value, r.best))
                .unwrap_or_default(),
            categories: input.categories.join(", "),
            tags: input.tags.join(", "),
            spoiler_warning: input.spoiler_warning.clone().unwrap_or_default(),
            summary: input.summary.clone().unwrap_or_default(),
            body: input.body.clone().unwrap_or_default(),
            publish_at: input
                .publish_at
                .and_then(|at| at.resolve(tz).ok())
                .map(|at| at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default(),
            action: String::new(),
        }
    }

    /// The review input this form stands for, with the status its button asks for (`status`:
    /// the stored one, kept by a preview). A time that is not one is named in `errors`.
    pub fn input(
        &self,
        status: Option<&str>,
        tz: Tz,
        errors: &mut Vec<(String, String)>,
    ) -> ReviewInput {
        let number = |field: &str, label: &str, raw: &str, errors: &mut Vec<(String, String)>| {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            raw.parse::<i64>().map(Some).unwrap_or_else(|_| {
                errors.push((label.to_string(), format!("{field} must be a whole number")));
                None
            })
        };
        let credits = self
            .credit_role
            .iter()
            .zip(&self.credit_name)
            .filter_map(|(role, name)| {
                let (role, name) = (role.trim(), name.trim());
                (!role.is_empty() && !name.is_empty()).then(|| Credit {
                    role: role.to_string(),
                    name: name.to_string(),
                })
            })
            .collect();
        let film = FilmInput {
            title: text(&self.film_title),
            year: number("The year", "Year", &self.film_year, errors),
            original_title: text(&self.original_title),
            directors: names(&self.directors),
            writers: names(&self.writers),
            cast: names(&self.cast),
            runtime_minutes: number("The running time", "Running time", &self.runtime, errors),
            poster_url: text(&self.poster_url),
            poster_alt: text(&self.poster_alt),
            imdb_id: text(&self.imdb_id),
            wikidata_id: text(&self.wikidata_id),
            credits,
        };
        let rating = match self.rating.trim() {
            "" => None,
            raw => match raw.parse::<f64>() {
                Ok(value) => Some(RatingInput { value, best: 5 }),
                Err(_) => {
                    errors.push(("Rating".into(), "must be a number of stars".into()));
                    None
                }
            },
        };
        let publish_at = match self.publish_at.trim() {
            "" => None,
            raw => match PublishAt::parse(raw).and_then(|at| at.resolve(tz)) {
                Ok(at) => Some(PublishAt::Instant(at)),
                Err(Invalid(message)) => {
                    errors.push(("Publish at".into(), format!("{message} ({tz})")));
                    None
                }
            },
        };
        let status = match Action::of(&self.action) {
            Action::SaveDraft => Some("draft"),
            Action::Schedule => Some("scheduled"),
            Action::Publish => Some("published"),
            Action::Preview => status,
        };
        ReviewInput {
            title: text(&self.title),
            body: text(&self.body),
            summary: text(&self.summary),
            film: Some(film),
            rating,
            categories: names(&self.categories),
            tags: names(&self.tags),
            spoiler_warning: text(&self.spoiler_warning),
            language: None,
            author: None,
            status: status.map(str::to_string),
            // A review published now takes the time of publication (an earlier date is kept
            // by the publishing rules); a schedule needs its time.
            publish_at: match Action::of(&self.action) {
                Action::Publish => None,
                _ => publish_at,
            },
            slug: text(&self.slug),
            quote_policy: None,
        }
    }

    /// The credit rows to show: the filled ones, then a few empty ones.
    pub fn credit_rows(&self) -> Vec<CreditRow> {
        let mut rows: Vec<CreditRow> = self
            .credit_role
            .iter()
            .zip(&self.credit_name)
            .filter(|(role, name)| !role.trim().is_empty() || !name.trim().is_empty())
            .map(|(role, name)| CreditRow {
                role: role.clone(),
                name: name.clone(),
            })
            .collect();
        rows.extend((0..SPARE_CREDIT_ROWS).map(|_| CreditRow {
            role: String::new(),
            name: String::new(),
        }));
        rows
    }
}

/// A rating as stars out of 5 in halves.
fn stars_of(value: f64, best: i64) -> String {
    let stars = if best > 0 {
        (value * 5.0 / best as f64 * 2.0).round() / 2.0
    } else {
        0.0
    };
    if stars.fract() == 0.0 {
        format!("{stars:.0}")
    } else {
        format!("{stars:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_review_goes_into_the_form_and_back() {
        let input = ReviewInput {
            title: Some("Heat (1995)".into()),
            body: Some("Body".into()),
            film: Some(FilmInput {
                title: Some("Heat".into()),
                year: Some(1995),
                directors: vec!["Michael Mann".into()],
                credits: vec![Credit {
                    role: "Music".into(),
                    name: "Elliot Goldenthal".into(),
                }],
                ..FilmInput::default()
            }),
            rating: Some(RatingInput {
                value: 4.5,
                best: 5,
            }),
            categories: vec!["Crime".into(), "Thriller".into()],
            status: Some("draft".into()),
            ..ReviewInput::default()
        };
        let form = EditorForm::of(&input, Tz::UTC);
        assert_eq!(form.rating, "4.5");
        assert_eq!(form.categories, "Crime, Thriller");
        assert_eq!(form.credit_rows().len(), 1 + SPARE_CREDIT_ROWS);
        let mut errors = Vec::new();
        let back = form.input(Some("draft"), Tz::UTC, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back.film, input.film);
        assert_eq!(back.rating, input.rating);
        assert_eq!(back.categories, input.categories);
        assert_eq!(stars_of(7.0, 10), "3.5");
    }
}
