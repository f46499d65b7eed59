//! RFC 9421 HTTP Message Signatures, as Mastodon 4.5 and Fedify send them, accepted beside
//! draft-cavage on the inbox and on signed GETs: `Signature-Input` names the covered
//! components and the parameters (`created`, `keyid`, `alg`), `Signature` holds the bytes,
//! `Content-Digest` (RFC 9530) the body's hash. Only `rsa-v1_5-sha256` (the algorithm of the
//! actors' RSA keys) is accepted; anything we cannot check is a `401`.

use axum::http::{HeaderMap, Method};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256, Sha512};
use url::Url;

use super::signatures::{check_window, one_header, refused, PublicKey};
use super::FederationError;

/// The most components one signature may cover.
const MAX_COMPONENTS: usize = 24;

/// One message signature, as its `Signature-Input` member gave it.
#[derive(Debug, Clone)]
pub struct MessageSignature {
    /// The covered components, in order (`@method`, `content-digest`, …).
    pub components: Vec<String>,
    /// The inner list and its parameters exactly as sent: the `@signature-params` line.
    params: String,
    pub created: Option<i64>,
    pub expires: Option<i64>,
    pub key_id: String,
    alg: Option<String>,
    signature: Vec<u8>,
}

/// Remembers that `actor`'s server signs the RFC 9421 way: so are our deliveries to it from
/// now on.
pub async fn remember_signer(data: &super::Context, actor: &Url) {
    data.federation
        .signature_kinds
        .insert(
            crate::domain::authority(actor.as_str()),
            super::signatures::SignatureKind::Rfc9421,
        )
        .await;
}

/// Whether a request is signed the RFC 9421 way.
pub fn is_present(headers: &HeaderMap) -> bool {
    headers.contains_key("signature-input")
}

/// The members of a structured-field dictionary (`label=value, label=value`), split at the
/// commas outside quotes and parentheses.
fn members(dictionary: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let (mut start, mut depth, mut quoted, mut escaped) = (0, 0i32, false, false);
    for (i, c) in dictionary.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(dictionary.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(dictionary.get(start..).unwrap_or_default());
    out.into_iter()
        .filter_map(|member| member.trim().split_once('='))
        .map(|(label, value)| (label.trim(), value.trim()))
        .collect()
}

/// Parses the first signature of `Signature-Input` and its bytes from `Signature`.
pub fn parse(headers: &HeaderMap) -> Result<MessageSignature, FederationError> {
    let input = one_header(headers, "signature-input")?;
    let signatures = one_header(headers, "signature")?;
    let (label, params) = members(input)
        .into_iter()
        .next()
        .ok_or_else(|| refused("an empty Signature-Input"))?;
    let bytes = members(signatures)
        .into_iter()
        .find(|(l, _)| *l == label)
        .and_then(|(_, v)| v.strip_prefix(':')?.strip_suffix(':'))
        .and_then(|b64| BASE64.decode(b64).ok())
        .ok_or_else(|| refused("no readable Signature for the Signature-Input's label"))?;
    let (list, rest) = params
        .strip_prefix('(')
        .and_then(|p| p.split_once(')'))
        .ok_or_else(|| refused("the Signature-Input is not an inner list"))?;
    let mut components = Vec::new();
    for item in list.split_whitespace() {
        let name = item
            .strip_prefix('"')
            .and_then(|i| i.strip_suffix('"'))
            .filter(|n| !n.is_empty() && !n.contains(['"', ';']))
            .ok_or_else(|| {
                refused("a covered component we cannot read (parameters are not supported)")
            })?;
        components.push(name.to_ascii_lowercase());
    }
    if components.len() > MAX_COMPONENTS {
        return Err(refused("too many covered components"));
    }
    let (mut created, mut expires, mut key_id, mut alg) = (None, None, None, None);
    for param in rest.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        let text = || value.trim_matches('"').to_string();
        match name {
            "created" => created = value.parse::<i64>().ok(),
            "expires" => expires = value.parse::<i64>().ok(),
            "keyid" => key_id = Some(text()),
            "alg" => alg = Some(text()),
            _ => {}
        }
    }
    Ok(MessageSignature {
        components,
        params: params.to_string(),
        created,
        expires,
        key_id: key_id.ok_or_else(|| refused("the signature names no keyid"))?,
        alg,
        signature: bytes,
    })
}

