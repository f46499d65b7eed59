//! `reviewpub export` and `reviewpub import archive`: everything the blog stored, in one
//! `.tar.gz` (see [`crate::domain::archive`] for `archive.json`), and back into an empty
//! instance in one transaction.
//!
//! The archive holds `archive.json` and `reviews/<slug>.md`, each live review as a Markdown
//! file with front matter that `reviewpub publish` reads ([`crate::front_matter`]). Importing
//! restores `archive.json`; the Markdown files are checked to read, not imported.

mod export;
mod import;
mod pack;
mod settings;

pub use export::{export, Exported};
pub use import::{import, Imported};
pub use pack::{unpack, Unpacked, DEFAULT_MAX_BYTES};

use crate::db::DbError;
use crate::domain::archive::ArchiveInvalid;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("the archive is not a readable .tar.gz ({at}): {source}")]
    Unreadable {
        at: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the archive is over {limit} bytes unpacked (a larger one is imported with --max-bytes)"
    )]
    TooLarge { limit: u64 },
    #[error("{0}: not part of a reviewpub archive (archive.json and reviews/<slug>.md)")]
    UnexpectedEntry(String),
    #[error("{0}: appears twice in the archive")]
    Repeated(String),
    #[error("the archive has no archive.json")]
    NoIndex,
    #[error("archive.json: {0}")]
    Version(String),
    #[error("archive.json: {field}: {message}")]
    Field { field: String, message: String },
    #[error("archive.json: {0}")]
    Invalid(#[from] ArchiveInvalid),
    #[error("{entry}: {message}")]
    Markdown { entry: String, message: String },
    #[error(
        "this instance is not empty (it has {0}): an archive is imported only into an empty \
         instance"
    )]
    NotEmpty(String),
    #[error("writing the archive: {0}")]
    Write(#[source] std::io::Error),
    #[error("writing archive.json: {0}")]
    Serialize(#[source] serde_json::Error),
    #[error("writing {entry}: {message}")]
    Render { entry: String, message: String },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ArchiveError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::Sqlx(error))
    }
}

/// How many rows of each kind an archive holds (what the command line reports).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub reviews: usize,
    pub comments: usize,
    pub followers: usize,
    pub blocks: usize,
}

impl Counts {
    pub fn of(archive: &crate::domain::archive::Archive) -> Self {
        Self {
            reviews: archive.reviews.len(),
            comments: archive.comments.len(),
            followers: archive.followers.len(),
            blocks: archive.blocks.len(),
        }
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} reviews, {} comments, {} followers, {} blocks",
            self.reviews, self.comments, self.followers, self.blocks
        )
    }
}
