//! The database: connecting (to `DATABASE_URL` or the embedded cluster), migrations, and one
//! module of SQL per table.

pub mod blocks;
pub mod comments;
pub mod crawls;
pub mod deliveries;
pub mod embedded;
pub mod federation;
pub mod hosts;
pub mod legacy_paths;
pub mod moves;
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
use sqlx::{Connection, PgPool};

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

/// Maps a unique violation on the slug to [`DbError::SlugTaken`].
pub(crate) fn slug_clash(error: sqlx::Error) -> DbError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => DbError::SlugTaken,
        _ => DbError::Sqlx(error),
    }
}
