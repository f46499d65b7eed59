//! The comment thread from the critic's side: answering a comment, editing and deleting those
//! answers, moderating, importing comments from an older blog, and the thread as a tree.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::changes::{self, Change};
use crate::config::{Moderation, Settings};
use crate::content;
use crate::db::comments::{self, CommentRow, NewComment, Place};
use crate::db::{reviews, DbError};
use crate::domain::{CommentOrigin, CommentStatus, ValidationErrors};
use crate::error::AppError;
use crate::outbound::{CommentActivity, Outbound};
use crate::urls::Urls;

/// How a reply from the fediverse arrives: a public one as the moderation setting says
/// (`first_time` holds an author until the critic approved one of their replies), a private one
/// (addressed to the blog alone) always published, since only the critic sees it.
pub fn arriving_status(
    moderation: Moderation,
    arrival: &comments::Arrival,
    public: bool,
) -> CommentStatus {
    if !public {
        return CommentStatus::Published;
    }
    // A silenced server (an imported blocklist's `silence`): every comment waits.
    if arrival.silenced {
        return CommentStatus::Pending;
    }
    match moderation {
        Moderation::Open => CommentStatus::Published,
        Moderation::Closed => CommentStatus::Pending,
        Moderation::FirstTime if arrival.approved => CommentStatus::Published,
        Moderation::FirstTime => CommentStatus::Pending,
    }
}

