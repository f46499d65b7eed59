//! Signing as one of our actors: deliveries (draft-cavage or RFC 9421) and signed GETs, with
//! the configured backend's RSA.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use url::Url;

use super::{SigningBackend, MAX_AGE};
use crate::federation::FederationError;

/// At most one RSA signature per core at once: a fan-out hands hundreds of requests to the
/// blocking pool together, and more signing threads than cores only add switches between them.
async fn signing_turn() -> Result<tokio::sync::SemaphorePermit<'static>, FederationError> {
    static TURNS: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    TURNS
        .acquire()
        .await
        .map_err(|e| FederationError::internal("the signing turns", e))
}

enum PrivateKey {
    Ring(ring::rsa::KeyPair),
    AwsLc(aws_lc_rs::rsa::KeyPair),
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
        let unusable = |e: String| FederationError::internal("an unusable private key", e);
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
            SigningBackend::AwsLc => {
                let der = parsed.to_pkcs8_der().map_err(|e| unusable(e.to_string()))?;
                PrivateKey::AwsLc(
                    aws_lc_rs::rsa::KeyPair::from_pkcs8(der.as_bytes())
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
        let failed = |e: String| FederationError::internal("signing", e);
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
            PrivateKey::AwsLc(pair) => {
                static RNG: LazyLock<aws_lc_rs::rand::SystemRandom> =
                    LazyLock::new(aws_lc_rs::rand::SystemRandom::new);
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
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

    /// Signs a GET as Mastodon does: `Host` and `Date` are set, then `(request-target) host
    /// date` are signed. The RSA work runs on the blocking pool.
    pub async fn sign_get(&self, request: &mut reqwest::Request) -> Result<(), FederationError> {
        use reqwest::header::{HeaderValue, DATE, HOST};
        static CONFIG: LazyLock<http_signature_normalization::Config> =
            LazyLock::new(|| http_signature_normalization::Config::new().mastodon_compat());
        let host = crate::domain::authority(request.url().as_str());
        let date = crate::federation::delivery::http_date(chrono::Utc::now());
        let mut target = request.url().path().to_string();
        if let Some(query) = request.url().query() {
            target.push('?');
            target.push_str(query);
        }
        let headers = BTreeMap::from([
            ("host".to_string(), host.clone()),
            ("date".to_string(), date.clone()),
        ]);
        let unsigned = CONFIG
            .begin_sign(request.method().as_str(), &target, headers)
            .map_err(|e| FederationError::internal("preparing a signature", e))?;
        let signer = self.clone();
        let key_id = self.key_id.to_string();
        let _turn = signing_turn().await?;
        let header = tokio::task::spawn_blocking(move || {
            unsigned
                .sign(key_id, |signing_string| signer.sign_string(signing_string))
                .map(|signed| signed.signature_header())
        })
        .await
        .map_err(|e| FederationError::internal("the signing task", e))??;
        let value = |v: &str| {
            HeaderValue::from_str(v).map_err(|e| FederationError::internal("a signed header", e))
        };
        let headers = request.headers_mut();
        headers.insert(HOST, value(&host)?);
        headers.insert(DATE, value(&date)?);
        headers.insert("signature", value(&header)?);
        Ok(())
    }

    /// Adds `Content-Digest`, `Signature-Input` and `Signature` to a POST to `url` the RFC 9421
    /// way (as Mastodon 4.5 signs: `rsa-v1_5-sha256` over `@method`, `@target-uri` and
    /// `content-digest`, with `created` and `keyid`) and attaches `body`. The hashing and the
    /// RSA work run on the blocking pool.
    pub async fn sign_rfc9421(
        &self,
        builder: reqwest::RequestBuilder,
        url: &Url,
        body: bytes::Bytes,
    ) -> Result<reqwest::Request, FederationError> {
        let signer = self.clone();
        let target = url.to_string();
        let payload = body.clone();
        let _turn = signing_turn().await?;
        let (digest, input, signature) = tokio::task::spawn_blocking(move || {
            let digest = format!("sha-256=:{}:", BASE64.encode(Sha256::digest(&payload)));
            let created = chrono::Utc::now().timestamp();
            let params = format!(
                "(\"@method\" \"@target-uri\" \"content-digest\");created={created};keyid=\"{}\";alg=\"rsa-v1_5-sha256\"",
                signer.key_id
            );
            let base = format!(
                "\"@method\": POST\n\"@target-uri\": {target}\n\"content-digest\": {digest}\n\"@signature-params\": {params}"
            );
            let signature = signer.sign_string(&base)?;
            Ok::<_, FederationError>((digest, format!("sig1={params}"), format!("sig1=:{signature}:")))
        })
        .await
        .map_err(|e| FederationError::internal("signing a delivery", e))??;
        builder
            .header("content-digest", digest)
            .header("signature-input", input)
            .header("signature", signature)
            .body(body)
            .build()
            .map_err(|e| FederationError::internal("building a delivery", e))
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
        let _turn = signing_turn().await?;
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
            .map_err(|e| FederationError::internal("signing a delivery", e))
    }
}
