//! Domain blocklists from elsewhere: Mastodon's CSV export (`#domain,#severity,…`), parsed
//! into the blocks it asks for. Mastodon writes it with Ruby's CSV, which quotes a field
//! holding a comma, a quote or a line break (a `#public_comment` often does), so it is read
//! as CSV, never line by line.

use super::{BlockSeverity, HostName};

/// The largest list read, in bytes (the API's limit for the upload, the command line's for
/// the file).
pub const MAX_BYTES: usize = 1024 * 1024;

/// The most records (rows after the header) in one list; a longer list is refused whole.
pub const MAX_RECORDS: usize = 100_000;

/// The longest field read, in bytes; a row with a longer one is unreadable.
pub const MAX_FIELD_BYTES: usize = 4096;

/// The longest reason kept, in characters.
const MAX_REASON: usize = 500;

/// One server the list blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainBlock {
    pub domain: String,
    pub severity: BlockSeverity,
    /// Mastodon's public comment, when the list gives one.
    pub reason: Option<String>,
}

/// What a list holds: the blocks, how many rows asked for nothing (`noop`), and the rows
/// that could not be read (the line each starts on, and why).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blocklist {
    pub blocks: Vec<DomainBlock>,
    pub skipped: usize,
    pub errors: Vec<(u64, String)>,
}

/// Why a list is refused whole (nothing of it is stored).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlocklistError {
    #[error("the list is larger than {} MiB", MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the list has more than {MAX_RECORDS} rows: split it and import each part")]
    TooManyRecords,
    #[error(
        "the header names no domain column (a Mastodon export starts with \
         #domain,#severity,…)"
    )]
    NoDomainColumn,
    #[error(
        "no row names a server (a Mastodon domain-block export: #domain,#severity,… then one \
         server a line){}",
        first_error(.0)
    )]
    NothingToImport(Vec<(u64, String)>),
    #[error("line {line}: {message}")]
    Unreadable { line: u64, message: String },
}

fn first_error(errors: &[(u64, String)]) -> String {
    match errors.first() {
        Some((line, why)) => format!(
            "; {} unreadable rows, the first on line {line}: {why}",
            errors.len()
        ),
        None => String::new(),
    }
}

/// Where the columns are: from the header, or domain then severity without one.
struct Columns {
    domain: usize,
    severity: Option<usize>,
    comment: Option<usize>,
}

impl Columns {
    /// The header's columns, when `first` is a header (`#domain,…` or `domain,…`).
    fn from_header(first: &csv::StringRecord) -> Option<Result<Self, BlocklistError>> {
        let lead = first.get(0)?;
        if !(lead.starts_with('#') || lead.eq_ignore_ascii_case("domain")) {
            return None;
        }
        let names: Vec<String> = first
            .iter()
            .map(|h| h.trim_start_matches('#').to_ascii_lowercase())
            .collect();
        let at = |name: &str| names.iter().position(|h| h == name);
        Some(match at("domain") {
            Some(domain) => Ok(Self {
                domain,
                severity: at("severity"),
                comment: at("public_comment"),
            }),
            None => Err(BlocklistError::NoDomainColumn),
        })
    }

    const BARE: Self = Self {
        domain: 0,
        severity: Some(1),
        comment: None,
    };
}

/// Parses a Mastodon domain-block CSV. The header names the columns (`#domain`, `#severity`,
/// `#public_comment`; without a header, domain then severity); `suspend` is a block,
/// `silence` holds comments, `noop` is skipped. Rows may have any number of fields. A list
/// over [`MAX_BYTES`] or [`MAX_RECORDS`], with a header naming no domain, or in which no row
/// names a server is refused.
pub fn parse_mastodon_csv(text: &str) -> Result<Blocklist, BlocklistError> {
    if text.len() > MAX_BYTES {
        return Err(BlocklistError::TooLarge);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut list = Blocklist::default();
    let mut columns: Option<Columns> = None;
    let mut records = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| BlocklistError::Unreadable {
            line: e.position().map_or(0, csv::Position::line),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if columns.is_none() {
            if let Some(header) = Columns::from_header(&record) {
                columns = Some(header?);
                continue;
            }
        }
        let columns = columns.get_or_insert(Columns::BARE);
        records += 1;
        if records > MAX_RECORDS {
            return Err(BlocklistError::TooManyRecords);
        }
        match read_row(&record, columns) {
            Ok(Some(block)) => list.blocks.push(block),
            Ok(None) => list.skipped += 1,
            Err(why) => list.errors.push((line, why)),
        }
    }
    if list.blocks.is_empty() && list.skipped == 0 {
        return Err(BlocklistError::NothingToImport(list.errors));
    }
    Ok(list)
}

/// One row: the block it asks for, `None` for `noop`, or why it cannot be read.
fn read_row(record: &csv::StringRecord, columns: &Columns) -> Result<Option<DomainBlock>, String> {
    if record.iter().any(|field| field.len() > MAX_FIELD_BYTES) {
        return Err(format!("a field is longer than {MAX_FIELD_BYTES} bytes"));
    }
    let field = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or_default();
    let domain = HostName::parse_authority(field(Some(columns.domain)))
        .map_err(|e| format!("domain: {}", e.0))?;
    let severity = match field(columns.severity) {
        "" | "suspend" => BlockSeverity::Suspend,
        "silence" => BlockSeverity::Silence,
        "noop" => return Ok(None),
        other => {
            let other = crate::content::clean_line(other, 40);
            return Err(format!("unknown severity {other:?}"));
        }
    };
    let reason = Some(crate::content::clean_line(
        field(columns.comment),
        MAX_REASON,
    ))
    .filter(|r| !r.is_empty());
    Ok(Some(DomainBlock {
        domain,
        severity,
        reason,
    }))
}

#[cfg(test)]
mod tests;
