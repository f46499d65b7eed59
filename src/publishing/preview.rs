//! A review as it would be if this input were saved: the desk's preview of unsaved changes,
//! validated and rendered by the same path as a write, and never stored.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::config::Site;
use crate::db::reviews::StoredReview;
use crate::domain::{ReplyPolicy, Review, ReviewInput};
use crate::error::AppError;

/// `input` over `before` (the stored review, if any), validated and rendered.
pub fn preview(
    site: &Site,
    input: &ReviewInput,
    before: Option<&Review>,
    now: DateTime<Utc>,
) -> Result<StoredReview, AppError> {
    let write = super::prepare(site, input, before, now)?;
    let draft = write.draft;
    let review = Review {
        id: before.map_or_else(Uuid::now_v7, |b| b.id),
        slug: draft.slug,
        title: draft.title,
        body: draft.body,
        body_html: write.rendered.html,
        summary: draft.summary,
        summary_html: write.rendered.summary_html,
        film: draft.film,
        rating: draft.rating,
        categories: draft.categories,
        tags: draft.tags,
        spoiler_warning: draft.spoiler_warning,
        language: draft.language,
        author: draft.author,
        status: write.status,
        publish_at: write.publish_at,
        published_at: write.published_at,
        created_at: before.map_or(now, |b| b.created_at),
        updated_at: now,
        ap_revision: before.map_or(0, |b| b.ap_revision),
        ap_retired_at: before.and_then(|b| b.ap_retired_at),
        replies: before.map_or(ReplyPolicy::Default, |b| b.replies),
        quote_policy: draft.quote_policy,
    };
    Ok(StoredReview {
        review,
        summary_text: write.rendered.summary_text,
    })
}
