//! A review's comment thread as HTML: nested lists, each comment with its author, date and a
//! Reply link.

use crate::comments::Shown;
use crate::content::escape_html;
use crate::domain::CommentOrigin;

use super::{http_url, machine_time};

/// An http(s) URL, or nothing, escaped: remote avatars and profile links go into attributes.
fn safe_url(url: Option<&str>) -> Option<String> {
    url.and_then(http_url).map(|url| escape_html(&url))
}

/// The comment thread as nested lists, from the thread in page order (see
/// `comments::thread_for_page`), without recursion. Every value from outside is escaped here; comment
/// bodies were sanitized when stored.
pub fn thread_html(thread: &[Shown], reply: &ReplyLinks) -> String {
    let mut html = String::from("<ol class=\"comment-list\">");
    // The level of the `<li>` left open for answers, if any.
    let mut open: Option<usize> = None;
    for shown in thread {
        // One level deeper than the comment before at most, whatever the input says.
        let level = shown.level.min(open.map_or(0, |o| o + 1));
        match open {
            Some(o) if level > o => html.push_str("<ol class=\"children\">"),
            Some(o) => {
                html.push_str("</li>");
                for _ in level..o {
                    html.push_str("</ol></li>");
                }
            }
            None => {}
        }
        comment_html(shown, reply, &mut html);
        open = Some(level);
    }
    if let Some(o) = open {
        html.push_str("</li>");
        for _ in 0..o {
            html.push_str("</ol></li>");
        }
    }
    html.push_str("</ol>");
    html
}

/// Where a comment's Reply link leads: the reader's server, by way of `/interact`, to answer
/// the comment there (an imported comment is not on the fediverse: its answers go to the review).
pub struct ReplyLinks {
    pub interact: String,
    pub review_ap_id: String,
}

impl ReplyLinks {
    fn to(&self, comment: &crate::db::comments::CommentRow) -> String {
        let uri = if comment.origin == CommentOrigin::Imported {
            &self.review_ap_id
        } else {
            &comment.ap_id
        };
        let encoded: String = url::form_urlencoded::byte_serialize(uri.as_bytes()).collect();
        escape_html(&format!("{}?uri={encoded}", self.interact))
    }
}

/// One comment's `<li>` and content, left open for its answers.
fn comment_html(shown: &Shown, reply: &ReplyLinks, html: &mut String) {
    let c = &shown.comment;
    html.push_str(&format!(
        "<li id=\"comment-{}\" class=\"comment comment-{}\">",
        c.id,
        c.origin.as_str()
    ));
    if c.deleted_at.is_some() {
        html.push_str("<p class=\"comment-deleted\">This comment was deleted.</p>");
    } else {
        html.push_str("<article><header class=\"comment-meta\">");
        if let Some(avatar) = safe_url(c.author_avatar.as_deref()) {
            html.push_str(&format!(
                "<img class=\"avatar\" src=\"{avatar}\" alt=\"\" width=\"48\" height=\"48\" loading=\"lazy\" referrerpolicy=\"no-referrer\"> "
            ));
        }
        let name = escape_html(&c.author_name);
        match safe_url(c.author_url.as_deref()) {
            Some(url) => html.push_str(&format!("<a class=\"comment-author\" href=\"{url}\" rel=\"nofollow noopener ugc\">{name}</a>")),
            None => html.push_str(&format!("<span class=\"comment-author\">{name}</span>")),
        }
        if let Some(handle) = &c.author_handle {
            let handle = escape_html(handle);
            match safe_url(c.author_url.as_deref()) {
                Some(url) => html.push_str(&format!(" <a class=\"handle\" href=\"{url}\" rel=\"nofollow noopener ugc\">{handle}</a>")),
                None => html.push_str(&format!(" <span class=\"handle\">{handle}</span>")),
            }
        }
        if c.origin == CommentOrigin::Local {
            html.push_str(" <span class=\"badge\">author</span>");
        }
        let link = safe_url(c.url.as_deref()).unwrap_or_else(|| format!("#comment-{}", c.id));
        html.push_str(&format!(
            " · <a class=\"comment-time\" href=\"{link}\"><time datetime=\"{}\">{}</time></a>",
            machine_time(c.published_at),
            c.published_at.format("%-d %B %Y")
        ));
        if c.edited_at.is_some() {
            html.push_str(" · <span class=\"edited\">edited</span>");
        }
        if let Some(answered) = &shown.in_reply_to {
            let whom = match &answered.author {
                Some(name) => escape_html(name),
                None => "a deleted comment".to_string(),
            };
            html.push_str(&format!(
                " · <span class=\"in-reply-to\">in reply to <a href=\"#comment-{}\">{whom}</a></span>",
                answered.id
            ));
        }
        html.push_str("</header>");
        match &c.summary {
            Some(warning) => html.push_str(&format!(
                "<details class=\"comment-cw\"><summary>{}</summary><div class=\"comment-body\">{}</div></details>",
                escape_html(warning),
                c.content_html
            )),
            None => html.push_str(&format!("<div class=\"comment-body\">{}</div>", c.content_html)),
        }
        html.push_str(&format!(
            "<p class=\"comment-actions\"><a class=\"comment-reply\" href=\"{}\" aria-label=\"Reply to {}\">Reply</a></p>",
            reply.to(c),
            escape_html(&c.author_name)
        ));
        html.push_str("</article>");
    }
}
