//! WordPress's stored HTML (paragraphs by blank lines, line breaks by newlines: "autop") as
//! our Markdown, so that a post renders as it did on the old blog; and its comments as HTML.
//!
//! Plain paragraphs become Markdown paragraphs, their text escaped where Markdown would read
//! it as markup and their inline HTML (links, emphasis, images) kept: the body renders through
//! [`super::markdown_to_html`] and its sanitizer, which keeps those tags. A paragraph holding
//! block-level HTML (lists, quotes, tables, `<p>` of the block editor) stays HTML as it is.
//! `[caption]` shortcodes become `<figure>`s; a URL alone on a line (WordPress embeds it)
//! becomes a link; `<!--more-->` splits the teaser from the rest.

use std::collections::HashSet;

/// Tags that make a paragraph a block of HTML of its own.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "figure",
    "hr",
    "iframe",
    "dl",
    "section",
    "address",
    "details",
];

/// The part before `<!--more-->` (when there is one) and the whole content without it.
pub fn split_more(html: &str) -> (Option<String>, String) {
    let html = html.replace("\r\n", "\n");
    let Some(at) = html.find("<!--more") else {
        return (None, html);
    };
    let teaser = html.get(..at).unwrap_or_default().to_string();
    let rest = html.get(at..).unwrap_or_default();
    let after = rest
        .find("-->")
        .map_or("", |end| rest.get(end + 3..).unwrap_or_default());
    let whole = format!("{}\n\n{}", teaser.trim_end(), after.trim_start());
    (Some(teaser), whole)
}

/// The content's paragraphs (blank-line separated), HTML comments removed.
pub fn blocks(html: &str) -> Vec<String> {
    let html = without_comments(&html.replace("\r\n", "\n"));
    let html = captions_to_figures(&html);
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in html.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim());
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

