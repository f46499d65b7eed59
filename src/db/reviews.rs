//! SQL for the `reviews` and `review_slug_history` tables.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::{slug_clash, DbError};
use crate::content::Rendered;
use crate::domain::{
    Film, Language, QuotePolicy, Rating, ReplyPolicy, Review, ReviewDraft, ReviewStatus, Slug, Term,
};

pub mod archive;
mod former;
mod terms;
pub mod trash;
pub use former::{deleted_id, find_former, Former};
pub use terms::{public_categories, public_terms, Terms};

const COLUMNS: &str =
    "id, slug, title, body, body_html, summary, summary_html, summary_text, film, \
    rating_value, rating_best, spoiler_warning, categories, tags, language, author, status, \
    publish_at, published_at, created_at, updated_at, ap_revision, ap_retired_at, replies, \
    quote_policy";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    slug: Option<String>,
    title: String,
    body: String,
    body_html: String,
    summary: Option<String>,
    summary_html: String,
    summary_text: String,
    film: Json<Film>,
    rating_value: Option<f64>,
    rating_best: Option<i32>,
    spoiler_warning: Option<String>,
    categories: Json<Vec<Term>>,
    tags: Json<Vec<Term>>,
    language: String,
    author: String,
    status: String,
    publish_at: Option<DateTime<Utc>>,
    published_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    ap_revision: i32,
    ap_retired_at: Option<DateTime<Utc>>,
    replies: ReplyPolicy,
    quote_policy: Option<QuotePolicy>,
}

/// A stored review with the plain-text teaser kept beside it.
#[derive(Debug, Clone)]
pub struct StoredReview {
    pub review: Review,
    pub summary_text: String,
}

impl TryFrom<Row> for StoredReview {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            DbError::Corrupt(format!("review {}: {what}: {e}", row.id))
        };
        let slug = row
            .slug
            .as_deref()
            .ok_or_else(|| corrupt("slug", &"missing"))?;
        let rating = match (row.rating_value, row.rating_best) {
            (Some(v), Some(b)) => Some(
                Rating::new(v, u32::try_from(b).unwrap_or(0)).map_err(|e| corrupt("rating", &e))?,
            ),
            _ => None,
        };
        Ok(Self {
            review: Review {
                id: row.id,
                slug: Slug::parse(slug).map_err(|e| corrupt("slug", &e))?,
                title: row.title,
                body: row.body,
                body_html: row.body_html,
                summary: row.summary,
                summary_html: row.summary_html,
                film: row.film.0,
                rating,
                categories: row.categories.0,
                tags: row.tags.0,
                spoiler_warning: row.spoiler_warning,
                language: Language::parse(&row.language).map_err(|e| corrupt("language", &e))?,
                author: row.author,
                status: ReviewStatus::parse(&row.status).map_err(|e| corrupt("status", &e))?,
                publish_at: row.publish_at,
                published_at: row.published_at,
                created_at: row.created_at,
                updated_at: row.updated_at,
                ap_revision: u32::try_from(row.ap_revision)
                    .map_err(|e| corrupt("ap_revision", &e))?,
                ap_retired_at: row.ap_retired_at,
                replies: row.replies,
                quote_policy: row.quote_policy,
            },
            summary_text: row.summary_text,
        })
    }
}

fn convert(rows: Vec<Row>) -> Result<Vec<StoredReview>, DbError> {
    rows.into_iter().map(StoredReview::try_from).collect()
}

/// Everything written for a review: the validated draft, its rendering, and its publication state.
pub struct Write {
    pub draft: ReviewDraft,
    pub rendered: Rendered,
    pub status: ReviewStatus,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
}

fn keys(terms: &[Term]) -> Vec<String> {
    terms.iter().map(|t| t.key.clone()).collect()
}

#[tracing::instrument(skip_all, fields(review = %id))]
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    w: &Write,
    now: DateTime<Utc>,
) -> Result<StoredReview, DbError> {
    claim_slug(&mut *conn, &w.draft.slug).await?;
    let sql = format!(
        "INSERT INTO reviews (id, slug, title, body, body_html, summary, summary_html, summary_text, film, \
         rating_value, rating_best, spoiler_warning, categories, category_keys, tags, tag_keys, language, author, \
         status, publish_at, published_at, created_at, updated_at, quote_policy) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22, $23) \
         RETURNING {COLUMNS}"
    );
    let row: Row = bind_write(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id), w)
        .bind(now)
        .bind(w.draft.quote_policy)
        .fetch_one(&mut *conn)
        .await
        .map_err(slug_clash)?;
    row.try_into()
}

