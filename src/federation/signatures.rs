//! Verifying draft-cavage HTTP signatures ourselves, where the crate offers no axum helper:
//! signed GETs in secure mode (`authorized_fetch`). Same format, same library underneath.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Duration;

use axum::http::{HeaderMap, Method};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use url::Url;

use super::FederationError;

/// How old a signature's `Date` may be (Mastodon allows about an hour of skew).
const MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// The actor a request's signature names: its `keyId` without the fragment.
pub fn signer(headers: &HeaderMap) -> Result<Url, FederationError> {
    let signature = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| FederationError::Unauthorized("the request is not signed".into()))?;
    let key_id = signature
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("keyId="))
        .map(|v| v.trim_matches('"'))
        .next()
        .ok_or_else(|| FederationError::Unauthorized("the signature has no keyId".into()))?;
    let mut url = Url::parse(key_id)
        .map_err(|_| FederationError::Unauthorized(format!("keyId {key_id} is not a URL")))?;
    url.set_fragment(None);
    Ok(url)
}

/// Refuses a signature that covers no time (`date` or `(created)`): it could be replayed forever.
pub fn require_signed_time(headers: &HeaderMap) -> Result<(), FederationError> {
    let signature = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let covered = signature
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("headers="))
        .map(|v| v.trim_matches('"').to_ascii_lowercase())
        .next()
        // Without a `headers` parameter only `(created)` is signed (draft-cavage default).
        .unwrap_or_else(|| "(created)".into());
    if covered.split(' ').any(|h| h == "date" || h == "(created)") {
        Ok(())
    } else {
        Err(FederationError::Unauthorized(
            "the signature must cover `date` or `(created)`".into(),
        ))
    }
}

/// Checks a request's signature against a public key; `host` stands in for a missing Host.
pub fn verify(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    host: &str,
    public_key_pem: &str,
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
    map.entry("host".to_string())
        .or_insert_with(|| host.to_string());
    let config = if require_digest {
        &*WITH_DIGEST
    } else {
        &*PLAIN
    };
    let key = RsaPublicKey::from_public_key_pem(public_key_pem)
        .map_err(|e| FederationError::Unauthorized(format!("unusable public key: {e}")))?;
    let verified = config
        .begin_verify(method.as_str(), path_and_query, map)
        .map_err(|e| FederationError::Unauthorized(format!("bad signature header: {e}")))?
        .verify(|signature, signing_string| {
            BASE64.decode(signature).is_ok_and(|sig| {
                key.verify(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(signing_string.as_bytes()),
                    &sig,
                )
                .is_ok()
            })
        });
    if verified {
        Ok(())
    } else {
        Err(FederationError::Unauthorized(
            "the signature does not verify".into(),
        ))
    }
}
