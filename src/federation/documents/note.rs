//! Our comments as `Note`s (the critic's answers, imported comments), and the `Tombstone`s of
//! deleted reviews and comments.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::collection::{paged_collection, FirstPage, PagedCollection};
use super::Tag;
use super::{timestamp, PUBLIC};
use crate::content::escape_html;
use crate::db::comments::CommentRow;
use crate::domain::CommentOrigin;
use crate::urls::Urls;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub attributed_to: String,
    pub in_reply_to: String,
    pub content: String,
    pub published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    pub url: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub tag: Vec<Tag>,
    /// The whole conversation (FEP-7888), also as OStatus's `conversation`.
    pub context: String,
    pub conversation: String,
    /// The direct answers, their first page embedded.
    pub replies: PagedCollection,
}

/// The commenter a comment of ours answers: actor id, `@user@host`, profile page.
#[derive(Debug, Clone, Copy)]
pub struct Mention<'a> {
    pub actor: &'a str,
    pub handle: &'a str,
    pub profile: &'a str,
}

/// A comment of ours as a `Note`: the critic's answer, or an imported comment (attributed to
/// the blog, its author named in the text), mentioning the commenter it answers.
pub fn comment_note(
    comment: &CommentRow,
    in_reply_to: &str,
    review_ap_id: &str,
    mention: Option<Mention<'_>>,
    urls: &Urls,
    replies: FirstPage,
) -> Note {
    let mut content = String::new();
    let mut cc = vec![urls.followers()];
    let mut tag = Vec::new();
    if let Some(Mention {
        actor,
        handle,
        profile,
    }) = mention
    {
        let user = handle
            .trim_start_matches('@')
            .split('@')
            .next()
            .unwrap_or_default();
        content.push_str(&format!(
            "<p><span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span></p>",
            escape_html(profile),
            escape_html(user)
        ));
        cc.push(actor.to_string());
        tag.push(Tag {
            kind: "Mention",
            name: handle.to_string(),
            href: actor.to_string(),
        });
    }
    if comment.origin == CommentOrigin::Imported {
        let name = escape_html(&comment.author_name);
        let who = match &comment.author_url {
            Some(url) => format!(
                "<a href=\"{}\" rel=\"nofollow noopener ugc\">{name}</a>",
                escape_html(url)
            ),
            None => name,
        };
        content.push_str(&format!("<p><strong>{who}</strong> wrote:</p>"));
    }
    content.push_str(&comment.content_html);
    Note {
        id: comment.ap_id.clone(),
        kind: "Note",
        attributed_to: urls.actor(),
        in_reply_to: in_reply_to.to_string(),
        content,
        published: timestamp(comment.published_at),
        updated: comment.edited_at.map(timestamp),
        url: format!("{}#comment-{}", review_ap_id, comment.id),
        to: vec![PUBLIC.to_string()],
        cc,
        tag,
        context: urls.context(comment.review_id),
        conversation: urls.context(comment.review_id),
        replies: paged_collection(&format!("{}/replies", comment.ap_id), replies),
    }
}

/// What is left of a deleted review or comment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub former_type: &'static str,
    pub deleted: String,
}

/// The `Tombstone` of one of our comments.
pub fn comment_tombstone(id: &str, deleted_at: DateTime<Utc>) -> Tombstone {
    Tombstone {
        id: id.to_string(),
        kind: "Tombstone",
        former_type: "Note",
        deleted: timestamp(deleted_at),
    }
}

/// What a deleted review's id answers, and what a `Delete` of it carries.
pub fn tombstone(id: &str, deleted_at: DateTime<Utc>) -> Tombstone {
    Tombstone {
        former_type: "Article",
        ..comment_tombstone(id, deleted_at)
    }
}
