//! Validation: the raw values checked and turned into `Settings`, with errors that name the
//! key and where its value came from.

use std::net::SocketAddr;

use figment::Figment;
use secrecy::SecretString;
use url::Url;

use super::raw::Raw;
use super::{
    Cache, Comments, ConfigError, EmbeddedPostgresSettings, Federation, Limits, LogFormat,
    Moderation, PublicUrl, Rate, Settings, SigningBackend, Site,
};
use crate::domain::{Handle, Language};

/// How many other accounts the blog may name in `alsoKnownAs` (Mastodon keeps at most 10 aliases).
const MAX_ALIASES: usize = 10;

impl Settings {
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
        let time_zone: chrono_tz::Tz = raw.site.time_zone.trim().parse().map_err(|_| {
            invalid(
                "site.time_zone",
                format!(
                    "{:?} is not a time zone: give an IANA name such as \"Europe/Paris\" or \"UTC\"",
                    raw.site.time_zone
                ),
            )
        })?;
        let f = &raw.federation;
        if f.also_known_as.len() > MAX_ALIASES {
            return Err(invalid(
                "federation.also_known_as",
                format!("lists at most {MAX_ALIASES} accounts"),
            ));
        }
        let also_known_as = f
            .also_known_as
            .iter()
            .map(|id| {
                Url::parse(id.trim())
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                    .ok_or_else(|| {
                        invalid(
                            "federation.also_known_as",
                            format!(
                                "{id:?} is not an account's id: give the old account's ActivityPub \
                                 id, an http(s) URL such as https://mastodon.example/users/critic"
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
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
        within(
            "federation.host_unavailable_after_hours",
            f.host_unavailable_after_hours,
            1,
            24 * 365,
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
        within(
            "comments.close_after_days",
            u64::from(raw.comments.close_after_days),
            0,
            3650,
        )?;
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
        let notifications = super::notifications::parse(raw.notifications)
            .map_err(|(key, message)| invalid(key, message))?;
        if raw.embedded_postgres.run_as.trim().is_empty() {
            return Err(invalid(
                "embedded_postgres.run_as",
                "must name a user".into(),
            ));
        }

        let media = super::media::validate(raw.media).map_err(|(key, m)| invalid(key, m))?;

        Ok(Settings {
            media,
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
                time_zone,
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
                quote_policy: f.quote_policy,
                also_known_as,
                delivery_give_up: std::time::Duration::from_secs(f.delivery_give_up_hours * 3600),
                host_unavailable_after: std::time::Duration::from_secs(
                    f.host_unavailable_after_hours * 3600,
                ),
                delivery_lease: std::time::Duration::from_secs(f.delivery_lease_seconds),
                retry_base: std::time::Duration::from_secs(f.retry_base_seconds),
            },
            comments: Comments {
                moderation,
                max_parent_depth: raw.comments.max_parent_depth,
                close_after: (raw.comments.close_after_days > 0)
                    .then(|| chrono::Duration::days(i64::from(raw.comments.close_after_days))),
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
            notifications,
        })
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
