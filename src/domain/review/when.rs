//! When a review goes (or went) live, as the critic writes it: a day, a day and a time on the
//! site's clock, or an exact instant.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::domain::Invalid;

/// The formats a date may take, in plain words (every error about a date says them).
pub const DATE_FORMATS: &str = "a date such as 2027-01-01, a date and time such as \
     2027-01-01 20:00 (both in the site's time zone), or an RFC 3339 instant such as \
     2027-01-01T20:00:00Z";

/// A publication date as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishAt {
    /// An exact instant (RFC 3339, with its offset).
    Instant(DateTime<Utc>),
    /// A day and time on the site's clock (a day alone is its midnight).
    Local(NaiveDateTime),
}

impl PublishAt {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
            return Ok(Self::Instant(at.with_timezone(&Utc)));
        }
        const LOCAL: &[&str] = &[
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S",
        ];
        if let Some(at) = LOCAL
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
        {
            return Ok(Self::Local(at));
        }
        if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            return Ok(Self::Local(day.and_time(chrono::NaiveTime::MIN)));
        }
        Err(Invalid(format!("must be {DATE_FORMATS}")))
    }

    /// The instant this names, a local time read on `tz`'s clock. A time that a clock change
    /// skips is refused; one that happens twice is the first.
    pub fn resolve(&self, tz: Tz) -> Result<DateTime<Utc>, Invalid> {
        match self {
            Self::Instant(at) => Ok(*at),
            Self::Local(naive) => tz
                .from_local_datetime(naive)
                .earliest()
                .map(|at| at.with_timezone(&Utc))
                .ok_or_else(|| {
                    Invalid(format!(
                        "does not exist in {tz}: the clocks skip it that day"
                    ))
                }),
        }
    }
}

impl From<DateTime<Utc>> for PublishAt {
    fn from(at: DateTime<Utc>) -> Self {
        Self::Instant(at)
    }
}

impl std::fmt::Display for PublishAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Instant(at) => {
                f.write_str(&at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
            }
            Self::Local(at) => write!(f, "{}", at.format("%Y-%m-%d %H:%M:%S")),
        }
    }
}

impl Serialize for PublishAt {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PublishAt {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(|Invalid(message)| serde::de::Error::custom(message))
    }
}

impl utoipa::PartialSchema for PublishAt {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(format!("A date: {DATE_FORMATS}.")))
            .examples(["2027-01-01 20:00"])
            .into()
    }
}

impl utoipa::ToSchema for PublishAt {}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> Tz {
        "Europe/Paris".parse().expect("tz")
    }

    fn at(raw: &str) -> String {
        PublishAt::parse(raw)
            .and_then(|p| p.resolve(paris()))
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|Invalid(m)| m)
    }

    #[test]
    fn a_day_a_local_time_and_an_instant_are_dates() {
        assert_eq!(at("2027-01-01"), "2026-12-31T23:00:00+00:00");
        assert_eq!(at("2027-01-01 20:00"), "2027-01-01T19:00:00+00:00");
        assert_eq!(at("2027-01-01T20:00"), "2027-01-01T19:00:00+00:00");
        assert_eq!(at("2027-07-01 20:00:30"), "2027-07-01T18:00:30+00:00");
        assert_eq!(at("2027-01-01T20:00:00Z"), "2027-01-01T20:00:00+00:00");
        assert_eq!(at("2027-01-01T20:00:00-05:00"), "2027-01-02T01:00:00+00:00");
    }

    #[test]
    fn anything_else_says_which_formats_work() {
        for raw in [
            "tomorrow",
            "01/01/2027",
            "2027-13-01",
            "2027-01-01 25:00",
            "",
        ] {
            let message = at(raw);
            assert!(message.contains("2027-01-01 20:00"), "{raw}: {message}");
            assert!(message.contains("RFC 3339"), "{raw}: {message}");
        }
        // 02:30 on the last Sunday of March does not exist in Paris.
        assert!(at("2027-03-28 02:30").contains("does not exist in Europe/Paris"));
    }

    #[test]
    fn it_reads_back_what_it_writes() {
        for raw in ["2027-01-01 20:00", "2027-01-01T20:00:00Z"] {
            let parsed = PublishAt::parse(raw).expect("valid");
            assert_eq!(PublishAt::parse(&parsed.to_string()), Ok(parsed));
        }
    }
}
