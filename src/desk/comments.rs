//! Moderation at the desk: the comments held for approval (and those published or rejected),
//! each with approve, reject, block its author or their server, and an answer in place.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::{path, render, see_other, Critic, Frame, Posted, Refused};
use crate::comments::{self, ReplyInput};
use crate::db::comments::{self as db, CommentRow};
use crate::db::reviews;
use crate::domain::{CommentFilter, CommentStatus};
use crate::error::AppError;
use crate::moderation::{self, Reach};
use crate::state::AppState;

/// Comments a page.
const PER_PAGE: i64 = 30;

#[derive(Template)]
#[template(path = "desk_comments.html", config = "config/askama.toml")]
struct CommentsPage {
    frame: Frame,
    tabs: Vec<Tab>,
    status: &'static str,
    comments: Vec<Line>,
    older_url: Option<String>,
}

struct Tab {
    label: &'static str,
    url: String,
    current: bool,
}

/// A comment as the queue shows it.
struct Line {
    id: Uuid,
    author: String,
    handle: Option<String>,
    author_url: Option<String>,
    review_title: String,
    review_url: String,
    date: String,
    date_iso: String,
    summary: Option<String>,
    /// Sanitized when stored.
    content_html: String,
    held: bool,
    published: bool,
    /// From the fediverse: its author and server can be blocked.
    blockable: bool,
    /// How deep it sits in its thread (0 in the queue).
    level: usize,
    /// The critic's own answer.
    yours: bool,
    /// Its moderation state, in words.
    state: &'static str,
    /// The whole thread of its review, at the desk.
    thread_url: String,
}

fn web_url(url: Option<&str>) -> Option<String> {
    url.and_then(|u| crate::domain::WebUrl::parse(u).ok())
        .map(|u| u.to_string())
}

async fn line(state: &AppState, c: CommentRow) -> Result<Line, AppError> {
    let review = reviews::get(&state.pool, c.review_id).await?;
    Ok(line_of(state, c, review.as_ref(), 0))
}

