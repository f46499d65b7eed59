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
use crate::domain::review::{credits, Credit, FilmInput};
use crate::domain::{ReviewInput, Slug};
use crate::error::AppError;
use crate::outbound::Outbound;
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
    /// Reader responses imported as comments.
    pub comments: usize,
}

/// The second sample's reader responses, imported as comments of its review.
async fn import_responses(
    pool: &PgPool,
    settings: &Settings,
    review: &crate::domain::Review,
    samples: &Path,
) -> Result<usize, DemoError> {
    let mut items = responses(&read(samples, "002_f9ad0a0c7b967a73.txt")?);
    fill_dates(&mut items, review.date());
    for item in &items {
        let input = crate::comments::ImportInput {
            author_name: item
                .author
                .clone()
                .unwrap_or_else(|| format!("Reader {}", item.number)),
            author_url: None,
            date: item.date.unwrap_or_else(|| review.date()),
            content: item.paragraphs.join("\n\n"),
            parent: None,
        };
        crate::comments::import(pool, settings, review.id, &input).await?;
    }
    Ok(items.len())
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
    let credits_at = credits::block_start(&lines).ok_or_else(|| shape("no credits block"))?;
    let block = lines
        .get(credits_at..)
        .ok_or_else(|| shape("no credits block"))?;
    let mut film = FilmInput {
        title: Some("Never Let Me Go".into()),
        year: Some(2010),
        ..Default::default()
    };
    credits::read_block(block, &mut film);
    Ok(ReviewInput {
        title: Some(title.to_string()),
        body: Some(body_from(lines.get(1..credits_at).unwrap_or_default())),
        film: Some(film),
        status: Some("published".into()),
        language: Some("en".into()),
        ..Default::default()
    })
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
    // Where the spoilers begin, marked so that no teaser is taken from past it.
    let body = body.replacen(
        "\n\nYou can turn back now",
        &format!(
            "\n\n{}\n\nYou can turn back now",
            crate::content::SPOILER_MARKER
        ),
        1,
    );
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
        publish_at: Some(when.into()),
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
    Some((wordpress_date(date)?, categories))
}

/// "February 5th, 2011 at 4:12 pm", as WordPress prints dates.
fn wordpress_date(text: &str) -> Option<DateTime<Utc>> {
    let date: String = text
        .trim()
        .split(' ')
        .map(|w| {
            w.trim_end_matches(',').trim_end_matches(|c: char| {
                c.is_ascii_alphabetic() && w.starts_with(|d: char| d.is_ascii_digit())
            })
        })
        .collect::<Vec<_>>()
        .join(" ");
    let naive = NaiveDateTime::parse_from_str(&date.to_uppercase(), "%B %d %Y AT %I:%M %p").ok()?;
    Some(naive.and_utc())
}

/// One of the sample's numbered reader responses.
#[derive(Debug, Clone, PartialEq)]
struct Response {
    number: u32,
    author: Option<String>,
    date: Option<DateTime<Utc>>,
    paragraphs: Vec<String>,
}

/// The numbered responses between "31 Responses to …" and "Leave a Reply". A response may
/// start with its author's name and a WordPress date; most of the copied ones lost theirs.
/// Where the numbering skips one, the previous response's last paragraph is taken as the
/// missing response (the copy dropped its number, not its text).
fn responses(text: &str) -> Vec<Response> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("Responses to “"))
        .map(|i| i + 1)
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .position(|l| l.trim() == "Leave a Reply")
        .unwrap_or(lines.len());
    let mut items: Vec<Response> = Vec::new();
    let mut paragraph = String::new();
    let flush = |items: &mut Vec<Response>, paragraph: &mut String| {
        let p = clean(paragraph);
        if let (false, Some(item)) = (p.is_empty(), items.last_mut()) {
            item.paragraphs.push(p);
        }
        paragraph.clear();
    };
    for line in lines.get(start..end).unwrap_or_default() {
        let trimmed = line.trim_start();
        let numbered = line.len() - trimmed.len() <= 3
            && trimmed
                .split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if numbered {
            flush(&mut items, &mut paragraph);
            let (n, rest) = trimmed.split_once(". ").unwrap_or_default();
            let number: u32 = n.parse().unwrap_or(0);
            if let Some(previous) = items.last_mut() {
                if number == previous.number + 2 && previous.paragraphs.len() > 1 {
                    let lost = previous.paragraphs.pop().into_iter().collect();
                    let missing = Response {
                        number: previous.number + 1,
                        author: None,
                        date: None,
                        paragraphs: lost,
                    };
                    items.push(missing);
                }
            }
            items.push(Response {
                number,
                author: None,
                date: None,
                paragraphs: Vec::new(),
            });
            paragraph.push_str(rest);
        } else if line.trim().is_empty() {
            flush(&mut items, &mut paragraph);
        } else {
            if !paragraph.is_empty() {
                paragraph.push(' ');
            }
            paragraph.push_str(line.trim());
        }
    }
    flush(&mut items, &mut paragraph);
    for item in &mut items {
        // An author line and a date line, followed by at least one paragraph of text.
        let [author, date, _, ..] = item.paragraphs.as_slice() else {
            continue;
        };
        if author.chars().count() < 60 {
            if let Some(date) = wordpress_date(date) {
                item.author = Some(author.clone());
                item.date = Some(date);
                item.paragraphs.drain(..2);
            }
        }
    }
    items
}

/// Dates for responses that lost theirs: the last known one before them (the review's own
/// date for the first), never an invented time. The page shows days, and the import keeps
/// the sample's order among comments of the same time.
fn fill_dates(items: &mut [Response], posted: DateTime<Utc>) {
    let mut last = posted;
    for item in items.iter_mut() {
        match item.date {
            Some(known) => last = known,
            None => item.date = Some(last),
        }
    }
}

/// Loads the sample reviews unless reviews with their slugs exist.
#[tracing::instrument(skip_all)]
pub async fn load(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    samples: &Path,
) -> Result<Report, DemoError> {
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
        let stored = publishing::create(pool, settings, outbound, &input, Utc::now()).await?;
        report.created.push(stored.review.slug.to_string());
        if stored.review.slug.as_str() == "never-let-me-go" {
            report.comments = import_responses(pool, settings, &stored.review, samples).await?;
        }
    }
    tracing::info!(
        created = report.created.len(),
        skipped = report.skipped.len(),
        "demo reviews loaded"
    );
    Ok(report)
}

#[cfg(test)]
mod tests;
