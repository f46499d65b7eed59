//! `reviewpub publish`, `list`, `unpublish` and `delete`: on a running blog through its admin
//! API (`--server`, from a laptop), or on this machine's database.

use std::path::Path;

use anyhow::Context;
use chrono::Utc;

use super::remote::Remote;
use super::{note, out, refusal, with_db, ServerArgs};
use crate::config::Settings;
use crate::db;
use crate::federation::outbox::Outbox;
use crate::{front_matter, publishing};

/// A remote blog when `--server` is given; otherwise checks that this machine has a database
/// (a configured one, or the embedded one already made here) rather than making one wherever
/// the command runs.
fn target(settings: &Settings, args: ServerArgs) -> anyhow::Result<Option<Remote>> {
    if let Some(server) = args.server {
        return Remote::new(&server, args.token).map(Some);
    }
    if settings.database_url.is_none() && !settings.embedded_pg_dir().exists() {
        anyhow::bail!(
            "no blog to write to: pass --server https://your.blog --token … (or set \
             REVIEWPUB_SERVER and REVIEWPUB_TOKEN) to write through a blog's admin API, or run \
             this on the server, where DATABASE_URL is set or the data directory {} exists",
            settings.data_dir().display()
        );
    }
    Ok(None)
}

fn how_to_update(file: &Path, id: &str) -> anyhow::Result<()> {
    note(format!(
        "to update this review from the file, add `id: {id}` to its front matter (or run \
         `reviewpub publish {} --update {id}`)",
        file.display()
    ))
}

pub async fn publish(
    settings: &Settings,
    file: &Path,
    status: Option<String>,
    update: Option<String>,
    args: ServerArgs,
) -> anyhow::Result<()> {
    let remote = target(settings, args)?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let mut document = front_matter::parse(&text).map_err(|e| refusal(e, file))?;
    if status.is_some() {
        document.input.status = status;
    }
    if let Some(remote) = remote {
        let id = match (&update, document.id) {
            (Some(reference), _) => Some(remote.resolve(reference).await?),
            (None, id) => id,
        };
        let (created, review) = remote.publish(&document.input, id).await?;
        out(format!(
            "{} {review}",
            if created { "created" } else { "updated" }
        ))?;
        if created {
            how_to_update(file, &review.id.to_string())?;
        }
        return Ok(());
    }
    let shared = settings.clone();
    let urls = crate::urls::Urls::new(settings);
    with_db(settings, |pool| async move {
        let outbound = Outbox::new(&shared);
        let (outcome, stored) = publishing::publish_file(
            &pool,
            &shared,
            &outbound,
            &document.input,
            document.id,
            update.as_deref(),
            Utc::now(),
        )
        .await
        .map_err(|e| refusal(e, file))?;
        let review = &stored.review;
        let created = outcome == publishing::Upserted::Created;
        out(format!(
            "{} {} ({}) {}",
            if created { "created" } else { "updated" },
            review.id,
            review.status.as_str(),
            urls.review(&review.slug)
        ))?;
        if created {
            how_to_update(file, &review.id.to_string())?;
        }
        Ok(())
    })
    .await
}

pub async fn list(settings: &Settings, args: ServerArgs) -> anyhow::Result<()> {
    if let Some(remote) = target(settings, args)? {
        for r in remote.list().await? {
            out(format!("{}\t{}\t{}\t{}", r.id, r.status, r.slug, r.title))?;
        }
        return Ok(());
    }
    with_db(settings, |pool| async move {
        let mut offset = 0;
        loop {
            let (rows, total) = db::reviews::list_all(&pool, None, 100, offset).await?;
            for stored in &rows {
                let r = &stored.review;
                out(format!(
                    "{}\t{}\t{}\t{}",
                    r.id,
                    r.status.as_str(),
                    r.slug,
                    r.title
                ))?;
            }
            offset += 100;
            if rows.is_empty() || offset >= total {
                return Ok(());
            }
        }
    })
    .await
}

pub async fn unpublish(
    settings: &Settings,
    reference: &str,
    args: ServerArgs,
) -> anyhow::Result<()> {
    if let Some(remote) = target(settings, args)? {
        let id = remote.resolve(reference).await?;
        return out(format!("unpublished {}", remote.unpublish(id).await?));
    }
    let shared = settings.clone();
    with_db(settings, |pool| async move {
        let id = publishing::resolve(&pool, reference)
            .await
            .map_err(|e| refusal(e, Path::new(reference)))?;
        let patch = serde_json::json!({"status": "draft"});
        let outbound = Outbox::new(&shared);
        let stored = publishing::update(
            &pool,
            &shared,
            &outbound,
            id,
            publishing::Change::Patch(&patch),
            Utc::now(),
        )
        .await
        .map_err(|e| refusal(e, Path::new(reference)))?;
        out(format!(
            "unpublished {} ({})",
            stored.review.id,
            stored.review.status.as_str()
        ))
    })
    .await
}

pub async fn delete(settings: &Settings, reference: &str, args: ServerArgs) -> anyhow::Result<()> {
    if let Some(remote) = target(settings, args)? {
        let id = remote.resolve(reference).await?;
        remote.delete(id).await?;
        return out(format!("deleted {id}"));
    }
    let shared = settings.clone();
    with_db(settings, |pool| async move {
        let id = publishing::resolve(&pool, reference)
            .await
            .map_err(|e| refusal(e, Path::new(reference)))?;
        publishing::delete(&pool, &Outbox::new(&shared), id, Utc::now())
            .await
            .map_err(|e| refusal(e, Path::new(reference)))?;
        out(format!("deleted {id}"))
    })
    .await
}
