//! The background-task runner: named periodic jobs that stop with the server.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::cache;
use crate::changes;
use crate::federation::delivery;
use crate::publishing;
use crate::state::AppState;

/// Background jobs sharing one shutdown signal.
pub struct Tasks {
    shutdown: CancellationToken,
    set: JoinSet<()>,
}

impl Tasks {
    pub fn new(shutdown: CancellationToken) -> Self {
        Self {
            shutdown,
            set: JoinSet::new(),
        }
    }

    /// Runs `job` every `every` (first run at once) until shutdown; a failed run is logged and
    /// the next one happens on schedule.
    pub fn every<F, Fut, E>(&mut self, name: &'static str, every: Duration, job: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send,
        E: std::fmt::Display,
    {
        let shutdown = self.shutdown.clone();
        self.set.spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = ticker.tick() => {
                        if let Err(e) = job().await {
                            tracing::error!(task = name, error = %e, "background task failed");
                        }
                    }
                }
            }
            tracing::debug!(task = name, "background task stopped");
        });
    }

    /// Runs a long-lived job that watches the shutdown signal itself.
    pub fn spawn(&mut self, name: &'static str, job: impl Future<Output = ()> + Send + 'static) {
        self.set.spawn(async move {
            job.await;
            tracing::debug!(task = name, "background task stopped");
        });
    }

    /// Waits for every job to finish its current run after shutdown.
    pub async fn join(mut self) {
        self.shutdown.cancel();
        while self.set.join_next().await.is_some() {}
    }
}

/// How often the per-client limiters forget clients whose allowance is full again: the memory
/// they hold stays bounded by the clients seen in the last minutes.
const FORGET_CLIENTS_EVERY: Duration = Duration::from_secs(60);

/// The jobs every server runs: scheduled publication, the delivery workers, thread crawls,
/// forgetting idle clients, the notification e-mail (when set up), and (with the cache on) the listener that invalidates it when another process
/// changes something.
pub fn start(state: &AppState, shutdown: CancellationToken) -> Tasks {
    let mut tasks = Tasks::new(shutdown.clone());
    let pool = state.pool.clone();
    let response_cache = state.cache.clone();
    let outbound = state.outbound.clone();
    tasks.every(
        "publish-scheduled",
        state.settings.scheduler_interval,
        move || {
            let pool = pool.clone();
            let response_cache = response_cache.clone();
            let outbound = outbound.clone();
            async move {
                // Its changes are applied here at once; other processes hear them.
                let (result, announced) = changes::recording(async {
                    publishing::publish_due(&pool, &*outbound, Utc::now()).await?;
                    publishing::trash::purge(&pool, &*outbound, Utc::now()).await
                })
                .await;
                response_cache.apply_own(&announced);
                result.map(|_| ())
            }
        },
    );
    if state.cache.is_enabled() {
        tasks.spawn(
            "cache-listener",
            cache::listen(
                state.cache.clone(),
                (*state.pool.connect_options()).clone(),
                shutdown.clone(),
            ),
        );
    }
    tasks.every("release-memory", crate::memory::TRIM_EVERY, || async {
        crate::memory::release_free_memory();
        Ok::<(), std::convert::Infallible>(())
    });
    let limits = state.limits.clone();
    tasks.every("forget-idle-clients", FORGET_CLIENTS_EVERY, move || {
        limits.forget_idle();
        std::future::ready(Ok::<(), std::convert::Infallible>(()))
    });
    let ctx = state.context();
    tasks.every(
        "crawl-threads",
        state.settings.scheduler_interval,
        move || {
            let ctx = ctx.clone();
            async move {
                let data = crate::federation::config(&ctx).await?.to_request_data();
                crate::federation::refresh::crawl_due(&data)
                    .await
                    .map(|_| ())
            }
        },
    );
    if state.settings.notifications.digest != crate::config::Digest::Off {
        let (pool, settings, urls) = (
            state.pool.clone(),
            state.settings.clone(),
            state.urls.clone(),
        );
        tasks.every(
            "notification-mail",
            state.settings.scheduler_interval,
            move || {
                let (pool, settings, urls) = (pool.clone(), settings.clone(), urls.clone());
                async move {
                    crate::notifications::round(&pool, &settings, &urls, Utc::now())
                        .await
                        .map(|_| ())
                }
            },
        );
    }
    tasks.spawn("deliveries", delivery::run(state.context(), shutdown));
    tasks
}