#[tracing::instrument(skip_all, fields(review = %id))]
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    old_slug: &Slug,
    w: &Write,
    now: DateTime<Utc>,
) -> Result<StoredReview, DbError> {
    if old_slug != &w.draft.slug {
        claim_slug(&mut *conn, &w.draft.slug).await?;
    }
    let sql = format!(
        "UPDATE reviews SET slug = $2, title = $3, body = $4, body_html = $5, summary = $6, summary_html = $7, \
         summary_text = $8, film = $9, rating_value = $10, rating_best = $11, spoiler_warning = $12, \
         categories = $13, category_keys = $14, tags = $15, tag_keys = $16, language = $17, author = $18, \
         status = $19, publish_at = $20, published_at = $21, updated_at = $22, quote_policy = $23 \
         WHERE id = $1 AND deleted_at IS NULL RETURNING {COLUMNS}"
    );
    let row: Row = bind_write(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id), w)
        .bind(now)
        .bind(w.draft.quote_policy)
        .fetch_one(&mut *conn)
        .await
        .map_err(slug_clash)?;
    if old_slug != &w.draft.slug {
        sqlx::query("INSERT INTO review_slug_history (slug, review_id) VALUES ($1, $2) ON CONFLICT (slug) DO UPDATE SET review_id = $2, retired_at = now()")
            .bind(old_slug.as_str())
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    row.try_into()
}

type QueryAs<'q> = sqlx::query::QueryAs<'q, sqlx::Postgres, Row, sqlx::postgres::PgArguments>;

fn bind_write<'q>(query: QueryAs<'q>, w: &Write) -> QueryAs<'q> {
    let d = &w.draft;
    query
        .bind(d.slug.as_str().to_string())
        .bind(d.title.clone())
        .bind(d.body.clone())
        .bind(w.rendered.html.clone())
        .bind(d.summary.clone())
        .bind(w.rendered.summary_html.clone())
        .bind(w.rendered.summary_text.clone())
        .bind(Json(d.film.clone()))
        .bind(d.rating.map(|r| r.value()))
        .bind(d.rating.map(|r| r.best() as i32))
        .bind(d.spoiler_warning.clone())
        .bind(Json(d.categories.clone()))
        .bind(keys(&d.categories))
        .bind(Json(d.tags.clone()))
        .bind(keys(&d.tags))
        .bind(d.language.as_str().to_string())
        .bind(d.author.clone())
        .bind(w.status.as_str())
        .bind(w.publish_at)
        .bind(w.published_at)
}

/// A slug taken by a review stops redirecting to the review that used to have it.
async fn claim_slug(conn: &mut PgConnection, slug: &Slug) -> Result<(), DbError> {
    sqlx::query("DELETE FROM review_slug_history WHERE slug = $1")
        .bind(slug.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<StoredReview>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM reviews WHERE id = $1 AND deleted_at IS NULL");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(TryInto::try_into).transpose()
}

/// Locks the review for the rest of the transaction.
#[tracing::instrument(skip_all, fields(id))]
pub async fn get_for_update(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<StoredReview>, DbError> {
    let sql =
        format!("SELECT {COLUMNS} FROM reviews WHERE id = $1 AND deleted_at IS NULL FOR UPDATE");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(TryInto::try_into).transpose()
}

#[tracing::instrument(skip_all)]
pub async fn get_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
) -> Result<Option<StoredReview>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM reviews WHERE slug = $1 AND deleted_at IS NULL");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(slug)
        .fetch_optional(db)
        .await?;
    row.map(TryInto::try_into).transpose()
}

/// The live review a slug leads to: the one that has it now, or the one it redirects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlugHolder {
    pub id: Uuid,
    /// `false`: the slug is a former one of the review, answered with a redirect.
    pub current: bool,
}

#[tracing::instrument(skip_all, fields(slug))]
pub async fn slug_holder(
    db: impl PgExecutor<'_>,
    slug: &str,
) -> Result<Option<SlugHolder>, DbError> {
    let row: Option<(Uuid, bool)> = sqlx::query_as(
        "SELECT id, true AS current FROM reviews WHERE slug = $1 AND deleted_at IS NULL \
         UNION ALL \
         SELECT r.id, false FROM review_slug_history h JOIN reviews r ON r.id = h.review_id \
         WHERE h.slug = $1 AND r.deleted_at IS NULL \
         ORDER BY current DESC LIMIT 1",
    )
    .bind(slug)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, current)| SlugHolder { id, current }))
}

