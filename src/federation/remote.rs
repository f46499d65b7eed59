//! Reading what other servers send back: every body read with a size cap (the client's total
//! timeout bounds the time), and temporary trouble (a timeout, a refused connection, a 5xx or
//! 429 answer) told apart from a real refusal, so that we answer "try again" only when it is.

use bytes::{Bytes, BytesMut};
use reqwest_middleware::{Middleware, Next};

/// The most we read of a WebFinger document.
pub const WEBFINGER_LIMIT: usize = 64 * 1024;
/// The most we read of an inbox's answer to a delivery (only its start is kept, for the log).
pub const DELIVERY_ANSWER_LIMIT: usize = 4 * 1024;

/// Whether a remote object or actor is gone: its server answers `404` or `410` to a signed
/// GET (anything else, a failure included, is not taken as gone).
#[tracing::instrument(skip_all)]
pub async fn is_gone(ctx: &super::Context, url: &str) -> bool {
    let request = ctx
        .federation
        .fetcher
        .get(url)
        .header("accept", "application/activity+json, application/ld+json");
    match request.send().await {
        Ok(response) => matches!(response.status().as_u16(), 404 | 410),
        Err(_) => false,
    }
}

/// Why a remote body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
    #[error("reading the answer failed")]
    Failed(#[source] reqwest::Error),
}

/// Reads at most `limit` bytes of a response body; a longer body is an error and the rest is
/// never read (dropping the response closes the connection).
pub async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Bytes, ReadError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(ReadError::TooLarge(limit));
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Failed)? {
        if body.len() + chunk.len() > limit {
            return Err(ReadError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The start of a response body, at most `limit` bytes, as text (for logs and error notes).
pub async fn read_start(mut response: reqwest::Response, limit: usize) -> String {
    let mut body = BytesMut::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - body.len();
                body.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
            }
            Ok(None) | Err(_) => break,
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// The remote server is there but cannot answer now (5xx, 429): worth asking again later.
#[derive(Debug, thiserror::Error)]
#[error("the remote server answered {status}, a temporary failure")]
pub struct Unavailable {
    pub status: u16,
}

/// Turns a 5xx or 429 answer to one of the federation library's fetches into an
/// [`Unavailable`] error instead of a body it would try to parse.
pub struct TemporaryFailures;

#[async_trait::async_trait]
impl Middleware for TemporaryFailures {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let response = next.run(request, extensions).await?;
        let status = response.status();
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(reqwest_middleware::Error::middleware(Unavailable {
                status: status.as_u16(),
            }));
        }
        Ok(response)
    }
}

/// Signs every outgoing GET that is not signed yet with our own signer (the instance actor's
/// key, through the constant-time backend): the federation library's fetches go through it
/// instead of the library's own signing.
pub struct SignedFetches(pub super::signatures::Signer);

#[async_trait::async_trait]
impl Middleware for SignedFetches {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        if request.method() == reqwest::Method::GET && !request.headers().contains_key("signature")
        {
            self.0
                .sign_get(&mut request)
                .await
                .map_err(reqwest_middleware::Error::middleware)?;
        }
        next.run(request, extensions).await
    }
}

/// Whether a failed fetch was temporary: the peer timed out, could not be connected to, or
/// answered 5xx/429. Everything else (a 404, a document that is not an actor, a bad key) is
/// for good.
pub fn is_temporary(error: &activitypub_federation::error::Error) -> bool {
    use activitypub_federation::error::Error as E;
    match error {
        E::Reqwest(e) => e.is_timeout() || e.is_connect(),
        E::ReqwestMiddleware(reqwest_middleware::Error::Reqwest(e)) => {
            e.is_timeout() || e.is_connect()
        }
        E::ReqwestMiddleware(reqwest_middleware::Error::Middleware(e)) => {
            e.downcast_ref::<Unavailable>().is_some()
        }
        _ => false,
    }
}
