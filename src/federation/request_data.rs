//! The federation library's request data ([`Data`]), made only for the handlers that ask for
//! it. The library's own middleware clones its whole configuration into every request (and
//! its extractor clones it again): here every request carries one shared pointer, and a
//! page, a WebFinger answer or a kept answer from the cache makes nothing.

use std::sync::Arc;

use activitypub_federation::config::{Data, FederationConfig};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::{Context, FederationError};

/// The library's configuration and our context, which every request carries (an
/// [`axum::Extension`] set by [`layer`]).
pub struct Federated {
    config: FederationConfig<Context>,
    context: Context,
}

impl Federated {
    /// Ours, without the library's.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The library's data for one request.
    pub fn data(&self) -> Data<Context> {
        self.config.to_request_data()
    }
}

pub type SharedConfig = Arc<Federated>;

/// The layer that hands the configuration to the handlers below it.
pub fn layer(config: FederationConfig<Context>, context: Context) -> axum::Extension<SharedConfig> {
    axum::Extension(Arc::new(Federated { config, context }))
}

/// The library's [`Data`] for one request, as an extractor.
pub struct FederationData(pub Data<Context>);

impl<S: Send + Sync> FromRequestParts<S> for FederationData {
    type Rejection = FederationError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SharedConfig>()
            .map(|federated| Self(federated.data()))
            .ok_or_else(|| {
                FederationError::internal(
                    "the federation configuration",
                    "the router was built without request_data::layer",
                )
            })
    }
}
