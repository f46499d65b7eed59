//! Servers, as we compare them: the one home of "which host is this" and "same server".
//!
//! A host name is lowercase ASCII (international names in their IDNA form, as the URL parser
//! gives them), without the trailing dot of a fully qualified name: `Evil.Example.` and
//! `evil.example` are one server. An authority adds the port when it is not the scheme's
//! default: per-host delivery state, same-origin checks and domain blocks compare authorities.
//! The database holds the same normalization for blocks (`url_host`, `actor_is_blocked`).

use std::fmt;

use url::Url;

use super::Invalid;

/// A normalized host name: `evil.example`, `xn--bcher-kva.example`, `[::1]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostName(String);

impl HostName {
    /// A server as typed by a person, normalized to an authority: `Evil.Example.` →
    /// `evil.example`, `@evil.example`, `bücher.example` → `xn--bcher-kva.example`,
    /// `evil.example:8443` keeps its port (`:443` is dropped).
    pub fn parse_authority(raw: &str) -> Result<String, Invalid> {
        let raw = raw.trim().trim_start_matches('@');
        let bad = || Invalid("must be a host name such as bad.example".into());
        if raw.is_empty() || raw.contains(['/', '?', '#', '@', ' ', '\\']) {
            return Err(bad());
        }
        let url = Url::parse(&format!("https://{raw}/")).map_err(|_| bad())?;
        authority_of_url(&url).ok_or_else(bad)
    }

    /// The host of a URL, normalized; `None` for URLs without one.
    pub fn of_url(url: &Url) -> Option<Self> {
        let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
        (!host.is_empty()).then_some(Self(host))
    }

    /// The host of a URL given as text.
    pub fn of(url: &str) -> Option<Self> {
        Url::parse(url).ok().as_ref().and_then(Self::of_url)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `host` or `host:port` (a port only when it is not the scheme's default), normalized; the
/// unit of per-host delivery limits and backoff and of handles (`@user@host`).
pub fn authority_of_url(url: &Url) -> Option<String> {
    let host = HostName::of_url(url)?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.0,
    })
}

/// [`authority_of_url`] of a URL given as text; empty when it is not a URL with a host.
pub fn authority(url: &str) -> String {
    Url::parse(url)
        .ok()
        .as_ref()
        .and_then(authority_of_url)
        .unwrap_or_default()
}

/// Both URLs name the same host (normalized), whatever their ports: the looser rule, for an
/// actor's inbox, which some servers serve on another port than their actors.
pub fn same_host(a: &Url, b: &Url) -> bool {
    match (HostName::of_url(a), HostName::of_url(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// Both URLs are on the same server (same normalized host and port; the scheme may differ,
/// as `verify_domains_match` allows).
pub fn same_server(a: &Url, b: &Url) -> bool {
    match (authority_of_url(a), authority_of_url(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("URL")
    }

    #[test]
    fn typed_servers_are_normalized() {
        for typed in [
            "evil.example",
            "Evil.Example.",
            "@evil.example",
            " EVIL.EXAMPLE:443 ",
        ] {
            assert_eq!(
                HostName::parse_authority(typed).expect(typed),
                "evil.example"
            );
        }
        assert_eq!(
            HostName::parse_authority("Evil.Example.:8443").expect("port"),
            "evil.example:8443"
        );
        assert_eq!(
            HostName::parse_authority("bücher.example").expect("idn"),
            "xn--bcher-kva.example"
        );
        for bad in ["evil.example/path", "", "a b", "user@evil.example"] {
            assert!(HostName::parse_authority(bad).is_err(), "{bad}");
        }
        assert_eq!(
            HostName::of("https://EVIL.example./users/x")
                .expect("host")
                .as_str(),
            "evil.example"
        );
    }

    #[test]
    fn authorities_drop_default_ports_and_trailing_dots() {
        assert_eq!(authority("https://Evil.Example.:443/inbox"), "evil.example");
        assert_eq!(authority("http://localhost:8000/inbox"), "localhost:8000");
        assert_eq!(authority("not a url"), "");
        assert!(same_server(
            &url("https://evil.example./a"),
            &url("https://EVIL.example/b")
        ));
        assert!(!same_server(
            &url("https://evil.example/a"),
            &url("https://evil.example:8443/a")
        ));
        assert!(!same_server(
            &url("https://a.example/"),
            &url("https://b.example/")
        ));
    }
}
