//! The value shapes ActivityPub properties take in the wild, as types: an http(s) id, one
//! value or a list of them, an id or an embedded object, an address, a link, a type name, a
//! language map; and the rule for fields that may be malformed without harm (`lenient`).

mod address;
mod http_url;
mod kinds;
mod language_map;
mod links;
mod lists;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

pub use address::{addressed_publicly, Address, PUBLIC};
pub use http_url::{BadUrl, HttpUrl};
pub use kinds::Kinds;
pub use language_map::LanguageMap;
pub use links::{web_url, LinkRef};
pub use lists::{id_only, ids_of, HasId, IdOrObject, ObjectStub, OneOrMany};

/// The most items a list property may hold (`to`, `tag`, a Flag's objects, a page's items).
/// More is refused: no server sends that many, and each item costs work.
pub const MAX_LIST_ITEMS: usize = 500;
/// For properties that may be malformed without harm (a summary that is a number, a date in
/// another format, an odd `tag` list): a value that does not parse is the default (absent),
/// instead of refusing the whole document. Never used for ids, actors, `inReplyTo` or
/// addressing, which decide what an activity does.
pub fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let value = Value::deserialize(deserializer)?;
    Ok(T::deserialize(value).unwrap_or_default())
}

/// A date (`published`, `updated`): RFC 3339; anything else is no date.
pub type Date = Option<DateTime<Utc>>;
#[cfg(test)]
mod tests;
