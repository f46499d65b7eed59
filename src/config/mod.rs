//! Configuration: `config/default.toml` (compiled in), overridden by an optional local file
//! (`config/local.toml`, or the file named by `REVIEWPUB_CONFIG`), overridden by environment
//! variables (`REVIEWPUB_<KEY>`, `REVIEWPUB_<SECTION>__<KEY>`, and `DATABASE_URL`).
//!
//! Raw values are read with figment and then parsed into typed settings; anything invalid stops
//! start-up with a message that names the key and where its value came from.

mod media;
mod notifications;
mod public_url;
mod raw;
mod sections;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use secrecy::SecretString;

use crate::domain::Handle;

pub use media::{Media, MediaStore, S3};
pub use notifications::{Digest, Email, Notifications};
pub use public_url::PublicUrl;
pub use sections::{
    Cache, Comments, EmbeddedPostgresSettings, Federation, Limits, LogFormat, Moderation, Rate,
    SigningBackend, Site,
};

const DEFAULT_TOML: &str = include_str!("../../config/default.toml");
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
    pub notifications: Notifications,
    pub media: Media,
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

    /// The directory of the embedded PostgreSQL cluster.
    pub fn embedded_pg_dir(&self) -> PathBuf {
        self.data_dir.join("postgres")
    }

    /// Where images are kept on local disk (`media.store = "local"`): `media` under the data
    /// directory.
    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

#[cfg(test)]
#[allow(
    clippy::result_large_err,
    reason = "figment's `Jail::expect_with` closures must return its large `figment::Error`"
)]
mod tests;
