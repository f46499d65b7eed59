//! What every handler can reach: the state the router is built with. Federation code gets
//! its own part of it, [`crate::federation::Context`].

use std::sync::Arc;

use sqlx::PgPool;

use crate::cache::ResponseCache;
use crate::config::Settings;
use crate::federation::{self, Federation, FederationError};
use crate::limits::Limiters;
use crate::outbound::Outbound;
use crate::urls::Urls;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: PgPool,
    pub urls: Arc<Urls>,
    pub federation: Arc<Federation>,
    /// Rendered public responses (see [`crate::cache`]).
    pub cache: Arc<ResponseCache>,
    /// Per-client and overall limits (see [`crate::limits`]).
    pub limits: Arc<Limiters>,
    /// What the services tell the fediverse through (federation's outbox, waking the workers).
    pub outbound: Arc<dyn Outbound>,
    /// Where images are kept (see [`crate::media::store`]).
    pub media: crate::media::Store,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("public_url", &self.urls.base())
            .finish()
    }
}

impl AppState {
    /// What the image services need.
    pub fn attach(&self) -> crate::media::images::Attach<'_> {
        crate::media::images::Attach {
            pool: &self.pool,
            settings: &self.settings,
            outbound: self.outbound.as_ref(),
            store: &self.media,
            urls: &self.urls,
        }
    }

    /// What federation code reaches.
    pub fn context(&self) -> federation::Context {
        federation::Context {
            pool: self.pool.clone(),
            settings: self.settings.clone(),
            urls: self.urls.clone(),
            federation: self.federation.clone(),
        }
    }

    /// Loads the actors' keys (creating them on first start) and builds the state.
    pub async fn build(settings: Settings, pool: PgPool) -> Result<Self, FederationError> {
        let urls = Urls::new(&settings);
        let federation = Federation::start(&settings, &pool, &urls).await?;
        let cache = Arc::new(ResponseCache::new(&settings.cache));
        let limits = Arc::new(Limiters::new(&settings));
        let media =
            crate::media::Store::open(&settings).map_err(|e| FederationError::Internal {
                what: "opening the media store",
                source: Box::new(e),
            })?;
        let outbound = Arc::new(federation::outbox::Outbox::waking(
            &settings,
            federation.wake.clone(),
        ));
        Ok(Self {
            media,
            limits,
            outbound,
            settings: Arc::new(settings),
            pool,
            urls: Arc::new(urls),
            federation: Arc::new(federation),
            cache,
        })
    }
}
