//! The one home for storing media: an object store (local disk under `<data_dir>/media` by
//! default, or an S3-compatible bucket several processes share). A stored file's name is the
//! SHA-256 of its bytes and an extension from its type, so a name never changes meaning and
//! may be cached for good; storing the same bytes twice keeps one object.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use super::MediaError;
use crate::config::{MediaStore, Settings};

/// Image types kept: content type → extension.
const TYPES: &[(&str, &str)] = &[
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
    ("image/avif", "avif"),
];

/// The extension kept for a content type (`None`: not an image type this blog keeps).
pub fn extension_of(content_type: &str) -> Option<&'static str> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    TYPES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(essence))
        .map(|(_, e)| *e)
}

/// A stored object's name checked: its content type, or `None` for any name this store does
/// not make (so nothing outside what it made is ever read).
pub fn content_type_of(name: &str) -> Option<&'static str> {
    let (hash, extension) = name.split_once('.')?;
    if hash.len() != 64 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    TYPES.iter().find(|(_, e)| *e == extension).map(|(t, _)| *t)
}

/// A stored image, as read back.
pub struct Stored {
    pub content_type: &'static str,
    pub size: u64,
    pub body: BoxStream<'static, Result<Bytes, MediaError>>,
}

/// Where media are kept.
#[derive(Clone)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
    /// Images read lately, whole: when a review goes out, every follower's server fetches its
    /// poster within a minute. A name never changes meaning, so nothing here goes stale.
    recent: moka::future::Cache<String, Bytes>,
}

/// At most this many bytes of images in [`Store::recent`] in all, and none larger than
/// [`RECENT_ITEM_BYTES`] (larger ones are streamed from the store each time).
const RECENT_BYTES: u64 = 32 * 1024 * 1024;
const RECENT_ITEM_BYTES: u64 = 4 * 1024 * 1024;

fn recent() -> moka::future::Cache<String, Bytes> {
    moka::future::Cache::builder()
        .max_capacity(RECENT_BYTES)
        .weigher(|_, bytes: &Bytes| u32::try_from(bytes.len()).unwrap_or(u32::MAX))
        .build()
}

impl Stored {
    fn whole(content_type: &'static str, bytes: Bytes) -> Self {
        Self {
            content_type,
            size: bytes.len() as u64,
            body: futures_util::stream::once(async move { Ok(bytes) }).boxed(),
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("inner", &self.inner.to_string())
            .finish()
    }
}

impl Store {
    /// The store the settings name (`media.store`); the local directory is made when missing.
    pub fn open(settings: &Settings) -> Result<Self, MediaError> {
        let inner: Arc<dyn ObjectStore> = match &settings.media.store {
            MediaStore::Local => {
                let dir = settings.media_dir();
                std::fs::create_dir_all(&dir)?;
                Arc::new(LocalFileSystem::new_with_prefix(dir).map_err(MediaError::Store)?)
            }
            MediaStore::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(s3.secret_access_key.expose_secret())
                    .with_allow_http(s3.allow_http);
                if let Some(endpoint) = &s3.endpoint {
                    // Path-style addresses (`endpoint/bucket/key`): what self-hosted stores take.
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_virtual_hosted_style_request(false);
                }
                Arc::new(builder.build().map_err(MediaError::Store)?)
            }
        };
        Ok(Self {
            inner,
            recent: recent(),
        })
    }

    /// Stores `bytes` under their content-hash name (a reader never sees half an object: the
    /// local store writes aside and renames, S3 puts whole objects); the name.
    #[tracing::instrument(skip_all, fields(bytes = bytes.len()))]
    pub async fn put(&self, bytes: Bytes, extension: &str) -> Result<String, MediaError> {
        let name = format!("{}.{extension}", hex::encode(Sha256::digest(&bytes)));
        let path = Path::from(name.as_str());
        match self.inner.head(&path).await {
            Ok(_) => return Ok(name),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(MediaError::Store(e)),
        }
        self.inner
            .put(&path, bytes.into())
            .await
            .map_err(MediaError::Store)?;
        Ok(name)
    }

    /// A stored image by its name; `None` when there is none, or for a name this store never
    /// makes.
    #[tracing::instrument(skip_all)]
    pub async fn get(&self, name: &str) -> Result<Option<Stored>, MediaError> {
        let Some(content_type) = content_type_of(name) else {
            return Ok(None);
        };
        if let Some(bytes) = self.recent.get(name).await {
            return Ok(Some(Stored::whole(content_type, bytes)));
        }
        match self.inner.get(&Path::from(name)).await {
            Ok(found) if found.meta.size <= RECENT_ITEM_BYTES => {
                let bytes = found.bytes().await.map_err(MediaError::Store)?;
                self.recent.insert(name.to_string(), bytes.clone()).await;
                Ok(Some(Stored::whole(content_type, bytes)))
            }
            Ok(found) => Ok(Some(Stored {
                content_type,
                size: found.meta.size,
                body: found.into_stream().map_err(MediaError::Store).boxed(),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(MediaError::Store(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_the_store_makes_are_read() {
        let hash = "a".repeat(64);
        assert_eq!(content_type_of(&format!("{hash}.png")), Some("image/png"));
        for bad in [
            "../etc/passwd",
            &format!("{hash}.svg"),
            &format!("{}.png", "A".repeat(64)),
            &format!("../{hash}.png"),
            "x.png",
            "",
        ] {
            assert_eq!(content_type_of(bad), None, "{bad}");
        }
        assert_eq!(extension_of("image/JPEG; charset=x"), Some("jpg"));
        assert_eq!(extension_of("text/html"), None);
    }
}
