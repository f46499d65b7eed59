//! SQL for `reports`: reports (`Flag`) received.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::DbError;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: Uuid,
    pub activity_id: String,
    pub actor_id: String,
    pub content: Option<String>,
    pub objects: Vec<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn add_report(
    db: impl PgExecutor<'_>,
    activity_id: &str,
    actor: &str,
    content: Option<&str>,
    objects: &[String],
) -> Result<(), DbError> {
    sqlx::query("INSERT INTO reports (id, activity_id, actor_id, content, objects) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
        .bind(Uuid::now_v7())
        .bind(activity_id)
        .bind(actor)
        .bind(content)
        .bind(objects)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn list_reports(db: impl PgExecutor<'_>) -> Result<Vec<ReportRow>, DbError> {
    Ok(sqlx::query_as("SELECT id, activity_id, actor_id, content, objects, created_at FROM reports ORDER BY created_at DESC LIMIT 200")
        .fetch_all(db)
        .await?)
}

super::archived_table!(
    crate::domain::archive::ReportRecord,
    "reports",
    "id, activity_id, actor_id, content, objects, created_at",
    "ORDER BY created_at, id",
    archived,
    restore
);

/// How many reports there are (for the desk's counts).
#[tracing::instrument(skip_all)]
pub async fn count(db: impl PgExecutor<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM reports")
        .fetch_one(db)
        .await?)
}
