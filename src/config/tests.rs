use super::*;
use figment::Jail;
use secrecy::ExposeSecret;

#[test]
#[allow(clippy::result_large_err)] // figment's Jail returns figment's (large) error
fn defaults_load() {
    Jail::expect_with(|_jail| {
        let settings = Settings::load().expect("defaults are valid");
        assert_eq!(settings.public_url.as_str(), "http://localhost:8080");
        assert_eq!(settings.handle.as_str(), "reviews");
        assert_eq!(settings.data_dir, PathBuf::from("./data"));
        assert!(settings.database_url.is_none());
        Ok(())
    });
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail returns figment's (large) error
fn local_file_overrides_defaults_and_env_overrides_both() {
    Jail::expect_with(|jail| {
        jail.create_dir("config")?;
        jail.create_file(
            "config/local.toml",
            "handle = \"fromfile\"\nlisten = \"127.0.0.1:9000\"\n[site]\ntitle = \"File title\"\n",
        )?;
        let settings = Settings::load().expect("valid");
        assert_eq!(settings.handle.as_str(), "fromfile");
        assert_eq!(settings.site.title, "File title");
        assert_eq!(settings.listen.port(), 9000);

        jail.set_env("REVIEWPUB_HANDLE", "fromenv");
        jail.set_env("REVIEWPUB_SITE__TITLE", "Env title");
        jail.set_env("REVIEWPUB_ADMIN_TOKEN", "12345678901234567890");
        jail.set_env("DATABASE_URL", "postgres://u@localhost/db");
        let settings = Settings::load().expect("valid");
        assert_eq!(settings.handle.as_str(), "fromenv");
        assert_eq!(settings.site.title, "Env title");
        assert_eq!(
            settings.admin_token.as_ref().map(|t| t.expose_secret()),
            Some("12345678901234567890"),
            "digits stay text"
        );
        assert_eq!(
            settings.listen.port(),
            9000,
            "file value kept where env is silent"
        );
        assert_eq!(
            settings.database_url.as_ref().map(|t| t.expose_secret()),
            Some("postgres://u@localhost/db")
        );
        Ok(())
    });
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail returns figment's (large) error
fn explicit_config_file_replaces_local_file() {
    Jail::expect_with(|jail| {
        jail.create_dir("config")?;
        jail.create_file("config/local.toml", "handle = \"local\"\n")?;
        jail.create_file("other.toml", "handle = \"other\"\n")?;
        jail.set_env("REVIEWPUB_CONFIG", "other.toml");
        assert_eq!(Settings::load().expect("valid").handle.as_str(), "other");
        jail.set_env("REVIEWPUB_CONFIG", "missing.toml");
        let err = Settings::load().expect_err("missing file");
        assert!(err.to_string().contains("missing.toml"), "{err}");
        Ok(())
    });
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail returns figment's (large) error
fn invalid_values_name_their_key() {
    Jail::expect_with(|jail| {
        jail.set_env("REVIEWPUB_PUBLIC_URL", "ftp://example");
        let err = Settings::load().expect_err("bad url").to_string();
        assert!(
            err.contains("`public_url`") && err.contains("REVIEWPUB_PUBLIC_URL"),
            "{err}"
        );

        jail.set_env("REVIEWPUB_PUBLIC_URL", "https://reviews.example");
        jail.set_env("REVIEWPUB_LISTEN", "not-an-address");
        let err = Settings::load().expect_err("bad listen").to_string();
        assert!(err.contains("`listen`"), "{err}");

        jail.set_env("REVIEWPUB_LISTEN", "127.0.0.1:1");
        jail.set_env("REVIEWPUB_HANDLE", "Bad Handle!");
        let err = Settings::load().expect_err("bad handle").to_string();
        assert!(err.contains("`handle`"), "{err}");

        jail.set_env("REVIEWPUB_HANDLE", "ok");
        jail.set_env("REVIEWPUB_SCHEDULER__INTERVAL_SECONDS", "soon");
        let err = Settings::load().expect_err("bad number").to_string();
        assert!(err.contains("scheduler.interval_seconds"), "{err}");
        Ok(())
    });
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail returns figment's (large) error
fn cache_settings_load_and_are_checked() {
    Jail::expect_with(|jail| {
        let settings = Settings::load().expect("defaults are valid");
        assert!(settings.cache.enabled);
        assert_eq!(settings.cache.max_age, std::time::Duration::from_secs(60));

        jail.set_env("REVIEWPUB_CACHE__ENABLED", "false");
        jail.set_env("REVIEWPUB_CACHE__MAX_ENTRIES", "50");
        let settings = Settings::load().expect("valid");
        assert!(!settings.cache.enabled);
        assert_eq!(settings.cache.max_entries, 50);

        jail.set_env("REVIEWPUB_CACHE__MAX_AGE_SECONDS", "0");
        let err = Settings::load().expect_err("zero max age").to_string();
        assert!(
            err.contains("`cache.max_age_seconds`")
                && err.contains("REVIEWPUB_CACHE__MAX_AGE_SECONDS"),
            "{err}"
        );
        Ok(())
    });
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail returns figment's (large) error
fn connection_and_rate_limits_load_and_are_checked() {
    Jail::expect_with(|jail| {
        let l = Settings::load().expect("defaults are valid").limits;
        assert_eq!(l.max_connections, 512);
        assert_eq!(l.header_read_timeout, std::time::Duration::from_secs(10));
        assert_eq!(
            l.inbox,
            Some(Rate {
                per_minute: 600,
                burst: 300
            })
        );

        jail.set_env("REVIEWPUB_LIMITS__PAGES_PER_MINUTE", "0");
        assert_eq!(Settings::load().expect("valid").limits.pages, None);

        jail.set_env("REVIEWPUB_LIMITS__INBOX_BURST", "0");
        let err = Settings::load().expect_err("zero burst").to_string();
        assert!(
            err.contains("`limits.inbox_burst`") && err.contains("REVIEWPUB_LIMITS__INBOX_BURST"),
            "{err}"
        );
        jail.set_env("REVIEWPUB_LIMITS__INBOX_BURST", "10");
        jail.set_env("REVIEWPUB_LIMITS__HEADER_READ_TIMEOUT_SECONDS", "0");
        let err = Settings::load().expect_err("zero timeout").to_string();
        assert!(
            err.contains("`limits.header_read_timeout_seconds`"),
            "{err}"
        );
        jail.set_env("REVIEWPUB_LIMITS__HEADER_READ_TIMEOUT_SECONDS", "5");
        jail.set_env("REVIEWPUB_LIMITS__MAX_CONNECTIONS", "0");
        let err = Settings::load().expect_err("no connections").to_string();
        assert!(err.contains("`limits.max_connections`"), "{err}");
        Ok(())
    });
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail returns figment's (large) error
fn secrets_never_appear_in_debug_output() {
    Jail::expect_with(|jail| {
        jail.set_env("REVIEWPUB_ADMIN_TOKEN", "admin-secret-0123456789");
        jail.set_env("DATABASE_URL", "postgres://u:db-password-42@localhost/db");
        let settings = Settings::load().expect("valid");
        let printed = format!("{settings:?} {settings:#?}");
        assert!(!printed.contains("admin-secret"), "{printed}");
        assert!(!printed.contains("db-password"), "{printed}");
        Ok(())
    });
}

#[test]
fn public_url_builds_ids() {
    let url = PublicUrl::parse("http://localhost:8080/").expect("valid");
    assert_eq!(url.domain(), "localhost:8080");
    assert_eq!(url.join("/reviews/x"), "http://localhost:8080/reviews/x");
    assert!(PublicUrl::parse("https://example.com/blog").is_err());
}

#[test]
fn media_store_settings_are_checked() {
    let with = |pairs: &[(&str, &str)]| {
        let mut figment = Settings::defaults();
        for (key, value) in pairs {
            figment = figment.merge((*key, *value));
        }
        Settings::from_figment(&figment)
    };
    assert!(matches!(
        with(&[]).expect("defaults").media.store,
        MediaStore::Local
    ));
    let refused = |pairs: &[(&str, &str)]| match with(pairs) {
        Err(ConfigError::Invalid { key, .. }) => key,
        other => panic!("accepted: {:?}", other.map(|s| s.media)),
    };
    assert_eq!(refused(&[("media.store", "ftp")]), "media.store");
    assert_eq!(refused(&[("media.store", "s3")]), "media.bucket");
    let s3 = [
        ("media.store", "s3"),
        ("media.bucket", "b"),
        ("media.access_key_id", "k"),
        ("media.secret_access_key", "very-secret-key"),
        ("media.endpoint", "http://127.0.0.1:9000"),
    ];
    assert_eq!(refused(&s3), "media.endpoint", "http needs allow_http");
    let mut figment = Settings::defaults();
    for (key, value) in s3 {
        figment = figment.merge((key, value));
    }
    let settings =
        Settings::from_figment(&figment.merge(("media.allow_http", true))).expect("valid");
    let MediaStore::S3(store) = &settings.media.store else {
        panic!("S3")
    };
    assert_eq!(store.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
    assert_eq!(store.secret_access_key.expose_secret(), "very-secret-key");
    assert!(!format!("{:?}", settings.media).contains("very-secret-key"));
}
