//! Domain types. Input is parsed into these at the edge (API, CLI, configuration); code that
//! holds one of them never checks it again.

mod account;
pub mod archive;
pub mod blocklist;
mod comment;
pub mod destination;
pub mod federation;
pub mod host;
pub mod json;
mod notice;
pub mod quote;
pub mod review;
pub mod wxr;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use account::AccountRef;
pub use comment::{
    BlockKind, BlockSeverity, CommentFilter, CommentOrigin, CommentStatus, Moderation,
    ReactionKind, ReplyAuthorizationState, ReplyPolicy, Visibility,
};
pub use federation::{DeliveryStatus, FollowerStatus, HostState};
pub use host::{authority, same_host, same_server, HostName};
pub use notice::NoticeKind;
pub use quote::{QuotePolicy, QuoteState};
pub use review::{
    Credit, Film, RequestedStatus, Review, ReviewDraft, ReviewInput, ReviewStatus, ValidationErrors,
};

/// The one parser of ids given in paths and links (`/reviews/{id}`, `/comments/{id}`, the
/// admin API): `None` when it is not a UUID.
pub fn parse_id(raw: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(raw.trim()).ok()
}

/// The one formatter of fediverse handles: `@user@host`.
pub fn handle(user: &str, authority: &str) -> String {
    format!("@{user}@{authority}")
}

/// Why a value was refused; the caller adds the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid<T>(message: impl Into<String>) -> Result<T, Invalid> {
    Err(Invalid(message.into()))
}

/// A state or kind stored as one of a few lower-case words: an enum whose variants each name
/// their word once. The word is the JSON form (serde, OpenAPI), the text the database stores
/// (the `sqlx` impls in `db::types` use [`as_str`](Self::as_str) and `parse`) and what
/// `Display` writes; anything else is refused with "must be one of …", listing the words.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
            utoipa::ToSchema,
        )]
        pub enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored and serialized word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            pub fn parse(raw: &str) -> Result<Self, $crate::domain::Invalid> {
                match raw {
                    $($text => Ok(Self::$variant),)+
                    _ => Err($crate::domain::Invalid(format!(
                        "must be one of {}",
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::Invalid;
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::domain::Invalid;
            fn try_from(raw: &str) -> Result<Self, Self::Error> {
                Self::parse(raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = Invalid;
            fn try_from(value: String) -> Result<Self, Invalid> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// The blog's fediverse user name: `[a-z0-9_]{1,30}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Handle(String);
string_newtype!(Handle);

impl Handle {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 30 {
            return invalid("must be 1 to 30 characters");
        }
        if !raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return invalid("may contain only a-z, 0-9 and _");
        }
        Ok(Self(raw.to_string()))
    }
}

/// A BCP 47 language tag such as `en` or `pt-BR` (shape checked, not the registry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Language(String);
string_newtype!(Language);

impl Language {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let mut parts = raw.split('-');
        let primary = parts.next().unwrap_or_default();
        if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
            return invalid("must be a language tag such as \"en\" or \"pt-BR\"");
        }
        let mut tag = primary.to_ascii_lowercase();
        for part in parts {
            if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return invalid("must be a language tag such as \"en\" or \"pt-BR\"");
            }
            tag.push('-');
            tag.push_str(part);
        }
        Ok(Self(tag))
    }
}

/// A URL path segment naming a review: `never-let-me-go-2010`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);
string_newtype!(Slug);

impl Slug {
    pub const MAX_LEN: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return invalid(format!("must be 1 to {} characters", Self::MAX_LEN));
        }
        let valid_chars = raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_chars || raw.starts_with('-') || raw.ends_with('-') || raw.contains("--") {
            return invalid("may contain only a-z, 0-9 and single hyphens between them");
        }
        if uuid::Uuid::parse_str(raw).is_ok() {
            return invalid("must not look like a review id");
        }
        Ok(Self(raw.to_string()))
    }

    /// A slug made from free text: "Never Let Me Go (2010)" → `never-let-me-go-2010`.
    pub fn from_text(text: &str) -> Self {
        let key = slugify(text);
        let key = if key.is_empty() {
            "review".to_string()
        } else {
            key
        };
        Self::parse(&key).unwrap_or_else(|_| Self("review".into()))
    }
}

/// Lower-case ASCII words joined by single hyphens, at most [`Slug::MAX_LEN`] long.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(fold_accent) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    if out.len() > Slug::MAX_LEN {
        out.truncate(Slug::MAX_LEN);
    }
    out.trim_end_matches('-').to_string()
}

/// Latin letters with diacritics become their base letter so slugs stay readable.
fn fold_accent(c: char) -> Vec<char> {
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
        'ç' | 'č' | 'ć' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'š' | 'ś' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'ř' => 'r',
        'ł' => 'l',
        'đ' => 'd',
        'ß' => return vec!['s', 's'],
        'æ' => return vec!['a', 'e'],
        'œ' => return vec!['o', 'e'],
        other => other,
    };
    vec![base]
}

/// A category or tag: its display name and the key used in URLs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub name: String,
    pub key: String,
}

impl Term {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim().trim_start_matches('#').trim();
        if name.is_empty() || name.chars().count() > 64 {
            return invalid("must be 1 to 64 characters");
        }
        let key = slugify(name);
        if key.is_empty() {
            return invalid("must contain a letter or digit");
        }
        Ok(Self {
            name: name.to_string(),
            key,
        })
    }

    /// CamelCase hashtag name without `#`: "Science Fiction" → `ScienceFiction`.
    pub fn hashtag(&self) -> String {
        self.name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut chars = w.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                    None => String::new(),
                }
            })
            .collect()
    }
}

