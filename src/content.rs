//! Markdown to sanitized HTML, teasers and plain text.

use std::sync::LazyLock;

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

pub mod wordpress;

/// The critic's Markdown, rendered and sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// The teaser: the given summary, or the body's first paragraph before any spoilers.
    pub summary_html: String,
    /// The teaser as plain text, for `<meta name="description">` and feeds.
    pub summary_text: String,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .add_tag_attributes("img", ["loading"])
        .add_tag_attributes("details", ["class"])
        .add_generic_attributes(["id"]);
    builder
});

/// What readers' comments from other servers may contain (DESIGN §7): text formatting, links,
/// quotes, code and lists; no images, scripts, styles or event handlers.
static REMOTE_SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .add_tags([
            "p",
            "br",
            "a",
            "span",
            "em",
            "strong",
            "b",
            "i",
            "u",
            "del",
            "s",
            "pre",
            "code",
            "blockquote",
            "ul",
            "ol",
            "li",
        ])
        .add_tag_attributes("a", ["href"])
        .add_allowed_classes("a", ["mention", "hashtag", "u-url"])
        .add_allowed_classes("span", ["h-card", "invisible", "ellipsis"])
        .url_schemes(["http", "https"].into_iter().collect())
        .link_rel(Some("nofollow noopener ugc"))
        .strip_comments(true);
    builder
});

/// Sanitizes HTML written elsewhere (a reply from the fediverse, an imported comment):
/// cleaned of characters no page or feed may hold, cut to [`limits::CONTENT_BYTES`], then
/// reduced to the tags readers' comments may use (an open tag left by the cut is closed).
pub fn sanitize_remote(html: &str) -> String {
    let cleaned = clean_chars(html, true);
    let cut = cut_at_char(&cleaned, limits::CONTENT_BYTES);
    // Again after sanitizing: character references (`&#1;`) are decoded by it.
    clean_chars(&REMOTE_SANITIZER.clean(cut).to_string(), true)
}

/// How much of what other servers send we keep: sizes a reader can use.
pub mod limits {
    /// A display name (Mastodon allows 30 characters, Misskey 50).
    pub const NAME: usize = 100;
    /// A user name, as in `@user@host`.
    pub const USERNAME: usize = 64;
    /// A content warning or summary.
    pub const SUMMARY: usize = 500;
    /// A report's comment.
    pub const REPORT: usize = 5_000;
    /// The HTML of one comment (a long Akkoma post fits many times over).
    pub const CONTENT_BYTES: usize = 50_000;
    /// A URL.
    pub const URL_BYTES: usize = 2_048;
}

/// Whether a character may appear in what we store and serve: XML 1.0 forbids NUL, the other
/// C0 controls but tab and line breaks, and U+FFFE/U+FFFF; C1 controls are dropped as well.
fn allowed_char(c: char, keep_breaks: bool) -> bool {
    match c {
        '\t' | '\n' | '\r' => keep_breaks,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' => false,
        _ => true,
    }
}

fn clean_chars(text: &str, keep_breaks: bool) -> String {
    text.chars()
        .filter(|&c| allowed_char(c, keep_breaks))
        .collect()
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn cut_at_char(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let end = (0..=max)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text.get(..end).unwrap_or_default()
}

/// A line of text from another server (a name, a user name): controls and line breaks
/// removed, whitespace runs collapsed, at most `max` characters (cut with an ellipsis).
pub fn clean_line(text: &str, max: usize) -> String {
    let line = clean_chars(&text.replace(['\t', '\n', '\r'], " "), false);
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&line, max)
}

/// Text from another server that may run over lines (a summary, a report): controls removed
/// but line breaks, at most `max` characters.
pub fn clean_text(text: &str, max: usize) -> String {
    let text = clean_chars(text, true);
    truncate(text.trim(), max)
}

