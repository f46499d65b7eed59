//! `reviewpub export` and `reviewpub import archive`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::Utc;

use super::{note, out, with_db};
use crate::archive;
use crate::config::Settings;

/// The file an export goes to when `--out` names none: `reviewpub-export-<date>.tar.gz`.
fn default_name() -> PathBuf {
    PathBuf::from(format!(
        "reviewpub-export-{}.tar.gz",
        Utc::now().format("%Y-%m-%d")
    ))
}

/// Opens a new file only its owner reads (an archive holds followers, held comments and
/// maybe keys); an existing file is never overwritten.
fn create_private(path: &Path) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| {
            format!(
                "creating {} (an existing file is not replaced)",
                path.display()
            )
        })
}

pub async fn export(
    settings: &Settings,
    to: Option<PathBuf>,
    with_keys: bool,
) -> anyhow::Result<()> {
    let to = to.unwrap_or_else(default_name);
    let stdout = to.as_os_str() == "-";
    let shared = settings.clone();
    with_db(settings, |pool| async move {
        let writer: Box<dyn Write> = match stdout {
            true => Box::new(std::io::stdout().lock()),
            false => Box::new(std::io::BufWriter::new(create_private(&to)?)),
        };
        let exported = archive::export(&pool, &shared, with_keys, Utc::now(), writer).await;
        let exported = match exported {
            Ok(exported) => exported,
            Err(e) => {
                if !stdout {
                    let _ = std::fs::remove_file(&to);
                }
                return Err(e.into());
            }
        };
        let mut writer = exported.out;
        writer.flush().context("writing the archive")?;
        let place = if stdout {
            "standard output".to_string()
        } else {
            to.display().to_string()
        };
        note(format!("exported {} to {place}", exported.counts))?;
        if exported.with_keys {
            note("the blog's private keys are in this archive: keep it as secret as the server")
        } else {
            note(
                "no keys in this archive: an instance restored from it keeps keys of its own \
                 (other servers fetch the new key when they next verify the blog's signature); \
                 export --with-keys to move them",
            )
        }
    })
    .await
}

pub async fn import(settings: &Settings, file: PathBuf, max_bytes: u64) -> anyhow::Result<()> {
    let reader: Box<dyn Read + Send> = if file.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(&file).with_context(|| format!("reading {}", file.display()))?)
    };
    let name = file.display().to_string();
    let unpacked = tokio::task::spawn_blocking(move || {
        archive::unpack(std::io::BufReader::new(reader), max_bytes)
    })
    .await?
    .with_context(|| format!("{name} is refused, nothing was imported"))?;
    let shared = settings.clone();
    with_db(settings, |pool| async move {
        if unpacked.archive.keys.is_none() {
            // Keys of its own now, so that the archive's actor dates have rows to go to.
            crate::federation::ensure_keys(&pool).await?;
        }
        let imported = archive::import(&pool, &shared, unpacked.archive)
            .await
            .with_context(|| format!("{name} is refused, nothing was imported"))?;
        for warning in &imported.warnings {
            note(format!("warning: {warning}"))?;
        }
        out(format!("imported {}", imported.counts))?;
        note("restart servers that ran during the import: they read the blog's actor at start")?;
        if imported.keys {
            note("the archive's keys replace this instance's")
        } else {
            note(
                "the archive holds no keys: this instance signs with keys of its own (other \
                 servers fetch its new key when they next check a signature)",
            )
        }
    })
    .await
}
