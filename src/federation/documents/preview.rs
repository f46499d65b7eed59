//! How a review previews where its full text is not shown (DESIGN §4): the Article's short
//! HTML `summary` (Mastodon shows the title, this and a link, never `content`), the FEP-b2b8
//! `preview` Note for clients that use it, and the poster as an `Image` with its alt text.

use serde::Serialize;

use super::{Image, Tag};
use crate::content::{escape_html, html_to_text, truncate};
use crate::domain::Review;

/// The most visible characters in the Article's `summary`: FEP-b2b8's "about 500 characters"
/// for a summary, which is also what a Mastodon post holds, so it reads as one.
pub const SUMMARY_CHARS: usize = 500;
/// The most the stars-film-director line and the warning may take of it each (a film with
/// many directors, a long warning), and the hashtags together; the teaser gets the rest.
const LINE_CHARS: usize = 150;
const HASHTAG_CHARS: usize = 120;
/// Below this, a teaser is not worth cutting to: it is left out.
const MIN_TEASER_CHARS: usize = 40;

/// The FEP-b2b8 `preview`: a `Note` with the title, the summary and a link, for clients that
/// show only short posts. A review with a spoiler warning has it as the content warning.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub attributed_to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub sensitive: bool,
    pub content: String,
    pub url: String,
    pub published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    pub tag: Vec<Tag>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachment: Vec<Image>,
}

/// The poster, with its alt text (a default naming the film when the critic gave none) and its
/// media type when the address tells it; `size` is its pixel size when known (an upload's).
pub fn poster(review: &Review, size: Option<(u32, u32)>) -> Option<Image> {
    let url = review.film.poster_url.as_ref()?;
    Some(Image {
        kind: "Image",
        url: url.to_string(),
        media_type: image_media_type(url.as_str()),
        name: Some(
            review
                .film
                .poster_alt
                .clone()
                .unwrap_or_else(|| format!("Poster of {}", review.film.title)),
        ),
        width: size.map(|(w, _)| w),
        height: size.map(|(_, h)| h),
    })
}

/// The media type an image's address implies by its extension, if a common one.
fn image_media_type(address: &str) -> Option<&'static str> {
    let url = url::Url::parse(address).ok()?;
    let name = url.path_segments()?.next_back()?;
    let (_, extension) = name.rsplit_once('.')?;
    match extension.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "webp" => Some("image/webp"),
        "gif" => Some("image/gif"),
        "avif" => Some("image/avif"),
        _ => None,
    }
}

/// The plain-text line Mastodon users read first: stars, film, year, director.
fn rating_line(review: &Review) -> Option<String> {
    let film = &review.film;
    let mut line = String::new();
    if let Some(rating) = review.rating {
        line.push_str(&format!("{} ({}) ", rating.stars(), rating.text()));
    }
    if !review.title.contains(&film.title) || review.rating.is_some() {
        line.push_str(&film.title);
        if let Some(year) = film.year {
            line.push_str(&format!(" ({year})"));
        }
    }
    if !film.directors.is_empty() {
        line.push_str(&format!(", directed by {}", film.directors.join(" and ")));
    }
    let line = line.trim().trim_start_matches(", ").to_string();
    (!line.is_empty()).then_some(line)
}

/// A hashtag as Mastodon writes one, so that its web client links it to the tag's timeline.
fn hashtag_link(tag: &Tag) -> String {
    format!(
        "<a href=\"{}\" class=\"mention hashtag\" rel=\"tag\">#<span>{}</span></a>",
        escape_html(&tag.href),
        escape_html(tag.name.trim_start_matches('#'))
    )
}

/// The review in at most [`SUMMARY_CHARS`] visible characters, as HTML paragraphs: the stars,
/// film and director; the spoiler warning (`with_warning`: the preview has it as its content
/// warning instead); the teaser (already free of spoilers, see `content::teaser_markdown`),
/// cut to what room is left; and the hashtags that fit, linked as `tag` links them.
pub fn summary(review: &Review, tags: &[Tag], with_warning: bool) -> String {
    let mut used = 0;
    let paragraph = |text: &str, max: usize, used: &mut usize| {
        let text = truncate(text, max);
        *used += text.chars().count() + 1;
        format!("<p>{}</p>", escape_html(&text))
    };
    let line = rating_line(review)
        .map(|l| paragraph(&l, LINE_CHARS, &mut used))
        .unwrap_or_default();
    let warning = match &review.spoiler_warning {
        Some(w) if with_warning => {
            paragraph(&format!("Spoiler warning: {w}"), LINE_CHARS, &mut used)
        }
        _ => String::new(),
    };
    let mut links = Vec::new();
    let mut hashtag_chars = 0;
    for tag in tags {
        let width = tag.name.chars().count() + 1;
        if hashtag_chars + width > HASHTAG_CHARS {
            break;
        }
        hashtag_chars += width;
        links.push(hashtag_link(tag));
    }
    used += hashtag_chars;
    let room = SUMMARY_CHARS.saturating_sub(used);
    let teaser_text = html_to_text(&review.summary_html);
    let teaser = if teaser_text.is_empty() || room < MIN_TEASER_CHARS {
        String::new()
    } else if teaser_text.chars().count() <= room {
        review.summary_html.trim().to_string()
    } else {
        format!("<p>{}</p>", escape_html(&truncate(&teaser_text, room)))
    };
    let hashtags = if links.is_empty() {
        String::new()
    } else {
        format!("<p>{}</p>", links.join(" "))
    };
    format!("{line}{warning}{teaser}{hashtags}")
}

/// The `preview` Note of a review's Article: its title in bold, the summary without the
/// warning (which is the content warning), and a link to the page.
pub fn preview(
    review: &Review,
    tags: &[Tag],
    attributed_to: String,
    url: &str,
    (published, updated): (String, Option<String>),
    poster: Option<Image>,
) -> Preview {
    let content = format!(
        "<p><strong>{}</strong></p>{}<p><a href=\"{url}\">{url}</a></p>",
        escape_html(&review.title),
        summary(review, tags, false),
        url = escape_html(url),
    );
    Preview {
        kind: "Note",
        attributed_to,
        summary: review.spoiler_warning.clone(),
        sensitive: review.spoiler_warning.is_some(),
        content,
        url: url.to_string(),
        published,
        updated,
        tag: tags.to_vec(),
        attachment: poster.into_iter().collect(),
    }
}
