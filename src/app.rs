//! Wiring: the router, and serving with a clean shutdown.

use std::future::Future;

use axum::http::{header, HeaderValue};
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::cache;
use crate::federation::{self, FederationError};
use crate::state::AppState;
use crate::urls::API_PREFIX;
use crate::{api, limits, serve, tasks, web};

pub async fn router(state: AppState) -> Result<Router, FederationError> {
    let federation_config = federation::config(&state.context()).await?;
    let router = Router::new()
        .merge(web::router())
        .merge(crate::desk::router())
        .merge(federation::routes::router().with_state(state.context()))
        .nest(API_PREFIX, api::router(&state.settings))
        // Inside the signed-fetch check: a kept answer never skips it.
        .layer(axum::middleware::from_fn_with_state(
            state.cache.clone(),
            cache::middleware,
        ))
        .layer(axum::middleware::from_fn(
            federation::secure_fetch::secure_fetch,
        ))
        .layer(federation::request_data::layer(
            federation_config,
            state.context(),
        ))
        // Before any work is done for a request (a signed fetch's key lookup, the cache):
        // per-client rates and the overall time of public requests.
        .layer(axum::middleware::from_fn_with_state(
            state.limits.clone(),
            limits::public_requests,
        ))
        // A body that stalls is cut, whatever reads it.
        .layer(RequestBodyTimeoutLayer::new(
            state.settings.limits.body_read_timeout,
        ));
    Ok(security_headers(router)
        .layer(TraceLayer::new_for_http())
        // Outermost: a panic anywhere below is a logged 500, never a dropped connection.
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state))
}

/// A panic in a handler: logged (without the request), answered with a plain 500.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    let mut response =
        axum::response::Response::new(axum::body::Body::from("internal server error"));
    *response.status_mut() = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// Headers every answer carries: pages load nothing but our stylesheet and images, run no
/// script, cannot be framed, and do not leak their address to other sites.
fn security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

/// No script at all (the JSON-LD block is data, not script), styles and images from here
/// (images from anywhere over http(s): posters and avatars live on other servers), no
/// plugins, no framing, no `<base>`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
    img-src 'self' https: http: data:; base-uri 'none'; frame-ancestors 'none'";

/// Serves until `shutdown` resolves (see [`serve::serve`] for the bounds), then stops the
/// background tasks.
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
    let bounds = serve::Bounds::new(&state.settings.limits);
    let router = match router(state).await {
        Ok(router) => router,
        Err(e) => {
            background.join().await;
            return Err(e.into());
        }
    };
    serve::serve(listener, router, bounds, shutdown).await;
    background.join().await;
    Ok(())
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