/// Opens or closes the review to replies, or gives it back to the blog's default.
#[tracing::instrument(skip_all, fields(review = %id))]
pub async fn set_replies(
    db: impl PgExecutor<'_>,
    id: Uuid,
    policy: ReplyPolicy,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE reviews SET replies = $2 WHERE id = $1 AND deleted_at IS NULL")
        .bind(id)
        .bind(policy)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a review deleted: its content is dropped, its slugs freed, its id kept forever.
#[tracing::instrument(skip_all, fields(id))]
pub async fn mark_deleted(
    conn: &mut PgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    // The last slug keeps pointing at the review, so its page answers 410 until reused.
    sqlx::query(
        "INSERT INTO review_slug_history (slug, review_id) SELECT slug, id FROM reviews \
         WHERE id = $1 AND deleted_at IS NULL AND slug IS NOT NULL \
         ON CONFLICT (slug) DO UPDATE SET review_id = EXCLUDED.review_id, retired_at = now()",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query(
        "UPDATE reviews SET slug = NULL, body = '', body_html = '', summary = NULL, summary_html = '', \
         summary_text = '', deleted_at = $2, updated_at = $2 WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A page of reviews for the admin API, newest first, optionally of one status.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn list_all(
    db: impl PgExecutor<'_> + Copy,
    status: Option<ReviewStatus>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StoredReview>, i64), DbError> {
    let status = status.map(|s| s.as_str());
    let sql = format!(
        "SELECT {COLUMNS} FROM reviews WHERE deleted_at IS NULL AND ($1::text IS NULL OR status = $1) \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(status)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM reviews WHERE deleted_at IS NULL AND ($1::text IS NULL OR status = $1)")
        .bind(status)
        .fetch_one(db)
        .await?;
    Ok((convert(rows)?, total))
}

/// What a public listing shows: everything, one category, or one tag.
#[derive(Debug, Clone, Copy)]
pub enum Listing<'a> {
    All,
    Category(&'a str),
    Tag(&'a str),
}

impl Listing<'_> {
    /// The display name of a category or tag, taken from the reviews listed under it
    /// (`None` for the whole site, or when nothing is filed under it).
    pub fn term_name(&self, rows: &[StoredReview]) -> Option<String> {
        let (key, pick): (&str, fn(&Review) -> &Vec<Term>) = match self {
            Listing::All => return None,
            Listing::Category(key) => (key, |r| &r.categories),
            Listing::Tag(key) => (key, |r| &r.tags),
        };
        rows.iter()
            .flat_map(|r| pick(&r.review).iter())
            .find(|t| t.key == key)
            .map(|t| t.name.clone())
    }
}

/// A page of published reviews, newest first.
#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn list_public(
    db: impl PgExecutor<'_> + Copy,
    listing: Listing<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StoredReview>, i64), DbError> {
    let (category, tag) = match listing {
        Listing::All => (None, None),
        Listing::Category(key) => (Some(key), None),
        Listing::Tag(key) => (None, Some(key)),
    };
    const FILTER: &str = "status = 'published' AND deleted_at IS NULL \
        AND ($1::text IS NULL OR category_keys @> ARRAY[$1]) AND ($2::text IS NULL OR tag_keys @> ARRAY[$2])";
    let sql = format!("SELECT {COLUMNS} FROM reviews WHERE {FILTER} ORDER BY published_at DESC, id DESC LIMIT $3 OFFSET $4");
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(category)
        .bind(tag)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM reviews WHERE {FILTER}"
    )))
    .bind(category)
    .bind(tag)
    .fetch_one(db)
    .await?;
    Ok((convert(rows)?, total))
}

/// Scheduled reviews whose time has come, locked so that one process publishes each.
#[tracing::instrument(skip_all, fields(limit))]
pub async fn claim_due(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Uuid>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM reviews WHERE status = 'scheduled' AND deleted_at IS NULL AND publish_at <= $1 \
         ORDER BY publish_at LIMIT $2 FOR UPDATE SKIP LOCKED",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Takes a scheduled review live, dated at its scheduled time.
#[tracing::instrument(skip_all, fields(id))]
pub async fn publish_scheduled(conn: &mut PgConnection, id: Uuid) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE reviews SET status = 'published', published_at = publish_at, publish_at = NULL \
         WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn count_all(db: impl PgExecutor<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM reviews")
        .fetch_one(db)
        .await?)
}

/// The names of every category and tag reviews use (for the editor's suggestions).
#[tracing::instrument(skip_all)]
pub async fn known_terms(
    db: impl PgExecutor<'_> + Copy,
) -> Result<(Vec<String>, Vec<String>), DbError> {
    let names = |column: &'static str| {
        sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT t->>'name' AS name FROM reviews, jsonb_array_elements({column}) t \
             WHERE deleted_at IS NULL ORDER BY name LIMIT 500"
        )))
        .fetch_all(db)
    };
    Ok((names("categories").await?, names("tags").await?))
}

/// Every published review's address and when it last changed, newest first, at most `limit`
/// (for the sitemap).
#[tracing::instrument(skip_all)]
pub async fn public_addresses(
    db: impl PgExecutor<'_>,
    limit: i64,
) -> Result<Vec<(String, DateTime<Utc>)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT slug, updated_at FROM reviews WHERE status = 'published' AND deleted_at IS NULL \
         ORDER BY published_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?)
}
