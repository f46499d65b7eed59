//! ActivityPub: the blog actor and the instance actor, discovery (WebFinger, NodeInfo,
//! host-meta), the JSON documents, the inbox, and the durable delivery queue.
//!
//! `activitypub_federation` verifies incoming signatures, fetches remote actors and signs
//! outgoing requests; everything it keeps in memory (its send queue) is replaced by our own
//! queue in PostgreSQL.

pub mod actors;
pub mod delivery;
pub mod discovery;
pub mod documents;
pub mod follower_sync;
pub mod followers;
pub mod inbound;
pub mod inbox;
pub mod interactions;
pub mod message_signatures;
pub mod moving;
pub mod negotiation;
pub mod objects;
pub mod outbox;
pub mod protocol;
pub mod quotes;
pub mod refresh;
pub mod remote;
pub mod replies;
pub mod request_data;
pub mod routes;
pub mod secure_fetch;
pub mod signatures;

use std::sync::Arc;
use std::time::Duration;

use activitypub_federation::config::FederationConfig;
use activitypub_federation::http_signatures::generate_actor_keypair;
use activitypub_federation::resolver::ValidatingDnsResolver;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use tokio::sync::Notify;
use url::Url;

use crate::config::Settings;
use crate::db::federation::{self as db, KeyRow};
use crate::db::DbError;
use crate::urls::Urls;
use actors::LocalActor;

/// Errors of federation work, with their HTTP meaning for peers.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    #[error(transparent)]
    Apub(#[from] activitypub_federation::error::Error),
    #[error(transparent)]
    Db(#[from] DbError),
    /// A document that is malformed, or breaks a rule of the protocol.
    #[error(transparent)]
    Protocol(#[from] protocol::ProtocolError),
    #[error("refused: {0}")]
    Refused(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("gone")]
    Gone,
    /// Our own fault, with its cause.
    #[error("{what}")]
    Internal {
        what: &'static str,
        #[source]
        source: crate::error::BoxError,
    },
}

impl From<sqlx::Error> for FederationError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(DbError::Sqlx(e))
    }
}

impl FederationError {
    /// What a peer is told: signature problems are 401 (Fedify falls back to draft-cavage on
    /// it), a refusal is 4xx for good, only our own trouble is 5xx (peers retry those).
    pub fn status(&self) -> StatusCode {
        use activitypub_federation::error::Error as E;
        match self {
            // The sender's server timed out or answered 5xx when we fetched its key: it retries.
            Self::Apub(e) if remote::is_temporary(e) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Apub(
                E::ActivitySignatureInvalid | E::ActivityBodyDigestInvalid | E::Other(_),
            ) => StatusCode::UNAUTHORIZED,
            Self::Apub(E::ParseReceivedActivity { .. }) => StatusCode::BAD_REQUEST,
            Self::Apub(E::ObjectDeleted(_)) => StatusCode::ACCEPTED,
            // The sender's actor (and so its key) could not be fetched: its signature is unverifiable.
            Self::Apub(
                E::Reqwest(_)
                | E::ReqwestMiddleware(_)
                | E::FetchInvalidContentType(_)
                | E::FetchWrongId(_)
                | E::ParseFetchedObject(..)
                | E::ResponseBodyLimit
                | E::RequestLimit
                | E::NotFound,
            ) => StatusCode::UNAUTHORIZED,
            Self::Apub(
                E::UrlVerificationError(_)
                | E::DomainResolveError(_)
                | E::ResolveInternalIpError(..),
            ) => StatusCode::BAD_REQUEST,
            Self::Apub(_) => StatusCode::BAD_REQUEST,
            Self::Protocol(e) if e.is_malformed() => StatusCode::BAD_REQUEST,
            Self::Protocol(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Gone => StatusCode::GONE,
            Self::Db(_) | Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FederationError {
    /// Our own fault while doing `what`, keeping `source`.
    pub fn internal(what: &'static str, source: impl Into<crate::error::BoxError>) -> Self {
        Self::Internal {
            what,
            source: source.into(),
        }
    }

    /// What the peer is told: our own words, never a database's or a library's text (which
    /// may quote what a remote server sent, or our internals).
    fn public_message(&self) -> String {
        use activitypub_federation::error::Error as E;
        match self {
            Self::Refused(_)
            | Self::Protocol(_)
            | Self::BadRequest(_)
            | Self::Unauthorized(_)
            | Self::Forbidden(_)
            | Self::NotFound
            | Self::Gone => self.to_string(),
            Self::Apub(e) if remote::is_temporary(e) => {
                "the sender's key could not be fetched now; try again later".into()
            }
            Self::Apub(E::ActivitySignatureInvalid) => "the signature does not verify".into(),
            Self::Apub(E::ActivityBodyDigestInvalid) => "the Digest does not match the body".into(),
            Self::Apub(E::ParseReceivedActivity { .. }) => {
                "the activity could not be parsed".into()
            }
            Self::Apub(E::ObjectDeleted(_)) => "accepted".into(),
            Self::Apub(_) => match self.status() {
                StatusCode::UNAUTHORIZED => "the sender or its key could not be verified".into(),
                _ => "refused".into(),
            },
            Self::Db(_) | Self::Internal { .. } => "internal server error".into(),
        }
    }
}

impl IntoResponse for FederationError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, status = status.as_u16(), "federation request failed");
        } else {
            tracing::info!(error = %self, status = status.as_u16(), "federation request refused");
        }
        let mut response = (status, self.public_message()).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("60"),
            );
        }
        response
    }
}

