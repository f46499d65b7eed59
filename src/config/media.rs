//! The `[media]` section: where images are kept (local disk, or an S3-compatible bucket that
//! several reviewpub processes share) and how large an upload may be.

use secrecy::SecretString;
use serde::Deserialize;

use super::raw::text;

/// Where images are kept and what an upload may be.
#[derive(Debug, Clone)]
pub struct Media {
    pub store: MediaStore,
    /// The largest upload taken, in bytes.
    pub max_upload_bytes: usize,
    /// The most pixels (width × height) an upload may decode to.
    pub max_pixels: u64,
}

#[derive(Debug, Clone)]
pub enum MediaStore {
    /// `media` under the data directory.
    Local,
    S3(S3),
}

/// An S3-compatible bucket (AWS, MinIO, Garage, Ceph…).
#[derive(Debug, Clone)]
pub struct S3 {
    pub bucket: String,
    /// The service's address (`None`: AWS's, from the region).
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    /// Whether a plain `http://` endpoint is allowed (a store on loopback or a private net).
    pub allow_http: bool,
}

#[derive(Deserialize)]
pub(super) struct RawMedia {
    #[serde(deserialize_with = "text")]
    store: String,
    max_upload_bytes: usize,
    max_pixels: u64,
    #[serde(deserialize_with = "text")]
    bucket: String,
    #[serde(deserialize_with = "text")]
    endpoint: String,
    #[serde(deserialize_with = "text")]
    region: String,
    #[serde(deserialize_with = "text")]
    access_key_id: String,
    #[serde(deserialize_with = "text")]
    secret_access_key: String,
    allow_http: bool,
}

/// The checked section, or the key at fault and why.
pub(super) fn validate(raw: RawMedia) -> Result<Media, (&'static str, String)> {
    if !(1024..=100 * 1024 * 1024).contains(&raw.max_upload_bytes) {
        return Err((
            "media.max_upload_bytes",
            "must be between 1024 and 104857600".into(),
        ));
    }
    if !(1..=200_000_000).contains(&raw.max_pixels) {
        return Err(("media.max_pixels", "must be between 1 and 200000000".into()));
    }
    let store = match raw.store.trim() {
        "local" => MediaStore::Local,
        "s3" => {
            let required = |key: &'static str, value: &str| {
                let value = value.trim();
                if value.is_empty() {
                    Err((key, "is required with media.store = \"s3\"".to_string()))
                } else {
                    Ok(value.to_string())
                }
            };
            let endpoint = match raw.endpoint.trim() {
                "" => None,
                e => match url::Url::parse(e) {
                    Ok(u) if u.scheme() == "https" || (u.scheme() == "http" && raw.allow_http) => {
                        Some(e.trim_end_matches('/').to_string())
                    }
                    Ok(u) if u.scheme() == "http" => {
                        return Err((
                            "media.endpoint",
                            "is http://: set media.allow_http = true to allow it".into(),
                        ))
                    }
                    _ => return Err(("media.endpoint", "must be an http(s) URL".into())),
                },
            };
            MediaStore::S3(S3 {
                bucket: required("media.bucket", &raw.bucket)?,
                endpoint,
                region: required("media.region", &raw.region)?,
                access_key_id: required("media.access_key_id", &raw.access_key_id)?,
                secret_access_key: SecretString::from(required(
                    "media.secret_access_key",
                    &raw.secret_access_key,
                )?),
                allow_http: raw.allow_http,
            })
        }
        _ => return Err(("media.store", "must be \"local\" or \"s3\"".into())),
    };
    Ok(Media {
        store,
        max_upload_bytes: raw.max_upload_bytes,
        max_pixels: raw.max_pixels,
    })
}
