//! The value shapes ActivityPub properties take in the wild, as types: an http(s) id, one
//! value or a list of them, an id or an embedded object, an address, a link, a type name, a
//! language map; and the rule for fields that may be malformed without harm (`lenient`).

use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use url::Url;

use crate::content::limits::URL_BYTES;

/// The most items a list property may hold (`to`, `tag`, a Flag's objects, a page's items).
/// More is refused: no server sends that many, and each item costs work.
pub const MAX_LIST_ITEMS: usize = 500;

/// The public collection, as written in full and in its two compact forms.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const PUBLIC_FORMS: [&str; 3] = [PUBLIC, "as:Public", "Public"];

/// An object's or actor's id: an absolute `http(s)` URL with a host, no credentials, at most
/// [`URL_BYTES`] long. Anything else fails to parse, so an id is never `javascript:`,
/// `file:` or a relative path.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HttpUrl(Url);

/// Why a string is not an [`HttpUrl`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadUrl {
    #[error("a URL longer than {URL_BYTES} bytes")]
    TooLong,
    #[error("not a URL")]
    NotAUrl,
    #[error("not an http(s) URL")]
    NotHttp,
    #[error("a URL without a host")]
    NoHost,
    #[error("a URL with credentials")]
    Credentials,
}

impl HttpUrl {
    pub fn parse(raw: &str) -> Result<Self, BadUrl> {
        if raw.len() > URL_BYTES {
            return Err(BadUrl::TooLong);
        }
        let url = Url::parse(raw).map_err(|_| BadUrl::NotAUrl)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(BadUrl::NotHttp);
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(BadUrl::NoHost);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(BadUrl::Credentials);
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    pub fn into_url(self) -> Url {
        self.0
    }

    /// On the same server as `other` (same host and port).
    pub fn same_server(&self, other: &Url) -> bool {
        crate::domain::same_server(&self.0, other)
    }
}

impl fmt::Debug for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpUrl({})", self.0)
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl std::ops::Deref for HttpUrl {
    type Target = Url;
    fn deref(&self) -> &Url {
        &self.0
    }
}

impl AsRef<Url> for HttpUrl {
    fn as_ref(&self) -> &Url {
        &self.0
    }
}

impl From<HttpUrl> for Url {
    fn from(url: HttpUrl) -> Url {
        url.0
    }
}

impl TryFrom<Url> for HttpUrl {
    type Error = BadUrl;
    fn try_from(url: Url) -> Result<Self, BadUrl> {
        Self::parse(url.as_str())
    }
}

impl PartialEq<str> for HttpUrl {
    fn eq(&self, other: &str) -> bool {
        self.0.as_str() == other
    }
}

impl PartialEq<Url> for HttpUrl {
    fn eq(&self, other: &Url) -> bool {
        &self.0 == other
    }
}

impl<'de> Deserialize<'de> for HttpUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UrlVisitor;
        impl Visitor<'_> for UrlVisitor {
            type Value = HttpUrl;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an http(s) URL")
            }
            fn visit_str<E: de::Error>(self, raw: &str) -> Result<HttpUrl, E> {
                HttpUrl::parse(raw).map_err(|e| E::custom(e))
            }
        }
        deserializer.deserialize_str(UrlVisitor)
    }
}

impl Serialize for HttpUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

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

/// A link: a bare URL, or a `Link` object (`href`, `mediaType`, `rel`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub href: String,
    pub media_type: Option<String>,
}

impl<'de> Deserialize<'de> for LinkRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Link {
            href: String,
            #[serde(default, deserialize_with = "lenient")]
            media_type: Option<String>,
        }
        struct LinkVisitor;
        impl<'de> Visitor<'de> for LinkVisitor {
            type Value = LinkRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a URL or a Link")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LinkRef, E> {
                Ok(LinkRef {
                    href: v.to_string(),
                    media_type: None,
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<LinkRef, A::Error> {
                let link = Link::deserialize(MapAccessDeserializer::new(map))?;
                Ok(LinkRef {
                    href: link.href,
                    media_type: link.media_type,
                })
            }
        }
        deserializer.deserialize_any(LinkVisitor)
    }
}

/// A remote URL we may link to or load: http(s) only, of a sensible length.
pub fn web_url(raw: &str) -> Option<String> {
    HttpUrl::parse(raw.trim()).ok().map(|u| u.to_string())
}

impl OneOrMany<LinkRef> {
    /// The link to show people: the first `text/html` one, else the first; http(s) only.
    pub fn html_link(&self) -> Option<String> {
        self.iter()
            .find(|l| l.media_type.as_deref() == Some("text/html"))
            .or_else(|| self.first())
            .and_then(|l| web_url(&l.href))
    }
}

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

#[cfg(test)]
mod tests;
