//! One value or a list ([`OneOrMany`]), an id or an embedded object ([`IdOrObject`]), an
//! object known by its id and type ([`ObjectStub`]), and the readers of ids ([`id_only`],
//! [`ids_of`]).

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use url::Url;

use super::{lenient, HttpUrl, Kinds, MAX_LIST_ITEMS};

/// A property that may hold one value or a list (JSON-LD allows both for everything); `null`
/// and an absent property are the empty list. At most [`MAX_LIST_ITEMS`] items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOrMany<T>(Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    pub fn one(item: T) -> Self {
        Self(vec![item])
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    pub fn first(&self) -> Option<&T> {
        self.0.first()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(items: Vec<T>) -> Self {
        Self(items)
    }
}

impl<'a, T> IntoIterator for &'a OneOrMany<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: Serialize> Serialize for OneOrMany<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Reads a list of at most [`MAX_LIST_ITEMS`] items.
struct BoundedSeq<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for BoundedSeq<T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of at most {MAX_LIST_ITEMS} items")
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
        while let Some(item) = seq.next_element()? {
            if items.len() == MAX_LIST_ITEMS {
                return Err(de::Error::custom(format_args!(
                    "more than {MAX_LIST_ITEMS} items"
                )));
            }
            items.push(item);
        }
        Ok(items)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor<T>(PhantomData<T>);

        impl<T> OneOrManyVisitor<T> {
            fn one<'de, D: Deserializer<'de>>(d: D) -> Result<OneOrMany<T>, D::Error>
            where
                T: Deserialize<'de>,
            {
                T::deserialize(d).map(OneOrMany::one)
            }
        }

        impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                BoundedSeq(PhantomData).visit_seq(seq).map(OneOrMany)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Self::one(MapAccessDeserializer::new(map))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Self::one(de::value::BorrowedStrDeserializer::new(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Self::one(v.into_deserializer())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                OneOrMany::deserialize(d)
            }
        }

        deserializer.deserialize_any(OneOrManyVisitor(PhantomData))
    }
}

/// What has an id: an embedded object (its `id`, when it must or may have one).
pub trait HasId {
    fn ap_id(&self) -> Option<&HttpUrl>;
}

impl<T: HasId> HasId for Box<T> {
    fn ap_id(&self) -> Option<&HttpUrl> {
        (**self).ap_id()
    }
}

/// A reference to an object: its id, or the object embedded (whose own `id` is its id).
#[derive(Debug, Clone, PartialEq)]
pub enum IdOrObject<T> {
    Id(HttpUrl),
    Object(T),
}

impl<T: HasId> IdOrObject<T> {
    /// The id, given or embedded; `None` for an embedded object without one.
    pub fn id(&self) -> Option<&HttpUrl> {
        match self {
            Self::Id(id) => Some(id),
            Self::Object(object) => object.ap_id(),
        }
    }
}

impl<T> IdOrObject<T> {
    /// The embedded object, when there is one.
    pub fn object(&self) -> Option<&T> {
        match self {
            Self::Id(_) => None,
            Self::Object(object) => Some(object),
        }
    }
}

impl<T: HasId> OneOrMany<IdOrObject<T>> {
    /// The ids of every item, in order (items without an id are skipped).
    pub fn ids(&self) -> impl Iterator<Item = &HttpUrl> {
        self.iter().filter_map(IdOrObject::id)
    }

    pub fn first_id(&self) -> Option<&HttpUrl> {
        self.ids().next()
    }

    pub fn contains_id(&self, id: &Url) -> bool {
        self.ids().any(|i| i == id)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for IdOrObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdOrObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for IdOrObjectVisitor<T> {
            type Value = IdOrObject<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id or an object")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                HttpUrl::parse(v).map(IdOrObject::Id).map_err(E::custom)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(IdOrObject::Object)
            }
            // `[x]`: some servers wrap a single reference in a list.
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                let items: Vec<IdOrObject<T>> = BoundedSeq(PhantomData).visit_seq(seq)?;
                let mut items = items.into_iter();
                match (items.next(), items.next()) {
                    (Some(one), None) => Ok(one),
                    _ => Err(de::Error::custom("expected one reference, not a list")),
                }
            }
        }
        deserializer.deserialize_any(IdOrObjectVisitor(PhantomData))
    }
}

impl<T: Serialize> Serialize for IdOrObject<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Id(id) => id.serialize(serializer),
            Self::Object(object) => object.serialize(serializer),
        }
    }
}

/// An embedded object of which only the id and type matter: the object of a Like, a Follow,
/// a Delete (a `Tombstone`), a Flag, an actor given as an object.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectStub {
    pub id: HttpUrl,
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: Kinds,
    /// A `Tombstone`'s former type.
    #[serde(default, deserialize_with = "lenient")]
    pub former_type: Option<String>,
}

impl HasId for ObjectStub {
    fn ap_id(&self) -> Option<&HttpUrl> {
        Some(&self.id)
    }
}

/// Deserializes `actor`-like references (an id, or an object with an id) into the id.
pub fn id_only<'de, D: Deserializer<'de>>(deserializer: D) -> Result<HttpUrl, D::Error> {
    match IdOrObject::<ObjectStub>::deserialize(deserializer)? {
        IdOrObject::Id(id) => Ok(id),
        IdOrObject::Object(object) => Ok(object.id),
    }
}

/// The ids in a value of unknown shape: a string, an object's `id`, or those of a list's
/// items (one level deep). The one rule for untyped JSON; typed values have [`IdOrObject::id`]
/// and [`OneOrMany::ids`].
pub fn ids_of(value: &Value) -> impl Iterator<Item = &str> {
    fn one(value: &Value) -> Option<&str> {
        match value {
            Value::String(s) => Some(s),
            Value::Object(map) => map.get("id").and_then(Value::as_str),
            _ => None,
        }
    }
    let items: &[Value] = match value {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    };
    items.iter().take(MAX_LIST_ITEMS).filter_map(one)
}
