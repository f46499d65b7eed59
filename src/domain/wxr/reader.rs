//! The event loop that reads a WXR file into an [`Export`]: a stack of open element names
//! (bounded), the text of the element being read, and the item or comment being filled.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{
    parse_date, Approval, Comment, CommentKind, Export, Item, ItemTerm, PostStatus, WxrError,
    MAX_BYTES, MAX_COMMENTS, MAX_DEPTH, MAX_ITEMS,
};

/// What is being read.
#[derive(Default)]
struct State {
    export: Export,
    stack: Vec<String>,
    text: String,
    item: Option<Item>,
    comment: Option<Comment>,
    term: Option<ItemTerm>,
    author: Option<(String, String)>,
    /// Comments read so far, all items together.
    comments: usize,
    seen_channel: bool,
}

/// Parses a whole export; any error leaves nothing half-read.
pub fn parse(xml: &str) -> Result<Export, WxrError> {
    if xml.len() > MAX_BYTES {
        return Err(WxrError::TooLarge);
    }
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut state = State::default();
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|source| WxrError::Xml { position, source })?;
        let xml_error = |source: quick_xml::Error| WxrError::Xml { position, source };
        match event {
            Event::Start(start) => state.open(&start)?,
            Event::Empty(start) => {
                state.open(&start)?;
                state.close()?;
            }
            Event::End(_) => state.close()?,
            Event::Text(text) => {
                let decoded = text
                    .xml10_content()
                    .map_err(|e| xml_error(quick_xml::Error::Encoding(e)))?;
                state.text.push_str(&decoded);
            }
            Event::CData(data) => {
                let decoded = data
                    .xml10_content()
                    .map_err(|e| xml_error(quick_xml::Error::Encoding(e)))?;
                state.text.push_str(&decoded);
            }
            Event::GeneralRef(reference) => {
                if let Some(c) = reference.resolve_char_ref().map_err(xml_error)? {
                    state.text.push(c);
                } else {
                    let name = reference
                        .decode()
                        .map_err(|e| xml_error(quick_xml::Error::Encoding(e)))?;
                    match quick_xml::escape::resolve_xml_entity(&name) {
                        Some(value) => state.text.push_str(value),
                        None => return Err(WxrError::Entity(name.chars().take(40).collect())),
                    }
                }
            }
            // A DTD is never read: its entities stay unknown (and are refused above).
            Event::DocType(_) | Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    state.finish()
}

fn name_of(start: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(start.name().as_ref()).into_owned()
}

fn attribute(start: &BytesStart<'_>, name: &str) -> String {
    start
        .try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
        .unwrap_or_default()
}

impl State {
    /// The element `depth` levels above the current one (0: the current one).
    fn up(&self, depth: usize) -> &str {
        self.stack
            .len()
            .checked_sub(depth + 1)
            .and_then(|i| self.stack.get(i))
            .map_or("", String::as_str)
    }

