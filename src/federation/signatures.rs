//! Verifying draft-cavage HTTP signatures ourselves, where the crate offers no axum helper:
//! signed GETs in secure mode (`authorized_fetch`). Same format, same library underneath.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Duration;

use axum::http::{HeaderMap, Method};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use url::Url;

use super::FederationError;

mod digest;
mod public_key;
mod signer;
pub use digest::check_digest;
pub use public_key::PublicKey;
pub use signer::Signer;

/// How old a signature's `Date` may be (Mastodon allows about an hour of skew).
const MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// How far a signed time may lie ahead of our clock.
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);
/// The furthest `expires` we accept (Mastodon's expiration window limit).
const MAX_EXPIRES_AHEAD: Duration = Duration::from_secs(12 * 60 * 60);

/// A draft-cavage `Signature` header, parsed strictly: every parameter at most once, the
/// covered headers lowercased, `created`/`expires` as numbers. What the signature libraries
/// later parse again is only ever a header that passed here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub key_id: String,
    /// The covered components, in order (`(request-target)`, `host`, `date`, …).
    pub headers: Vec<String>,
    pub created: Option<i64>,
    pub expires: Option<i64>,
}

pub(crate) fn refused(message: impl Into<String>) -> FederationError {
    FederationError::Unauthorized(message.into())
}

