//! The reads part: `wrk` on reviewpub's public endpoints, then on a bare axum server and on
//! snac2 serving answers of the same size (the ceilings).

use std::time::Duration;

use anyhow::Result;

use crate::report::{ReadResult, Report};
use crate::scale::Scale;
use crate::{api, proc, reads};

pub async fn reads_part(
    report: &mut Report,
    scale: &Scale,
    repo: &std::path::Path,
    options: &proc::Options,
    work: &std::path::Path,
) -> Result<()> {
    let server = proc::Reviewpub::start(proc::Options {
        port: proc::free_port()?,
        ..options.clone()
    })
    .await?;
    let pid = server.pid();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = proc::stats(pid)?;
    report.memory.rows.push((
        "idle, pinned instance for the reads, 2 s after start".into(),
        idle.rss_kib,
        proc::postgres_pss_kib(&options.data_dir),
    ));
    let pool = sqlx::PgPool::connect(&server.database_url()?).await?;
    let review = api::busiest_review(&pool, &server.base).await?;
    pool.close().await;
    let base = &server.base;
    let host = base.trim_start_matches("http://");
    let endpoints = [
        (
            "actor (JSON)",
            format!("{base}/users/reviews"),
            Some(reads::MASTODON_ACCEPT),
            Some("actor"),
        ),
        (
            "Article (JSON)",
            review.ap_id.clone(),
            Some(reads::MASTODON_ACCEPT),
            Some("note"),
        ),
        (
            "review page (HTML, 31 comments)",
            format!("{base}/reviews/{}", review.slug),
            None,
            None,
        ),
        ("index (HTML)", format!("{base}/"), None, None),
        (
            "WebFinger",
            format!("{base}/.well-known/webfinger?resource=acct:reviews@{host}"),
            None,
            Some("webfinger"),
        ),
        ("Atom feed", format!("{base}/feed.xml"), None, None),
    ];
    let bare_port = proc::free_port()?;
    let snac_port = proc::free_port()?;
    let mut sizes = Vec::new();
    let mut rows = Vec::new();
    for (name, url, accept, snac_what) in &endpoints {
        let endpoint = reads::Endpoint {
            url: url.clone(),
            accept: *accept,
        };
        let bytes = reads::body_size(&endpoint).await?;
        sizes.push(bytes);
        rows.push(ReadResult {
            endpoint: name,
            bytes,
            reviewpub: vec![],
            bare: vec![],
            snac: vec![],
            snac_what: *snac_what,
        });
    }
    let load = |endpoint: &reads::Endpoint| -> Result<reads::Load> {
        let l = reads::wrk(endpoint, scale.connections, scale.read_seconds, 1)?;
        if l.errors > 0 {
            anyhow::bail!("{}: {} failed requests under load", endpoint.url, l.errors);
        }
        Ok(l)
    };
    for _ in 0..scale.runs {
        for (row, (name, url, accept, _)) in rows.iter_mut().zip(&endpoints) {
            tracing::info!(endpoint = name, "reads: reviewpub");
            row.reviewpub.push(load(&reads::Endpoint {
                url: url.clone(),
                accept: *accept,
            })?);
        }
    }
    report.memory.rows.push((
        "after the read runs".into(),
        proc::stats(pid)?.rss_kib,
        proc::postgres_pss_kib(&options.data_dir),
    ));
    report.memory.peak_kib = report.memory.peak_kib.max(proc::stats(pid)?.peak_kib);
    server.stop().await?;

    let bare = reads::start_bare(bare_port, &sizes, "0").await?;
    for _ in 0..scale.runs {
        for row in rows.iter_mut() {
            tracing::info!(bytes = row.bytes, "reads: bare axum");
            let url = format!("http://127.0.0.1:{bare_port}/{}", row.bytes);
            row.bare.push(load(&reads::Endpoint { url, accept: None })?);
        }
    }
    drop(bare);

    let snac = reads::Snac::start(repo, work, snac_port, 0).await?;
    report
        .environment
        .push(("snac2".into(), snac.version.clone()));
    for _ in 0..scale.runs {
        for row in rows.iter_mut() {
            let (url, accept) = match row.snac_what {
                Some("actor") => (
                    format!("{}/{}", snac.base, snac.user),
                    Some(reads::MASTODON_ACCEPT),
                ),
                Some("note") => (snac.note.clone(), Some(reads::MASTODON_ACCEPT)),
                Some("webfinger") => (
                    format!(
                        "{}/.well-known/webfinger?resource=acct:{}@localhost:{snac_port}",
                        snac.base, snac.user
                    ),
                    None,
                ),
                _ => continue,
            };
            tracing::info!(url, "reads: snac2");
            // snac2's own failures under load (it refuses connections beyond its backlog) are
            // its figure, reported beside it, not a reason to stop.
            row.snac.push(reads::wrk(
                &reads::Endpoint { url, accept },
                scale.connections,
                scale.read_seconds,
                1,
            )?);
        }
    }
    drop(snac);
    report.reads = rows;
    Ok(())
}
