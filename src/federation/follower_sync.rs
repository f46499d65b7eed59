//! Followers synchronization (FEP-8fcf, as Mastodon does it): every delivery tells the
//! receiving server, in a `Collection-Synchronization` header, a digest of the blog's
//! followers on that server; when its own count differs, it fetches (signed) the partial
//! followers collection, which lists only its own accounts, and drops the follows we no
//! longer have.

use std::time::Duration;

use axum::extract::{OriginalUri, Path};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use sha2::{Digest, Sha256};
use url::Url;

use super::documents;
use super::negotiation::activity_json;
use super::request_data::FederationData;
use super::{Context, FederationError};
use crate::db::federation as db;

/// The most followers one server is told about (Mastodon lists them all; a blog's followers
/// on one server are far fewer).
const MAX_LISTED: i64 = 10_000;

/// How long a digest is reused: a stale one only makes the other server check once more.
pub const DIGEST_TTL: Duration = Duration::from_secs(60);

/// The followers' digests, by server, reused for [`DIGEST_TTL`].
pub type Digests = moka::future::Cache<String, Option<String>>;

pub fn digests() -> Digests {
    moka::future::Cache::builder()
        .max_capacity(10_000)
        .time_to_live(DIGEST_TTL)
        .build()
}

/// `scheme://host[:port]` of a URL: what "on that server" means here, as in Mastodon.
pub fn server_prefix(url: &Url) -> Option<String> {
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The XOR of the SHA-256 of each id, in lowercase hex (64 zeros for none).
pub fn digest<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let mut sum = [0u8; 32];
    for id in ids {
        let hash = Sha256::digest(id.as_bytes());
        for (byte, h) in sum.iter_mut().zip(hash.iter()) {
            *byte ^= h;
        }
    }
    hex::encode(sum)
}

/// The `Collection-Synchronization` header for a delivery to `inbox`: `None` when the blog
/// has no follower on that server.
#[tracing::instrument(skip_all)]
pub async fn header_for(ctx: &Context, inbox: &Url) -> Result<Option<String>, FederationError> {
    let Some(prefix) = server_prefix(inbox) else {
        return Ok(None);
    };
    let pool = ctx.pool.clone();
    let key = prefix.clone();
    let digest = ctx
        .federation
        .follower_digests
        .try_get_with(key, async move {
            let ids = db::accepted_followers_on(&pool, &prefix, MAX_LISTED).await?;
            Ok::<_, crate::db::DbError>(
                (!ids.is_empty()).then(|| digest(ids.iter().map(String::as_str))),
            )
        })
        .await
        .map_err(|e| FederationError::internal("the followers' digest", e))?;
    Ok(digest.map(|digest| {
        format!(
            "collectionId=\"{}\", url=\"{}\", digest=\"{digest}\"",
            ctx.urls.followers(),
            ctx.urls.followers_synchronization(),
        )
    }))
}

/// `GET /users/{handle}/followers_synchronization`: the blog's followers on the signer's own
/// server, and no one else. Always signed, secure mode or not.
pub async fn partial_followers(
    FederationData(data): FederationData,
    Path(handle): Path<String>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, FederationError> {
    if handle != data.urls.handle().as_str() {
        return Err(FederationError::NotFound);
    }
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let signer = super::secure_fetch::verify_signed_get(&data, &method, path, &headers).await?;
    let prefix = server_prefix(&signer).ok_or(FederationError::NotFound)?;
    let ids = db::accepted_followers_on(&data.pool, &prefix, MAX_LISTED).await?;
    Ok(activity_json(&documents::inline_collection(
        &data.urls.followers_synchronization(),
        ids,
    )))
}