/// WordPress content as Markdown (see the module's description).
pub fn to_markdown(html: &str) -> String {
    blocks(html)
        .iter()
        .map(|block| block_to_markdown(block))
        .filter(|b| !b.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A comment's text (autop, with a few inline tags) as HTML paragraphs.
pub fn comment_html(text: &str) -> String {
    blocks(text)
        .iter()
        .map(|block| {
            if has_block_tag(block) {
                block.clone()
            } else {
                format!("<p>{}</p>", block.replace('\n', "<br>\n"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn block_to_markdown(block: &str) -> String {
    if has_block_tag(block) {
        if starts_with_block_tag(block) {
            return block.to_string();
        }
        return format!("<p>{}</p>", block.replace('\n', "<br>\n"));
    }
    if !block.contains(char::is_whitespace)
        && (block.starts_with("http://") || block.starts_with("https://"))
        && !block.contains(['<', '>'])
    {
        return format!("<{block}>");
    }
    block
        .lines()
        .map(escape_line)
        .collect::<Vec<_>>()
        .join("\\\n")
}

fn tag_name_at(text: &str) -> Option<String> {
    let rest = text.strip_prefix('<')?;
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    (!name.is_empty()).then_some(name)
}

fn starts_with_block_tag(block: &str) -> bool {
    tag_name_at(block).is_some_and(|name| BLOCK_TAGS.contains(&name.as_str()))
}

fn has_block_tag(block: &str) -> bool {
    block.match_indices('<').any(|(i, _)| {
        block
            .get(i..)
            .and_then(tag_name_at)
            .is_some_and(|name| BLOCK_TAGS.contains(&name.as_str()))
    })
}

/// One line of a plain paragraph: tags and entities kept, text escaped where Markdown would
/// read it as markup.
fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut chars = line.char_indices().peekable();
    let mut at_start = true;
    // The next `>` at or after the last place it was looked for from (`None` inside: there
    // is none): each part of the line is searched once, however many `<` it holds.
    let mut next_close: Option<(usize, Option<usize>)> = None;
    while let Some((i, c)) = chars.next() {
        let rest = line.get(i..).unwrap_or_default();
        if c == '<' {
            let opens_tag = rest
                .chars()
                .nth(1)
                .is_some_and(|n| n.is_ascii_alphabetic() || n == '/' || n == '!');
            let close = match next_close {
                Some((_, None)) => None,
                Some((_, Some(at))) if at > i => Some(at),
                _ if !opens_tag => None,
                _ => {
                    let found = rest.find('>').map(|end| i + end);
                    next_close = Some((i, found));
                    found
                }
            };
            match (opens_tag, close.map(|at| at - i)) {
                (true, Some(end)) => {
                    out.push_str(rest.get(..=end).unwrap_or_default());
                    // Skip the tag's characters.
                    while chars.peek().is_some_and(|(j, _)| *j <= i + end) {
                        chars.next();
                    }
                }
                _ => out.push_str("&lt;"),
            }
            at_start = false;
            continue;
        }
        if at_start {
            if let Some(escaped) = escape_line_start(rest) {
                out.push_str(&escaped);
                let consumed = escaped.chars().filter(|&c| c != '\\').count();
                for _ in 1..consumed {
                    chars.next();
                }
                at_start = false;
                continue;
            }
        }
        at_start = false;
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What a line may not start with unescaped: headings, quotes, list markers, rules.
fn escape_line_start(rest: &str) -> Option<String> {
    let first = rest.chars().next()?;
    if matches!(first, '#' | '>' | '+' | '-' | '=') {
        return Some(format!("\\{first}"));
    }
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = rest.get(digits.len()..).and_then(|r| r.chars().next());
    match after {
        Some(marker @ ('.' | ')')) if !digits.is_empty() => Some(format!("{digits}\\{marker}")),
        _ => None,
    }
}

/// Removes `<!-- … -->` comments (the block editor's `<!-- wp:paragraph -->` among them).
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(rest.get(..start).unwrap_or_default());
        let after = rest.get(start + 4..).unwrap_or_default();
        rest = match after.find("-->") {
            Some(end) => after.get(end + 3..).unwrap_or_default(),
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// `[caption …]<img …/> Text[/caption]` → a `<figure>` with its caption, a paragraph of its
/// own.
fn captions_to_figures(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("[caption") {
        let after = rest.get(start..).unwrap_or_default();
        let (Some(open_end), Some(close)) = (after.find(']'), after.find("[/caption]")) else {
            break;
        };
        if close < open_end {
            break;
        }
        out.push_str(rest.get(..start).unwrap_or_default());
        let inner = after.get(open_end + 1..close).unwrap_or_default().trim();
        let (media, caption) = match inner.rfind('>') {
            Some(i) => (
                inner.get(..=i).unwrap_or_default(),
                inner.get(i + 1..).unwrap_or_default().trim(),
            ),
            None => ("", inner),
        };
        out.push_str("\n\n<figure>");
        out.push_str(media);
        if !caption.is_empty() {
            out.push_str("<figcaption>");
            out.push_str(caption);
            out.push_str("</figcaption>");
        }
        out.push_str("</figure>\n\n");
        rest = after.get(close + "[/caption]".len()..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The `src` of every `<img>` in `html`, in order, each once. Tags are read one after the
/// other (an `<img` inside a tag is not one), so the text is walked once.
pub fn image_sources(html: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut rest = html;
    while let Some(start) = rest.find("<img") {
        let tag = rest.get(start..).unwrap_or_default();
        let end = tag.find('>').unwrap_or(tag.len());
        rest = tag.get(end..).unwrap_or_default();
        if let Some(src) = attribute_value(tag.get(..end).unwrap_or_default(), "src") {
            if seen.insert(src) {
                found.push(src.to_string());
            }
        }
    }
    found
}

/// A quoted attribute's value inside a tag.
fn attribute_value<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    for quote in ['"', '\''] {
        let pattern = format!(" {name}={quote}");
        if let Some(at) = tag.find(&pattern) {
            let value = tag.get(at + pattern.len()..)?;
            return value.get(..value.find(quote)?);
        }
    }
    None
}

/// `html` with each image source in `replaced` (old → new) swapped for its new address.
pub fn replace_image_sources(html: &str, replaced: &[(String, String)]) -> String {
    let mut out = html.to_string();
    for (old, new) in replaced {
        for quote in ['"', '\''] {
            out = out.replace(
                &format!(" src={quote}{old}{quote}"),
                &format!(" src={quote}{new}{quote}"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
