//! Configuration: `config/default.toml` (compiled in), overridden by an optional local file
//! (`config/local.toml`, or the file named by `REVIEWPUB_CONFIG`), overridden by environment
//! variables (`REVIEWPUB_<KEY>`, `REVIEWPUB_<SECTION>__<KEY>`, and `DATABASE_URL`).
//!
//! Raw values are read with figment and then parsed into typed settings; anything invalid stops
//! start-up with a message that names the key and where its value came from.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use crate::domain::{Handle, Language};

const DEFAULT_TOML: &str = include_str!("../config/default.toml");
const LOCAL_FILE: &str = "config/local.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: {0}")]
    Read(String),
    #[error("invalid configuration: `{key}` (set {origin}): {message}")]
    Invalid {
        key: &'static str,
        origin: String,
        message: String,
    },
    #[error("invalid configuration: the file {0} named by REVIEWPUB_CONFIG does not exist")]
    MissingFile(PathBuf),
}

/// The validated configuration the rest of the program uses.
#[derive(Debug, Clone)]
pub struct Settings {
    pub public_url: PublicUrl,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub handle: Handle,
    /// May hold a password: kept in a type whose `Debug` never prints it.
    pub database_url: Option<SecretString>,
    /// Redacted in `Debug` like every secret.
    pub admin_token: Option<SecretString>,
    pub log_format: LogFormat,
    pub site: Site,
    pub embedded_postgres: EmbeddedPostgresSettings,
    pub scheduler_interval: std::time::Duration,
    pub api_max_body_bytes: usize,
    pub allow_private_networks: bool,
    pub federation: Federation,
    pub comments: Comments,
    pub cache: Cache,
    pub limits: Limits,
}

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

/// How replies from the fediverse become public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Open,
    FirstTime,
    Closed,
}

#[derive(Debug, Clone)]
pub struct Comments {
    pub moderation: Moderation,
    pub max_parent_depth: u32,
}

#[derive(Debug, Clone)]
pub struct Federation {
    pub manually_approves_followers: bool,
    pub show_followers: bool,
    pub authorized_fetch: bool,
    pub delivery_workers: usize,
    pub per_host_concurrency: usize,
    pub delivery_give_up: std::time::Duration,
    pub delivery_lease: std::time::Duration,
    pub retry_base: std::time::Duration,
    pub signing_backend: SigningBackend,
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
    /// The pure-Rust `rsa` crate, as `activitypub_federation` signs (no blinding).
    Rsa,
}

impl std::str::FromStr for SigningBackend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ring" => Ok(Self::Ring),
            "rsa" => Ok(Self::Rsa),
            other => Err(format!("unknown signing backend {other:?} (ring or rsa)")),
        }
    }
}

/// The public base URL, without a trailing slash: `https://reviews.example`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(Url);

