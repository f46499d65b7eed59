//! `Move`: an account moved to another (`object` the old account, `target` the new).

use serde::Deserialize;

use super::super::values::{id_only, HttpUrl};
use super::super::ProtocolError;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Move {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub object: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub target: HttpUrl,
}

impl Move {
    /// An account moves only itself (that the target names it in `alsoKnownAs` is checked
    /// on the fetched target).
    pub fn check(&self) -> Result<(), ProtocolError> {
        if self.object != self.actor {
            return Err(ProtocolError::NotSelf);
        }
        Ok(())
    }
}
