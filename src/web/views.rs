//! What the templates show, built from stored reviews.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::comments::Shown;

use crate::db::comments::Engagement;
use crate::db::reviews::StoredReview;
use crate::domain::{Review, Term};
use crate::federation::documents::with_fields;
use crate::state::AppState;
use crate::urls::Urls;

pub struct Link {
    pub name: String,
    pub url: String,
}

pub struct FeedLink {
    pub title: String,
    pub url: String,
}

pub use super::posters::Image;

/// The frame every page shares: head metadata and site navigation.
pub struct Layout {
    pub lang: String,
    pub title: String,
    pub description: String,
    pub canonical: String,
    pub site_title: String,
    pub site_description: String,
    pub og_title: String,
    pub og_type: &'static str,
    pub image: Option<Image>,
    pub fediverse_creator: String,
    pub style_url: String,
    pub home_url: String,
    pub about_url: String,
    pub categories_url: String,
    pub tags_url: String,
    pub feed_url: String,
    pub feeds: Vec<FeedLink>,
    pub nav_categories: Vec<Link>,
    /// The blog actor, advertised on pages that stand for the blog (home, about).
    pub actor_url: Option<String>,
    /// Where the blog went, when it moved.
    pub moved: Option<Link>,
    /// A page search engines must not keep (a preview).
    pub robots_noindex: bool,
    /// The site's title is the page's heading (the home page, the only `<h1>` there).
    pub site_heading: bool,
}

impl Layout {
    /// A page of the site with the site's own description and the main feed.
    pub fn plain(state: &AppState, title: &str, canonical: &str) -> Self {
        let site = &state.settings.site;
        let urls = &state.urls;
        let full_title = if title.is_empty() {
            site.title.clone()
        } else {
            format!("{title} – {}", site.title)
        };
        Self {
            lang: site.language.to_string(),
            title: full_title,
            description: site.description.clone(),
            canonical: canonical.to_string(),
            site_title: site.title.clone(),
            site_description: site.description.clone(),
            og_title: if title.is_empty() {
                site.title.clone()
            } else {
                title.to_string()
            },
            og_type: "website",
            image: None,
            fediverse_creator: crate::domain::handle(
                state.settings.handle.as_str(),
                &urls.domain(),
            ),
            style_url: urls.join(&format!("/style.css?v={}", super::style_version())),
            home_url: urls.home(),
            about_url: urls.about(),
            categories_url: urls.join("/categories"),
            tags_url: urls.join("/tags"),
            feed_url: urls.feed(),
            feeds: vec![FeedLink {
                title: format!("{} – all reviews", site.title),
                url: urls.feed(),
            }],
            nav_categories: Vec::new(),
            actor_url: None,
            moved: None,
            robots_noindex: false,
            site_heading: false,
        }
    }

    /// The notice that the blog moved to another account, linked only to an http(s) address
    /// (its profile page, else its id: both came from the other server); `url` is empty
    /// without one.
    pub fn with_move(mut self, moved: Option<&crate::db::moves::MoveRow>) -> Self {
        self.moved = moved.map(|m| Link {
            name: m.target_handle.clone(),
            url: http_url(&m.target_url)
                .or_else(|| http_url(&m.target))
                .unwrap_or_default(),
        });
        self
    }

    pub fn with_categories(mut self, categories: &[(Term, i64)], urls: &Urls) -> Self {
        self.nav_categories = categories
            .iter()
            .take(6)
            .map(|(t, _)| Link {
                name: t.name.clone(),
                url: urls.category(&t.key),
            })
            .collect();
        self
    }
}

pub struct RatingView {
    /// The stars drawn: whole, then a half (a star half filled, in the same font), then empty.
    pub full: String,
    pub half: bool,
    pub empty: String,
    pub text: String,
}

/// A review in a listing.
pub struct Card {
    pub lang: String,
    pub title: String,
    pub url: String,
    pub date: String,
    pub date_iso: String,
    pub film_title: String,
    pub film_line: String,
    pub rating: Option<RatingView>,
    pub spoiler_warning: Option<String>,
    pub summary_html: String,
    pub categories: Vec<Link>,
    pub poster: Option<Image>,
}

