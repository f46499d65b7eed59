//! The comment thread from the critic's side: answering a comment, editing and deleting those
//! answers, moderating, importing comments from an older blog, and the thread as a tree.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::config::Settings;
use crate::content;
use crate::db::comments::{self, CommentRow, NewComment};
use crate::db::{reviews, DbError};
use crate::domain::ValidationErrors;
use crate::error::AppError;
use crate::federation::outbox;
use crate::urls::Urls;

/// The critic's answer to a comment (or to the review itself).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    /// The id of the comment answered; absent to answer the review.
    pub in_reply_to: Option<Uuid>,
    /// Markdown.
    pub body: String,
}

/// A comment from an older blog.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    pub author_name: String,
    pub author_url: Option<String>,
    /// When it was written.
    pub date: DateTime<Utc>,
    /// HTML, or plain text with blank lines between paragraphs.
    pub content: String,
    /// The id of an imported or other comment it answers.
    pub parent: Option<Uuid>,
}

const MAX_BODY: usize = 20_000;

fn check_body(errors: &mut ValidationErrors, field: &str, body: &str) {
    if body.trim().is_empty() {
        errors.add(field, "must not be empty");
    } else if body.len() > MAX_BODY {
        errors.add(field, format!("must be at most {MAX_BODY} bytes"));
    }
}

/// The parent comment, which must belong to the review.
async fn parent_in(
    pool: &PgPool,
    review_id: Uuid,
    parent: Option<Uuid>,
    field: &str,
) -> Result<Option<CommentRow>, AppError> {
    let Some(parent) = parent else {
        return Ok(None);
    };
    match comments::get(pool, parent).await? {
        // Only a shown comment can be answered: an answer is public and names its parent.
        Some(c) if c.review_id == review_id && c.is_public() => Ok(Some(c)),
        _ => {
            let mut errors = ValidationErrors::default();
            errors.add(field, "is not a published public comment on this review");
            Err(AppError::Validation(errors))
        }
    }
}

async fn public_review(pool: &PgPool, review_id: Uuid) -> Result<(), AppError> {
    match reviews::get(pool, review_id).await? {
        Some(r) if r.review.is_public() => Ok(()),
        Some(_) => Err(AppError::BadRequest("the review is not published".into())),
        None => Err(AppError::NotFound),
    }
}

/// Publishes the critic's answer and sends it to the commenter and the followers.
#[tracing::instrument(skip_all, fields(review_id))]
pub async fn reply(
    pool: &PgPool,
    settings: &Settings,
    review_id: Uuid,
    input: &ReplyInput,
    now: DateTime<Utc>,
) -> Result<CommentRow, AppError> {
    let mut errors = ValidationErrors::default();
    check_body(&mut errors, "body", &input.body);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    public_review(pool, review_id).await?;
    let parent = parent_in(pool, review_id, input.in_reply_to, "in_reply_to").await?;
    let urls = Urls::new(settings);
    let id = Uuid::now_v7();
    let comment = NewComment {
        id,
        ap_id: urls.comment(id),
        review_id,
        parent_id: parent.as_ref().map(|p| p.id),
        origin: "local",
        author_actor: None,
        author_name: settings.site.author.clone(),
        author_handle: Some(format!("@{}", urls.acct())),
        author_url: Some(urls.home()),
        author_avatar: Some(urls.avatar()),
        url: None,
        content_html: content::markdown_to_html(&input.body),
        source: Some(input.body.clone()),
        summary: None,
        sensitive: false,
        visibility: "public",
        status: "published",
        published_at: now,
    };
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    let stored = comments::insert(&mut tx, &comment)
        .await?
        .ok_or_else(|| AppError::Internal("comment id clash".into()))?;
    outbox::comment_sent(&mut tx, &urls, &stored, "Create", now).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(stored)
}

