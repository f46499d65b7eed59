//! The exporting instance's settings in an archive: what the critic chose (the site, the
//! handle, comments, federation), never a secret (no token, no database URL) and nothing
//! about this machine (addresses, directories, limits). They live in configuration files, not
//! the database: an import compares them with the importing instance's and says what
//! differs, and `settings.toml` in the archive is the same as a `config/local.toml` fragment.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::{Moderation, QuotePolicy};

/// `settings` in `archive.json` (the handle first: a TOML key before the tables).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsRecord {
    pub handle: String,
    pub site: SiteSettings,
    pub comments: CommentSettings,
    pub federation: FederationSettings,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    pub title: String,
    pub description: String,
    pub author: String,
    pub language: String,
    pub about: String,
    pub page_size: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// An IANA time zone name (absent from archives written before it was a setting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentSettings {
    pub moderation: Moderation,
    pub max_parent_depth: u32,
    /// 0: replies never close by themselves.
    pub close_after_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederationSettings {
    pub manually_approves_followers: bool,
    pub show_followers: bool,
    pub authorized_fetch: bool,
    pub quote_policy: QuotePolicy,
    pub also_known_as: Vec<String>,
}

impl SettingsRecord {
    /// Each setting by its key (`site.title`, `handle`), as JSON.
    fn entries(&self) -> BTreeMap<String, Value> {
        let mut entries = BTreeMap::new();
        let Ok(Value::Object(top)) = serde_json::to_value(self) else {
            return entries;
        };
        for (name, value) in top {
            match value {
                Value::Object(section) => {
                    for (key, value) in section {
                        entries.insert(format!("{name}.{key}"), value);
                    }
                }
                value => {
                    entries.insert(name, value);
                }
            }
        }
        entries
    }

    /// One line per setting that differs between the archive (`self`) and `here`, saying
    /// where to set it. Values are written as JSON, so that nothing in them reaches a terminal
    /// unescaped.
    pub fn differences(&self, here: &Self) -> Vec<String> {
        let (theirs, ours) = (self.entries(), here.entries());
        let keys: std::collections::BTreeSet<&String> = theirs.keys().chain(ours.keys()).collect();
        keys.into_iter()
            .filter_map(|key| {
                let (theirs, mine) = (value_of(&theirs, key), value_of(&ours, key));
                (mine != theirs).then(|| {
                    let variable = format!("REVIEWPUB_{}", key.to_uppercase().replace('.', "__"));
                    format!(
                        "{key} is {} in the archive, {} here: set it in config/local.toml or \
                         {variable}",
                        shown(theirs),
                        shown(mine)
                    )
                })
            })
            .collect()
    }

    /// The settings as a `config/local.toml` fragment.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        Ok(format!(
            "# The settings of the exported blog, as config/local.toml takes them.\n{}",
            toml::to_string(self)?
        ))
    }
}

fn value_of<'a>(entries: &'a BTreeMap<String, Value>, key: &str) -> &'a Value {
    entries.get(key).unwrap_or(&Value::Null)
}

fn shown(value: &Value) -> String {
    match value {
        Value::Null => "not set".into(),
        value => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> SettingsRecord {
        SettingsRecord {
            handle: "reviews".into(),
            site: SiteSettings {
                title: "Outlaw Reviews".into(),
                description: "Films".into(),
                author: "Ann".into(),
                language: "en".into(),
                about: "About\nme".into(),
                page_size: 10,
                avatar_url: None,
                time_zone: Some("UTC".into()),
            },
            comments: CommentSettings {
                moderation: Moderation::FirstTime,
                max_parent_depth: 5,
                close_after_days: 0,
            },
            federation: FederationSettings {
                manually_approves_followers: false,
                show_followers: true,
                authorized_fetch: false,
                quote_policy: QuotePolicy::Anyone,
                also_known_as: vec!["https://old.example/users/ann".into()],
            },
        }
    }

    #[test]
    fn differences_name_the_key_both_values_and_the_variable() {
        let archive = record();
        assert!(archive.differences(&record()).is_empty());
        let mut here = record();
        here.site.title = "Other".into();
        here.site.avatar_url = Some("https://blog.example/a.png".into());
        here.comments.moderation = Moderation::Open;
        here.federation.also_known_as.clear();
        let mut theirs = archive.clone();
        theirs.site.title = "Evil \u{1b}[2J".into();
        assert_eq!(
            theirs.differences(&here),
            [
                "comments.moderation is \"first_time\" in the archive, \"open\" here: set it in \
                 config/local.toml or REVIEWPUB_COMMENTS__MODERATION",
                "federation.also_known_as is [\"https://old.example/users/ann\"] in the archive, \
                 [] here: set it in config/local.toml or REVIEWPUB_FEDERATION__ALSO_KNOWN_AS",
                "site.avatar_url is not set in the archive, \"https://blog.example/a.png\" here: \
                 set it in config/local.toml or REVIEWPUB_SITE__AVATAR_URL",
                "site.title is \"Evil \\u001b[2J\" in the archive, \"Other\" here: set it in \
                 config/local.toml or REVIEWPUB_SITE__TITLE",
            ]
        );
        assert_eq!(archive.differences(&here).len(), 4);
    }

    #[test]
    fn the_toml_fragment_reads_back() {
        let text = record().to_toml().expect("TOML");
        assert!(text.starts_with("# The settings"), "{text}");
        assert!(
            text.contains("[site]\ntitle = \"Outlaw Reviews\""),
            "{text}"
        );
        let back: SettingsRecord = toml::from_str(&text).expect("reads back");
        assert_eq!(back, record());
    }
}