impl MessageSignature {
    fn covers(&self, component: &str) -> bool {
        self.components.iter().any(|c| c == component)
    }

    /// The actor the key belongs to: its `keyid` without the fragment.
    pub fn signer(&self) -> Result<Url, FederationError> {
        let mut url = Url::parse(&self.key_id).map_err(|_| refused("the keyid is not a URL"))?;
        url.set_fragment(None);
        Ok(url)
    }

    /// Everything but the cryptography: what it covers (the method, the target, and for an
    /// inbox POST the `Content-Digest`), its times within the window, an algorithm we know.
    pub fn check(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        require_digest: bool,
    ) -> Result<(), FederationError> {
        if !self.covers("@method") {
            return Err(refused("the signature must cover @method"));
        }
        if !(self.covers("@target-uri") || self.covers("@path") || self.covers("@request-target")) {
            return Err(refused("the signature must cover the target"));
        }
        if require_digest && !self.covers("content-digest") {
            return Err(refused("the signature must cover content-digest"));
        }
        let created = self
            .created
            .ok_or_else(|| refused("the signature gives no created time"))?;
        check_window("created time", created, now)?;
        if self.expires.is_some_and(|e| e < now.timestamp()) {
            return Err(refused("the signature has expired"));
        }
        match self.alg.as_deref() {
            None | Some("rsa-v1_5-sha256") => Ok(()),
            Some(other) => Err(refused(format!(
                "the signature algorithm {other} is not supported"
            ))),
        }
    }

    /// The signature base (RFC 9421 §2.5) of a request to `target` (our own URL for it).
    fn base(
        &self,
        method: &Method,
        target: &Url,
        headers: &HeaderMap,
    ) -> Result<String, FederationError> {
        let mut base = String::new();
        for name in &self.components {
            let value = match name.as_str() {
                "@method" => method.as_str().to_string(),
                "@target-uri" => target.to_string(),
                "@authority" => crate::domain::authority(target.as_str()),
                "@scheme" => target.scheme().to_string(),
                "@path" => target.path().to_string(),
                "@query" => format!("?{}", target.query().unwrap_or_default()),
                "@request-target" => match target.query() {
                    Some(q) => format!("{}?{q}", target.path()),
                    None => target.path().to_string(),
                },
                derived if derived.starts_with('@') => {
                    return Err(refused(format!("the component {derived} is not supported")))
                }
                field => {
                    let values: Vec<&str> = headers
                        .get_all(field)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .map(str::trim)
                        .collect();
                    if values.is_empty() {
                        return Err(refused(format!("the covered header {field} is missing")));
                    }
                    values.join(", ")
                }
            };
            base.push_str(&format!("\"{name}\": {value}\n"));
        }
        base.push_str(&format!("\"@signature-params\": {}", self.params));
        Ok(base)
    }

    /// Verifies the signature of the request to `target` with the signer's public key.
    pub fn verify(
        &self,
        method: &Method,
        target: &Url,
        headers: &HeaderMap,
        key: &PublicKey,
    ) -> Result<(), FederationError> {
        let base = self.base(method, target, headers)?;
        if key.verifies(base.as_bytes(), &self.signature) {
            Ok(())
        } else {
            Err(refused("the signature does not verify"))
        }
    }
}

/// The body matches its `Content-Digest` (RFC 9530): a `sha-256` or `sha-512` member.
pub fn check_content_digest(headers: &HeaderMap, body: &[u8]) -> Result<(), FederationError> {
    let value = one_header(headers, "content-digest")?;
    let mut known = false;
    for (alg, digest) in members(value) {
        let Some(expected) = digest
            .strip_prefix(':')
            .and_then(|d| d.strip_suffix(':'))
            .and_then(|d| BASE64.decode(d).ok())
        else {
            continue;
        };
        let actual = match alg {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        known = true;
        if actual != expected {
            return Err(refused("the Content-Digest does not match the body"));
        }
    }
    if known {
        Ok(())
    } else {
        Err(refused("no sha-256 or sha-512 Content-Digest"))
    }
}

#[cfg(test)]
mod tests;
