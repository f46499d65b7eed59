//! The one publishing path shared by the admin API, the CLI, the demo loader and the scheduler:
//! validate, render, store, each change in one transaction that also announces it to every
//! server's response cache (`NOTIFY reviewpub_changes`, delivered at commit).

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::changes::{self, Change as Changed};
use crate::config::{Settings, Site};
use crate::content;
use crate::db::reviews::{self, StoredReview, Write};
use crate::db::DbError;
use crate::domain::review::Defaults;
use crate::domain::review::PublishAt;
use crate::domain::{RequestedStatus, Review, ReviewInput, ReviewStatus, Slug};
use crate::error::AppError;
use crate::outbound::Outbound;

mod input;
mod locate;
mod preview;
pub mod trash;
pub use input::input_from_value;
pub use locate::{locate, Located};
pub use preview::preview;

fn defaults(site: &Site) -> Defaults<'_> {
    Defaults {
        language: &site.language,
        author: &site.author,
        time_zone: site.time_zone,
    }
}

/// The stored publication state for what the critic asked, given what was there before.
fn publication(
    requested: RequestedStatus,
    before: Option<&Review>,
    now: DateTime<Utc>,
) -> (ReviewStatus, Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let first_published = before.and_then(|r| r.published_at);
    match requested {
        RequestedStatus::Draft { at } => (ReviewStatus::Draft, at, first_published),
        RequestedStatus::Published { at } => (
            ReviewStatus::Published,
            None,
            // Never dated in the future (validation allows a minute of clock skew).
            Some(at.or(first_published).unwrap_or(now).min(now)),
        ),
        RequestedStatus::Scheduled { at } => (ReviewStatus::Scheduled, Some(at), first_published),
    }
}

/// A validated, rendered review with its publication state, ready to be written.
fn prepare(
    site: &Site,
    input: &ReviewInput,
    before: Option<&Review>,
    now: DateTime<Utc>,
) -> Result<Write, AppError> {
    let input = due_schedule_goes_live(input, before, now);
    let draft = input
        .parse(&defaults(site), now)
        .map_err(AppError::Validation)?;
    let rendered = content::render(
        &draft.body,
        draft.summary.as_deref(),
        draft.spoiler_warning.as_deref(),
    );
    let (status, publish_at, published_at) = publication(draft.status, before, now);
    Ok(Write {
        draft,
        rendered,
        status,
        publish_at,
        published_at,
    })
}

/// A scheduled review edited after its time came but before the scheduler ran keeps its
/// stored `publish_at`, now in the past: it goes live instead of failing validation.
fn due_schedule_goes_live<'a>(
    input: &'a ReviewInput,
    before: Option<&Review>,
    now: DateTime<Utc>,
) -> std::borrow::Cow<'a, ReviewInput> {
    let due = before.is_some_and(|b| {
        b.status == ReviewStatus::Scheduled
            && input.status.as_deref() == Some("scheduled")
            && input.publish_at.is_some()
            && input.publish_at == b.publish_at.map(PublishAt::Instant)
            && b.publish_at.is_some_and(|at| at <= now)
    });
    if !due {
        return std::borrow::Cow::Borrowed(input);
    }
    let mut live = input.clone();
    live.status = Some("published".into());
    std::borrow::Cow::Owned(live)
}

/// Whether a write may take a slug that now redirects to another review (its former slug).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Redirects {
    /// The admin API: an explicit slug may be reused; the old redirect ends.
    MayTakeOver,
    /// Files from the command line, whose slug usually comes from the title: refused (409).
    Keep,
}

/// Creates a review.
pub async fn create(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    input: &ReviewInput,
    now: DateTime<Utc>,
) -> Result<StoredReview, AppError> {
    create_with(pool, settings, outbound, input, now, Redirects::MayTakeOver).await
}

#[tracing::instrument(skip_all)]
async fn create_with(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    input: &ReviewInput,
    now: DateTime<Utc>,
    redirects: Redirects,
) -> Result<StoredReview, AppError> {
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    let stored = insert_new(&mut tx, settings, outbound, input, now, redirects).await?;
    tx.commit().await.map_err(DbError::from)?;
    outbound.queued();
    Ok(stored)
}

/// Creates a review in the caller's transaction (an import writes a post and its comments
/// together); a slug another review has, or redirects from, is refused. The caller commits,
/// then calls `outbound.queued()`.
pub async fn create_in(
    conn: &mut PgConnection,
    settings: &Settings,
    outbound: &dyn Outbound,
    input: &ReviewInput,
    now: DateTime<Utc>,
) -> Result<StoredReview, AppError> {
    insert_new(conn, settings, outbound, input, now, Redirects::Keep).await
}

