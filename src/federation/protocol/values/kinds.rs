//! The `type` of an object: one name or several ([`Kinds`]).

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use super::OneOrMany;

/// The `type` of an object: one name or several (JSON-LD allows a list); an absent type is
/// no name at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Kinds(OneOrMany<String>);

impl Kinds {
    pub fn new(name: &str) -> Self {
        Self(OneOrMany::one(name.to_string()))
    }

    /// Whether one of the names is `name`.
    pub fn is(&self, name: &str) -> bool {
        self.0.iter().any(|k| k == name)
    }

    /// Whether one of the names is among `names`.
    pub fn is_any(&self, names: &[&str]) -> bool {
        self.0.iter().any(|k| names.contains(&k.as_str()))
    }

    /// The first of `names` this type has, else its first name.
    pub fn pick<'a>(&'a self, names: &[&'a str]) -> Option<&'a str> {
        self.0
            .iter()
            .find_map(|k| names.iter().copied().find(|n| n == k))
            .or_else(|| self.0.first().map(String::as_str))
    }

    pub fn first(&self) -> Option<&str> {
        self.0.first().map(String::as_str)
    }
}

impl fmt::Display for Kinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = self.0.iter();
        match names.next() {
            None => f.write_str("(no type)"),
            Some(first) => {
                f.write_str(first)?;
                for name in names {
                    write!(f, ",{name}")?;
                }
                Ok(())
            }
        }
    }
}

impl Serialize for Kinds {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self.0.first(), self.0.len()) {
            (Some(one), 1) => serializer.serialize_str(one),
            _ => self.0.serialize(serializer),
        }
    }
}
