//! Wiring: shared state, the router, and serving with a clean shutdown.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::trace::TraceLayer;

use crate::config::Settings;
use crate::urls::Urls;
use crate::{api, tasks, web};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: PgPool,
    pub urls: Arc<Urls>,
}

impl AppState {
    pub fn new(settings: Settings, pool: PgPool) -> Self {
        let urls = Urls::new(settings.public_url.clone());
        Self {
            settings: Arc::new(settings),
            pool,
            urls: Arc::new(urls),
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(web::router())
        .nest("/api/v1", api::router(&state.settings))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves, then stops the background tasks.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cancel = CancellationToken::new();
    let background = tasks::start(
        state.pool.clone(),
        state.settings.scheduler_interval,
        cancel.clone(),
    );
    let addr = listener.local_addr()?;
    tracing::info!(%addr, public_url = state.urls.base(), "reviewpub listening");
    let result = axum::serve(listener, router(state))
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
        })
        .await;
    background.join().await;
    result
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
