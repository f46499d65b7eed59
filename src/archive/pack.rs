//! The archive file: a gzipped tar of `archive.json`, `settings.toml` and `reviews/<slug>.md`, written from an
//! [`Archive`] and read back within a size bound, every entry checked.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use super::ArchiveError;
use crate::domain::archive::{Archive, Header, FORMAT, VERSION};
use crate::domain::Slug;
use crate::front_matter::{self, Document};

/// The archive's index.
pub const INDEX: &str = "archive.json";
/// The exported settings as a `config/local.toml` fragment, for the reader (the index holds
/// them for the importer).
pub const SETTINGS: &str = "settings.toml";
/// Where each review's Markdown file goes.
const MARKDOWN_DIR: &str = "reviews/";
/// The most an archive may hold unpacked, unless the importer says more: 1 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// Writes the archive to `out`: its index, then each Markdown file (`slug`, text).
pub fn pack<W: Write>(
    archive: &Archive,
    markdown: &[(String, String)],
    out: W,
) -> Result<W, ArchiveError> {
    let index = serde_json::to_vec_pretty(archive).map_err(ArchiveError::Serialize)?;
    let mut tar = tar::Builder::new(GzEncoder::new(out, flate2::Compression::default()));
    append(&mut tar, INDEX, &index, archive.exported_at)?;
    if let Some(settings) = &archive.settings {
        let text = settings.to_toml().map_err(|e| ArchiveError::Render {
            entry: SETTINGS.into(),
            message: e.to_string(),
        })?;
        append(&mut tar, SETTINGS, text.as_bytes(), archive.exported_at)?;
    }
    for (slug, text) in markdown {
        let path = format!("{MARKDOWN_DIR}{slug}.md");
        append(&mut tar, &path, text.as_bytes(), archive.exported_at)?;
    }
    let gz = tar.into_inner().map_err(ArchiveError::Write)?;
    gz.finish().map_err(ArchiveError::Write)
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    data: &[u8],
    at: DateTime<Utc>,
) -> Result<(), ArchiveError> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(data.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(u64::try_from(at.timestamp()).unwrap_or(0));
    header.set_cksum();
    tar.append_data(&mut header, path, data)
        .map_err(ArchiveError::Write)
}

/// An archive read and checked: its records, and its Markdown files as `publish` reads them.
#[derive(Debug)]
pub struct Unpacked {
    pub archive: Archive,
    pub markdown: Vec<(String, Document)>,
}

/// A reader that fails once more than `left` bytes came through it.
struct Bounded<R> {
    inner: R,
    left: u64,
    exceeded: Arc<AtomicBool>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        match self.left.checked_sub(n as u64) {
            Some(left) => {
                self.left = left;
                Ok(n)
            }
            None => {
                self.exceeded.store(true, Ordering::Relaxed);
                Err(std::io::Error::other("the archive is too large"))
            }
        }
    }
}

/// Reads and checks a whole archive: at most `max_bytes` unpacked, only its own entries, each
/// once, `archive.json` of this version and valid, every Markdown file readable.
pub fn unpack(reader: impl Read, max_bytes: u64) -> Result<Unpacked, ArchiveError> {
    let exceeded = Arc::new(AtomicBool::new(false));
    let bounded = Bounded {
        inner: GzDecoder::new(reader),
        left: max_bytes,
        exceeded: exceeded.clone(),
    };
    let unreadable = |at: String, source: std::io::Error| {
        if exceeded.load(Ordering::Relaxed) {
            ArchiveError::TooLarge { limit: max_bytes }
        } else {
            ArchiveError::Unreadable { at, source }
        }
    };
    let mut tar = tar::Archive::new(bounded);
    let mut index = None;
    let mut markdown = Vec::new();
    let mut slugs = HashSet::new();
    let mut last = String::from("its start");
    let entries = tar.entries().map_err(|e| unreadable(last.clone(), e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| unreadable(format!("after {last}"), e))?;
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(ArchiveError::UnexpectedEntry(path));
        }
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| unreadable(path.clone(), e))?;
        if path == INDEX {
            if index.replace(data).is_some() {
                return Err(ArchiveError::Repeated(path));
            }
        } else if path == SETTINGS {
            // For people; the index's copy is the one imported.
            if !slugs.insert(SETTINGS.to_string()) {
                return Err(ArchiveError::Repeated(path));
            }
        } else {
            let slug = path
                .strip_prefix(MARKDOWN_DIR)
                .and_then(|name| name.strip_suffix(".md"))
                .filter(|slug| Slug::parse(slug).is_ok_and(|s| s.as_str() == *slug))
                .ok_or_else(|| ArchiveError::UnexpectedEntry(path.clone()))?;
            if !slugs.insert(slug.to_string()) {
                return Err(ArchiveError::Repeated(path));
            }
            let document = std::str::from_utf8(&data)
                .map_err(|e| e.to_string())
                .and_then(|text| front_matter::parse(text).map_err(|e| e.to_string()))
                .map_err(|message| ArchiveError::Markdown {
                    entry: path.clone(),
                    message,
                })?;
            markdown.push((slug.to_string(), document));
        }
        last = path;
    }
    // What follows the tar's end, to the gzip trailer: its checksum proves nothing was cut.
    std::io::copy(&mut tar.into_inner(), &mut std::io::sink())
        .map_err(|e| unreadable("its end".into(), e))?;
    let index = index.ok_or(ArchiveError::NoIndex)?;
    Ok(Unpacked {
        archive: parse_index(&index)?,
        markdown,
    })
}

/// `archive.json`: its format and version first, then every record, typed, then the rules.
pub fn parse_index(data: &[u8]) -> Result<Archive, ArchiveError> {
    let header: Header = serde_json::from_slice(data).map_err(|e| ArchiveError::Field {
        field: "format and version".into(),
        message: e.to_string(),
    })?;
    if header.format != FORMAT {
        return Err(ArchiveError::Version(format!(
            "format {:?} is not a reviewpub archive ({FORMAT:?})",
            header.format
        )));
    }
    if header.version != VERSION {
        return Err(ArchiveError::Version(format!(
            "version {} is not one this reviewpub reads (version {VERSION}); import it with \
             the reviewpub that wrote it, or a newer one",
            header.version
        )));
    }
    let mut parser = serde_json::Deserializer::from_slice(data);
    let archive: Archive =
        serde_path_to_error::deserialize(&mut parser).map_err(|e| ArchiveError::Field {
            field: e.path().to_string(),
            message: e.inner().to_string(),
        })?;
    parser.end().map_err(|e| ArchiveError::Field {
        field: "the end".into(),
        message: e.to_string(),
    })?;
    archive.validate()?;
    Ok(archive)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An archive of 60,000 Markdown files, the first repeated at the end: found without
    /// comparing each name with all before (once quadratic in the number of files).
    #[test]
    fn a_repeated_entry_among_many_is_found_in_one_pass() {
        let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), flate2::Compression::fast()));
        let mut add = |name: String| {
            let mut header = tar::Header::new_gnu();
            header.set_size(1);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, name, &b"x"[..])
                .expect("append");
        };
        for i in 0..60_000 {
            add(format!("{MARKDOWN_DIR}r{i}.md"));
        }
        add(format!("{MARKDOWN_DIR}r0.md"));
        let bytes = tar
            .into_inner()
            .and_then(|gz| gz.finish())
            .expect("archive");
        match unpack(&bytes[..], DEFAULT_MAX_BYTES) {
            Err(ArchiveError::Repeated(path)) => assert_eq!(path, "reviews/r0.md"),
            other => panic!("{:?}", other.map(|u| u.markdown.len())),
        }
    }
}
