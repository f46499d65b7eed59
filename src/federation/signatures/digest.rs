//! The draft-cavage `Digest` header (RFC 3230) of an inbox POST: `SHA-256=<base64>`, as
//! Mastodon, Misskey and the others send it, must match the body.

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256, Sha512};

use super::{one_header, refused};
use crate::federation::FederationError;

/// The body matches its `Digest`: one header, every SHA-256 or SHA-512 member it holds
/// matches, and there is at least one of them (others, such as MD5, are not trusted alone).
pub fn check_digest(headers: &HeaderMap, body: &[u8]) -> Result<(), FederationError> {
    let value = one_header(headers, "digest")?;
    let mut checked = false;
    for member in value.split(',') {
        let Some((algorithm, encoded)) = member.trim().split_once('=') else {
            continue;
        };
        let actual = match algorithm.to_ascii_lowercase().as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        if BASE64.decode(encoded.trim()).ok().as_deref() != Some(actual.as_slice()) {
            return Err(refused("the Digest does not match the body"));
        }
        checked = true;
    }
    if checked {
        Ok(())
    } else {
        Err(refused("the Digest header holds no SHA-256 or SHA-512"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("digest", HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_digest_must_name_a_sha_and_match_the_body() {
        let body = b"{\"type\":\"Create\"}";
        let good = format!("SHA-256={}", BASE64.encode(Sha256::digest(body)));
        assert!(check_digest(&with(&good), body).is_ok());
        let lower = format!("sha-256={}", BASE64.encode(Sha256::digest(body)));
        assert!(check_digest(&with(&lower), body).is_ok());
        assert!(check_digest(&with(&good), b"{\"type\":\"Delete\"}").is_err());
        assert!(check_digest(&with("MD5=abc"), body).is_err());
        let both = format!("{good}, SHA-512={}", BASE64.encode(Sha256::digest(body)));
        assert!(
            check_digest(&with(&both), body).is_err(),
            "a wrong member fails the whole"
        );
        assert!(check_digest(&HeaderMap::new(), body).is_err());
    }
}