/// A document (or its author) must be on the server that sent it: same host and port
/// ([`crate::domain::same_server`]; the library's own check ignores the port).
pub fn require_same_server(object: &Url, server_of: &Url) -> Result<(), FederationError> {
    if crate::domain::same_server(object, server_of) {
        Ok(())
    } else {
        Err(FederationError::Refused(format!(
            "{object} is not on the server of {server_of}"
        )))
    }
}

/// Refuses an actor the critic blocked, by id or by server.
pub async fn refuse_blocked(data: &Context, actor: &Url) -> Result<(), FederationError> {
    if crate::db::blocks::is_blocked(&data.pool, actor.as_str()).await? {
        return Err(FederationError::Forbidden(format!("{actor} is blocked")));
    }
    Ok(())
}

/// What federation code reaches (behind the library's `Data<Context>` and as handlers' state):
/// the database, the settings, our addresses, and the federation runtime.
#[derive(Clone)]
pub struct Context {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub urls: Arc<Urls>,
    pub federation: Arc<Federation>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("public_url", &self.urls.base())
            .finish()
    }
}

/// What federation needs at run time: our actors, the delivery signer and client.
pub struct Federation {
    pub blog: LocalActor,
    pub instance: LocalActor,
    /// Signs deliveries with the blog's key (the crate's draft-cavage format, computed by the
    /// configured backend).
    pub signer: signatures::Signer,
    /// The HTTP client for deliveries: no redirects, timeouts, private addresses refused
    /// unless `allow_private_networks`.
    pub http: reqwest::Client,
    /// Every fetch from other servers: signed as the instance actor by our constant-time
    /// signer, with temporary failures told apart (see [`remote`]).
    pub fetcher: reqwest_middleware::ClientWithMiddleware,
    /// Wakes the delivery workers when this process queues something.
    pub wake: Arc<Notify>,
    /// The followers' digests by server, for deliveries' `Collection-Synchronization`.
    pub follower_digests: follower_sync::Digests,
    /// Hosts that signed to us the RFC 9421 way (so deliveries to them are signed so too),
    /// or refused it (draft-cavage again); remembered a day.
    pub signature_kinds: moka::future::Cache<String, signatures::SignatureKind>,
    /// Remote actors and their keys, kept in memory (see [`actors::Actors`]).
    pub actors: actors::Actors,
    /// Hosts whose verified activities arrived in the last minute: their delivery record was
    /// already cleared, so the inbox does not write it again for every activity. A host this
    /// process gives up on leaves it at once; one given up on by another process is resumed
    /// by the first activity after its entry here expires.
    pub heard_from: moka::future::Cache<String, ()>,
    /// Thread crawls' fetches per remote host (see [`refresh`]): at most
    /// [`CRAWL_FETCHES_PER_HOST_HOUR`] an hour.
    pub crawl_limits: governor::DefaultKeyedRateLimiter<String>,
}

/// How many fetches thread crawls make from one server in an hour.
pub const CRAWL_FETCHES_PER_HOST_HOUR: u32 = 300;

impl std::fmt::Debug for Federation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Federation")
            .field("blog", &self.blog)
            .finish()
    }
}

