//! Addressing: an addressee in `to`/`cc` ([`Address`]) and the public collection in its
//! spellings ([`PUBLIC`]).

use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{BadUrl, OneOrMany};
use crate::content::limits::URL_BYTES;

/// The public collection, as written in full and in its two compact forms.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const PUBLIC_FORMS: [&str; 3] = [PUBLIC, "as:Public", "Public"];
/// An addressee in `to`/`cc`: an actor, a collection, or the public (which is not always
/// written as a URL: `as:Public`, `Public`). Given as a string or an object with an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address(String);

impl Address {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The public collection, in any of its spellings.
    pub fn is_public(&self) -> bool {
        PUBLIC_FORMS.contains(&self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct WithId {
            id: String,
        }
        struct AddressVisitor;
        impl<'de> Visitor<'de> for AddressVisitor {
            type Value = Address;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an address (a string or an object with an id)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Address, E> {
                if v.len() > URL_BYTES {
                    return Err(E::custom(BadUrl::TooLong));
                }
                Ok(Address(v.to_string()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Address, A::Error> {
                let with_id = WithId::deserialize(MapAccessDeserializer::new(map))?;
                self.visit_str(&with_id.id)
            }
        }
        deserializer.deserialize_any(AddressVisitor)
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl From<&str> for Address {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

/// Whether any address in the lists is the public collection.
pub fn addressed_publicly<'a>(lists: impl IntoIterator<Item = &'a OneOrMany<Address>>) -> bool {
    lists
        .into_iter()
        .flat_map(OneOrMany::iter)
        .any(Address::is_public)
}
