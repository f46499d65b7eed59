//! A WordPress export (WXR 1.0–1.2, Tools → Export → All content), parsed into types.
//!
//! The file is the critic's, but it is read as untrusted input: at most [`MAX_BYTES`], read as
//! a stream of events (quick-xml: no DTD is read, no entity but XML's own five and character
//! references is expanded), at most [`MAX_DEPTH`] elements deep, [`MAX_ITEMS`] items and
//! [`MAX_COMMENTS`] comments, without recursion. Only what an import uses is kept: e-mail
//! addresses and IP addresses of commenters are never even read.

mod reader;

use chrono::NaiveDateTime;

pub use reader::parse;

/// The largest export read (the admin API's body limit for it, and the CLI's for the file).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// How deep elements may nest (a WXR file is five deep).
pub const MAX_DEPTH: usize = 32;
/// Items (posts, pages, attachments, menu items…) in one file.
pub const MAX_ITEMS: usize = 50_000;
/// Comments in one file, all items together.
pub const MAX_COMMENTS: usize = 500_000;

/// Why a file is not a WordPress export we can read.
#[derive(Debug, thiserror::Error)]
pub enum WxrError {
    #[error("the file is larger than {} MiB", MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the file is not valid XML (at byte {position}): {source}")]
    Xml {
        position: u64,
        #[source]
        source: quick_xml::Error,
    },
    #[error("the file is not valid XML: unknown entity &{0}; (a WordPress export uses none)")]
    Entity(String),
    #[error("the file is not a WordPress export: {0}")]
    NotWxr(&'static str),
    #[error("elements nest more than {MAX_DEPTH} deep")]
    TooDeep,
    #[error("the file has more than {0}")]
    TooMany(&'static str),
    #[error("the export names no blog address (wp:base_blog_url)")]
    NoBlogUrl,
    #[error("item {item}: {field} {why}")]
    Field {
        item: usize,
        field: &'static str,
        why: &'static str,
    },
}

/// The export: the blog and its items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Export {
    /// `wp:wxr_version`.
    pub version: String,
    /// `wp:base_blog_url`: the blog's address (where its permalinks point).
    pub blog_url: String,
    /// `wp:base_site_url`.
    pub site_url: String,
    /// The channel's `language` (`en-US`).
    pub language: Option<String>,
    /// `wp:author` definitions: login → display name.
    pub authors: Vec<(String, String)>,
    pub items: Vec<Item>,
}

impl Export {
    /// The blog the export comes from; an export must name it (`wp:base_blog_url`).
    pub fn blog(&self) -> Result<Blog, WxrError> {
        Blog::parse(&self.blog_url).ok_or(WxrError::NoBlogUrl)
    }
}

/// The blog an export comes from, by its address: what its imported posts and comments are
/// remembered by, and where its old addresses live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blog {
    /// The one key of a blog: its host in lowercase without `www.`, its port when not the
    /// scheme's default, and its path without the trailing slash (`oldblog.example/blog`).
    /// No scheme: an export after moving to https or to `www.` is the same blog.
    pub key: String,
    /// The path it lives under, without the trailing slash: `/blog`, or empty at the root.
    pub base_path: String,
}

impl Blog {
    /// `https://www.OldBlog.example/blog/` → `oldblog.example/blog` under `/blog`; `None`
    /// for anything but an http(s) address with a host.
    pub fn parse(address: &str) -> Option<Self> {
        let url = url::Url::parse(address.trim()).ok()?;
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        let host = crate::domain::HostName::of_url(&url)?;
        let host = host.as_str();
        let host = host.strip_prefix("www.").unwrap_or(host);
        let base_path = url.path().trim_end_matches('/').to_string();
        let key = match url.port() {
            Some(port) => format!("{host}:{port}{base_path}"),
            None => format!("{host}{base_path}"),
        };
        Some(Self { key, base_path })
    }
}

/// `wp:status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostStatus {
    Publish,
    Draft,
    Pending,
    Private,
    Future,
    Trash,
    /// `auto-draft`, `inherit` (attachments, revisions) and anything else.
    Other(String),
}

impl PostStatus {
    fn parse(raw: &str) -> Self {
        match raw {
            "publish" => Self::Publish,
            "draft" => Self::Draft,
            "pending" => Self::Pending,
            "private" => Self::Private,
            "future" => Self::Future,
            "trash" => Self::Trash,
            other => Self::Other(other.to_string()),
        }
    }
}

