//! `Flag`: a report from another server's moderators (the account and some posts).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::super::values::{id_only, ids_of, lenient, HttpUrl, MAX_LIST_ITEMS};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flag {
    pub id: HttpUrl,
    #[serde(deserialize_with = "id_only")]
    pub actor: HttpUrl,
    /// What is reported: the http(s) ids in `object`. Anything else in the list is skipped,
    /// not refused (a report is worth keeping even when part of it is unreadable); a list
    /// longer than [`MAX_LIST_ITEMS`] is refused.
    #[serde(default, deserialize_with = "readable_ids")]
    pub object: Vec<HttpUrl>,
    /// The reporter's comment.
    #[serde(default, deserialize_with = "lenient")]
    pub content: Option<String>,
}

fn readable_ids<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<HttpUrl>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    if value
        .as_array()
        .is_some_and(|items| items.len() > MAX_LIST_ITEMS)
    {
        return Err(serde::de::Error::custom(format_args!(
            "more than {MAX_LIST_ITEMS} items"
        )));
    }
    Ok(ids_of(&value)
        .filter_map(|id| HttpUrl::parse(id).ok())
        .collect())
}

impl Flag {
    /// What is reported.
    pub fn reported(&self) -> impl Iterator<Item = &HttpUrl> {
        self.object.iter()
    }
}