/// Validates `input` as [`create`] would, writing nothing.
pub fn check(settings: &Settings, input: &ReviewInput, now: DateTime<Utc>) -> Result<(), AppError> {
    prepare(&settings.site, input, None, now).map(|_| ())
}

async fn insert_new(
    conn: &mut PgConnection,
    settings: &Settings,
    outbound: &dyn Outbound,
    input: &ReviewInput,
    now: DateTime<Utc>,
    redirects: Redirects,
) -> Result<StoredReview, AppError> {
    let write = prepare(&settings.site, input, None, now)?;
    if redirects == Redirects::Keep {
        check_slug_free(&mut *conn, &write.draft.slug, None).await?;
    }
    let stored = reviews::insert(&mut *conn, Uuid::now_v7(), &write, now).await?;
    outbound
        .review_written(&mut *conn, &stored.review, now)
        .await?;
    changes::announce(&mut *conn, &review_changed(stored.review.id)).await?;
    tracing::info!(review = %stored.review.id, slug = %stored.review.slug, status = write.status.as_str(), "review created");
    Ok(stored)
}

/// Refuses a slug that leads to a review other than `own`: its current slug (409 as the
/// database would) or a former one that redirects to it.
async fn check_slug_free(
    conn: &mut sqlx::PgConnection,
    slug: &Slug,
    own: Option<Uuid>,
) -> Result<(), AppError> {
    match reviews::slug_holder(conn, slug.as_str()).await? {
        Some(holder) if Some(holder.id) != own => Err(if holder.current {
            AppError::SlugUsedBy {
                slug: slug.to_string(),
                review: holder.id,
            }
        } else {
            AppError::SlugRedirectsTo {
                slug: slug.to_string(),
                review: holder.id,
            }
        }),
        _ => Ok(()),
    }
}

/// How a review changes: a JSON merge patch (RFC 7396) of the input shape over the stored
/// review (`null` clears a field), or a whole new input (the CLI re-publishing a file; without
/// a `slug` the review keeps its own).
pub enum Change<'a> {
    Patch(&'a Value),
    Replace(&'a ReviewInput),
}

/// Changes a review, validating the result as a whole.
pub async fn update(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    id: Uuid,
    change: Change<'_>,
    now: DateTime<Utc>,
) -> Result<StoredReview, AppError> {
    update_with(
        pool,
        settings,
        outbound,
        id,
        change,
        now,
        How {
            redirects: Redirects::MayTakeOver,
            withdraw: Withdraw::Delete,
        },
    )
    .await
}

/// How an update treats the slug's old owners and the fediverse.
#[derive(Debug, Clone, Copy)]
struct How {
    redirects: Redirects,
    withdraw: Withdraw,
}

/// How a review leaving the public leaves the fediverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdraw {
    /// A `Delete` goes out; servers drop it and keep a tombstone, so it returns under a new
    /// id (the default, and what a deletion always does).
    Delete,
    /// Nothing goes out: servers keep their copy, and its return is an `Update` of it.
    Hide,
}

/// Takes a published review off the blog without telling the fediverse to delete it (it goes
/// back to draft; servers keep their copy until it returns as an `Update`).
pub async fn hide(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<StoredReview, AppError> {
    let draft = serde_json::json!({"status": "draft"});
    update_with(
        pool,
        settings,
        outbound,
        id,
        Change::Patch(&draft),
        now,
        How {
            redirects: Redirects::MayTakeOver,
            withdraw: Withdraw::Hide,
        },
    )
    .await
}

#[tracing::instrument(skip_all, fields(review = %id))]
async fn update_with(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    id: Uuid,
    change: Change<'_>,
    now: DateTime<Utc>,
    how: How,
) -> Result<StoredReview, AppError> {
    let How {
        redirects,
        withdraw,
    } = how;
    if let Change::Patch(patch) = change {
        if !patch.is_object() {
            return Err(AppError::BadRequest(
                "the body must be a JSON object".into(),
            ));
        }
    }
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    let before = reviews::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?
        .review;
    let input = match change {
        Change::Replace(input) => {
            let mut input = input.clone();
            if input.slug.is_none() {
                input.slug = Some(before.slug.to_string());
            }
            input
        }
        Change::Patch(patch) => {
            let mut merged = serde_json::to_value(before.to_input())
                .map_err(|e| AppError::internal("reading a review back as input", e))?;
            merge_patch(&mut merged, patch);
            input_from_value(merged)?
        }
    };
    let write = prepare(&settings.site, &input, Some(&before), now)?;
    if redirects == Redirects::Keep && write.draft.slug != before.slug {
        check_slug_free(&mut tx, &write.draft.slug, Some(before.id)).await?;
    }
    let stored = reviews::update(&mut tx, before.id, &before.slug, &write, now).await?;
    if withdraw == Withdraw::Hide && before.is_public() && !stored.review.is_public() {
        crate::db::federation::set_hidden(&mut *tx, before.id, true).await?;
    }
    outbound
        .review_written(&mut tx, &stored.review, now)
        .await?;
    changes::announce(&mut *tx, &review_changed(stored.review.id)).await?;
    tx.commit().await.map_err(DbError::from)?;
    outbound.queued();
    tracing::info!(review = %id, slug = %stored.review.slug, status = write.status.as_str(), "review updated");
    Ok(stored)
}

/// The slug a review made from `input` will have.
pub fn slug_of(input: &ReviewInput) -> String {
    match &input.slug {
        Some(slug) => slug.trim().to_string(),
        None => Slug::from_text(input.title.as_deref().unwrap_or_default()).to_string(),
    }
}

/// Whether [`publish_file`] created or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
}

