//! The listener: hears the changes other processes (and our own) announce.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use super::ResponseCache;
use crate::changes::{Change, CHANNEL};

const RETRY_MIN: Duration = Duration::from_millis(250);
const RETRY_MAX: Duration = Duration::from_secs(30);

/// Applies to `cache` every change announced on [`CHANNEL`], and drops everything on every
/// (re)connection,
/// until `shutdown`. Uses a connection of its own, not one of the server's pool.
#[tracing::instrument(name = "cache_listener", skip_all, fields(channel = CHANNEL))]
pub async fn listen(
    cache: Arc<ResponseCache>,
    options: PgConnectOptions,
    shutdown: CancellationToken,
) {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(10))
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with(options);
    let mut pause = RETRY_MIN;
    loop {
        let subscribed = tokio::select! {
            _ = shutdown.cancelled() => break,
            subscribed = subscribe(&pool) => subscribed,
        };
        match subscribed {
            Ok(mut listener) => {
                // Whatever was committed while nobody listened went unannounced.
                cache.apply(&[Change::Site]);
                cache.set_listening(true);
                tracing::info!("listening for changes made by other processes");
                pause = RETRY_MIN;
                let error = tokio::select! {
                    _ = shutdown.cancelled() => break,
                    error = follow(&cache, &mut listener) => error,
                };
                cache.set_listening(false);
                tracing::warn!(error = %error, "change notifications interrupted");
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = pause.as_millis() as u64, "cannot listen for changes");
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(RETRY_MAX);
    }
    cache.set_listening(false);
    if tokio::time::timeout(Duration::from_secs(5), pool.close())
        .await
        .is_err()
    {
        tracing::warn!("the listener's connection did not close in time");
    }
    tracing::debug!("stopped listening for changes");
}

/// A connection that has run `LISTEN` on [`CHANNEL`].
#[tracing::instrument(skip_all)]
async fn subscribe(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Invalidates on each notification until the connection fails for good (a lost connection
/// that the listener re-establishes at once also invalidates: notifications may be lost).
async fn follow(cache: &ResponseCache, listener: &mut PgListener) -> sqlx::Error {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                let change = Change::parse(notification.payload());
                if cache.is_echo(notification.process_id(), change) {
                    tracing::debug!(?change, "own change notified (already applied)");
                } else {
                    cache.apply(&[change]);
                    tracing::debug!(?change, "change notified");
                }
            }
            Ok(None) => {
                cache.apply(&[Change::Site]);
                tracing::warn!("connection lost and re-established; cache invalidated");
            }
            Err(e) => return e,
        }
    }
}
