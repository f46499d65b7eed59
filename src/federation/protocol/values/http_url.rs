//! An http(s) id ([`HttpUrl`]) and why a string is not one ([`BadUrl`]).

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

use crate::content::limits::URL_BYTES;

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
