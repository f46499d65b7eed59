//! What a WordPress post becomes here: the review's input, the old addresses that lead to it,
//! and its comment thread (see [`super::thread`]).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use crate::content::{self, wordpress as html};
use crate::domain::review::{credits, FilmInput};
use crate::domain::wxr::{legacy_path, Export, Item, PostStatus};
use crate::domain::{Language, ReviewInput, Slug, Term};

/// What becomes of an item.
pub enum Plan {
    /// Not imported, with why (the report's key: `page`, `attachment`, `trash`, …).
    Skip(String),
    Post(Box<ReviewInput>),
}

/// The blog's offset from UTC, as its own posts show it (local date minus GMT date, the
/// most common one); UTC when no post has both.
pub fn site_offset(export: &Export) -> Duration {
    let mut seen: Vec<(i64, usize)> = Vec::new();
    for item in &export.items {
        if let (Some(local), Some(gmt)) = (item.post_date, item.post_date_gmt) {
            let minutes = (local - gmt).num_minutes();
            match seen.iter_mut().find(|(m, _)| *m == minutes) {
                Some((_, n)) => *n += 1,
                None => seen.push((minutes, 1)),
            }
        }
    }
    seen.iter()
        .max_by_key(|(_, n)| *n)
        .map_or(Duration::zero(), |(m, _)| Duration::minutes(*m))
}

/// A date of the old blog in UTC: the GMT one, else the local one less the blog's offset.
pub fn utc(
    gmt: Option<NaiveDateTime>,
    local: Option<NaiveDateTime>,
    offset: Duration,
) -> Option<DateTime<Utc>> {
    gmt.map(|d| d.and_utc())
        .or_else(|| local.map(|d| d.and_utc() - offset))
}

/// Text of a title, term or name as WordPress stores it (entities, no-break spaces).
pub fn plain(text: &str) -> String {
    content::html_to_text(text)
        .replace("&nbsp;", " ")
        .replace('\u{a0}', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The review a post becomes (its slug is chosen later, where the database says which are
/// free).
pub fn plan(item: &Item, export: &Export, offset: Duration, now: DateTime<Utc>) -> Plan {
    if item.post_type != "post" {
        let kind = if item.post_type.is_empty() {
            "unknown"
        } else {
            &item.post_type
        };
        return Plan::Skip(kind.to_string());
    }
    let date = utc(item.post_date_gmt, item.post_date, offset);
    let (status, publish_at) = match (&item.status, date) {
        (Some(PostStatus::Trash), _) => return Plan::Skip("trash".into()),
        (Some(PostStatus::Other(s)), _) if s == "auto-draft" || s == "inherit" => {
            return Plan::Skip(s.clone())
        }
        // Only its readers with the password saw it: not made public here.
        _ if item.has_password => ("draft", None),
        (Some(PostStatus::Publish), at) => ("published", at),
        (Some(PostStatus::Future), Some(at)) if at > now => ("scheduled", Some(at)),
        (Some(PostStatus::Future), at) => ("published", at),
        _ => ("draft", None),
    };
    let title = plain(&item.title);
    let title = if title.is_empty() {
        format!("Untitled (post {})", item.post_id)
    } else {
        title
    };
    let (film_title, year) = film_of(&title);
    let mut film = FilmInput {
        title: Some(film_title),
        year,
        ..Default::default()
    };
    let (teaser, whole) = html::split_more(&item.content);
    let body = without_credits(&whole, &mut film);
    let excerpt = html::to_markdown(&item.excerpt);
    let summary = if excerpt.trim().is_empty() {
        teaser.map(|t| html::to_markdown(&t))
    } else {
        Some(excerpt)
    }
    // The teaser field holds a teaser: a longer part before `<!--more-->` is left to the body.
    .filter(|s| !s.trim().is_empty() && s.chars().count() <= 2000);
    let author = export
        .authors
        .iter()
        .find(|(login, _)| *login == item.creator)
        .map(|(_, name)| name.clone())
        .filter(|n| !n.is_empty() && n.chars().count() <= 200);
    Plan::Post(Box::new(ReviewInput {
        title: Some(content::truncate(&title, 300)),
        body: Some(body),
        summary,
        film: Some(film),
        categories: terms(item, "category"),
        tags: terms(item, "post_tag"),
        language: export
            .language
            .as_deref()
            .and_then(|l| Language::parse(l).ok())
            .map(|l| l.to_string()),
        author,
        status: Some(status.into()),
        publish_at: publish_at.map(Into::into),
        slug: None,
        ..Default::default()
    }))
}

/// "Never Let Me Go (2010)" → the film "Never Let Me Go" of 2010.
fn film_of(title: &str) -> (String, Option<i64>) {
    let year = title
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once(" ("))
        .and_then(|(name, year)| Some((name, year.parse::<i64>().ok()?)))
        .filter(|(name, year)| !name.trim().is_empty() && (1870..=2100).contains(year));
    match year {
        Some((name, year)) => (name.trim().to_string(), Some(year)),
        None => (title.to_string(), None),
    }
}

/// The body as Markdown, a credits block ("Directed by …" lines) taken out into `film`.
fn without_credits(html_content: &str, film: &mut FilmInput) -> String {
    let mut blocks = html::blocks(html_content);
    for block in blocks.iter_mut() {
        let lines: Vec<&str> = block.lines().collect();
        let texts: Vec<String> = lines.iter().map(|l| plain(l)).collect();
        let Some(start) = credits::block_start(&texts) else {
            continue;
        };
        credits::read_block(texts.get(start..).unwrap_or_default(), film);
        *block = lines.get(..start).unwrap_or_default().join("\n");
        break;
    }
    html::to_markdown(&blocks.join("\n\n"))
}

/// The item's terms in `domain` that make valid terms here; WordPress's default category
/// ("Uncategorized") is not one the critic chose.
fn terms(item: &Item, domain: &str) -> Vec<String> {
    item.terms_in(domain)
        .filter(|t| !(domain == "category" && t.nicename == "uncategorized"))
        .map(|t| plain(&t.name))
        .filter(|name| Term::parse(name).is_ok())
        .take(30)
        .collect()
}

/// Slugs to try, in order: the post's own (`wp:post_name`), one from its title, then either
/// with the post id.
pub fn slug_candidates(item: &Item, title: &str) -> Vec<Slug> {
    let own = url::form_urlencoded::parse(format!("x={}", item.post_name).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut out: Vec<Slug> = Vec::new();
    let base = match Slug::parse(&own) {
        Ok(slug) => slug,
        Err(_) => Slug::from_text(if own.is_empty() { title } else { &own }),
    };
    let numbered = format!(
        "{}-{}",
        base.as_str()
            .chars()
            .take(Slug::MAX_LEN - 21)
            .collect::<String>()
            .trim_end_matches('-'),
        item.post_id
    );
    for candidate in [
        Some(base),
        Some(Slug::from_text(title)),
        Slug::parse(&numbered).ok(),
    ]
    .into_iter()
    .flatten()
    {
        if !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out
}

/// The old addresses of a post: its permalink's path and `/?p=<id>` under the blog's
/// `base_path` (`/blog/?p=<id>` for a blog in `/blog`).
pub fn legacy_paths(item: &Item, base_path: &str) -> Vec<String> {
    let mut out = vec![format!("{base_path}/?p={}", item.post_id)];
    if let Ok(link) = url::Url::parse(&item.link) {
        if let Some(path) = legacy_path(link.path(), link.query()) {
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}
