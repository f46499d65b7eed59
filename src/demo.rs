//! `reviewpub demo`: the two sample reviews of *Never Let Me Go* (from `../shared/samples/`)
//! loaded as published reviews, with their credits filled in as the texts give them.
//!
//! The texts are read from the sample files at load time; what the files say only in prose (or
//! as a credits block) is listed here per sample. Loading twice adds nothing.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::PgPool;

use crate::config::Settings;
use crate::db::reviews;
use crate::domain::review::{Credit, FilmInput};
use crate::domain::{ReviewInput, Slug};
use crate::error::AppError;
use crate::publishing;

pub const DEFAULT_SAMPLES: &str = "../shared/samples";

/// Image file names and shop links that the copied pages left in the text.
const ARTIFACTS: &[&str] = &[
    "never_let_me_go_ver5_xlg",
    "Never Let Me Go[2010]DvDrip[Eng]-FXG.avi_004313480 ",
    "Never Let Me Go[2010]DvDrip[Eng]-FXG.avi_002143268",
    "tn_neverletmego",
    "mp_neverletmego",
];

/// The credits block of the first sample: line prefix → role (`None`: the film's directors or
/// writers).
const CREDIT_LINES: &[(&str, &str)] = &[
    ("Directed by", "directors"),
    ("Screenplay by", "writers"),
    ("Based on", "Based on"),
    ("Narrated by", "Narrated by"),
    ("Music by", "Music"),
    ("Cinematography", "Cinematography"),
    ("Editing by", "Editing"),
    ("Studio", "Studio"),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the demo samples were not found at {0} (pass --samples DIR): {1}")]
    Missing(PathBuf, std::io::Error),
    #[error("the sample {0} does not have the expected shape: {1}")]
    Shape(String, &'static str),
    #[error(transparent)]
    App(#[from] AppError),
}

/// What [`load`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub created: Vec<String>,
    pub skipped: Vec<String>,
}

fn read(dir: &Path, name: &str) -> Result<String, DemoError> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).map_err(|e| DemoError::Missing(path, e))
}

fn clean(paragraph: &str) -> String {
    let mut text = paragraph.trim().to_string();
    for artifact in ARTIFACTS {
        text = text.replace(artifact, "");
    }
    text.trim().to_string()
}