fn line_of(
    state: &AppState,
    c: CommentRow,
    review: Option<&reviews::StoredReview>,
    level: usize,
) -> Line {
    let (review_title, review_url) = review.map_or_else(
        || ("(a deleted review)".to_string(), state.urls.home()),
        |r| (r.review.title.clone(), state.urls.review(&r.review.slug)),
    );
    Line {
        id: c.id,
        level,
        yours: c.origin == crate::domain::CommentOrigin::Local,
        state: match (c.deleted_at.is_some(), c.status) {
            (true, _) => "deleted",
            (false, CommentStatus::Pending) => "held",
            (false, CommentStatus::Published) => "published",
            (false, CommentStatus::Rejected) => "rejected",
        },
        thread_url: path(&format!(
            "/reviews/{}/comments#comment-{}",
            c.review_id, c.id
        )),
        handle: c.author_handle.clone(),
        author_url: web_url(c.author_url.as_deref()),
        review_title,
        review_url,
        date: c.published_at.format("%-d %B %Y, %H:%M UTC").to_string(),
        date_iso: c
            .published_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        summary: c.summary.clone(),
        held: c.status == CommentStatus::Pending,
        published: c.status == CommentStatus::Published,
        blockable: c.author_actor.is_some(),
        author: c.author_name,
        content_html: c.content_html,
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    page: Option<i64>,
}

const TABS: [(&str, CommentStatus, &str); 3] = [
    ("pending", CommentStatus::Pending, "Held"),
    ("published", CommentStatus::Published, "Published"),
    ("rejected", CommentStatus::Rejected, "Rejected"),
];

pub async fn list(
    State(state): State<AppState>,
    critic: Critic,
    Query(query): Query<ListQuery>,
) -> Result<Response, Refused> {
    let (status, wanted, _) = TABS
        .iter()
        .find(|(word, _, _)| Some(*word) == query.status.as_deref())
        .copied()
        .unwrap_or(TABS[0]);
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let (rows, total) = db::list(
        &state.pool,
        Some(CommentFilter::Status(wanted)),
        PER_PAGE,
        (page - 1) * PER_PAGE,
    )
    .await
    .map_err(AppError::from)?;
    let mut comments = Vec::with_capacity(rows.len());
    for row in rows {
        comments.push(line(&state, row).await?);
    }
    let tabs = TABS
        .iter()
        .map(|(word, _, label)| Tab {
            label,
            url: path(&format!("/comments?status={word}")),
            current: *word == status,
        })
        .collect();
    Ok(render(&CommentsPage {
        frame: Frame::new(&state, &critic, "Comments").await?,
        tabs,
        status,
        comments,
        older_url: (page * PER_PAGE < total)
            .then(|| path(&format!("/comments?status={status}&page={}", page + 1))),
    })?)
}

#[derive(Template)]
#[template(path = "desk_thread.html", config = "config/askama.toml")]
struct ThreadPage {
    frame: Frame,
    /// Where its forms lead back: this thread.
    status: String,
    comments: Vec<Line>,
    edit_url: String,
    public_url: Option<String>,
}

/// One review's whole thread, nested, each comment in whatever state with its actions, and
/// the critic's answers among them.
pub async fn thread(
    State(state): State<AppState>,
    critic: Critic,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    let id = super::id(&id)?;
    let review = reviews::get(&state.pool, id)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    let rows = db::for_review(&state.pool, id)
        .await
        .map_err(AppError::from)?;
    let comments = comments::thread_for_page(rows)
        .into_iter()
        .map(|shown| line_of(&state, shown.comment, Some(&review), shown.level))
        .collect();
    let title = format!("Comments on “{}”", review.review.title);
    Ok(render(&ThreadPage {
        frame: Frame::new(&state, &critic, &title).await?,
        status: format!("review-{id}"),
        comments,
        edit_url: path(&format!("/reviews/{id}")),
        public_url: review
            .review
            .is_public()
            .then(|| state.urls.review(&review.review.slug)),
    })?)
}

/// Where a moderation form sends the critic back to: the tab it came from.
#[derive(Deserialize)]
pub struct Back {
    #[serde(default)]
    back: String,
}

fn back_to(back: &str) -> String {
    // The thread of one review, or a tab of the queue.
    if let Some(review) = back
        .strip_prefix("review-")
        .and_then(crate::domain::parse_id)
    {
        return path(&format!("/reviews/{review}/comments"));
    }
    let tab = TABS
        .iter()
        .map(|(word, _, _)| *word)
        .find(|word| *word == back)
        .unwrap_or("pending");
    path(&format!("/comments?status={tab}"))
}

async fn set_status(
    state: &AppState,
    id: &str,
    status: CommentStatus,
    back: &str,
) -> Result<Response, Refused> {
    comments::moderate(&state.pool, super::id(id)?, status).await?;
    Ok(see_other(&back_to(back)))
}

pub async fn approve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<Back>,
) -> Result<Response, Refused> {
    set_status(&state, &id, CommentStatus::Published, &posted.form.back).await
}

pub async fn reject(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<Back>,
) -> Result<Response, Refused> {
    set_status(&state, &id, CommentStatus::Rejected, &posted.form.back).await
}

async fn block(state: &AppState, id: &str, reach: Reach, back: &str) -> Result<Response, Refused> {
    let id = super::id(id)?;
    moderation::block_from_comment(&state.pool, id, reach, None).await?;
    // What was held from them is not waiting any more.
    comments::moderate(&state.pool, id, CommentStatus::Rejected).await?;
    Ok(see_other(&back_to(back)))
}

pub async fn block_author(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<Back>,
) -> Result<Response, Refused> {
    block(&state, &id, Reach::Author, &posted.form.back).await
}

pub async fn block_server(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<Back>,
) -> Result<Response, Refused> {
    block(&state, &id, Reach::Server, &posted.form.back).await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    back: String,
}

/// Answers a comment where it stands: a held one is approved first (an answer is public and
/// names what it answers).
pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<AnswerForm>,
) -> Result<Response, Refused> {
    let id = super::id(&id)?;
    let comment = db::get(&state.pool, id)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    if comment.status == CommentStatus::Pending {
        comments::moderate(&state.pool, id, CommentStatus::Published).await?;
    }
    let input = ReplyInput {
        in_reply_to: Some(id),
        body: posted.form.body.clone(),
    };
    comments::reply(
        &state.pool,
        &state.settings,
        &*state.outbound,
        comment.review_id,
        &input,
        Utc::now(),
    )
    .await?;
    Ok(see_other(&back_to(&posted.form.back)))
}