/// A term an item is filed under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemTerm {
    /// The `domain` attribute: `category`, `post_tag`, `post_format`, …
    pub domain: String,
    /// The `nicename` attribute (the term's slug).
    pub nicename: String,
    pub name: String,
}

/// One `item`: a post, page, attachment, menu item…
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    pub title: String,
    /// Its permalink as the old blog served it.
    pub link: String,
    pub guid: String,
    /// The author's login (`dc:creator`).
    pub creator: String,
    /// `content:encoded`: HTML with WordPress's automatic paragraphs.
    pub content: String,
    /// `excerpt:encoded`.
    pub excerpt: String,
    pub post_id: u64,
    /// `wp:post_date`, in the blog's time zone (`None` for `0000-00-00 00:00:00`).
    pub post_date: Option<NaiveDateTime>,
    /// `wp:post_date_gmt` (`None` for `0000-00-00 00:00:00`, as drafts have).
    pub post_date_gmt: Option<NaiveDateTime>,
    pub post_name: String,
    pub status: Option<PostStatus>,
    /// `post`, `page`, `attachment`, `nav_menu_item`, …
    pub post_type: String,
    /// Password-protected posts are not public.
    pub has_password: bool,
    pub terms: Vec<ItemTerm>,
    pub comments: Vec<Comment>,
}

impl Item {
    /// Names of the terms in `domain`.
    pub fn terms_in<'a>(&'a self, domain: &'a str) -> impl Iterator<Item = &'a ItemTerm> + 'a {
        self.terms.iter().filter(move |t| t.domain == domain)
    }
}

/// `wp:comment_approved`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// `1`.
    Approved,
    /// `0`: held for moderation.
    Pending,
    Spam,
    Trash,
    Other(String),
}

impl Approval {
    fn parse(raw: &str) -> Self {
        match raw {
            "1" | "approve" => Self::Approved,
            "0" | "hold" => Self::Pending,
            "spam" => Self::Spam,
            "trash" | "post-trashed" => Self::Trash,
            other => Self::Other(other.to_string()),
        }
    }
}

/// `wp:comment_type`: empty or `comment` for a reader's comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentKind {
    Comment,
    Pingback,
    Trackback,
    Other(String),
}

impl CommentKind {
    fn parse(raw: &str) -> Self {
        match raw {
            "" | "comment" => Self::Comment,
            "pingback" => Self::Pingback,
            "trackback" => Self::Trackback,
            other => Self::Other(other.to_string()),
        }
    }
}

/// One `wp:comment` (its author's e-mail and IP are not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub author: String,
    pub author_url: String,
    pub date: Option<NaiveDateTime>,
    pub date_gmt: Option<NaiveDateTime>,
    /// HTML with automatic paragraphs, as the post's content.
    pub content: String,
    pub approved: Approval,
    pub kind: CommentKind,
    /// `0` for a comment on the post.
    pub parent: u64,
}

impl Default for Comment {
    fn default() -> Self {
        Self {
            id: 0,
            author: String::new(),
            author_url: String::new(),
            date: None,
            date_gmt: None,
            content: String::new(),
            approved: Approval::Pending,
            kind: CommentKind::Comment,
            parent: 0,
        }
    }
}

/// The key an old blog's address is known by: its path without a trailing slash
/// (`/2011/02/04/never-let-me-go`), or `/?p=123` for WordPress's plain links (`/blog/?p=123`
/// for a blog in a subdirectory); `None` for the home page. The one rule for the addresses
/// an import records and a request is looked up by.
pub fn legacy_path(path: &str, query: Option<&str>) -> Option<String> {
    let path = path.trim_end_matches('/');
    if path.len() > 2048 {
        return None;
    }
    let post = query.and_then(|query| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("p="))
            .filter(|id| !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit()))
    });
    match post {
        Some(id) => Some(format!("{path}/?p={id}")),
        None if path.is_empty() => None,
        None => Some(path.to_string()),
    }
}

/// A WordPress date (`2011-02-04 02:54:00`); `0000-00-00 00:00:00` is none.
pub fn parse_date(raw: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%d %H:%M:%S").ok()
}

#[cfg(test)]
mod tests;