/// Paragraphs (blank-line separated) as Markdown, artifacts removed.
fn body_from(lines: &[&str]) -> String {
    lines
        .join("\n")
        .split("\n\n")
        .map(clean)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The critical review with a credits block.
fn first_sample(text: &str) -> Result<ReviewInput, DemoError> {
    let shape = |why| DemoError::Shape("000_8033b86befb8cbbb.txt".into(), why);
    // The credits block uses no-break spaces ("by\u{a0}Kazuo Ishiguro").
    let text = text.replace('\u{a0}', " ");
    let lines: Vec<&str> = text.lines().collect();
    let title = lines
        .first()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .ok_or_else(|| shape("no title line"))?;
    let credits_at = lines
        .iter()
        .position(|l| l.starts_with("Directed by"))
        .ok_or_else(|| shape("no credits block"))?;
    let mut film = FilmInput {
        title: Some("Never Let Me Go".into()),
        year: Some(2010),
        ..Default::default()
    };
    let block = &lines[credits_at..];
    for (i, line) in block.iter().enumerate() {
        let line = line.trim();
        for (prefix, role) in CREDIT_LINES {
            let Some(rest) = line.strip_prefix(prefix) else {
                continue;
            };
            let mut name = strip_footnote(rest.trim());
            // "Based on Never Let Me Go" continues on the next line: "by Kazuo Ishiguro".
            if let Some(next) = block
                .get(i + 1)
                .map(|l| l.trim())
                .filter(|l| l.starts_with("by "))
            {
                name = format!("{name} {next}");
            }
            if name.is_empty() {
                continue;
            }
            match *role {
                "directors" => film.directors.push(name),
                "writers" => film.writers.push(name),
                role => film.credits.push(Credit {
                    role: role.to_string(),
                    name,
                }),
            }
        }
    }
    Ok(ReviewInput {
        title: Some(title.to_string()),
        body: Some(body_from(lines.get(1..credits_at).unwrap_or_default())),
        film: Some(film),
        status: Some("published".into()),
        language: Some("en".into()),
        ..Default::default()
    })
}

/// "Rachel Portman[1]" → "Rachel Portman".
fn strip_footnote(text: &str) -> String {
    match text.find('[') {
        Some(i) if text.ends_with(']') => text[..i].trim().to_string(),
        _ => text.to_string(),
    }
}

/// The review with a spoiler warning, a posting line and 31 responses.
fn second_sample(text: &str) -> Result<ReviewInput, DemoError> {
    let shape = |why| DemoError::Shape("002_f9ad0a0c7b967a73.txt".into(), why);
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .iter()
        .position(|l| l.starts_with("If you liked"))
        .ok_or_else(|| shape("no end of body"))?;
    let posting = lines
        .iter()
        .find(|l| l.starts_with("This entry was posted on"))
        .ok_or_else(|| shape("no posting line"))?;
    let heading = lines
        .iter()
        .find(|l| l.contains("Responses to “"))
        .ok_or_else(|| shape("no responses heading"))?;
    let title = heading
        .split('“')
        .nth(1)
        .and_then(|t| t.split('”').next())
        .ok_or_else(|| shape("no title in the responses heading"))?;
    let (when, categories) =
        parse_posting_line(posting).ok_or_else(|| shape("unreadable posting line"))?;
    // The first line is the page title run into a shop link ("Try before you Buy…").
    let body = body_from(lines.get(1..end).unwrap_or_default());
    let film = FilmInput {
        title: Some(title.to_string()),
        year: Some(2010),
        directors: vec!["Mark Romanek".into()],
        writers: vec!["Alex Garland".into()],
        credits: vec![Credit {
            role: "Based on".into(),
            name: "the novel by Kazuo Ishiguro".into(),
        }],
        ..Default::default()
    };
    Ok(ReviewInput {
        title: Some(title.to_string()),
        body: Some(body),
        film: Some(film),
        categories,
        spoiler_warning: Some(
            "from its middle on, this review tells what the film is about (\u{201c}You can turn back now\u{201d})."
                .into(),
        ),
        status: Some("published".into()),
        publish_at: Some(when),
        language: Some("en".into()),
        slug: Some(Slug::from_text(title).to_string()),
        ..Default::default()
    })
}

/// "This entry was posted on Friday, February 4th, 2011 at 2:54 am and is filed under Reviews,
/// Science Fiction and Space Shit." → the time and the categories.
fn parse_posting_line(line: &str) -> Option<(DateTime<Utc>, Vec<String>)> {
    let rest = line.strip_prefix("This entry was posted on ")?;
    let (date, rest) = rest.split_once(" and is filed under ")?;
    let categories = rest
        .split_once('.')?
        .0
        .split(", ")
        .map(|c| c.trim().to_string())
        .collect();
    let date = date.split_once(", ")?.1; // drop the weekday
    let date: String = date
        .split(' ')
        .map(|w| {
            w.trim_end_matches(',').trim_end_matches(|c: char| {
                c.is_ascii_alphabetic() && w.starts_with(|d: char| d.is_ascii_digit())
            })
        })
        .collect::<Vec<_>>()
        .join(" ");
    let naive = NaiveDateTime::parse_from_str(&date.to_uppercase(), "%B %d %Y AT %I:%M %p").ok()?;
    Some((naive.and_utc(), categories))
}

/// Loads the sample reviews unless reviews with their slugs exist.
#[tracing::instrument(skip(pool, settings))]
pub async fn load(pool: &PgPool, settings: &Settings, samples: &Path) -> Result<Report, DemoError> {
    let inputs = [
        first_sample(&read(samples, "000_8033b86befb8cbbb.txt")?)?,
        second_sample(&read(samples, "002_f9ad0a0c7b967a73.txt")?)?,
    ];
    let mut report = Report::default();
    for input in inputs {
        let slug = publishing::slug_of(&input);
        if reviews::get_by_slug(pool, &slug)
            .await
            .map_err(AppError::from)?
            .is_some()
        {
            report.skipped.push(slug);
            continue;
        }
        let stored = publishing::create(pool, settings, &input, Utc::now()).await?;
        report.created.push(stored.review.slug.to_string());
    }
    tracing::info!(
        created = report.created.len(),
        skipped = report.skipped.len(),
        "demo reviews loaded"
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posting_line() {
        let (when, categories) = parse_posting_line(
            "This entry was posted on Friday, February 4th, 2011 at 2:54 am and is filed under Reviews, Science Fiction and Space Shit. You can follow",
        )
        .expect("parses");
        assert_eq!(when.to_rfc3339(), "2011-02-04T02:54:00+00:00");
        assert_eq!(
            categories,
            vec!["Reviews", "Science Fiction and Space Shit"]
        );
    }

    #[test]
    fn footnotes() {
        assert_eq!(strip_footnote("Rachel Portman[1]"), "Rachel Portman");
        assert_eq!(strip_footnote("DNA Films"), "DNA Films");
    }
}