pub fn display_date(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

fn term_links(terms: &[Term], url: impl Fn(&str) -> String) -> Vec<Link> {
    terms
        .iter()
        .map(|t| Link {
            name: t.name.clone(),
            url: url(&t.key),
        })
        .collect()
}

/// A time for machines (`<time datetime>`, JSON-LD): whole seconds, UTC, as HTML's validator
/// takes it (it refuses more than three digits of fractions).
pub fn machine_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Text that follows a full stop ("Spoiler warning. The ending…"): its first letter capital.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn rating(r: &Review) -> Option<RatingView> {
    r.rating.map(|x| {
        let stars = x.stars();
        RatingView {
            full: stars.chars().filter(|&c| c == '★').collect(),
            half: stars.contains('½'),
            empty: stars.chars().filter(|&c| c == '☆').collect(),
            text: x.text(),
        }
    })
}

impl Card {
    pub fn new(stored: &StoredReview, urls: &Urls, poster: Option<Image>) -> Self {
        let r = &stored.review;
        let mut film_line = String::new();
        if let Some(year) = r.display_year() {
            film_line.push_str(&year.to_string());
        }
        if !r.film.directors.is_empty() {
            if !film_line.is_empty() {
                film_line.push_str(", ");
            }
            film_line.push_str("directed by ");
            film_line.push_str(&r.film.directors.join(" and "));
        }
        Self {
            lang: r.language.to_string(),
            title: r.title.clone(),
            url: urls.review(&r.slug),
            date: display_date(r.date()),
            date_iso: machine_time(r.date()),
            film_title: r.film.title.clone(),
            film_line,
            rating: rating(r),
            spoiler_warning: r.spoiler_warning.as_deref().map(sentence),
            summary_html: r.summary_html.clone(),
            categories: term_links(&r.categories, |k| urls.category(k)),
            poster,
        }
    }
}

pub struct CreditLine {
    pub role: String,
    pub names: String,
}

/// Everything the review page shows.
pub struct ReviewDetails {
    pub lang: String,
    pub title: String,
    pub url: String,
    pub ap_id: String,
    pub author: String,
    pub date: String,
    pub date_iso: String,
    pub updated: Option<String>,
    pub updated_iso: String,
    pub categories: Vec<Link>,
    pub tags: Vec<Link>,
    pub film_title: String,
    pub film_year: Option<u16>,
    pub original_title: Option<String>,
    pub credits: Vec<CreditLine>,
    pub links: Vec<Link>,
    pub poster: Option<Image>,
    pub rating: Option<RatingView>,
    pub spoiler_warning: Option<String>,
    pub body_html: String,
    pub comments_heading: String,
    pub json_ld: String,
    pub thread_html: String,
    pub likes: i64,
    pub shares: i64,
    pub comments_feed: String,
    pub interact_url: String,
    pub actor_url: String,
}

/// "No Responses to “X”", "One Response to “X”", "31 Responses to “X”".
pub fn comments_heading(count: usize, title: &str) -> String {
    match count {
        0 => format!("No Responses to “{title}”"),
        1 => format!("One Response to “{title}”"),
        n => format!("{n} Responses to “{title}”"),
    }
}

fn credit_lines(r: &Review) -> Vec<CreditLine> {
    let f = &r.film;
    let mut lines = Vec::new();
    let mut push = |role: &str, names: &[String]| {
        if !names.is_empty() {
            lines.push(CreditLine {
                role: role.to_string(),
                names: names.join(", "),
            });
        }
    };
    push("Directed by", &f.directors);
    push("Written by", &f.writers);
    push("Starring", &f.cast);
    // Further credits keep the order they were given in, one line per role.
    let mut roles: Vec<(String, Vec<String>)> = Vec::new();
    for c in &f.credits {
        match roles.iter_mut().find(|(role, _)| role == &c.role) {
            Some((_, names)) => names.push(c.name.clone()),
            None => roles.push((c.role.clone(), vec![c.name.clone()])),
        }
    }
    for (role, names) in &roles {
        push(role, names);
    }
    if let Some(minutes) = f.runtime_minutes {
        lines.push(CreditLine {
            role: "Running time".into(),
            names: format!("{minutes} minutes"),
        });
    }
    lines
}

impl ReviewDetails {
    pub fn new(
        r: &Review,
        urls: &Urls,
        thread: &[Shown],
        engagement: Engagement,
        poster: Option<Image>,
    ) -> Self {
        let comment_count = thread
            .iter()
            .filter(|s| s.comment.deleted_at.is_none())
            .count();
        let published_at = r.date();
        // Back-dated reviews are created after their publication date: that is not an edit.
        let edited = r.updated_at > published_at.max(r.created_at) + chrono::Duration::minutes(5);
        let url = urls.review(&r.slug);
        let mut links = Vec::new();
        if let Some(id) = &r.film.imdb_id {
            links.push(Link {
                name: "IMDb".into(),
                url: id.url(),
            });
        }
        if let Some(id) = &r.film.wikidata_id {
            links.push(Link {
                name: "Wikidata".into(),
                url: id.url(),
            });
        }
        Self {
            lang: r.language.to_string(),
            title: r.title.clone(),
            ap_id: urls.review_ap_id(r.id, r.ap_revision),
            author: r.author.clone(),
            date: display_date(published_at),
            date_iso: machine_time(published_at),
            updated: edited.then(|| display_date(r.updated_at)),
            updated_iso: machine_time(r.updated_at.max(published_at)),
            categories: term_links(&r.categories, |k| urls.category(k)),
            tags: term_links(&r.tags, |k| urls.tag(k)),
            film_title: r.film.title.clone(),
            film_year: r.film.year,
            original_title: r.film.original_title.clone(),
            credits: credit_lines(r),
            links,
            poster,
            rating: rating(r),
            spoiler_warning: r.spoiler_warning.as_deref().map(sentence),
            body_html: r.body_html.clone(),
            comments_heading: comments_heading(comment_count, &r.title),
            thread_html: thread_html(
                thread,
                &ReplyLinks {
                    interact: urls.join("/interact"),
                    review_ap_id: urls.review_ap_id(r.id, r.ap_revision),
                },
            ),
            likes: engagement.likes,
            shares: engagement.shares,
            comments_feed: urls.comments_feed(&r.slug),
            interact_url: urls.join("/interact"),
            actor_url: urls.actor(),
            json_ld: json_ld(r, &url),
            url,
        }
    }
}

/// schema.org `Review` of a `Movie`, for search engines; safe inside a `<script>` element.
fn json_ld(r: &Review, url: &str) -> String {
    let same_as: Vec<String> = r
        .film
        .imdb_id
        .iter()
        .map(|i| i.url())
        .chain(r.film.wikidata_id.iter().map(|w| w.url()))
        .collect();
    let movie = with_fields(
        json!({
            "@type": "Movie",
            "name": r.film.title,
            "director": r.film.directors.iter().map(|n| json!({"@type": "Person", "name": n})).collect::<Vec<_>>(),
        }),
        [
            (
                "dateCreated",
                r.film.year.map(|year| json!(year.to_string())),
            ),
            (
                "image",
                r.film
                    .poster_url
                    .as_ref()
                    .map(|poster| json!(poster.as_str())),
            ),
            ("sameAs", (!same_as.is_empty()).then(|| json!(same_as))),
        ],
    );
    let review = json!({
        "@context": "https://schema.org",
        "@type": "Review",
        "name": r.title,
        "url": url,
        "inLanguage": r.language.as_str(),
        "author": {"@type": "Person", "name": r.author},
        "datePublished": machine_time(r.date()),
        "dateModified": machine_time(r.updated_at),
        "itemReviewed": movie,
    });
    let rating = r.rating.map(|rating| {
        json!({"@type": "Rating", "ratingValue": rating.value(), "bestRating": rating.best(), "worstRating": 0})
    });
    with_fields(review, [("reviewRating", rating)])
        .to_string()
        .replace('<', "\\u003c")
}

/// An http(s) URL, or nothing (unescaped, for templates, which escape it).
pub(super) fn http_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.into())
}

mod thread;
pub use thread::{thread_html, ReplyLinks};

#[cfg(test)]
mod tests;
