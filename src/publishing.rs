//! The one publishing path shared by the admin API, the CLI, the demo loader and the scheduler:
//! validate, render, store, each change in one transaction.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::config::Site;
use crate::content;
use crate::db::reviews::{self, StoredReview, Write};
use crate::db::DbError;
use crate::domain::review::Defaults;
use crate::domain::{RequestedStatus, Review, ReviewInput, ReviewStatus, ValidationErrors};
use crate::error::AppError;

fn defaults(site: &Site) -> Defaults<'_> {
    Defaults {
        language: &site.language,
        author: &site.author,
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
        RequestedStatus::Draft => (ReviewStatus::Draft, None, first_published),
        RequestedStatus::Published { at } => (
            ReviewStatus::Published,
            None,
            Some(at.or(first_published).unwrap_or(now)),
        ),
        RequestedStatus::Scheduled { at } => (ReviewStatus::Scheduled, Some(at), first_published),
    }
}

fn slug_taken(error: DbError) -> AppError {
    match error {
        DbError::SlugTaken => {
            AppError::Conflict("slug".into(), "is already used by another review".into())
        }
        other => other.into(),
    }
}

/// Creates a review.
#[tracing::instrument(skip_all)]
pub async fn create(
    pool: &PgPool,
    site: &Site,
    input: &ReviewInput,
    now: DateTime<Utc>,
) -> Result<StoredReview, AppError> {
    let draft = input
        .parse(&defaults(site), now)
        .map_err(AppError::Validation)?;
    let rendered = content::render(&draft.body, draft.summary.as_deref());
    let (status, publish_at, published_at) = publication(draft.status, None, now);
    let write = Write {
        draft: &draft,
        rendered: &rendered,
        status,
        publish_at,
        published_at,
    };
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    let stored = reviews::insert(&mut tx, Uuid::now_v7(), &write, now)
        .await
        .map_err(slug_taken)?;
    tx.commit().await.map_err(DbError::from)?;
    tracing::info!(review = %stored.review.id, slug = %stored.review.slug, status = status.as_str(), "review created");
    Ok(stored)
}

/// Applies a JSON merge patch (RFC 7396) of the input shape to a review.
#[tracing::instrument(skip_all, fields(review = %id))]
pub async fn update(
    pool: &PgPool,
    site: &Site,
    id: Uuid,
    patch: &Value,
    now: DateTime<Utc>,
) -> Result<StoredReview, AppError> {
    if !patch.is_object() {
        return Err(AppError::BadRequest(
            "the body must be a JSON object".into(),
        ));
    }
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    let before = reviews::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?
        .review;
    let mut merged =
        serde_json::to_value(before.to_input()).map_err(|e| AppError::Internal(e.to_string()))?;
    merge_patch(&mut merged, patch);
    let input = input_from_value(merged)?;
    let stored = write_update(&mut tx, site, &before, &input, now).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(stored)
}

/// Replaces a review's fields with a whole input (the CLI's re-publish of an edited file).
#[tracing::instrument(skip_all, fields(review = %id))]
pub async fn replace(
    pool: &PgPool,
    site: &Site,
    id: Uuid,
    input: &ReviewInput,
    now: DateTime<Utc>,
) -> Result<StoredReview, AppError> {
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    let before = reviews::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?
        .review;
    let stored = write_update(&mut tx, site, &before, input, now).await?;
    tx.commit().await.map_err(DbError::from)?;
    Ok(stored)
}

async fn write_update(
    tx: &mut sqlx::PgConnection,
    site: &Site,
    before: &Review,
    input: &ReviewInput,
    now: DateTime<Utc>,
) -> Result<StoredReview, AppError> {
    let draft = input
        .parse(&defaults(site), now)
        .map_err(AppError::Validation)?;
    let rendered = content::render(&draft.body, draft.summary.as_deref());
    let (status, publish_at, published_at) = publication(draft.status, Some(before), now);
    let write = Write {
        draft: &draft,
        rendered: &rendered,
        status,
        publish_at,
        published_at,
    };
    let stored = reviews::update(tx, before.id, &before.slug, &write, now)
        .await
        .map_err(slug_taken)?;
    tracing::info!(review = %before.id, slug = %stored.review.slug, status = status.as_str(), "review updated");
    Ok(stored)
}

/// Deletes a review for good: its id is never reused and its pages answer `410 Gone`.
#[tracing::instrument(skip(pool))]
pub async fn delete(pool: &PgPool, id: Uuid, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut tx = pool.begin().await.map_err(DbError::from)?;
    if !reviews::mark_deleted(&mut tx, id, now).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await.map_err(DbError::from)?;
    tracing::info!(review = %id, "review deleted");
    Ok(())
}

/// Takes every scheduled review whose time has come live. Safe to run in several processes.
#[tracing::instrument(skip(pool))]
pub async fn publish_due(pool: &PgPool, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut published = 0;
    loop {
        let mut tx = pool.begin().await.map_err(DbError::from)?;
        let due = reviews::claim_due(&mut tx, now, 50).await?;
        if due.is_empty() {
            return Ok(published);
        }
        for id in &due {
            reviews::publish_scheduled(&mut tx, *id).await?;
            tracing::info!(review = %id, "scheduled review published");
        }
        tx.commit().await.map_err(DbError::from)?;
        published += due.len();
    }
}

/// Parses a JSON value into the input shape, naming the field that has the wrong type.
pub fn input_from_value(value: Value) -> Result<ReviewInput, AppError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let mut errors = ValidationErrors::default();
        let field = if path == "." {
            "request".to_string()
        } else {
            path
        };
        errors.add(field, e.into_inner().to_string());
        AppError::Validation(errors)
    })
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
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = json!({"title": "a", "film": {"title": "f", "year": 2010}, "rating": {"value": 4, "best": 5}});
        merge_patch(
            &mut doc,
            &json!({"film": {"year": 2011}, "rating": null, "tags": ["x"]}),
        );
        assert_eq!(
            doc,
            json!({"title": "a", "film": {"title": "f", "year": 2011}, "tags": ["x"]})
        );
    }
}