/// A rating on a stated scale: `value` of `best`, in half steps (4 of 5, 3.5 of 5, 7 of 10).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    value: f64,
    best: u32,
}

impl Rating {
    pub fn new(value: f64, best: u32) -> Result<Self, Invalid> {
        if !(1..=100).contains(&best) {
            return invalid("best must be a whole number from 1 to 100");
        }
        if !value.is_finite() || value < 0.0 || value > f64::from(best) {
            return invalid(format!("value must be between 0 and {best}"));
        }
        if (value * 2.0).fract() != 0.0 {
            return invalid("value must be a whole or half step (e.g. 3.5)");
        }
        Ok(Self { value, best })
    }

    pub fn value(&self) -> f64 {
        self.value
    }

    pub fn best(&self) -> u32 {
        self.best
    }

    /// Five stars with halves, scaled from any scale: 4 of 5 → `★★★★☆`, 3.5 of 5 → `★★★½☆`.
    pub fn stars(&self) -> String {
        let halves = (self.value / f64::from(self.best) * 10.0).round() as usize;
        let (full, half) = (halves / 2, halves % 2);
        let empty = 5 - full - half;
        format!(
            "{}{}{}",
            "★".repeat(full),
            "½".repeat(half),
            "☆".repeat(empty)
        )
    }

    /// "4 out of 5", "3.5 out of 5".
    pub fn text(&self) -> String {
        format!("{} out of {}", format_number(self.value), self.best)
    }
}

fn format_number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{}", value as i64)
    } else {
        format!("{value:.1}")
    }
}

/// IMDb title id: `tt` and 7 to 10 digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ImdbId(String);
string_newtype!(ImdbId);

impl ImdbId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let digits = raw.strip_prefix("tt").unwrap_or("");
        if !(7..=10).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return invalid("must look like tt0000000");
        }
        Ok(Self(raw.to_string()))
    }

    pub fn url(&self) -> String {
        format!("https://www.imdb.com/title/{}/", self.0)
    }
}

/// Wikidata item id: `Q` and a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WikidataId(String);
string_newtype!(WikidataId);

impl WikidataId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let digits = raw.strip_prefix('Q').unwrap_or("");
        if digits.is_empty()
            || digits.len() > 12
            || digits.starts_with('0')
            || !digits.chars().all(|c| c.is_ascii_digit())
        {
            return invalid("must look like Q12345");
        }
        Ok(Self(raw.to_string()))
    }

    pub fn url(&self) -> String {
        format!("https://www.wikidata.org/wiki/{}", self.0)
    }
}

/// An absolute http(s) URL to something outside the blog (a poster image).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WebUrl(String);
string_newtype!(WebUrl);

impl WebUrl {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match url::Url::parse(raw.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
                Ok(Self(url.to_string()))
            }
            _ => invalid("must be an absolute http:// or https:// URL"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            Slug::from_text("Never Let Me Go (2010)").as_str(),
            "never-let-me-go-2010"
        );
        assert_eq!(
            Slug::from_text("Amélie — Le Fabuleux Destin").as_str(),
            "amelie-le-fabuleux-destin"
        );
        assert_eq!(Slug::from_text("!!!").as_str(), "review");
        assert!(Slug::parse("Bad Slug").is_err());
        assert!(Slug::parse("-x").is_err());
        assert!(Slug::parse("a--b").is_err());
        assert!(Slug::parse("0190a6f0-0000-7000-8000-000000000000").is_err());
        assert!(Slug::parse("ok-2010").is_ok());
    }

    #[test]
    fn ratings() {
        let r = Rating::new(4.0, 5).expect("valid");
        assert_eq!(r.stars(), "★★★★☆");
        assert_eq!(r.text(), "4 out of 5");
        assert_eq!(Rating::new(3.5, 5).expect("valid").stars(), "★★★½☆");
        assert_eq!(Rating::new(7.0, 10).expect("valid").stars(), "★★★½☆");
        assert_eq!(Rating::new(0.0, 5).expect("valid").stars(), "☆☆☆☆☆");
        assert!(Rating::new(3.3, 5).is_err());
        assert!(Rating::new(6.0, 5).is_err());
        assert!(Rating::new(-1.0, 5).is_err());
        assert!(Rating::new(1.0, 0).is_err());
        assert!(Rating::new(f64::NAN, 5).is_err());
    }

    #[test]
    fn terms_and_ids() {
        let t = Term::parse(" #Science Fiction and Space Shit ").expect("valid");
        assert_eq!(t.key, "science-fiction-and-space-shit");
        assert_eq!(t.hashtag(), "ScienceFictionAndSpaceShit");
        assert!(Term::parse("  ").is_err());
        assert!(ImdbId::parse("tt1334260").is_ok());
        assert!(ImdbId::parse("nm1334260").is_err());
        assert!(WikidataId::parse("Q837203").is_ok());
        assert!(WikidataId::parse("Q0").is_err());
        assert!(Language::parse("pt-BR").is_ok());
        assert!(Language::parse("english").is_err());
        assert!(Handle::parse("reviews_2").is_ok());
        assert!(Handle::parse("Reviews").is_err());
        assert!(WebUrl::parse("javascript:alert(1)").is_err());
    }
}