impl PublicUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = Url::parse(raw.trim()).map_err(|e| format!("not a URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("must start with http:// or https://".into());
        }
        if url.host_str().is_none() {
            return Err("must name a host".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("must not have a query or fragment".into());
        }
        if url.path() != "/" {
            return Err("must be the site root, without a path".into());
        }
        Ok(Self(url))
    }

    /// `host` or `host:port`, as it appears in handles (`@reviews@host`).
    pub fn domain(&self) -> String {
        let host = self.0.host_str().unwrap_or_default();
        match self.0.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    /// An absolute URL for a path starting with `/`.
    pub fn join(&self, path: &str) -> String {
        let base = self.0.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }
}

/// Environment values are read as TOML-like scalars (`1984`, `true`); settings that are text
/// take any scalar as its text.
fn text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
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
struct Raw {
    #[serde(deserialize_with = "text")]
    public_url: String,
    #[serde(deserialize_with = "text")]
    listen: String,
    data_dir: PathBuf,
    #[serde(deserialize_with = "text")]
    handle: String,
    #[serde(deserialize_with = "text")]
    database_url: String,
    #[serde(deserialize_with = "text")]
    admin_token: String,
    #[serde(deserialize_with = "text")]
    log_format: String,
    site: RawSite,
    embedded_postgres: RawEmbedded,
    scheduler: RawScheduler,
    api: RawApi,
    allow_private_networks: bool,
    federation: RawFederation,
    comments: RawComments,
    cache: RawCache,
    limits: RawLimits,
}

#[derive(Debug, Deserialize)]
struct RawLimits {
    interact_per_minute: u32,
    interact_concurrency: usize,
    max_connections: usize,
    header_read_timeout_seconds: u64,
    body_read_timeout_seconds: u64,
    write_timeout_seconds: u64,
    request_timeout_seconds: u64,
    shutdown_grace_seconds: u64,
    inbox_per_minute: u32,
    inbox_burst: u32,
    pages_per_minute: u32,
    pages_burst: u32,
}

#[derive(Debug, Deserialize)]
struct RawCache {
    enabled: bool,
    max_entries: usize,
    max_bytes: usize,
    max_age_seconds: u64,
}

#[derive(Debug, Deserialize)]
struct RawComments {
    #[serde(deserialize_with = "text")]
    moderation: String,
    max_parent_depth: u32,
}

#[derive(Debug, Deserialize)]
struct RawFederation {
    manually_approves_followers: bool,
    show_followers: bool,
    authorized_fetch: bool,
    delivery_workers: usize,
    per_host_concurrency: usize,
    delivery_give_up_hours: u64,
    delivery_lease_seconds: u64,
    retry_base_seconds: u64,
    signing_backend: SigningBackend,
}

#[derive(Debug, Deserialize)]
struct RawSite {
    #[serde(deserialize_with = "text")]
    title: String,
    #[serde(deserialize_with = "text")]
    description: String,
    #[serde(deserialize_with = "text")]
    author: String,
    #[serde(deserialize_with = "text")]
    language: String,
    #[serde(deserialize_with = "text")]
    about: String,
    page_size: u32,
    #[serde(deserialize_with = "text")]
    avatar_url: String,
}

#[derive(Debug, Deserialize)]
struct RawEmbedded {
    #[serde(deserialize_with = "text")]
    run_as: String,
}

#[derive(Debug, Deserialize)]
struct RawScheduler {
    interval_seconds: u64,
}

#[derive(Debug, Deserialize)]
struct RawApi {
    max_body_bytes: usize,
}

impl Settings {
    /// The built-in defaults alone (tests layer their own values over them).
    pub fn defaults() -> Figment {
        Figment::new().merge(Toml::string(DEFAULT_TOML))
    }

    /// The layered sources, lowest precedence first.
    pub fn figment() -> Result<Figment, ConfigError> {
        let mut figment = Self::defaults();
        match std::env::var_os("REVIEWPUB_CONFIG") {
            Some(path) => {
                let path = PathBuf::from(path);
                if !path.is_file() {
                    return Err(ConfigError::MissingFile(path));
                }
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file(LOCAL_FILE)),
        }
        Ok(figment
            .merge(Env::prefixed("REVIEWPUB_").split("__").ignore(&["config"]))
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database_url".into()),
            ))
    }

    pub fn load() -> Result<Self, ConfigError> {
        Self::from_figment(&Self::figment()?)
    }

    pub fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        let raw: Raw = figment.extract().map_err(|errors| {
            let lines: Vec<String> = errors.into_iter().map(describe_figment_error).collect();
            ConfigError::Read(lines.join("; "))
        })?;
        let invalid = |key: &'static str, message: String| ConfigError::Invalid {
            key,
            origin: origin_of(figment, key),
            message,
        };
        // One rule for every bounded number: `key` must lie within `lo..=hi`.
        let within = |key: &'static str, value: u64, lo: u64, hi: u64| {
            if (lo..=hi).contains(&value) {
                Ok(())
            } else {
                Err(invalid(key, format!("must be between {lo} and {hi}")))
            }
        };

        let public_url = PublicUrl::parse(&raw.public_url).map_err(|m| invalid("public_url", m))?;
        let listen = raw.listen.trim().parse::<SocketAddr>().map_err(|_| {
            invalid(
                "listen",
                "must be a socket address such as 127.0.0.1:8080".into(),
            )
        })?;
        let handle = Handle::parse(&raw.handle).map_err(|m| invalid("handle", m.to_string()))?;
        let language = Language::parse(&raw.site.language)
            .map_err(|m| invalid("site.language", m.to_string()))?;
        let log_format = match raw.log_format.as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err(invalid("log_format", "must be \"text\" or \"json\"".into())),
        };
        if raw.data_dir.as_os_str().is_empty() {
            return Err(invalid("data_dir", "must not be empty".into()));
        }
        let admin_token = non_empty(raw.admin_token);
        if admin_token.as_ref().is_some_and(|t| t.chars().count() < 16) {
            return Err(invalid(
                "admin_token",
                "must be at least 16 characters long".into(),
            ));
        }
        if raw.site.title.trim().is_empty() {
            return Err(invalid("site.title", "must not be empty".into()));
        }
        within("site.page_size", raw.site.page_size as u64, 1, 100)?;
        if raw.scheduler.interval_seconds == 0 || raw.scheduler.interval_seconds > 60 {
            return Err(invalid(
                "scheduler.interval_seconds",
                "must be between 1 and 60".into(),
            ));
        }
        if raw.api.max_body_bytes < 1024 {
            return Err(invalid(
                "api.max_body_bytes",
                "must be at least 1024".into(),
            ));
        }
        let avatar_url = match raw.site.avatar_url.trim() {
            "" => None,
            url => Some(
                Url::parse(url)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| invalid("site.avatar_url", "must be an http(s) URL".into()))?,
            ),
        };
        let f = &raw.federation;
        within(
            "federation.delivery_workers",
            f.delivery_workers as u64,
            1,
            256,
        )?;
        within(
            "federation.per_host_concurrency",
            f.per_host_concurrency as u64,
            1,
            64,
        )?;
        within(
            "federation.delivery_lease_seconds",
            f.delivery_lease_seconds,
            2,
            3600,
        )?;
        within(
            "federation.retry_base_seconds",
            f.retry_base_seconds,
            1,
            3600,
        )?;
        if f.delivery_give_up_hours == 0 {
            return Err(invalid(
                "federation.delivery_give_up_hours",
                "must be at least 1".into(),
            ));
        }
        // The pure-Rust `rsa` crate is not constant-time (RUSTSEC-2023-0071): on the open
        // network our keys are only used through `ring`. It stays selectable for local
        // benchmarks, as the baseline the library itself signs with.
        if f.signing_backend == SigningBackend::Rsa && !raw.allow_private_networks {
            return Err(invalid(
                "federation.signing_backend",
                "\"rsa\" is not constant-time and only allowed for local trials \
                 (allow_private_networks); use \"ring\""
                    .into(),
            ));
        }
        let moderation = match raw.comments.moderation.as_str() {
            "open" => Moderation::Open,
            "first_time" => Moderation::FirstTime,
            "closed" => Moderation::Closed,
            _ => {
                return Err(invalid(
                    "comments.moderation",
                    "must be \"open\", \"first_time\" or \"closed\"".into(),
                ))
            }
        };
        if raw.comments.max_parent_depth > 20 {
            return Err(invalid(
                "comments.max_parent_depth",
                "must be at most 20".into(),
            ));
        }
        let c = &raw.cache;
        within("cache.max_entries", c.max_entries as u64, 1, 1_000_000)?;
        if c.max_bytes < 65_536 {
            return Err(invalid("cache.max_bytes", "must be at least 65536".into()));
        }
        within("cache.max_age_seconds", c.max_age_seconds, 1, 86_400)?;
        let l = &raw.limits;
        within(
            "limits.interact_per_minute",
            l.interact_per_minute as u64,
            1,
            10_000,
        )?;
        within(
            "limits.interact_concurrency",
            l.interact_concurrency as u64,
            1,
            1_000,
        )?;
        within(
            "limits.max_connections",
            l.max_connections as u64,
            1,
            100_000,
        )?;
        for (key, value) in [
            (
                "limits.header_read_timeout_seconds",
                l.header_read_timeout_seconds,
            ),
            (
                "limits.body_read_timeout_seconds",
                l.body_read_timeout_seconds,
            ),
            ("limits.write_timeout_seconds", l.write_timeout_seconds),
            ("limits.request_timeout_seconds", l.request_timeout_seconds),
            ("limits.shutdown_grace_seconds", l.shutdown_grace_seconds),
        ] {
            if !(1..=3600).contains(&value) {
                return Err(invalid(key, "must be between 1 and 3600".into()));
            }
        }
        let inbox = rate(
            ("limits.inbox_per_minute", l.inbox_per_minute),
            ("limits.inbox_burst", l.inbox_burst),
        )
        .map_err(|(key, message)| invalid(key, message))?;
        let pages = rate(
            ("limits.pages_per_minute", l.pages_per_minute),
            ("limits.pages_burst", l.pages_burst),
        )
        .map_err(|(key, message)| invalid(key, message))?;
        if raw.embedded_postgres.run_as.trim().is_empty() {
            return Err(invalid(
                "embedded_postgres.run_as",
                "must name a user".into(),
            ));
        }

        Ok(Settings {
            public_url,
            listen,
            data_dir: raw.data_dir,
            handle,
            database_url: non_empty(raw.database_url).map(SecretString::from),
            admin_token: admin_token.map(SecretString::from),
            log_format,
            site: Site {
                title: raw.site.title.trim().to_string(),
                description: raw.site.description.trim().to_string(),
                author: raw.site.author.trim().to_string(),
                language,
                about: raw.site.about,
                page_size: raw.site.page_size,
                avatar_url,
            },
            embedded_postgres: EmbeddedPostgresSettings {
                run_as: raw.embedded_postgres.run_as.trim().to_string(),
            },
            scheduler_interval: std::time::Duration::from_secs(raw.scheduler.interval_seconds),
            api_max_body_bytes: raw.api.max_body_bytes,
            allow_private_networks: raw.allow_private_networks,
            federation: Federation {
                manually_approves_followers: f.manually_approves_followers,
                show_followers: f.show_followers,
                authorized_fetch: f.authorized_fetch,
                delivery_workers: f.delivery_workers,
                per_host_concurrency: f.per_host_concurrency,
                signing_backend: f.signing_backend,
                delivery_give_up: std::time::Duration::from_secs(f.delivery_give_up_hours * 3600),
                delivery_lease: std::time::Duration::from_secs(f.delivery_lease_seconds),
                retry_base: std::time::Duration::from_secs(f.retry_base_seconds),
            },
            comments: Comments {
                moderation,
                max_parent_depth: raw.comments.max_parent_depth,
            },
            cache: Cache {
                enabled: c.enabled,
                max_entries: c.max_entries,
                max_bytes: c.max_bytes,
                max_age: std::time::Duration::from_secs(c.max_age_seconds),
            },
            limits: Limits {
                interact_per_minute: l.interact_per_minute,
                interact_concurrency: l.interact_concurrency,
                max_connections: l.max_connections,
                header_read_timeout: std::time::Duration::from_secs(l.header_read_timeout_seconds),
                body_read_timeout: std::time::Duration::from_secs(l.body_read_timeout_seconds),
                write_timeout: std::time::Duration::from_secs(l.write_timeout_seconds),
                request_timeout: std::time::Duration::from_secs(l.request_timeout_seconds),
                shutdown_grace: std::time::Duration::from_secs(l.shutdown_grace_seconds),
                inbox,
                pages,
            },
        })
    }

    /// The directory of the embedded PostgreSQL cluster.
    pub fn embedded_pg_dir(&self) -> PathBuf {
        self.data_dir.join("postgres")
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

/// A per-client rate from its `…_per_minute` (0: no limit) and `…_burst` keys.
fn rate(
    (per_minute_key, per_minute): (&'static str, u32),
    (burst_key, burst): (&'static str, u32),
) -> Result<Option<Rate>, (&'static str, String)> {
    const MAX: u32 = 1_000_000;
    if per_minute > MAX {
        return Err((
            per_minute_key,
            format!("must be between 0 (no limit) and {MAX}"),
        ));
    }
    if !(1..=MAX).contains(&burst) {
        return Err((burst_key, format!("must be between 1 and {MAX}")));
    }
    Ok((per_minute > 0).then_some(Rate { per_minute, burst }))
}

fn non_empty(value: String) -> Option<String> {
    let value = value.trim().to_string();
    (!value.is_empty()).then_some(value)
}

/// Where a key's value came from, for error messages: the env variable or the file.
fn origin_of(figment: &Figment, key: &str) -> String {
    match figment.find_metadata(key) {
        Some(meta) if meta.name.contains("environment") => {
            if key == "database_url" {
                "by DATABASE_URL".to_string()
            } else {
                format!("by REVIEWPUB_{}", key.replace('.', "__").to_uppercase())
            }
        }
        Some(meta) => match &meta.source {
            Some(source) => format!("in {source}"),
            None => format!("by {}", meta.name),
        },
        None => "nowhere".to_string(),
    }
}

fn describe_figment_error(error: figment::Error) -> String {
    let key = error.path.join(".");
    let source = error
        .metadata
        .as_ref()
        .map(|m| match &m.source {
            Some(s) => format!(" in {s}"),
            None => format!(" from {}", m.name),
        })
        .unwrap_or_default();
    if key.is_empty() {
        format!("{}{source}", error.kind)
    } else {
        format!("`{key}`{source}: {}", error.kind)
    }
}

#[cfg(test)]
#[allow(
    clippy::result_large_err,
    reason = "figment's `Jail::expect_with` closures must return its large `figment::Error`"
)]
mod tests;
