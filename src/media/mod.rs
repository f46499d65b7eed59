//! Images: stored in one place ([`store`]: local disk or an S3-compatible bucket) and served
//! from here (`/media/{name}`); fetched from an older blog by an import, or uploaded by the
//! critic ([`process`] checks, strips and sizes them; [`images`] attaches them to reviews).

pub mod avif;
pub mod images;
pub mod process;
pub mod store;

use std::time::Duration;

use crate::domain::destination::{self, Refused};
use crate::urls::Urls;
pub use store::{extension_of, Store};

/// The largest image fetched by an import.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Images fetched for one post at most.
pub const MAX_PER_POST: usize = 50;
/// How long one fetch may take, body included.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("not a web address")]
    Invalid,
    #[error("refused: {0}")]
    Refused(#[from] Refused),
    #[error("fetching failed: {0}")]
    Fetch(#[source] reqwest::Error),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("not an image this blog keeps (content type {0:?})")]
    Type(String),
    #[error("larger than {} MiB", MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("no answer within {FETCH_TIMEOUT:?}")]
    Timeout,
    #[error("storing it failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the media store failed: {0}")]
    Store(#[source] object_store::Error),
}

/// The media store and the client that fetches into it.
pub struct Media {
    store: Store,
    client: reqwest::Client,
    urls: Urls,
    allow_private: bool,
}

impl Media {
    /// Every address is first judged by [`destination::check`] (`allow_private`: the setting
    /// `allow_private_networks`); `client` must judge the addresses host names resolve to
    /// (the federation's client does: it refuses private ones unless that same setting).
    pub fn new(store: Store, client: reqwest::Client, urls: Urls, allow_private: bool) -> Self {
        Self {
            store,
            client,
            urls,
            allow_private,
        }
    }

    /// Fetches an image (bounded in size and time, http(s) only, never from the operator's
    /// network unless allowed, image types only), stores it and returns its address here.
    #[tracing::instrument(skip_all)]
    pub async fn fetch(&self, url: &str) -> Result<String, MediaError> {
        let parsed = url::Url::parse(url).map_err(|_| MediaError::Invalid)?;
        destination::check(&parsed, self.allow_private, false)?;
        let (bytes, extension) = tokio::time::timeout(FETCH_TIMEOUT, self.download(parsed))
            .await
            .map_err(|_| MediaError::Timeout)??;
        let name = self.store.put(bytes.into(), extension).await?;
        Ok(self.urls.media(&name))
    }

    async fn download(&self, url: url::Url) -> Result<(Vec<u8>, &'static str), MediaError> {
        let mut response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(MediaError::Fetch)?;
        if !response.status().is_success() {
            return Err(MediaError::Status(response.status().as_u16()));
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let extension = extension_of(&content_type).ok_or(MediaError::Type(content_type))?;
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BYTES as u64)
        {
            return Err(MediaError::TooLarge);
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(MediaError::Fetch)? {
            if bytes.len() + chunk.len() > MAX_BYTES {
                return Err(MediaError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((bytes, extension))
    }
}
