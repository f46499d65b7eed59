//! The raw shape of the configuration sources, as figment reads it before validation.

use std::path::PathBuf;

use serde::Deserialize;

use super::SigningBackend;

/// Environment values are read as TOML-like scalars (`1984`, `true`); settings that are text
/// take any scalar as its text.
pub(super) fn text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Unsigned(u64),
        Int(i64),
        Float(f64),
        Bool(bool),
    }
    Ok(match Scalar::deserialize(deserializer)? {
        Scalar::Text(s) => s,
        Scalar::Unsigned(u) => u.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Bool(b) => b.to_string(),
    })
}

/// The raw values; deliberately without `Debug` (it holds the secrets in the clear).
#[derive(Deserialize)]
pub(super) struct Raw {
    #[serde(deserialize_with = "text")]
    pub(super) public_url: String,
    #[serde(deserialize_with = "text")]
    pub(super) listen: String,
    pub(super) data_dir: PathBuf,
    #[serde(deserialize_with = "text")]
    pub(super) handle: String,
    #[serde(deserialize_with = "text")]
    pub(super) database_url: String,
    #[serde(deserialize_with = "text")]
    pub(super) admin_token: String,
    #[serde(deserialize_with = "text")]
    pub(super) log_format: String,
    pub(super) site: RawSite,
    pub(super) embedded_postgres: RawEmbedded,
    pub(super) scheduler: RawScheduler,
    pub(super) api: RawApi,
    pub(super) allow_private_networks: bool,
    pub(super) federation: RawFederation,
    pub(super) comments: RawComments,
    pub(super) cache: RawCache,
    pub(super) limits: RawLimits,
    pub(super) notifications: RawNotifications,
    pub(super) media: super::media::RawMedia,
}

/// Deliberately without `Debug`: `smtp_url` may hold a password.
#[derive(Deserialize)]
pub(super) struct RawNotifications {
    #[serde(deserialize_with = "text")]
    pub(super) email_to: String,
    #[serde(deserialize_with = "text")]
    pub(super) email_from: String,
    #[serde(deserialize_with = "text")]
    pub(super) smtp_url: String,
    #[serde(deserialize_with = "text")]
    pub(super) digest: String,
    #[serde(deserialize_with = "text")]
    pub(super) daily_at: String,
    pub(super) debounce_seconds: u64,
    pub(super) retry_seconds: u64,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawLimits {
    pub(super) interact_per_minute: u32,
    pub(super) interact_concurrency: usize,
    pub(super) max_connections: usize,
    pub(super) header_read_timeout_seconds: u64,
    pub(super) body_read_timeout_seconds: u64,
    pub(super) write_timeout_seconds: u64,
    pub(super) request_timeout_seconds: u64,
    pub(super) shutdown_grace_seconds: u64,
    pub(super) inbox_per_minute: u32,
    pub(super) inbox_burst: u32,
    pub(super) pages_per_minute: u32,
    pub(super) pages_burst: u32,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawCache {
    pub(super) enabled: bool,
    pub(super) max_entries: usize,
    pub(super) max_bytes: usize,
    pub(super) max_age_seconds: u64,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawComments {
    #[serde(deserialize_with = "text")]
    pub(super) moderation: String,
    pub(super) max_parent_depth: u32,
    pub(super) close_after_days: u32,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawFederation {
    pub(super) manually_approves_followers: bool,
    pub(super) show_followers: bool,
    pub(super) authorized_fetch: bool,
    pub(super) delivery_workers: usize,
    pub(super) per_host_concurrency: usize,
    pub(super) delivery_give_up_hours: u64,
    pub(super) host_unavailable_after_hours: u64,
    pub(super) delivery_lease_seconds: u64,
    pub(super) retry_base_seconds: u64,
    pub(super) signing_backend: SigningBackend,
    pub(super) quote_policy: crate::domain::QuotePolicy,
    pub(super) also_known_as: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawSite {
    #[serde(deserialize_with = "text")]
    pub(super) title: String,
    #[serde(deserialize_with = "text")]
    pub(super) description: String,
    #[serde(deserialize_with = "text")]
    pub(super) author: String,
    #[serde(deserialize_with = "text")]
    pub(super) language: String,
    #[serde(deserialize_with = "text")]
    pub(super) about: String,
    pub(super) page_size: u32,
    #[serde(deserialize_with = "text")]
    pub(super) avatar_url: String,
    #[serde(deserialize_with = "text")]
    pub(super) time_zone: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawEmbedded {
    #[serde(deserialize_with = "text")]
    pub(super) run_as: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawScheduler {
    pub(super) interval_seconds: u64,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawApi {
    pub(super) max_body_bytes: usize,
}