/// Publishes a Markdown file from the command line. It updates only the review it names —
/// `id` (its front matter's) and/or `update` (`--update ID_OR_SLUG`: an id, a slug, or a
/// former slug that redirects to the review), which must agree — and otherwise creates a new
/// one. A slug another review has, or redirects from, is refused with the admin API's 409:
/// a file never overwrites or takes the address of a review it does not name.
#[tracing::instrument(skip_all)]
pub async fn publish_file(
    pool: &PgPool,
    settings: &Settings,
    outbound: &dyn Outbound,
    input: &ReviewInput,
    id: Option<Uuid>,
    update: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Upserted, StoredReview), AppError> {
    let named = match update {
        Some(reference) => Some(resolve(pool, reference).await?),
        None => None,
    };
    let target = match (id, named) {
        (Some(id), Some(named)) if id != named => {
            return Err(AppError::BadRequest(format!(
                "the front matter's id {id} and --update {} name different reviews",
                update.unwrap_or_default()
            )))
        }
        (id, named) => id.or(named),
    };
    match target {
        Some(id) => {
            let stored = update_with(
                pool,
                settings,
                outbound,
                id,
                Change::Replace(input),
                now,
                How {
                    redirects: Redirects::Keep,
                    withdraw: Withdraw::Delete,
                },
            )
            .await?;
            Ok((Upserted::Updated, stored))
        }
        None => {
            let stored = create_with(pool, settings, outbound, input, now, Redirects::Keep).await?;
            Ok((Upserted::Created, stored))
        }
    }
}

/// The review an id or a slug (current or former) names; 404 when none does.
pub async fn resolve(pool: &PgPool, reference: &str) -> Result<Uuid, AppError> {
    let reference = reference.trim();
    if let Ok(id) = Uuid::parse_str(reference) {
        return Ok(id);
    }
    reviews::slug_holder(pool, reference)
        .await?
        .map(|holder| holder.id)
        .ok_or(AppError::NotFound)
}

/// What a write to one review changes: its own pages, and the listings it appears in.
fn review_changed(id: Uuid) -> [Changed; 2] {
    [Changed::Review(id), Changed::Listings]
}

/// Deletes a review for good: its id is never reused and its pages answer `410 Gone`.
#[tracing::instrument(skip_all, fields(id))]
pub async fn delete(
    pool: &PgPool,
    outbound: &dyn Outbound,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    if !reviews::mark_deleted(&mut tx, id, now).await? {
        return Err(AppError::NotFound);
    }
    outbound.review_deleted(&mut tx, id, now).await?;
    changes::announce(&mut *tx, &review_changed(id)).await?;
    tx.commit().await.map_err(DbError::from)?;
    outbound.queued();
    tracing::info!(review = %id, "review deleted");
    Ok(())
}

/// Takes every scheduled review whose time has come live. Safe to run in several processes.
#[tracing::instrument(skip_all)]
pub async fn publish_due(
    pool: &PgPool,
    outbound: &dyn Outbound,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut published = 0;
    loop {
        let mut tx = pool.begin().await.map_err(DbError::from)?;
        let due = reviews::claim_due(&mut tx, now, 50).await?;
        if due.is_empty() {
            return Ok(published);
        }
        for id in &due {
            reviews::publish_scheduled(&mut tx, *id).await?;
            if let Some(live) = reviews::get(&mut *tx, *id).await? {
                outbound.review_written(&mut tx, &live.review, now).await?;
            }
            tracing::info!(review = %id, "scheduled review published");
        }
        let mut changed: Vec<Changed> = due.iter().map(|id| Changed::Review(*id)).collect();
        changed.push(Changed::Listings);
        changes::announce(&mut *tx, &changed).await?;
        tx.commit().await.map_err(DbError::from)?;
        outbound.queued();
        published += due.len();
    }
}

/// RFC 7396: objects merge key by key, `null` removes, anything else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

#[cfg(test)]
mod tests;
