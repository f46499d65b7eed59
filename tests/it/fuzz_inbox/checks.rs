//! What a page or feed must never contain, read with an HTML parser and an XML feed parser.

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

/// Attributes whose value is a URL a browser may load or follow.
pub(super) const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "cite",
    "ping",
    "longdesc",
    "manifest",
    "codebase",
    "lowsrc",
    "dynsrc",
    "icon",
    "xlink:href",
];

/// Elements that run script, embed other documents or restyle the page.
pub(super) const ACTIVE_ELEMENTS: &[&str] = &[
    "iframe", "frame", "frameset", "object", "embed", "applet", "style", "base", "svg", "math",
    "template", "portal",
];

/// A URL a browser would run or load as a document: `javascript:`, `vbscript:`, `data:`,
/// however spelled (browsers drop tabs and line breaks, and leading controls and spaces).
pub(super) fn active_url(value: &str) -> bool {
    let normalized: String = value
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_start_matches(|c: char| c <= ' ')
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|scheme| normalized.starts_with(scheme))
}

pub(super) fn in_head(element: &ElementRef) -> bool {
    element
        .ancestors()
        .filter_map(ElementRef::wrap)
        .any(|a| a.value().name() == "head")
}

/// What in a page (or fragment) could run script or change how the page looks; empty when
/// nothing. `own_origin` is the base URL stylesheets may come from.
pub(super) fn active_content(doc: &Html, own_origin: &str) -> Vec<String> {
    let all = Selector::parse("*").expect("selector");
    let mut found = Vec::new();
    for element in doc.select(&all) {
        let el = element.value();
        let name = el.name();
        let shown = || {
            let html = element.html();
            let cut: String = html.chars().take(200).collect();
            cut
        };
        match name {
            "script" => {
                if el.attr("type") == Some("application/ld+json") && in_head(&element) {
                    let text: String = element.text().collect();
                    if serde_json::from_str::<Value>(&text).is_err() {
                        found.push(format!("JSON-LD that is not JSON: {}", shown()));
                    }
                } else {
                    found.push(format!("<script>: {}", shown()));
                }
            }
            "meta" if el.attr("http-equiv").is_some() => {
                found.push(format!("<meta http-equiv>: {}", shown()));
            }
            "link" | "meta" if !in_head(&element) => {
                found.push(format!("<{name}> outside <head>: {}", shown()));
            }
            "link" => {
                let rel = el.attr("rel").unwrap_or_default().to_ascii_lowercase();
                let href = el.attr("href").unwrap_or_default();
                let loads = ["stylesheet", "import", "preload", "modulepreload"]
                    .iter()
                    .any(|r| rel.split_whitespace().any(|x| x == *r));
                let same_origin = href.starts_with(own_origin)
                    || (href.starts_with('/') && !href.starts_with("//"));
                if loads && !same_origin {
                    found.push(format!("<link> loading from elsewhere: {}", shown()));
                }
            }
            _ if ACTIVE_ELEMENTS.contains(&name) => {
                found.push(format!("<{name}>: {}", shown()));
            }
            _ => {}
        }
        for (attribute, value) in el.attrs() {
            let attribute = attribute.to_ascii_lowercase();
            if attribute.starts_with("on") {
                found.push(format!("event handler {attribute}=: {}", shown()));
            } else if attribute == "style" {
                found.push(format!("style attribute: {}", shown()));
            } else if attribute == "srcset" {
                if value.split(',').any(|c| active_url(c.trim())) {
                    found.push(format!("active URL in srcset: {}", shown()));
                }
            } else if URL_ATTRIBUTES.contains(&attribute.as_str()) && active_url(value) {
                found.push(format!("active URL in {attribute}=: {}", shown()));
            }
        }
    }
    found
}

/// The first character XML 1.0 does not allow in a document, with its byte offset.
pub(super) fn xml_forbidden(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|(_, c)| {
        !matches!(*c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    })
}

/// What is wrong with a comments feed: not XML, not a feed, or active content in an entry.
pub(super) fn feed_problems(xml: &str, own_origin: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some((at, c)) = xml_forbidden(xml) {
        let start = char_floor(xml, at.saturating_sub(40));
        let end = char_floor(xml, at + 8);
        problems.push(format!(
            "character {:?} (U+{:04X}) at byte {at}, which XML forbids: …{}…",
            c,
            u32::from(c),
            xml.get(start..end).unwrap_or_default().escape_debug()
        ));
    }
    match feed_rs::parser::parse(xml.as_bytes()) {
        Err(e) => problems.push(format!("the feed does not parse: {e}")),
        Ok(feed) => {
            for entry in feed.entries {
                if let Some(body) = entry.content.and_then(|c| c.body) {
                    for finding in active_content(&Html::parse_fragment(&body), own_origin) {
                        problems.push(format!("entry {}: {finding}", entry.id));
                    }
                }
            }
        }
    }
    problems
}

/// The largest character boundary of `s` at or before `i`.
pub(super) fn char_floor(s: &str, i: usize) -> usize {
    (0..=i.min(s.len()))
        .rev()
        .find(|&b| s.is_char_boundary(b))
        .unwrap_or(0)
}
