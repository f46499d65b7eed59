//! Activities we accept (`202`) and only log: answers to activities we never send (`Accept`,
//! `Reject`: the blog follows no one and asks no approval), `Move` (an account that moved
//! concerns the servers of its followers; the blog follows no one), and every type we do not
//! know.

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;

use crate::federation::protocol::{Accept, Move, Reject, Unknown};
use crate::federation::{Context, FederationError};

macro_rules! acknowledged {
    ($($kind:ident),*) => {$(
        #[async_trait::async_trait]
        impl Activity for $kind {
            activity_basics!();

            async fn verify(&self, _data: &Data<Context>) -> Result<(), FederationError> {
                Ok(())
            }

            async fn receive(self, _data: &Data<Context>) -> Result<(), FederationError> {
                tracing::info!(
                    activity = %self.id,
                    actor = %self.actor,
                    "activity acknowledged and ignored"
                );
                Ok(())
            }
        }
    )*};
}

acknowledged!(Accept, Reject, Move, Unknown);
