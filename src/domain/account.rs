//! An account named by a person (the critic moving the blog, a WebFinger query): `@user@host`,
//! with or without the leading `@` or an `acct:` scheme, or the account's ActivityPub id.

use super::Invalid;

/// An account, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRef {
    /// `user@host`, lowercased.
    Handle { user: String, host: String },
    /// An http(s) URL: the actor's id.
    Id(url::Url),
}

impl AccountRef {
    /// The one parser of account names.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        if raw.len() > crate::content::limits::URL_BYTES || raw.chars().any(char::is_control) {
            return Err(Invalid("is too long or holds control characters".into()));
        }
        let lower = raw.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return url::Url::parse(raw)
                .ok()
                .filter(|u| u.host().is_some())
                .map(Self::Id)
                .ok_or_else(|| Invalid("is not a valid URL".into()));
        }
        let account = lower.strip_prefix("acct:").unwrap_or(&lower);
        let account = account.strip_prefix('@').unwrap_or(account);
        match account.split_once('@') {
            Some((user, host))
                if !user.is_empty()
                    && !host.is_empty()
                    && !account.contains(char::is_whitespace)
                    && !host.contains(['@', '/', '?', '#']) =>
            {
                Ok(Self::Handle {
                    user: user.to_string(),
                    host: host.to_string(),
                })
            }
            _ => Err(Invalid(
                "is neither @user@host nor an account's http(s) URL".into(),
            )),
        }
    }
}

impl std::fmt::Display for AccountRef {
    /// `user@host` (as WebFinger's `acct:` takes it), or the URL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Handle { user, host } => write!(f, "{user}@{host}"),
            Self::Id(url) => write!(f, "{url}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AccountRef;

    #[test]
    fn handles_and_ids_parse_and_the_rest_is_refused() {
        let handle = |u: &str, h: &str| AccountRef::Handle {
            user: u.into(),
            host: h.into(),
        };
        for raw in [
            "@Critic@Example.org",
            "critic@example.org",
            "acct:critic@example.org",
        ] {
            assert_eq!(
                AccountRef::parse(raw),
                Ok(handle("critic", "example.org")),
                "{raw}"
            );
        }
        assert_eq!(
            AccountRef::parse("@new@localhost:8093"),
            Ok(handle("new", "localhost:8093"))
        );
        assert!(matches!(
            AccountRef::parse("https://example.org/users/critic"),
            Ok(AccountRef::Id(_))
        ));
        for bad in [
            "",
            "critic",
            "@critic",
            "critic@",
            "a@b@c",
            "a b@c",
            "a@b/c",
            "ftp://x/y",
            "a@b\nc",
        ] {
            assert!(AccountRef::parse(bad).is_err(), "{bad:?}");
        }
    }
}
