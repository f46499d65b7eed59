//! The database: connecting (to `DATABASE_URL` or the embedded cluster), migrations, and one
//! module of SQL per table.

pub mod blocks;
pub mod comments;
pub mod crawls;
pub mod deliveries;
pub mod desk;
pub mod embedded;
pub mod federation;
pub mod hosts;
pub mod images;
pub mod legacy_paths;
pub mod moves;
pub mod notifications;
pub mod previews;
pub mod quotes;
pub mod reactions;
pub mod reply_authorizations;
pub mod reports;
pub mod reviews;
pub mod tokens;
mod types;
pub mod wordpress_comments;
pub mod wordpress_posts;

use secrecy::ExposeSecret;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgExecutor, PgPool};

use crate::config::Settings;
use embedded::EmbeddedPostgres;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Embedded(#[from] embedded::EmbeddedError),
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the slug is already used by another review")]
    SlugTaken,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The pool, and the embedded cluster behind it when there is one.
pub struct Database {
    pub pool: PgPool,
    pub embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts (or reuses) the embedded cluster.
    #[tracing::instrument(skip_all)]
    pub async fn open(settings: &Settings) -> Result<Self, DbError> {
        match &settings.database_url {
            Some(url) => {
                let options: PgConnectOptions = url.expose_secret().parse()?;
                Ok(Self {
                    pool: pool(options).await?,
                    embedded: None,
                })
            }
            None => {
                let dir = settings.embedded_pg_dir();
                let run_as = settings.embedded_postgres.run_as.clone();
                let pg =
                    tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&dir, &run_as))
                        .await
                        .map_err(|e| embedded::EmbeddedError::Io(e.to_string()))??;
                create_database_if_missing(pg.connect_options("postgres"), embedded::DATABASE)
                    .await?;
                let pool = pool(pg.connect_options(embedded::DATABASE)).await?;
                Ok(Self {
                    pool,
                    embedded: Some(pg),
                })
            }
        }
    }

    /// Closes the pool and stops the embedded cluster if this process started it. A cluster
    /// that was already running (another server, `reviewpub db url`, a crash) is left running.
    #[tracing::instrument(skip_all)]
    pub async fn close(self) {
        self.pool.close().await;
        let Some(pg) = self.embedded else { return };
        match tokio::task::spawn_blocking(move || pg.stop()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "stopping embedded PostgreSQL"),
            Err(e) => tracing::error!(error = %e, "stopping embedded PostgreSQL"),
        }
    }
}

async fn pool(options: PgConnectOptions) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
}

/// Creates `name` through a maintenance connection unless it exists.
#[tracing::instrument(skip_all)]
pub async fn create_database_if_missing(
    maintenance: PgConnectOptions,
    name: &str,
) -> Result<(), sqlx::Error> {
    let mut conn = sqlx::PgConnection::connect_with(&maintenance).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        let quoted = name.replace('"', "\"\"");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{quoted}\"")))
            .execute(&mut conn)
            .await?;
    }
    conn.close().await
}

/// One trivial query: whether the database answers (`/healthz`).
#[tracing::instrument(skip_all)]
pub async fn ping(pool: &PgPool) -> Result<(), DbError> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn migrate(pool: &PgPool) -> Result<(), DbError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Every row a query of `to_jsonb(…)` returns, read as `T` (an archive's records: one
/// column list per table, in its own module, for reading and for [`restore_rows`]).
pub(crate) async fn archived_rows<T: serde::de::DeserializeOwned + Send + Unpin + 'static>(
    db: impl PgExecutor<'_>,
    sql: &'static str,
) -> Result<Vec<T>, DbError> {
    let rows: Vec<sqlx::types::Json<T>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|row| row.0).collect())
}

/// Rows read from an archive, written by `sql`, an insert from
/// `jsonb_populate_recordset(NULL::table, $1)`, a thousand at a time.
pub(crate) async fn restore_rows<T: serde::Serialize + Sync>(
    conn: &mut sqlx::PgConnection,
    sql: &'static str,
    rows: &[T],
) -> Result<u64, DbError> {
    let mut written = 0;
    for chunk in rows.chunks(1_000) {
        written += sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(sqlx::types::Json(chunk))
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(written)
}

/// A table's archive functions: `$read` returns every row (in `$order`), `$write` inserts
/// rows read from an archive; one list of `$columns` for both.
macro_rules! archived_table {
    ($record:ty, $table:literal, $columns:literal, $order:literal, $read:ident, $write:ident) => {
        /// Every row, as an archive holds it.
        #[tracing::instrument(skip_all)]
        pub async fn $read(
            db: impl sqlx::PgExecutor<'_>,
        ) -> Result<Vec<$record>, $crate::db::DbError> {
            $crate::db::archived_rows(
                db,
                concat!(
                    "SELECT to_jsonb(t) FROM (SELECT ",
                    $columns,
                    " FROM ",
                    $table,
                    " ",
                    $order,
                    ") t"
                ),
            )
            .await
        }

        /// Writes rows read from an archive.
        #[tracing::instrument(skip_all, fields(rows = rows.len()))]
        pub async fn $write(
            conn: &mut sqlx::PgConnection,
            rows: &[$record],
        ) -> Result<u64, $crate::db::DbError> {
            $crate::db::restore_rows(
                conn,
                concat!(
                    "INSERT INTO ",
                    $table,
                    " (",
                    $columns,
                    ") SELECT ",
                    $columns,
                    " FROM jsonb_populate_recordset(NULL::",
                    $table,
                    ", $1)"
                ),
                rows,
            )
            .await
        }
    };
}
pub(crate) use archived_table;

/// A read-only transaction that sees one snapshot of every table (an export's).
#[tracing::instrument(skip_all)]
pub async fn begin_snapshot(
    pool: &PgPool,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, DbError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// How many rows each table an archive fills holds, the tables that hold any: an archive is
/// restored only where all are empty.
#[tracing::instrument(skip_all)]
pub async fn archive_tables_in_use(db: impl PgExecutor<'_>) -> Result<Vec<(String, i64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT name, n FROM (VALUES \
         ('reviews', (SELECT count(*) FROM reviews)), \
         ('comments', (SELECT count(*) FROM comments)), \
         ('followers', (SELECT count(*) FROM followers)), \
         ('remote actors', (SELECT count(*) FROM remote_actors)), \
         ('blocks', (SELECT count(*) FROM blocks)), \
         ('reports', (SELECT count(*) FROM reports)), \
         ('sent activities', (SELECT count(*) FROM outgoing_activities))) AS t (name, n) \
         WHERE n > 0",
    )
    .fetch_all(db)
    .await?)
}

/// Maps a unique violation on the slug to [`DbError::SlugTaken`].
pub(crate) fn slug_clash(error: sqlx::Error) -> DbError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => DbError::SlugTaken,
        _ => DbError::Sqlx(error),
    }
}
