//! Wiring: shared state, the router, and serving with a clean shutdown.

use std::future::Future;
use std::sync::Arc;

use activitypub_federation::config::FederationMiddleware;
use axum::Router;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::trace::TraceLayer;

use crate::cache::{self, ResponseCache};
use crate::config::Settings;
use crate::federation::{self, Federation, FederationError};
use crate::urls::Urls;
use crate::{api, tasks, web};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: PgPool,
    pub urls: Arc<Urls>,
    pub federation: Arc<Federation>,
    /// Rendered public responses (see [`crate::cache`]).
    pub cache: Arc<ResponseCache>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("public_url", &self.urls.base())
            .finish()
    }
}

impl AppState {
    /// Loads the actors' keys (creating them on first start) and builds the state.
    pub async fn build(settings: Settings, pool: PgPool) -> Result<Self, FederationError> {
        let urls = Urls::new(&settings);
        let federation = Federation::start(&settings, &pool, &urls).await?;
        let cache = Arc::new(ResponseCache::new(&settings.cache));
        Ok(Self {
            settings: Arc::new(settings),
            pool,
            urls: Arc::new(urls),
            federation: Arc::new(federation),
            cache,
        })
    }
}

pub async fn router(state: AppState) -> Result<Router, FederationError> {
    let federation_config = federation::config(&state).await?;
    Ok(Router::new()
        .merge(web::router())
        .merge(federation::routes::router())
        .nest("/api/v1", api::router(&state.settings))
        // Inside the signed-fetch check: a kept answer never skips it.
        .layer(axum::middleware::from_fn_with_state(
            state.cache.clone(),
            cache::middleware,
        ))
        .layer(axum::middleware::from_fn(federation::routes::secure_fetch))
        .layer(FederationMiddleware::new(federation_config))
        .layer(TraceLayer::new_for_http())
        .with_state(state))
}

/// Serves until `shutdown` resolves, then stops the background tasks.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let cancel = CancellationToken::new();
    let background = tasks::start(&state, cancel.clone());
    // Nothing is kept before the cache can hear about other processes' changes.
    if state.cache.is_enabled()
        && !state
            .cache
            .wait_listening(std::time::Duration::from_secs(10))
            .await
    {
        tracing::warn!("the response cache is not yet told about changes made by other processes; serving anyway");
    }
    let addr = listener.local_addr()?;
    tracing::info!(%addr, public_url = state.urls.base(), actor = %state.urls.acct(), "reviewpub listening");
    let result = axum::serve(listener, router(state).await?)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
        })
        .await;
    background.join().await;
    Ok(result?)
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