pub const USER_AGENT: &str = concat!("reviewpub/", env!("CARGO_PKG_VERSION"));
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Makes `ring` the TLS crypto provider of the process (once; later calls do nothing).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The HTTP client used for every outgoing federation request.
pub fn http_client(settings: &Settings) -> Result<reqwest::Client, FederationError> {
    install_crypto_provider();
    reqwest::Client::builder()
        .user_agent(format!("{USER_AGENT} (+{})", settings.public_url.as_str()))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT)
        // A fan-out touches a thousand hosts once each: keeping a connection to every one of
        // them idle for long only holds memory (their buffers) and sockets.
        .pool_max_idle_per_host(2)
        .pool_idle_timeout(Duration::from_secs(30))
        .dns_resolver(Arc::new(ValidatingDnsResolver::new(
            Vec::new(),
            !settings.allow_private_networks,
        )))
        .build()
        .map_err(|e| FederationError::internal("building the HTTP client", e))
}

/// The key pair of a local actor, generated and stored on first use.
#[tracing::instrument(skip_all)]
async fn actor_keys(pool: &PgPool, actor: &str) -> Result<KeyRow, FederationError> {
    if let Some(keys) = db::get_key(pool, actor).await? {
        return Ok(keys);
    }
    tracing::info!(actor, "generating an RSA-2048 key pair");
    let pair = tokio::task::spawn_blocking(generate_actor_keypair)
        .await
        .map_err(|e| FederationError::internal("generating a key pair", e))??;
    let generated = KeyRow {
        public_key_pem: pair.public_key,
        private_key_pem: pair.private_key,
        created_at: chrono::Utc::now(),
    };
    let mut conn = pool.acquire().await?;
    Ok(db::insert_key(&mut conn, actor, &generated).await?)
}

/// Makes sure both local actors have their key pairs (as the first start does), for a
/// command that sets their dates before any server ran (`reviewpub import archive`).
#[tracing::instrument(skip_all)]
pub async fn ensure_keys(pool: &PgPool) -> Result<(), FederationError> {
    for actor in ["blog", "instance"] {
        actor_keys(pool, actor).await?;
    }
    Ok(())
}

fn parse(url: String) -> Result<Url, FederationError> {
    Url::parse(&url).map_err(|e| FederationError::internal("an address of ours", e))
}

impl Federation {
    /// Loads (or creates) the actors' keys and builds the signer.
    pub async fn start(
        settings: &Settings,
        pool: &PgPool,
        urls: &Urls,
    ) -> Result<Self, FederationError> {
        if settings.allow_private_networks {
            tracing::warn!(
                "REVIEWPUB_ALLOW_PRIVATE_NETWORKS is on: reviewpub will talk to http:// peers and to \
                 loopback and private addresses. Use this for tests and local trials only."
            );
        }
        let blog = LocalActor {
            id: parse(urls.actor())?,
            inbox: parse(urls.actor_inbox())?,
            keys: actor_keys(pool, "blog").await?,
        };
        let instance = LocalActor {
            id: parse(urls.instance_actor())?,
            inbox: parse(urls.instance_inbox())?,
            keys: actor_keys(pool, "instance").await?,
        };
        let http = http_client(settings)?;
        let signer = signatures::Signer::new(
            &blog.id,
            &blog.keys.private_key_pem,
            settings.federation.signing_backend,
        )?;
        let instance_signer = signatures::Signer::new(
            &instance.id,
            &instance.keys.private_key_pem,
            settings.federation.signing_backend,
        )?;
        let fetcher = reqwest_middleware::ClientBuilder::new(http.clone())
            .with(remote::SignedFetches(instance_signer))
            .with(remote::TemporaryFailures)
            .build();
        Ok(Self {
            blog,
            instance,
            signer,
            fetcher,
            http,
            wake: Arc::new(Notify::new()),
            follower_digests: follower_sync::digests(),
            signature_kinds: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(24 * 60 * 60))
                .build(),
            actors: actors::actors(),
            heard_from: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(60))
                .build(),
            crawl_limits: governor::RateLimiter::keyed(governor::Quota::per_hour(
                std::num::NonZeroU32::MIN.saturating_add(CRAWL_FETCHES_PER_HOST_HOUR - 1),
            )),
        })
    }
}

/// The crate's configuration for incoming requests and fetches (signed by the instance actor).
pub async fn config(state: &Context) -> Result<FederationConfig<Context>, FederationError> {
    FederationConfig::builder()
        .domain(state.urls.domain())
        .app_data(state.clone())
        // Fetches are signed by the client's middleware (our constant-time signer), not by the
        // library, which signs with the `rsa` crate.
        .client(state.federation.fetcher.clone())
        .debug(state.settings.allow_private_networks)
        .http_fetch_limit(50)
        .build()
        .await
        .map_err(|e| FederationError::internal("configuring federation", e))
}