/// Edits one of the critic's own answers (an `Update` follows).
#[tracing::instrument(skip_all, fields(id))]
pub async fn edit(
    pool: &PgPool,
    settings: &Settings,
    id: Uuid,
    body: &str,
    now: DateTime<Utc>,
) -> Result<CommentRow, AppError> {
    let mut errors = ValidationErrors::default();
    check_body(&mut errors, "body", body);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let comment = comments::get(pool, id)
        .await?
        .filter(|c| c.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    if comment.origin != "local" {
        return Err(AppError::BadRequest(
            "only the critic's own comments can be edited".into(),
        ));
    }
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    comments::edit(
        &mut *tx,
        id,
        &content::markdown_to_html(body),
        Some(body),
        None,
        false,
        now,
    )
    .await?;
    let edited = comments::get(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    outbox::comment_sent(&mut tx, &Urls::new(settings), &edited, "Update", now).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(edited)
}

/// Removes a comment from the thread; the critic's own answers are deleted from the fediverse.
#[tracing::instrument(skip_all, fields(id))]
pub async fn delete(
    pool: &PgPool,
    settings: &Settings,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let comment = comments::get(pool, id)
        .await?
        .filter(|c| c.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    comments::mark_deleted(&mut *tx, id, now).await?;
    if comment.origin == "local" {
        outbox::comment_sent(&mut tx, &Urls::new(settings), &comment, "Delete", now).await?;
    }
    tx.commit().await.map_err(DbError::from)?;
    Ok(())
}

/// Approves (`published`) or rejects (`rejected`) a comment.
pub async fn moderate(pool: &PgPool, id: Uuid, status: &str) -> Result<CommentRow, AppError> {
    if !comments::set_status(pool, id, status).await? {
        return Err(AppError::NotFound);
    }
    comments::get(pool, id).await?.ok_or(AppError::NotFound)
}

/// Plain text with blank lines between paragraphs, or HTML, as sanitized HTML.
fn imported_html(content: &str) -> String {
    if content.contains('<') {
        return content::sanitize_remote(content);
    }
    content
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", content::escape_html(p).replace('\n', "<br>")))
        .collect()
}

/// Imports a comment from an older blog; it gets an id of its own that fediverse users can
/// answer.
#[tracing::instrument(skip_all, fields(review_id))]
pub async fn import(
    pool: &PgPool,
    settings: &Settings,
    review_id: Uuid,
    input: &ImportInput,
) -> Result<CommentRow, AppError> {
    let mut errors = ValidationErrors::default();
    check_body(&mut errors, "content", &input.content);
    let name = input.author_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.add("author_name", "must be 1 to 200 characters");
    }
    let author_url = match input
        .author_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        None => None,
        Some(u) => match crate::domain::WebUrl::parse(u) {
            Ok(url) => Some(url.to_string()),
            Err(e) => {
                errors.add("author_url", e.0);
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if reviews::get(pool, review_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let parent = parent_in(pool, review_id, input.parent, "parent").await?;
    let urls = Urls::new(settings);
    let id = Uuid::now_v7();
    let comment = NewComment {
        id,
        ap_id: urls.comment(id),
        review_id,
        parent_id: parent.map(|p| p.id),
        origin: "imported",
        author_actor: None,
        author_name: name.to_string(),
        author_handle: None,
        author_url,
        author_avatar: None,
        url: None,
        content_html: imported_html(&input.content),
        source: None,
        summary: None,
        sensitive: false,
        visibility: "public",
        status: "published",
        published_at: input.date,
    };
    // Imports come from the command line too: announce them to running servers' caches.
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    let stored = comments::insert(&mut tx, &comment)
        .await?
        .ok_or_else(|| AppError::Internal("comment id clash".into()))?;
    crate::cache::notify_change(&mut *tx, "comments").await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(stored)
}

/// A comment and its answers, for the page.
#[derive(Debug, Clone)]
pub struct Node {
    pub comment: CommentRow,
    pub children: Vec<Node>,
}

/// The thread as a tree. Deleted comments stay only where they have visible answers, as a
/// "deleted" placeholder; answers to comments not shown hang from the review.
pub fn tree(rows: Vec<CommentRow>) -> Vec<Node> {
    use std::collections::{HashMap, HashSet};
    let ids: HashSet<Uuid> = rows.iter().map(|c| c.id).collect();
    let mut children: HashMap<Option<Uuid>, Vec<CommentRow>> = HashMap::new();
    for row in rows {
        let parent = row.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(row);
    }
    fn build(
        parent: Option<Uuid>,
        children: &mut HashMap<Option<Uuid>, Vec<CommentRow>>,
    ) -> Vec<Node> {
        let rows = children.remove(&parent).unwrap_or_default();
        rows.into_iter()
            .filter_map(|comment| {
                let kids = build(Some(comment.id), children);
                (comment.deleted_at.is_none() || !kids.is_empty()).then_some(Node {
                    comment,
                    children: kids,
                })
            })
            .collect()
    }
    build(None, &mut children)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u128, parent: Option<u128>, deleted: bool) -> CommentRow {
        CommentRow {
            id: Uuid::from_u128(id),
            ap_id: format!("https://x.example/{id}"),
            review_id: Uuid::nil(),
            parent_id: parent.map(Uuid::from_u128),
            origin: "remote".into(),
            author_actor: None,
            author_name: "A".into(),
            author_handle: None,
            author_url: None,
            author_avatar: None,
            url: None,
            content_html: String::new(),
            source: None,
            summary: None,
            sensitive: false,
            visibility: "public".into(),
            status: "published".into(),
            published_at: Utc::now(),
            edited_at: None,
            deleted_at: deleted.then(Utc::now),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn threads_nest_and_deleted_leaves_disappear() {
        let nodes = tree(vec![
            row(1, None, false),
            row(2, Some(1), false),
            row(3, Some(2), false),
            row(4, None, true),
            row(5, None, true),
            row(6, Some(5), false),
            row(7, Some(99), false),
        ]);
        let top: Vec<u128> = nodes.iter().map(|n| n.comment.id.as_u128()).collect();
        assert_eq!(
            top,
            vec![1, 5, 7],
            "deleted 4 without answers goes; deleted 5 with one stays; 7's parent is unknown"
        );
        assert_eq!(nodes[0].children[0].children[0].comment.id.as_u128(), 3);
        assert_eq!(imported_html("a & b\n\nc"), "<p>a &amp; b</p><p>c</p>");
    }
}
