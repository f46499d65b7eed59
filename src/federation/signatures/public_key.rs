//! An actor's RSA public key, parsed once for verifying: by the configured backend's native
//! code (ring or AWS-LC verify RSA-2048 several times faster than the pure-Rust `rsa` crate),
//! or by the `rsa` crate when that backend is chosen.

use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};

use super::SigningBackend;
use crate::federation::FederationError;

/// The longest PEM public key read (an RSA-16384 key is about 3 KiB).
pub const MAX_PEM_BYTES: usize = 16 * 1024;

/// A public key ready to verify RSASSA-PKCS1-v1_5 SHA-256 signatures.
#[derive(Clone)]
pub enum PublicKey {
    Rsa(RsaPublicKey),
    /// The key's PKCS#1 `RSAPublicKey` DER, which ring and AWS-LC read.
    Ring(Vec<u8>),
    AwsLc(Vec<u8>),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rsa(_) => "PublicKey(rsa)",
            Self::Ring(_) => "PublicKey(ring)",
            Self::AwsLc(_) => "PublicKey(aws-lc)",
        })
    }
}

impl PublicKey {
    /// Parses a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) for `backend`.
    pub fn from_pem(pem: &str, backend: SigningBackend) -> Result<Self, FederationError> {
        let unusable =
            || FederationError::Unauthorized("the signer's key is not a usable RSA key".into());
        if pem.len() > MAX_PEM_BYTES {
            return Err(unusable());
        }
        let key = RsaPublicKey::from_public_key_pem(pem).map_err(|_| unusable())?;
        let der = || {
            key.to_pkcs1_der()
                .map(|d| d.as_bytes().to_vec())
                .map_err(|_| unusable())
        };
        Ok(match backend {
            SigningBackend::Rsa => Self::Rsa(key),
            SigningBackend::Ring => Self::Ring(der()?),
            SigningBackend::AwsLc => Self::AwsLc(der()?),
        })
    }

    /// Whether `signature` is this key's signature of `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Rsa(key) => key
                .verify(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(message),
                    signature,
                )
                .is_ok(),
            Self::Ring(der) => ring::signature::UnparsedPublicKey::new(
                &ring::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                der,
            )
            .verify(message, signature)
            .is_ok(),
            Self::AwsLc(der) => aws_lc_rs::signature::UnparsedPublicKey::new(
                &aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                der,
            )
            .verify(message, signature)
            .is_ok(),
        }
    }
}
