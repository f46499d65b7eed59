//! Links: a bare URL or a `Link` object ([`LinkRef`]), and the rule for a remote URL we may
//! link to ([`web_url`]).

use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

use super::{lenient, HttpUrl, OneOrMany};

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