/// Plain text of a fragment of HTML (for feeds and excerpts).
pub fn html_to_text(html: &str) -> String {
    let stripped = ammonia::Builder::empty()
        .clean(&html.replace("</p>", "</p> ").replace("<br", " <br"))
        .to_string();
    let text = stripped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Markdown to sanitized HTML.
pub fn markdown_to_html(markdown: &str) -> String {
    let mut raw = String::new();
    html::push_html(&mut raw, Parser::new_ext(markdown, options()));
    sanitize(&raw)
}

pub fn sanitize(html: &str) -> String {
    // Cleaned after sanitizing: character references (`&#1;`) are decoded by it.
    clean_chars(&SANITIZER.clean(html).to_string(), true)
}

/// The longest teaser taken from a body's first paragraph.
pub const TEASER_CHARS: usize = 400;

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders a body and its teaser (see [`teaser_markdown`] for where it comes from). A review
/// with a spoiler warning and no safe teaser gets none: its plain-text teaser is then the warning
/// alone.
pub fn render(body: &str, summary: Option<&str>, spoiler_warning: Option<&str>) -> Rendered {
    let html = markdown_to_html(body);
    let teaser = teaser_markdown(body, summary, spoiler_warning.is_some());
    let text = plain_text(&teaser);
    if text.is_empty() {
        return Rendered {
            html,
            summary_html: String::new(),
            summary_text: spoiler_warning
                .map(|w| format!("Spoiler warning: {}", clean_line(w, limits::SUMMARY)))
                .unwrap_or_default(),
        };
    }
    if summary.is_some() || text.chars().count() <= TEASER_CHARS {
        return Rendered {
            html,
            summary_html: markdown_to_html(&teaser),
            summary_text: text,
        };
    }
    // A long first paragraph is cut to a teaser that reads well alone.
    let cut = truncate(&text, TEASER_CHARS);
    Rendered {
        html,
        summary_html: format!("<p>{}</p>", escape_html(&cut)),
        summary_text: cut,
    }
}

/// Where a critic marks the start of spoilers in a body: an HTML comment alone, as WordPress's
/// `<!--more-->` (readers never see it). `<!-- spoiler -->` and any case are accepted too.
pub const SPOILER_MARKER: &str = "<!-- spoilers -->";

fn is_spoiler_marker(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|word| {
            let word = word.trim();
            word.eq_ignore_ascii_case("spoilers") || word.eq_ignore_ascii_case("spoiler")
        })
}

/// The byte offset in `markdown` where the first spoiler marker starts (a marker shown as code
/// is text, not a marker).
pub fn spoiler_marker_at(markdown: &str) -> Option<usize> {
    Parser::new_ext(markdown, options())
        .into_offset_iter()
        .find_map(|(event, range)| match event {
            Event::Html(html) | Event::InlineHtml(html) if is_spoiler_marker(&html) => {
                Some(range.start)
            }
            _ => None,
        })
}

/// `markdown` without its spoiler markers, the text on both sides kept: for readers that take
/// the Markdown as it is written (NeoDB's `Review`).
pub fn without_spoiler_markers(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut from = 0;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        if let Event::Html(html) | Event::InlineHtml(html) = &event {
            if is_spoiler_marker(html) && range.start >= from {
                out.push_str(markdown.get(from..range.start).unwrap_or_default());
                from = range.end;
            }
        }
    }
    out.push_str(markdown.get(from..).unwrap_or_default());
    out
}

/// The Markdown of a review's teaser: the critic's `summary` when given; otherwise the body's
/// first paragraph, read only from the text before the spoiler marker. With a spoiler warning
/// and no marker, the warning stands before the whole body, so there is no automatic teaser.
pub fn teaser_markdown(body: &str, summary: Option<&str>, has_warning: bool) -> String {
    if let Some(summary) = summary {
        return summary.to_string();
    }
    let safe = match spoiler_marker_at(body) {
        Some(at) => body.get(..at).unwrap_or_default(),
        None if has_warning => "",
        None => body,
    };
    first_paragraph_markdown(safe)
}

/// The Markdown source of the first paragraph of `markdown`.
fn first_paragraph_markdown(markdown: &str) -> String {
    let mut start = None;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Paragraph) if start.is_none() => start = Some(range.start),
            Event::End(TagEnd::Paragraph) => {
                if let Some(s) = start {
                    return markdown.get(s..range.end).unwrap_or_default().to_string();
                }
            }
            _ => {}
        }
    }
    String::new()
}