    fn open(&mut self, start: &BytesStart<'_>) -> Result<(), WxrError> {
        let name = name_of(start);
        if self.stack.is_empty() && name != "rss" {
            return Err(WxrError::NotWxr("its root element is not <rss>"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(WxrError::TooDeep);
        }
        self.stack.push(name);
        self.text.clear();
        let (name, parent) = (self.up(0), self.up(1));
        match (parent, name) {
            ("rss", "channel") => self.seen_channel = true,
            ("channel", "item") => {
                if self.export.items.len() >= MAX_ITEMS {
                    return Err(WxrError::TooMany("50000 items"));
                }
                self.item = Some(Item::default());
            }
            ("channel", "wp:author") => self.author = Some(Default::default()),
            ("item", "wp:comment") => {
                if self.comments >= MAX_COMMENTS {
                    return Err(WxrError::TooMany("500000 comments"));
                }
                self.comments += 1;
                self.comment = Some(Comment::default());
            }
            ("item", "category") => {
                self.term = Some(ItemTerm {
                    domain: attribute(start, "domain"),
                    nicename: attribute(start, "nicename"),
                    name: String::new(),
                })
            }
            _ => {}
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), WxrError> {
        let text = std::mem::take(&mut self.text);
        let (name, parent) = (self.up(0).to_string(), self.up(1).to_string());
        let item_number = self.export.items.len() + 1;
        match (parent.as_str(), name.as_str()) {
            ("channel", "wp:wxr_version") => self.export.version = text.trim().to_string(),
            ("channel", "wp:base_blog_url") => self.export.blog_url = text.trim().to_string(),
            ("channel", "wp:base_site_url") => self.export.site_url = text.trim().to_string(),
            ("channel", "language") => {
                self.export.language = Some(text.trim().to_string()).filter(|l| !l.is_empty())
            }
            ("wp:author", field) => {
                if let Some(author) = self.author.as_mut() {
                    match field {
                        "wp:author_login" => author.0 = text.trim().to_string(),
                        "wp:author_display_name" => author.1 = text.trim().to_string(),
                        _ => {}
                    }
                }
            }
            ("channel", "wp:author") => {
                if let Some(author) = self.author.take() {
                    self.export.authors.push(author);
                }
            }
            ("channel", "item") => {
                if let Some(item) = self.item.take() {
                    if item.post_id == 0 {
                        return Err(WxrError::Field {
                            item: item_number,
                            field: "wp:post_id",
                            why: "is missing",
                        });
                    }
                    self.export.items.push(item);
                }
            }
            ("item", "wp:comment") => {
                if let (Some(comment), Some(item)) = (self.comment.take(), self.item.as_mut()) {
                    if comment.id == 0 {
                        return Err(WxrError::Field {
                            item: item_number,
                            field: "wp:comment_id",
                            why: "is missing",
                        });
                    }
                    item.comments.push(comment);
                }
            }
            ("item", "category") => {
                if let (Some(mut term), Some(item)) = (self.term.take(), self.item.as_mut()) {
                    term.name = text.trim().to_string();
                    item.terms.push(term);
                }
            }
            ("item", field) => {
                if let Some(item) = self.item.as_mut() {
                    item_field(item, field, text, item_number)?;
                }
            }
            ("wp:comment", field) => {
                if let Some(comment) = self.comment.as_mut() {
                    comment_field(comment, field, text, item_number)?;
                }
            }
            _ => {}
        }
        self.stack.pop();
        Ok(())
    }

    fn finish(self) -> Result<Export, WxrError> {
        if !self.stack.is_empty() {
            return Err(WxrError::NotWxr("it ends before </rss>"));
        }
        if !self.seen_channel {
            return Err(WxrError::NotWxr("it has no <channel>"));
        }
        if self.export.version.is_empty() {
            return Err(WxrError::NotWxr("it has no <wp:wxr_version>"));
        }
        Ok(self.export)
    }
}

fn number(text: &str, item: usize, field: &'static str) -> Result<u64, WxrError> {
    text.trim().parse().map_err(|_| WxrError::Field {
        item,
        field,
        why: "is not a whole number",
    })
}

fn item_field(item: &mut Item, field: &str, text: String, n: usize) -> Result<(), WxrError> {
    match field {
        "title" => item.title = text,
        "link" => item.link = text.trim().to_string(),
        "guid" => item.guid = text.trim().to_string(),
        "dc:creator" => item.creator = text.trim().to_string(),
        "content:encoded" => item.content = text,
        "excerpt:encoded" => item.excerpt = text,
        "wp:post_id" => item.post_id = number(&text, n, "wp:post_id")?,
        "wp:post_date" => item.post_date = parse_date(&text),
        "wp:post_date_gmt" => item.post_date_gmt = parse_date(&text),
        "wp:post_name" => item.post_name = text.trim().to_string(),
        "wp:status" => item.status = Some(PostStatus::parse(text.trim())),
        "wp:post_type" => item.post_type = text.trim().to_string(),
        "wp:post_password" => item.has_password = !text.trim().is_empty(),
        _ => {}
    }
    Ok(())
}

fn comment_field(
    comment: &mut Comment,
    field: &str,
    text: String,
    n: usize,
) -> Result<(), WxrError> {
    match field {
        "wp:comment_id" => comment.id = number(&text, n, "wp:comment_id")?,
        "wp:comment_author" => comment.author = text.trim().to_string(),
        "wp:comment_author_url" => comment.author_url = text.trim().to_string(),
        "wp:comment_date" => comment.date = parse_date(&text),
        "wp:comment_date_gmt" => comment.date_gmt = parse_date(&text),
        "wp:comment_content" => comment.content = text,
        "wp:comment_approved" => comment.approved = Approval::parse(text.trim()),
        "wp:comment_type" => comment.kind = CommentKind::parse(text.trim()),
        "wp:comment_parent" => {
            comment.parent = match text.trim() {
                "" => 0,
                raw => number(raw, n, "wp:comment_parent")?,
            }
        }
        _ => {}
    }
    Ok(())
}