impl SignatureHeader {
    /// Parses `keyId="…",algorithm="…",headers="…",signature="…"` (`created` and `expires`
    /// may be bare numbers). A repeated parameter, an unknown shape or a missing `keyId` or
    /// `signature` is refused.
    pub fn parse(value: &str) -> Result<Self, FederationError> {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut rest = value.trim();
        while !rest.is_empty() {
            let (name, after) = rest
                .split_once('=')
                .ok_or_else(|| refused("the Signature header is malformed"))?;
            let name = name.trim().to_ascii_lowercase();
            let after = after.trim_start();
            let (value, after) = match after.strip_prefix('"') {
                Some(quoted) => {
                    let (value, after) = quoted
                        .split_once('"')
                        .ok_or_else(|| refused("the Signature header has an open quote"))?;
                    (value, after.trim_start())
                }
                None => match after.split_once(',') {
                    Some((value, after)) => (value.trim(), after),
                    None => (after.trim(), ""),
                },
            };
            rest = match after.strip_prefix(',') {
                Some(next) => next.trim_start(),
                None if after.is_empty() => "",
                None => return Err(refused("the Signature header is malformed")),
            };
            if name.is_empty() || seen.insert(name.clone(), value.to_string()).is_some() {
                return Err(refused(format!(
                    "the Signature header repeats or lacks a parameter name ({name:?})"
                )));
            }
        }
        let number = |name: &str| -> Result<Option<i64>, FederationError> {
            seen.get(name)
                .map(|v| {
                    v.parse::<i64>()
                        .map_err(|_| refused(format!("the signature's `{name}` is not a number")))
                })
                .transpose()
        };
        let created = number("created")?;
        let expires = number("expires")?;
        let key_id = seen
            .get("keyid")
            .filter(|k| !k.is_empty())
            .ok_or_else(|| refused("the signature has no keyId"))?
            .clone();
        if seen.get("signature").is_none_or(|s| s.is_empty()) {
            return Err(refused("the Signature header carries no signature"));
        }
        // Without a `headers` parameter only `(created)` is signed (draft-cavage default).
        let headers = seen
            .get("headers")
            .map(|h| {
                h.split_ascii_whitespace()
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_else(|| vec!["(created)".to_string()]);
        Ok(Self {
            key_id,
            headers,
            created,
            expires,
        })
    }

    fn covers(&self, component: &str) -> bool {
        self.headers.iter().any(|h| h == component)
    }

    /// The actor the signature names: its `keyId` without the fragment.
    pub fn signer(&self) -> Result<Url, FederationError> {
        let mut url = Url::parse(&self.key_id).map_err(|_| refused("the keyId is not a URL"))?;
        url.set_fragment(None);
        Ok(url)
    }
}

/// A time given by a signed request (its `Date` or `(created)`) must lie within the window:
/// at most an hour (and five minutes of skew) old, at most five minutes ahead.
pub(crate) fn check_window(
    what: &str,
    at: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), FederationError> {
    let now = now.timestamp();
    let oldest = now.saturating_sub((MAX_AGE + MAX_SKEW).as_secs() as i64);
    let latest = now.saturating_add(MAX_SKEW.as_secs() as i64);
    if (oldest..=latest).contains(&at) {
        Ok(())
    } else {
        Err(refused(format!(
            "the signature's {what} is outside the accepted window"
        )))
    }
}

/// The longest signature header read (`Signature`, `Signature-Input`, `Digest`…).
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// The one value of a signature header, as text of at most [`MAX_HEADER_BYTES`].
pub fn one_header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, FederationError> {
    let mut values = headers.get_all(name).iter();
    let value = values
        .next()
        .ok_or_else(|| refused(format!("no {name} header")))?;
    if values.next().is_some() {
        return Err(refused(format!("more than one {name} header")));
    }
    let value = value
        .to_str()
        .map_err(|_| refused(format!("the {name} header is not text")))?;
    if value.len() > MAX_HEADER_BYTES {
        return Err(refused(format!("the {name} header is too long")));
    }
    Ok(value)
}

/// Checks everything about a signed request but the cryptography, before any library sees
/// it: one well-formed `Signature` header that covers `(request-target)`, `host`, a time
/// (`date` or `(created)`) and, for an inbox POST, `digest`; signed times within the window
/// both ways; `expires` not past and not absurdly far. Returns the parsed header.
pub fn check_request(
    headers: &HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
    require_digest: bool,
) -> Result<SignatureHeader, FederationError> {
    if !headers.contains_key("signature") {
        return Err(refused("the request is not signed (no Signature header)"));
    }
    let value = one_header(headers, "signature")?;
    let signature = SignatureHeader::parse(value)?;
    for required in ["(request-target)", "host"] {
        if !signature.covers(required) {
            return Err(refused(format!("the signature must cover `{required}`")));
        }
    }
    if require_digest && !(signature.covers("digest") && headers.contains_key("digest")) {
        return Err(refused("a signed Digest header is required"));
    }
    let signs_date = signature.covers("date");
    let signs_created = signature.covers("(created)");
    if !signs_date && !signs_created {
        return Err(refused("the signature must cover `date` or `(created)`"));
    }
    if signs_date {
        let date = headers
            .get("date")
            .and_then(|d| d.to_str().ok())
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .ok_or_else(|| refused("the Date header is missing or not an HTTP date"))?;
        check_window("Date", date.timestamp(), now)?;
    }
    match signature.created {
        Some(created) => check_window("created time", created, now)?,
        None if signs_created => {
            return Err(refused("the signature covers `(created)` but gives none"))
        }
        None => {}
    }
    if let Some(expires) = signature.expires {
        let now = now.timestamp();
        let latest = now.saturating_add(MAX_EXPIRES_AHEAD.as_secs() as i64);
        if expires < now.saturating_sub(MAX_SKEW.as_secs() as i64) || expires > latest {
            return Err(refused(
                "the signature has expired or expires too far ahead",
            ));
        }
    }
    Ok(signature)
}

/// Checks a request's signature against a public key given as PEM (see [`verify_key`]).
pub fn verify(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    host: &str,
    public_key_pem: &str,
    require_digest: bool,
) -> Result<(), FederationError> {
    let key = PublicKey::from_pem(public_key_pem, SigningBackend::Ring)?;
    verify_key(method, path_and_query, headers, host, &key, require_digest)
}

/// Checks a request's signature against a public key. The signed `host` is verified against
/// `host`, our own configured authority, whatever the request's `Host` header says: a request
/// signed for another server cannot be replayed here.
pub fn verify_key(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    host: &str,
    key: &PublicKey,
    require_digest: bool,
) -> Result<(), FederationError> {
    static PLAIN: LazyLock<http_signature_normalization::Config> =
        LazyLock::new(|| http_signature_normalization::Config::new().set_expiration(MAX_AGE));
    static WITH_DIGEST: LazyLock<http_signature_normalization::Config> = LazyLock::new(|| {
        http_signature_normalization::Config::new()
            .set_expiration(MAX_AGE)
            .require_digest()
    });
    let mut map = BTreeMap::new();
    for (name, value) in headers {
        if let Ok(value) = value.to_str() {
            map.insert(name.to_string(), value.to_string());
        }
    }
    map.insert("host".to_string(), host.to_string());
    let config = if require_digest {
        &*WITH_DIGEST
    } else {
        &*PLAIN
    };
    let verified = config
        .begin_verify(method.as_str(), path_and_query, map)
        .map_err(|e| FederationError::Unauthorized(format!("bad signature header: {e}")))?
        .verify(|signature, signing_string| {
            BASE64
                .decode(signature)
                .is_ok_and(|sig| key.verifies(signing_string.as_bytes(), &sig))
        });
    if verified {
        Ok(())
    } else {
        Err(FederationError::Unauthorized(
            "the signature does not verify".into(),
        ))
    }
}

pub use crate::config::SigningBackend;

/// How a request is signed: RFC 9421 HTTP Message Signatures, or draft-cavage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    Rfc9421,
    DraftCavage,
}

#[cfg(test)]
mod tests;
