//! Requests signed by hand ([`RawSigned`]): what is signed and what is sent can differ.

use super::http_date;

/// A request signed by hand: what is signed and what is sent can differ.
pub struct RawSigned<'a> {
    pub method: &'a str,
    /// Path and query, as in `(request-target)`.
    pub target: &'a str,
    /// The headers sent, which are also the ones signed unless `signed` overrides them.
    pub headers: Vec<(&'a str, String)>,
    /// Header name → value put into the signing string instead of the sent one.
    pub signed: Vec<(&'a str, String)>,
    /// The components listed in `headers="…"`.
    pub components: &'a str,
    /// Extra parameters appended to the Signature header verbatim (`,created=…`).
    pub extra: &'a str,
    pub body: Option<String>,
    /// Another `keyId` than alice's.
    pub key_id: Option<String>,
}

impl<'a> RawSigned<'a> {
    /// A POST of `body` to `path` on `host`, signed as Mastodon signs (`(request-target) host
    /// date digest`), dated now.
    pub fn post(host: &str, path: &'a str, body: &serde_json::Value) -> Self {
        Self {
            method: "POST",
            target: path,
            headers: vec![
                ("host", host.to_string()),
                ("date", http_date(chrono::Utc::now())),
                ("content-type", "application/activity+json".to_string()),
            ],
            signed: Vec::new(),
            components: "(request-target) host date digest",
            extra: "",
            body: Some(body.to_string()),
            key_id: None,
        }
    }

    /// A GET of `path` on `host` asking for ActivityPub JSON, signed `(request-target) host
    /// date`, dated now.
    pub fn get(host: &str, path: &'a str) -> Self {
        Self {
            method: "GET",
            target: path,
            headers: vec![
                ("host", host.to_string()),
                ("date", http_date(chrono::Utc::now())),
                ("accept", "application/activity+json".to_string()),
            ],
            signed: Vec::new(),
            components: "(request-target) host date",
            extra: "",
            body: None,
            key_id: None,
        }
    }

    /// Replaces a header's value (sent and signed).
    pub fn with(mut self, name: &'a str, value: String) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value));
        self
    }
}
