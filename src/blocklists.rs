//! Domain blocklists from elsewhere (Mastodon's CSV): suspends become blocks, silences hold
//! every comment from the server for approval; importing again updates what changed.

use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use crate::changes::{self, Change};
use crate::db::{blocks, DbError};
use crate::domain::blocklist::parse_mastodon_csv;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Imported {
    /// Servers not blocked before.
    pub added: usize,
    /// Servers already blocked (their severity and reason as the list says now).
    pub updated: usize,
    /// `noop` lines.
    pub skipped: usize,
    /// Lines that could not be read, with why: `"line 4: domain: …"`.
    pub errors: Vec<String>,
}

/// Imports a Mastodon domain-block CSV, in one transaction.
#[tracing::instrument(skip_all)]
pub async fn import_mastodon_csv(pool: &PgPool, text: &str) -> Result<Imported, DbError> {
    let list = parse_mastodon_csv(text);
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
        if blocks::upsert_domain(
            &mut *tx,
            &block.domain,
            block.severity,
            block.reason.as_deref(),
        )
        .await?
        {
            report.added += 1;
        } else {
            report.updated += 1;
        }
    }
    // Blocked servers' comments disappear from every page.
    changes::announce(&mut *tx, &[Change::Site]).await?;
    tx.commit().await?;
    tracing::info!(
        added = report.added,
        updated = report.updated,
        "domain blocklist imported"
    );
    Ok(report)
}
