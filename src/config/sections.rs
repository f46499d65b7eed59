//! The typed sections of the settings (site, federation, comments, cache, limits, ...) and
//! their small enums.

use crate::domain::Language;

/// Bounds on what one client, or everyone at once, can make the server do.
#[derive(Debug, Clone)]
pub struct Limits {
    pub interact_per_minute: u32,
    pub interact_concurrency: usize,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// A request's headers (and the next request on an idle keep-alive connection) must
    /// arrive within this long.
    pub header_read_timeout: std::time::Duration,
    /// A request body that sends nothing for this long is cut.
    pub body_read_timeout: std::time::Duration,
    /// An answer the client takes nothing of for this long is cut.
    pub write_timeout: std::time::Duration,
    /// A public request (not the admin API) must be answered within this long.
    pub request_timeout: std::time::Duration,
    /// At shutdown, requests under way get this long to finish.
    pub shutdown_grace: std::time::Duration,
    /// POSTs to the inboxes per client (`None`: no limit).
    pub inbox: Option<Rate>,
    /// Every other public request per client (`None`: no limit).
    pub pages: Option<Rate>,
}

/// So many requests per minute, with bursts of up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

/// The in-memory cache of rendered public responses.
#[derive(Debug, Clone)]
pub struct Cache {
    pub enabled: bool,
    pub max_entries: usize,
    pub max_bytes: usize,
    pub max_age: std::time::Duration,
}

pub use crate::domain::Moderation;

#[derive(Debug, Clone)]
pub struct Comments {
    pub moderation: Moderation,
    pub max_parent_depth: u32,
    /// Replies close this long after a review's publication, unless the critic opened it.
    pub close_after: Option<chrono::Duration>,
}

#[derive(Debug, Clone)]
pub struct Federation {
    pub manually_approves_followers: bool,
    pub show_followers: bool,
    pub authorized_fetch: bool,
    pub delivery_workers: usize,
    pub per_host_concurrency: usize,
    pub delivery_give_up: std::time::Duration,
    /// A host whose deliveries have all failed for this long is given up on.
    pub host_unavailable_after: std::time::Duration,
    pub delivery_lease: std::time::Duration,
    pub retry_base: std::time::Duration,
    pub signing_backend: SigningBackend,
    /// Who may quote a review whose own policy is not set (FEP-044f).
    pub quote_policy: crate::domain::QuotePolicy,
    /// The blog's other accounts (`alsoKnownAs`): an old account moving here names the blog
    /// as its new home, and its followers' servers check that the blog names it back.
    pub also_known_as: Vec<url::Url>,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub title: String,
    pub description: String,
    pub author: String,
    pub language: Language,
    pub about: String,
    pub page_size: u32,
    pub avatar_url: Option<url::Url>,
    /// Where the critic is: the desk shows and takes times in this zone.
    pub time_zone: chrono_tz::Tz,
}

#[derive(Debug, Clone)]
pub struct EmbeddedPostgresSettings {
    pub run_as: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Which implementation computes the RSA-SHA256 signatures of deliveries. Both produce the
/// same draft-cavage `Signature` header (the crate's format, through the same library).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SigningBackend {
    /// `ring`: native, constant-time, blinded; about 3× the pure-Rust crate.
    Ring,
    /// AWS-LC (`aws-lc-rs`, BoringSSL's descendant): native, constant-time, blinded, with the
    /// AVX-512 IFMA RSA code OpenSSL has and ring lacks.
    #[serde(rename = "aws-lc")]
    AwsLc,
    /// The pure-Rust `rsa` crate, as `activitypub_federation` signs (no blinding).
    Rsa,
}

impl std::str::FromStr for SigningBackend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ring" => Ok(Self::Ring),
            "rsa" => Ok(Self::Rsa),
            "aws-lc" => Ok(Self::AwsLc),
            other => Err(format!(
                "unknown signing backend {other:?} (ring, aws-lc or rsa)"
            )),
        }
    }
}
