//! Where this server may connect: the one rule for deliveries, fetches of other servers'
//! documents and of an old blog's images.
//!
//! Host names are checked again when they resolve (the HTTP clients' resolver refuses
//! non-public addresses unless `allow_private_networks`); an IP-literal host is never
//! resolved, so it must be judged here, before any connection.

use std::net::IpAddr;

use url::{Host, Url};

/// Why a destination is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("only http(s) addresses are allowed")]
    Scheme,
    #[error("plain http:// is not allowed")]
    PlainHttp,
    #[error("the address has no host")]
    NoHost,
    #[error("loopback hosts are not allowed")]
    Loopback,
    #[error("private, loopback and link-local addresses are not allowed")]
    Private,
}

/// Whether an address is on the public internet (not loopback, private, link-local, shared,
/// documentation, benchmarking, multicast or reserved; IPv4-mapped IPv6 judged as IPv4).
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
                || (a == 192 && b == 0))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_address(IpAddr::V4(v4)),
            None => {
                let [first, second, ..] = v6.segments();
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80
                    || first == 0x2001 && second == 0x0db8)
            }
        },
    }
}

/// May we connect to `url`? http(s) only; unless `allow_private`, never to `localhost` (and
/// its subdomains) nor to an IP literal that is not public. `https_only` refuses plain
/// `http://` too unless `allow_private` (deliveries and fetches of documents; an old blog's
/// images may be on http).
pub fn check(url: &Url, allow_private: bool, https_only: bool) -> Result<(), Refused> {
    match url.scheme() {
        "https" => {}
        "http" if allow_private || !https_only => {}
        "http" => return Err(Refused::PlainHttp),
        _ => return Err(Refused::Scheme),
    }
    let host = url.host().ok_or(Refused::NoHost)?;
    if allow_private {
        return Ok(());
    }
    match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                return Err(Refused::Loopback);
            }
            // The URL parser reads IPv4 literals into `Host::Ipv4`; this is a safety net.
            match name.parse::<IpAddr>() {
                Ok(ip) if !is_public_address(ip) => Err(Refused::Private),
                _ => Ok(()),
            }
        }
        Host::Ipv4(ip) if !is_public_address(IpAddr::V4(ip)) => Err(Refused::Private),
        Host::Ipv6(ip) if !is_public_address(IpAddr::V6(ip)) => Err(Refused::Private),
        Host::Ipv4(_) | Host::Ipv6(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn private_destinations_are_refused_unless_allowed() {
        for bad in [
            "http://localhost:8000/inbox",
            "https://LOCALHOST./x",
            "https://db.localhost/x",
            "https://127.0.0.1/inbox",
            "http://127.1:5432/",
            "http://2130706433/",
            "http://0x7f.0.0.1/",
            "https://10.1.2.3/inbox",
            "https://[::1]/inbox",
            "https://[::ffff:127.0.0.1]/inbox",
            "https://[fe80::1]/x",
            "https://100.64.1.2/inbox",
            "http://169.254.169.254/latest/meta-data/",
            "http://0.0.0.0/",
        ] {
            assert!(check(&url(bad), false, false).is_err(), "{bad}");
            assert!(check(&url(bad), true, true).is_ok(), "{bad} allowed");
        }
        for good in [
            "https://93.184.216.34/inbox",
            "https://mastodon.example/inbox",
            "http://oldblog.example/a.jpg",
            "https://[2606:4700::1111]/x",
        ] {
            assert_eq!(check(&url(good), false, false), Ok(()), "{good}");
        }
        assert_eq!(
            check(&url("http://mastodon.example/inbox"), false, true),
            Err(Refused::PlainHttp)
        );
        assert_eq!(
            check(&url("ftp://oldblog.example/a.jpg"), true, false),
            Err(Refused::Scheme)
        );
        assert_eq!(
            check(&url("file:///etc/passwd"), true, false),
            Err(Refused::Scheme)
        );
    }
}