/// The words of `markdown`, without markup, whitespace folded.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Item) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, the ellipsis included, cut at a word boundary when one is near.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let max = max.saturating_sub(1);
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_ascii_punctuation())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_js_links_are_removed() {
        let html = markdown_to_html(
            "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn teaser_is_first_paragraph_unless_given() {
        let r = render("First *para*.\n\nSecond.", None, None);
        assert_eq!(r.summary_html.trim(), "<p>First <em>para</em>.</p>");
        assert_eq!(r.summary_text, "First para.");
        assert!(r.html.contains("Second."));
        let r = render("First.\n\nSecond.", Some("Short **take**."), None);
        assert_eq!(r.summary_text, "Short take.");
        let long = format!("{} <b>", "word ".repeat(200));
        let r = render(&long, None, None);
        assert!(
            r.summary_text.chars().count() <= TEASER_CHARS + 1 && r.summary_text.ends_with('…')
        );
        assert!(!r.summary_html.contains("<b>"));
    }

    #[test]
    fn an_inline_spoiler_is_a_details_block_with_markdown_inside() {
        // As the README documents it: the summary line, a blank line, Markdown, `</details>`.
        let html = markdown_to_html(
            "Before.\n\n<details class=\"spoiler\"><summary>Spoiler: the ending</summary>\n\nThey *all* die.\n\n</details>\n\nAfter.",
        );
        assert!(
            html.contains("<details class=\"spoiler\"><summary>Spoiler: the ending</summary>"),
            "{html}"
        );
        assert!(
            html.contains("<p>They <em>all</em> die.</p>\n</details>"),
            "{html}"
        );
        // Nothing else rides along: no script, no handler.
        let html = markdown_to_html("<details open onclick=\"x()\"><summary><script>x()</script>S</summary>\n\nT\n\n</details>");
        assert!(
            !html.contains("onclick") && !html.contains("<script"),
            "{html}"
        );
    }

    #[test]
    fn the_teaser_never_comes_from_past_the_spoiler_marker() {
        let body = "Safe *praise*.\n\n<!-- spoilers -->\n\nThey are clones.";
        let r = render(body, None, Some("The premise."));
        assert_eq!(r.summary_html.trim(), "<p>Safe <em>praise</em>.</p>");
        assert!(
            r.html.contains("They are clones.") && !r.html.contains("<!--"),
            "{}",
            r.html
        );
        // The marker before the first paragraph: no teaser, only the warning as text.
        let r = render(
            "<!-- Spoiler -->\n\nThey are clones.",
            None,
            Some("The premise."),
        );
        assert_eq!(r.summary_html, "");
        assert_eq!(r.summary_text, "Spoiler warning: The premise.");
        // Inside a paragraph: only the words before it.
        let r = render("Good. <!--spoilers--> They are clones.", None, None);
        assert_eq!(r.summary_text, "Good.");
        // A warning and no marker: the warning stands before the whole body.
        let r = render("They are clones.\n\nMore.", None, Some("The premise."));
        assert_eq!(r.summary_html, "");
        // No warning and no marker: the first paragraph, as before.
        let r = render("They are clones.\n\nMore.", None, None);
        assert_eq!(r.summary_text, "They are clones.");
        // The critic's own summary is theirs to choose.
        let r = render("<!-- spoilers -->\n\nClones.", Some("A *take*."), Some("w"));
        assert_eq!(r.summary_text, "A take.");
    }

    #[test]
    fn markers_are_taken_out_and_the_text_kept() {
        assert_eq!(
            without_spoiler_markers("Safe.\n\n<!-- spoilers -->\n\nClones.\n"),
            "Safe.\n\n\nClones.\n"
        );
        assert_eq!(
            without_spoiler_markers("Good. <!--Spoiler--> They are clones."),
            "Good.  They are clones."
        );
        // Shown as code, it is text.
        let code = "Write `<!-- spoilers -->` alone on a line.";
        assert_eq!(without_spoiler_markers(code), code);
    }

    #[test]
    fn only_an_html_comment_saying_spoilers_is_a_marker() {
        assert_eq!(spoiler_marker_at("A.\n\n<!-- spoilers -->\n\nB."), Some(4));
        assert_eq!(spoiler_marker_at(SPOILER_MARKER), Some(0));
        assert_eq!(spoiler_marker_at("`<!-- spoilers -->`"), None);
        assert_eq!(spoiler_marker_at("    <!-- spoilers -->\n"), None);
        assert_eq!(spoiler_marker_at("<!-- no spoilers here -->"), None);
        assert_eq!(spoiler_marker_at("<!-- more -->"), None);
    }

    #[test]
    fn remote_html_keeps_formatting_and_loses_everything_else() {
        let html = sanitize_remote(
            "<p onclick=x>Hi <a href=\"javascript:alert(1)\">x</a> <a href=\"https://m.example/@a\" class=\"u-url mention evil\">@a</a> \
             <img src=x><script>alert(1)</script><style>p{}</style><a href=\"data:text/html,hi\">d</a></p>",
        );
        assert!(
            !html.contains("onclick") && !html.contains("javascript:") && !html.contains("<img"),
            "{html}"
        );
        assert!(
            !html.contains("<script") && !html.contains("<style") && !html.contains("data:"),
            "{html}"
        );
        assert!(html.contains("rel=\"nofollow noopener ugc\""), "{html}");
        assert!(html.contains("class=\"u-url mention\""), "{html}");
        assert_eq!(html_to_text("<p>a &amp; b</p><p>c</p>"), "a & b c");
    }

    #[test]
    fn truncates_at_words() {
        assert_eq!(truncate("one two three four", 11), "one two…");
        assert_eq!(truncate("short", 10), "short");
    }
}