/// Opens or closes a review to replies (or gives it back to the blog's default). Servers that
/// have it hear of it (an `Update` advertising who may reply).
#[tracing::instrument(skip_all, fields(review = %id))]
pub async fn set_replies(
    pool: &PgPool,
    outbound: &dyn Outbound,
    id: Uuid,
    policy: crate::domain::ReplyPolicy,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    if !reviews::set_replies(&mut *tx, id, policy).await? {
        return Err(AppError::NotFound);
    }
    let review = reviews::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    outbound
        .review_written(&mut tx, &review.review, now)
        .await?;
    changes::announce(&mut *tx, &[Change::Review(id)]).await?;
    tx.commit().await.map_err(DbError::from)?;
    outbound.queued();
    Ok(())
}

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
    db: impl sqlx::PgExecutor<'_>,
    review_id: Uuid,
    parent: Option<Uuid>,
    field: &str,
) -> Result<Option<CommentRow>, AppError> {
    let Some(parent) = parent else {
        return Ok(None);
    };
    match comments::get(db, parent).await? {
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
    outbound: &dyn Outbound,
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
    let place = Place {
        review_id,
        parent_id: parent.as_ref().map(|p| p.id),
    };
    let comment = NewComment::local(&urls, &settings.site.author, place, &input.body, now);
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    let stored = comments::insert(&mut tx, &comment)
        .await?
        .ok_or(AppError::Bug("a new comment id was already taken"))?;
    outbound
        .comment_sent(&mut tx, &stored, CommentActivity::Create, now)
        .await?;
    changes::announce(&mut *tx, &[Change::Review(review_id)]).await?;
    tx.commit().await.map_err(DbError::from)?;
    outbound.queued();
    Ok(stored)
}

/// Edits one of the critic's own answers (an `Update` follows).
#[tracing::instrument(skip_all, fields(id))]
pub async fn edit(
    pool: &PgPool,
    outbound: &dyn Outbound,
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
    if comment.origin != CommentOrigin::Local {
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
    outbound
        .comment_sent(&mut tx, &edited, CommentActivity::Update, now)
        .await?;
    changes::announce(&mut *tx, &[Change::Review(edited.review_id)]).await?;
    tx.commit().await.map_err(DbError::from)?;
    outbound.queued();
    Ok(edited)
}

/// Removes a comment from the thread; the critic's own answers are deleted from the fediverse.
#[tracing::instrument(skip_all, fields(id))]
pub async fn delete(
    pool: &PgPool,
    outbound: &dyn Outbound,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let comment = comments::get(pool, id)
        .await?
        .filter(|c| c.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    comments::mark_deleted(&mut *tx, id, now).await?;
    if comment.origin == CommentOrigin::Local {
        outbound
            .comment_sent(&mut tx, &comment, CommentActivity::Delete, now)
            .await?;
    }
    changes::announce(&mut *tx, &[Change::Review(comment.review_id)]).await?;
    tx.commit().await.map_err(DbError::from)?;
    outbound.queued();
    Ok(())
}

/// Approves (`Published`) or rejects (`Rejected`) a comment.
pub async fn moderate(
    pool: &PgPool,
    id: Uuid,
    status: CommentStatus,
) -> Result<CommentRow, AppError> {
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    if !comments::set_status(&mut *tx, id, status).await? {
        return Err(AppError::NotFound);
    }
    let comment = comments::get(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    changes::announce(&mut *tx, &[Change::Review(comment.review_id)]).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(comment)
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
    // Imports come from the command line too: announced to running servers' caches.
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    let stored = import_in(&mut tx, settings, review_id, input).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(stored)
}

/// [`import`] in the caller's transaction (a whole imported thread is written at once).
/// Nothing is written when the input is refused.
pub async fn import_in(
    conn: &mut PgConnection,
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
    if reviews::get(&mut *conn, review_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let parent = parent_in(&mut *conn, review_id, input.parent, "parent").await?;
    let place = Place {
        review_id,
        parent_id: parent.map(|p| p.id),
    };
    let comment = NewComment::imported(
        &Urls::new(settings),
        place,
        name,
        author_url,
        imported_html(&input.content),
        input.date,
    );
    let stored = comments::insert(&mut *conn, &comment)
        .await?
        .ok_or(AppError::Bug("a new comment id was already taken"))?;
    changes::announce(&mut *conn, &[Change::Review(review_id)]).await?;
    Ok(stored)
}

/// How many levels the page nests: comments on the review, their answers, answers to those,
/// and a last level that holds everything deeper, flat and in date order, under the last
/// nested comment above it, each saying whom it answers (as Mastodon shows a long
/// conversation). WordPress calls this `thread_comments_depth` (default 5); each level here
/// indents 2.2 rem, and four keep a comment on a phone readable. A stranger can answer their
/// own answers without end; the page does not nest without end.
pub const LEVELS: usize = 4;

/// Whom a comment shown away from its parent (below the last nested level) answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub id: Uuid,
    /// The author's name; `None` when that comment was deleted.
    pub author: Option<String>,
}

/// A comment as the page shows it: the thread is a list of these in page order.
#[derive(Debug, Clone)]
pub struct Shown {
    pub comment: CommentRow,
    /// 0 at the top (answers to the review, and answers to comments not shown), at most
    /// `LEVELS - 1`.
    pub level: usize,
    /// Set when the comment is shown away from the one it answers.
    pub in_reply_to: Option<Answered>,
}

/// The thread as the page shows it, in page order, each comment with its nesting level: the
/// first `LEVELS - 1` levels nest, everything deeper lies flat at the last level in date order.
/// Deleted comments stay only where they have visible answers, as a "deleted" placeholder;
/// answers to comments not shown hang from the review. Built without recursion: a stranger
/// decides how deep the stored thread goes.
pub fn thread_for_page(mut rows: Vec<CommentRow>) -> Vec<Shown> {
    use std::collections::HashMap;
    let last = LEVELS.saturating_sub(1);
    rows.sort_by_key(|c| (c.published_at, c.id));
    let index: HashMap<Uuid, usize> = rows.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let parent: Vec<Option<usize>> = rows
        .iter()
        .map(|c| c.parent_id.and_then(|p| index.get(&p).copied()))
        .collect();
    // Children in date order (rows are sorted); roots are those with no parent shown.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    let mut roots = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        match p {
            Some(p) => match children.get_mut(*p) {
                Some(list) => list.push(i),
                None => roots.push(i),
            },
            None => roots.push(i),
        }
    }
    // Parents before their answers (breadth first from the roots; a comment not reached from
    // one, which only a cycle could cause, is not shown).
    let mut order = roots.clone();
    let mut next = 0;
    while let Some(&i) = order.get(next) {
        next += 1;
        if let Some(list) = children.get(i) {
            order.extend_from_slice(list);
        }
    }
    // Answers before their parents: a comment is kept when it is not deleted or when an
    // answer of its is kept.
    let mut keep = vec![false; rows.len()];
    let mut kept_answer = vec![false; rows.len()];
    for &i in order.iter().rev() {
        let shown = rows.get(i).is_some_and(|c| c.deleted_at.is_none())
            || kept_answer.get(i).copied().unwrap_or(false);
        if shown {
            if let Some(k) = keep.get_mut(i) {
                *k = true;
            }
            if let Some(flag) = parent
                .get(i)
                .copied()
                .flatten()
                .and_then(|p| kept_answer.get_mut(p))
            {
                *flag = true;
            }
        }
    }
    let kept = |i: &usize| keep.get(*i).copied().unwrap_or(false);
    // Page order: (row, level, whom it answers when shown away from it).
    let mut plan: Vec<(usize, usize, Option<usize>)> = Vec::with_capacity(order.len());
    let mut stack: Vec<(usize, usize)> = roots
        .iter()
        .rev()
        .filter(|i| kept(i))
        .map(|&i| (i, 0))
        .collect();
    while let Some((i, level)) = stack.pop() {
        plan.push((i, level, None));
        let Some(answers) = children.get(i) else {
            continue;
        };
        if level + 1 < last {
            stack.extend(
                answers
                    .iter()
                    .rev()
                    .filter(|a| kept(a))
                    .map(|&a| (a, level + 1)),
            );
            continue;
        }
        // The last level: every kept comment below, flat, in date order (the rows' order).
        let mut below: Vec<usize> = answers.iter().copied().filter(|a| kept(a)).collect();
        let mut next = 0;
        while let Some(&a) = below.get(next) {
            next += 1;
            if let Some(more) = children.get(a) {
                below.extend(more.iter().copied().filter(|b| kept(b)));
            }
        }
        below.sort_unstable();
        plan.extend(below.into_iter().map(|a| {
            let answers = parent.get(a).copied().flatten().filter(|&p| p != i);
            (a, last, answers)
        }));
    }
    let answered: Vec<Option<Answered>> = plan
        .iter()
        .map(|&(_, _, p)| {
            let p = rows.get(p?)?;
            Some(Answered {
                id: p.id,
                author: p.deleted_at.is_none().then(|| p.author_name.clone()),
            })
        })
        .collect();
    let mut rows: Vec<Option<CommentRow>> = rows.into_iter().map(Some).collect();
    plan.into_iter()
        .zip(answered)
        .filter_map(|((i, level, _), in_reply_to)| {
            Some(Shown {
                comment: rows.get_mut(i)?.take()?,
                level,
                in_reply_to,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
