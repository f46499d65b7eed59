//! A language map (`contentMap`, `nameMap`): language tags to text ([`LanguageMap`]).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::MAX_LIST_ITEMS;

/// A language map (`contentMap`, `nameMap`): language tags to text, in the order given;
/// entries whose value is not a string are skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LanguageMap(Vec<(String, String)>);

impl LanguageMap {
    pub fn get(&self, language: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(l, _)| l == language)
            .map(|(_, t)| t.as_str())
    }

    pub fn first(&self) -> Option<(&str, &str)> {
        self.0.first().map(|(l, t)| (l.as_str(), t.as_str()))
    }

    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(l, _)| l.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for LanguageMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        Ok(Self(
            map.into_iter()
                .filter_map(|(language, text)| match text {
                    Value::String(text) => Some((language, text)),
                    _ => None,
                })
                .take(MAX_LIST_ITEMS)
                .collect(),
        ))
    }
}
