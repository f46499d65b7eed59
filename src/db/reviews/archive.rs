//! The `reviews` and `review_slug_history` tables in an archive: every stored column but
//! those derived from others (the HTML and teaser, written from the renderer's output, and the
//! category and tag keys, from the terms).

use serde::Serialize;
use sqlx::{PgConnection, PgExecutor};

use super::super::{archived_rows, restore_rows, DbError};
use crate::content::Rendered;
use crate::domain::archive::{FormerSlugRecord, ReviewRecord};

/// The columns an archive holds.
macro_rules! archived_columns {
    () => {
        "id, slug, title, body, summary, film, rating_value, rating_best, spoiler_warning, \
         categories, tags, language, author, status, publish_at, published_at, created_at, \
         updated_at, deleted_at, federated, fediverse_hidden, ap_revision, ap_retired_at, \
         replies, quote_policy"
    };
}

/// Every review, deleted ones too, oldest first.
#[tracing::instrument(skip_all)]
pub async fn archived(db: impl PgExecutor<'_>) -> Result<Vec<ReviewRecord>, DbError> {
    archived_rows(
        db,
        concat!(
            "SELECT to_jsonb(t) FROM (SELECT ",
            archived_columns!(),
            " FROM reviews ORDER BY created_at, id) t"
        ),
    )
    .await
}

/// A review from an archive with what is derived from it.
#[derive(Serialize)]
struct Restored<'a> {
    #[serde(flatten)]
    record: &'a ReviewRecord,
    body_html: &'a str,
    summary_html: &'a str,
    summary_text: &'a str,
    category_keys: Vec<String>,
    tag_keys: Vec<String>,
}

/// Writes reviews read from an archive, each with its rendering.
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub async fn restore(
    conn: &mut PgConnection,
    rows: &[(ReviewRecord, Rendered)],
) -> Result<u64, DbError> {
    let rows: Vec<Restored<'_>> = rows
        .iter()
        .map(|(record, rendered)| Restored {
            record,
            body_html: &rendered.html,
            summary_html: &rendered.summary_html,
            summary_text: &rendered.summary_text,
            category_keys: super::keys(&record.categories),
            tag_keys: super::keys(&record.tags),
        })
        .collect();
    restore_rows(
        conn,
        concat!(
            "INSERT INTO reviews (",
            archived_columns!(),
            ", body_html, summary_html, summary_text, category_keys, tag_keys) SELECT ",
            archived_columns!(),
            ", body_html, summary_html, summary_text, category_keys, tag_keys \
             FROM jsonb_populate_recordset(NULL::reviews, $1)"
        ),
        &rows,
    )
    .await
}

super::super::archived_table!(
    FormerSlugRecord,
    "review_slug_history",
    "slug, review_id, retired_at",
    "ORDER BY retired_at, slug",
    archived_former_slugs,
    restore_former_slugs
);

/// Every review that is not deleted, as the blog shows it, oldest first (for the archive's
/// Markdown files).
#[tracing::instrument(skip_all)]
pub async fn live(db: impl PgExecutor<'_>) -> Result<Vec<super::StoredReview>, DbError> {
    let sql = format!(
        "SELECT {} FROM reviews WHERE deleted_at IS NULL ORDER BY created_at, id",
        super::COLUMNS
    );
    let rows: Vec<super::Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(db)
        .await?;
    super::convert(rows)
}
