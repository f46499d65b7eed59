//! Images kept on local disk and served from here (`/media/{name}`): fetched from an older
//! blog by an import now, uploaded by the critic later. A file's name is the SHA-256 of its
//! bytes and an extension from its type, so a name never changes meaning and may be cached
//! for good; storing the same image twice keeps one file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::domain::destination::{self, Refused};
use crate::urls::Urls;

/// The largest image kept.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Images fetched for one post at most.
pub const MAX_PER_POST: usize = 50;
/// How long one fetch may take, body included.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(20);

/// Image types kept: content type → extension.
const TYPES: &[(&str, &str)] = &[
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
    ("image/avif", "avif"),
];

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
}

/// The media store and the client that fetches into it.
pub struct Media {
    dir: PathBuf,
    client: reqwest::Client,
    urls: Urls,
    allow_private: bool,
}

impl Media {
    /// Every address is first judged by [`destination::check`] (`allow_private`: the setting
    /// `allow_private_networks`); `client` must judge the addresses host names resolve to
    /// (the federation's client does: it refuses private ones unless that same setting).
    pub fn new(dir: PathBuf, client: reqwest::Client, urls: Urls, allow_private: bool) -> Self {
        Self {
            dir,
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
        let name = store(&self.dir, &bytes, extension).await?;
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

fn extension_of(content_type: &str) -> Option<&'static str> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    TYPES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(essence))
        .map(|(_, e)| *e)
}

/// Stores `bytes` under their content-hash name (written aside, then renamed: a reader never
/// sees half a file); the name.
pub async fn store(dir: &Path, bytes: &[u8], extension: &str) -> Result<String, MediaError> {
    let name = format!("{}.{extension}", hex::encode(Sha256::digest(bytes)));
    let path = dir.join(&name);
    if tokio::fs::try_exists(&path).await? {
        return Ok(name);
    }
    tokio::fs::create_dir_all(dir).await?;
    let partial = dir.join(format!(".{name}.{}", uuid::Uuid::new_v4()));
    tokio::fs::write(&partial, bytes).await?;
    tokio::fs::rename(&partial, &path).await?;
    Ok(name)
}

/// The file and content type of a stored image's name; `None` for any name this store does
/// not make (so no path outside it is ever opened).
pub fn locate(dir: &Path, name: &str) -> Option<(PathBuf, &'static str)> {
    let (hash, extension) = name.split_once('.')?;
    if hash.len() != 64 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let (content_type, _) = TYPES.iter().find(|(_, e)| *e == extension)?;
    Some((dir.join(name), content_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_the_store_makes_are_located() {
        let dir = Path::new("/srv/media");
        let hash = "a".repeat(64);
        assert_eq!(
            locate(dir, &format!("{hash}.png")),
            Some((dir.join(format!("{hash}.png")), "image/png"))
        );
        for bad in [
            "../etc/passwd",
            &format!("{hash}.svg"),
            &format!("{}.png", "A".repeat(64)),
            "x.png",
            "",
        ] {
            assert_eq!(locate(dir, bad), None, "{bad}");
        }
        assert_eq!(extension_of("image/JPEG; charset=x"), Some("jpg"));
        assert_eq!(extension_of("text/html"), None);
    }
}
