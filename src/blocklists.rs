//! Domain blocklists from elsewhere (Mastodon's CSV): suspends become blocks, silences hold
//! every comment from the server for approval; importing again updates what changed.

use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use crate::changes::{self, Change};
use crate::db::blocks::{self, Upserted};
use crate::db::DbError;
use crate::domain::blocklist::{parse_mastodon_csv, BlocklistError};

/// Why a list was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The list itself: refused whole, nothing stored.
    #[error(transparent)]
    Refused(#[from] BlocklistError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e.into())
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Imported {
    /// Servers not blocked before.
    pub added: usize,
    /// Servers already blocked (their severity and reason as the list says now).
    pub updated: usize,
    /// Servers suspended here that the list only silences: a list never softens a suspend
    /// (lift the block first to silence the server).
    pub kept_suspended: Vec<String>,
    /// `noop` lines.
    pub skipped: usize,
    /// Lines that could not be read, with why: `"line 4: domain: …"`.
    pub errors: Vec<String>,
}

/// Imports a Mastodon domain-block CSV, in one transaction; a list refused whole stores
/// nothing.
#[tracing::instrument(skip_all)]
pub async fn import_mastodon_csv(pool: &PgPool, text: &str) -> Result<Imported, ImportError> {
    let list = parse_mastodon_csv(text)?;
    let mut report = Imported {
        skipped: list.skipped,
        errors: list
            .errors
            .iter()
            .map(|(line, why)| format!("line {line}: {why}"))
            .collect(),
        ..Imported::default()
    };
    let mut tx = pool.begin().await?;
    for block in &list.blocks {
        match blocks::upsert_domain(
            &mut *tx,
            &block.domain,
            block.severity,
            block.reason.as_deref(),
        )
        .await?
        {
            Upserted::Added => report.added += 1,
            Upserted::Updated => report.updated += 1,
            Upserted::KeptSuspended => report.kept_suspended.push(block.domain.clone()),
        }
    }
    // Blocked servers' comments disappear from every page.
    changes::announce(&mut *tx, &[Change::Site]).await?;
    tx.commit().await?;
    tracing::info!(
        added = report.added,
        updated = report.updated,
        kept_suspended = report.kept_suspended.len(),
        "domain blocklist imported"
    );
    Ok(report)
}
