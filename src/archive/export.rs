//! Reading everything from one snapshot of the database into an archive.

use std::io::Write;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::pack::pack;
use super::{ArchiveError, Counts};
use crate::config::Settings;
use crate::db;
use crate::domain::archive::{Archive, Instance, FORMAT, VERSION};
use crate::front_matter::{self, Document};

/// What an export wrote.
#[derive(Debug)]
pub struct Exported<W> {
    pub out: W,
    pub counts: Counts,
    /// Whether the actors' private keys are in it.
    pub with_keys: bool,
}

/// Writes the whole blog to `out` as an archive; the actors' keys only `with_keys`.
#[tracing::instrument(skip_all, fields(with_keys))]
pub async fn export<W: Write>(
    pool: &PgPool,
    settings: &Settings,
    with_keys: bool,
    now: DateTime<Utc>,
    out: W,
) -> Result<Exported<W>, ArchiveError> {
    let mut tx = db::begin_snapshot(pool).await?;
    let keys = match with_keys {
        true => Some(db::federation::archived_keys(&mut *tx).await?),
        false => None,
    };
    let archive = Archive {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: now,
        generator: concat!("reviewpub ", env!("CARGO_PKG_VERSION")).into(),
        instance: Instance {
            public_url: settings.public_url.as_str().to_string(),
            handle: settings.handle.to_string(),
            actors: db::federation::archived_local_actors(&mut *tx).await?,
        },
        keys,
        reviews: db::reviews::archive::archived(&mut *tx).await?,
        former_slugs: db::reviews::archive::archived_former_slugs(&mut *tx).await?,
        pinned: db::federation::archived_pins(&mut *tx).await?,
        remote_actors: db::federation::archived_remote_actors(&mut *tx).await?,
        followers: db::federation::archived_followers(&mut *tx).await?,
        comments: db::comments::archive::archived(&mut *tx).await?,
        reactions: db::reactions::archived(&mut *tx).await?,
        blocks: db::blocks::archived(&mut *tx).await?,
        reports: db::reports::archived(&mut *tx).await?,
        quotes: db::quotes::archived(&mut *tx).await?,
        reply_authorizations: db::reply_authorizations::archived(&mut *tx).await?,
        activities: db::deliveries::archived_activities(&mut *tx).await?,
        pending_deliveries: db::deliveries::archived_pending(&mut *tx).await?,
        thread_crawls: db::crawls::archived(&mut *tx).await?,
        wordpress_posts: db::wordpress_posts::archived(&mut *tx).await?,
        wordpress_comments: db::wordpress_comments::archived(&mut *tx).await?,
        legacy_paths: db::legacy_paths::archived(&mut *tx).await?,
        moves: db::moves::archived(&mut *tx).await?,
        settings: Some(super::settings::record(settings)),
    };
    let live = db::reviews::archive::live(&mut *tx).await?;
    tx.commit().await?;
    let mut markdown = Vec::with_capacity(live.len());
    for stored in live {
        let review = stored.review;
        let slug = review.slug.to_string();
        let document = Document {
            id: Some(review.id),
            input: review.to_input(),
        };
        let text = front_matter::write(&document).map_err(|e| ArchiveError::Render {
            entry: format!("reviews/{slug}.md"),
            message: e.to_string(),
        })?;
        markdown.push((slug, text));
    }
    let counts = Counts::of(&archive);
    // Compressing blocks this thread: exports run from the command line.
    let out = pack(&archive, &markdown, out)?;
    Ok(Exported {
        out,
        counts,
        with_keys,
    })
}
