//! Verifying draft-cavage HTTP signatures ourselves, where the crate offers no axum helper:
//! signed GETs in secure mode (`authorized_fetch`). Same format, same library underneath.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};
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

enum PrivateKey {
    Ring(ring::rsa::KeyPair),
    Rsa(rsa::RsaPrivateKey),
}

/// Signs outgoing POSTs as one actor: `Digest` of the body, then a draft-cavage signature over
/// `(request-target)`, every header already set (`host`, `date`, `content-type`, …) and `digest`.
#[derive(Clone)]
pub struct Signer {
    key_id: Arc<str>,
    key: Arc<PrivateKey>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for `actor_id` (key id `…#main-key`) from its PKCS#8 PEM private key.
    pub fn new(
        actor_id: &Url,
        private_key_pem: &str,
        backend: SigningBackend,
    ) -> Result<Self, FederationError> {
        use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
        let unusable = |e: String| FederationError::Internal(format!("unusable private key: {e}"));
        let parsed = rsa::RsaPrivateKey::from_pkcs8_pem(private_key_pem)
            .map_err(|e| unusable(e.to_string()))?;
        let key = match backend {
            SigningBackend::Rsa => PrivateKey::Rsa(parsed),
            SigningBackend::Ring => {
                let der = parsed.to_pkcs8_der().map_err(|e| unusable(e.to_string()))?;
                PrivateKey::Ring(
                    ring::rsa::KeyPair::from_pkcs8(der.as_bytes())
                        .map_err(|e| unusable(e.to_string()))?,
                )
            }
        };
        Ok(Self {
            key_id: format!("{actor_id}#main-key").into(),
            key: Arc::new(key),
        })
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The base64 RSASSA-PKCS1-v1_5 SHA-256 signature of `signing_string`.
    pub fn sign_string(&self, signing_string: &str) -> Result<String, FederationError> {
        let failed = |e: String| FederationError::Internal(format!("signing failed: {e}"));
        let signature = match &*self.key {
            PrivateKey::Ring(pair) => {
                static RNG: LazyLock<ring::rand::SystemRandom> =
                    LazyLock::new(ring::rand::SystemRandom::new);
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &*RNG,
                    signing_string.as_bytes(),
                    &mut signature,
                )
                .map_err(|e| failed(e.to_string()))?;
                signature
            }
            PrivateKey::Rsa(key) => key
                .sign(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(signing_string.as_bytes()),
                )
                .map_err(|e| failed(e.to_string()))?,
        };
        Ok(BASE64.encode(signature))
    }

    /// Adds `Digest` and `Signature` to a POST and attaches `body`. The hashing and the RSA
    /// work run on the blocking pool, off the async workers.
    pub async fn sign(
        &self,
        builder: reqwest::RequestBuilder,
        body: bytes::Bytes,
    ) -> Result<reqwest::Request, FederationError> {
        use activitypub_federation::error::Error as ApubError;
        use http_signature_normalization_reqwest::digest::SignExt;
        static CONFIG: LazyLock<http_signature_normalization_reqwest::Config> =
            LazyLock::new(|| {
                http_signature_normalization_reqwest::Config::new().set_expiration(MAX_AGE)
            });
        let signer = self.clone();
        builder
            .signature_with_digest(
                CONFIG.clone(),
                self.key_id.to_string(),
                Sha256::new(),
                body,
                move |signing_string| {
                    signer
                        .sign_string(signing_string)
                        .map_err(|e| ApubError::Other(e.to_string()))
                },
            )
            .await
            .map_err(|e| FederationError::Internal(format!("signing failed: {e}")))
    }
}
