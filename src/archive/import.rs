//! Restoring an archive into an empty instance, all of it in one transaction or nothing.

use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use sqlx::PgPool;

use super::{ArchiveError, Counts};
use crate::changes::{self, Change};
use crate::config::Settings;
use crate::content::{self, Rendered};
use crate::db;
use crate::domain::archive::{Archive, KeyRecord};
use crate::domain::CommentOrigin;

/// What an import did, and what the critic should know about it.
#[derive(Debug)]
pub struct Imported {
    pub counts: Counts,
    /// Whether the archive's keys replaced this instance's (running servers must restart to
    /// use them).
    pub keys: bool,
    /// Differences between the exporting instance and this one that change local ids.
    pub warnings: Vec<String>,
}

/// Restores `archive` (read and checked by [`super::unpack`]) into this instance, which must
/// hold no reviews, comments, followers, remote actors, blocks, reports or sent activities.
#[tracing::instrument(skip_all)]
pub async fn import(
    pool: &PgPool,
    settings: &Settings,
    archive: Archive,
) -> Result<Imported, ArchiveError> {
    for (i, key) in archive.keys.iter().flatten().enumerate() {
        check_key(key).map_err(|message| ArchiveError::Field {
            field: format!("keys[{i}]"),
            message,
        })?;
    }
    let reviews: Vec<(_, Rendered)> = archive
        .reviews
        .iter()
        .map(|review| {
            let rendered = match review.deleted_at {
                // A deleted review keeps no text (see `db::reviews::mark_deleted`).
                Some(_) => Rendered {
                    html: String::new(),
                    summary_html: String::new(),
                    summary_text: String::new(),
                },
                None => content::render(
                    &review.body,
                    review.summary.as_deref(),
                    review.spoiler_warning.as_deref(),
                ),
            };
            (review.clone(), rendered)
        })
        .collect();
    let mut comments = archive.comments.clone();
    for comment in &mut comments {
        comment.content_html = match comment.origin {
            CommentOrigin::Local => content::sanitize(&comment.content_html),
            CommentOrigin::Remote | CommentOrigin::Imported => {
                content::sanitize_remote(&comment.content_html)
            }
        };
    }

    let mut tx = pool.begin().await?;
    let in_use = db::archive_tables_in_use(&mut *tx).await?;
    if !in_use.is_empty() {
        let what: Vec<String> = in_use
            .iter()
            .map(|(name, n)| format!("{n} {name}"))
            .collect();
        return Err(ArchiveError::NotEmpty(what.join(", ")));
    }
    let conn = &mut *tx;
    db::federation::restore_remote_actors(conn, &archive.remote_actors).await?;
    db::reviews::archive::restore(conn, &reviews).await?;
    db::reviews::archive::restore_former_slugs(conn, &archive.former_slugs).await?;
    db::federation::restore_pins(conn, &archive.pinned).await?;
    db::federation::restore_followers(conn, &archive.followers).await?;
    db::comments::archive::restore(conn, &comments).await?;
    db::reactions::restore(conn, &archive.reactions).await?;
    db::blocks::restore(conn, &archive.blocks).await?;
    db::reports::restore(conn, &archive.reports).await?;
    db::quotes::restore(conn, &archive.quotes).await?;
    db::reply_authorizations::restore(conn, &archive.reply_authorizations).await?;
    db::deliveries::restore_activities(conn, &archive.activities).await?;
    db::deliveries::restore_pending(conn, &archive.pending_deliveries).await?;
    db::crawls::restore(conn, &archive.thread_crawls).await?;
    if let Some(keys) = &archive.keys {
        db::federation::replace_keys(conn, keys).await?;
    }
    changes::announce(conn, &[Change::Site]).await?;
    tx.commit().await?;

    let mut warnings = Vec::new();
    let here = settings.public_url.as_str();
    if archive.instance.public_url != here {
        warnings.push(format!(
            "the archive comes from {}, this instance is {here}: the ids and links of the \
             blog's own reviews, comments and activities still name {}, and followers stay \
             with the old address; serve this instance at {} to keep them, or move the \
             followers (an ActivityPub Move) from there",
            archive.instance.public_url, archive.instance.public_url, archive.instance.public_url
        ));
    }
    if archive.instance.handle != settings.handle.as_str() {
        warnings.push(format!(
            "the archive's blog is @{}, this instance's is @{}: the actor's id differs, so \
             followers and replies do not reach it; set REVIEWPUB_HANDLE={} to keep them",
            archive.instance.handle, settings.handle, archive.instance.handle
        ));
    }
    Ok(Imported {
        counts: Counts::of(&archive),
        keys: archive.keys.is_some(),
        warnings,
    })
}

/// A key pair that signs: a private key, and the public key that goes with it.
fn check_key(key: &KeyRecord) -> Result<(), String> {
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(&key.private_key_pem)
        .map_err(|_| "the private key is not a readable RSA key (PKCS#8 PEM)".to_string())?;
    let public = rsa::RsaPublicKey::from_public_key_pem(&key.public_key_pem)
        .map_err(|_| "the public key is not a readable RSA key (PEM)".to_string())?;
    if private.to_public_key() != public {
        return Err("the public key is not the private key's".into());
    }
    Ok(())
}
