//! The `[notifications]` settings: whether and how the critic is mailed about what waits.

use lettre::message::Mailbox;
use secrecy::{ExposeSecret, SecretString};

use super::raw::RawNotifications;

/// How often e-mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    /// One e-mail per batch of new things, shortly after they arrive.
    Immediate,
    /// One digest a day at `daily_at`.
    Daily,
    Off,
}

impl Digest {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Daily => "daily",
            Self::Off => "off",
        }
    }
}

/// Where e-mail goes and through what.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: Mailbox,
    pub from: Mailbox,
    /// May hold a password: never printed (its `Debug` is redacted).
    pub smtp_url: SecretString,
    /// The server as it may be shown: `smtps://mail.example.org:465`, without the user and
    /// password.
    pub smtp_server: String,
}

#[derive(Debug, Clone)]
pub struct Notifications {
    pub digest: Digest,
    /// `None` when e-mail is not set up (then `digest` is off).
    pub email: Option<Email>,
    /// The daily digest's time in the site's time zone.
    pub daily_at: chrono::NaiveTime,
    pub debounce: std::time::Duration,
    pub retry_after: std::time::Duration,
}

/// Checks the raw settings: `Err((key, message))` names what is wrong (never the URL, which
/// may hold a password).
pub(super) fn parse(raw: RawNotifications) -> Result<Notifications, (&'static str, String)> {
    let digest = match raw.digest.trim() {
        "immediate" => Digest::Immediate,
        "daily" => Digest::Daily,
        "off" => Digest::Off,
        _ => {
            return Err((
                "notifications.digest",
                "must be \"immediate\", \"daily\" or \"off\"".into(),
            ))
        }
    };
    let daily_at =
        chrono::NaiveTime::parse_from_str(raw.daily_at.trim(), "%H:%M").map_err(|_| {
            (
                "notifications.daily_at",
                "must be a time as HH:MM, such as \"08:00\"".into(),
            )
        })?;
    if !(0..=3600).contains(&raw.debounce_seconds) {
        return Err((
            "notifications.debounce_seconds",
            "must be between 0 and 3600".into(),
        ));
    }
    if !(1..=86_400).contains(&raw.retry_seconds) {
        return Err((
            "notifications.retry_seconds",
            "must be between 1 and 86400".into(),
        ));
    }
    let email = email(raw.email_to, raw.email_from, raw.smtp_url)?;
    if digest != Digest::Off && email.is_none() {
        return Err((
            "notifications.digest",
            "e-mail needs notifications.email_to, email_from and smtp_url".into(),
        ));
    }
    Ok(Notifications {
        digest,
        email,
        daily_at,
        debounce: std::time::Duration::from_secs(raw.debounce_seconds),
        retry_after: std::time::Duration::from_secs(raw.retry_seconds),
    })
}

fn email(
    to: String,
    from: String,
    smtp_url: String,
) -> Result<Option<Email>, (&'static str, String)> {
    let smtp_url = SecretString::from(smtp_url.trim().to_string());
    let given = [
        ("notifications.email_to", !to.trim().is_empty()),
        ("notifications.email_from", !from.trim().is_empty()),
        (
            "notifications.smtp_url",
            !smtp_url.expose_secret().is_empty(),
        ),
    ];
    if given.iter().all(|(_, set)| !set) {
        return Ok(None);
    }
    if let Some((key, _)) = given.iter().find(|(_, set)| !set) {
        return Err((
            key,
            "must be set too: e-mail needs email_to, email_from and smtp_url".into(),
        ));
    }
    let mailbox = |key: &'static str, text: &str| {
        text.trim().parse::<Mailbox>().map_err(|_| {
            (
                key,
                format!(
                    "{text:?} is not an e-mail address such as \"Critic <critic@example.org>\""
                ),
            )
        })
    };
    let to = mailbox("notifications.email_to", &to)?;
    let from = mailbox("notifications.email_from", &from)?;
    let smtp_server = smtp_server(smtp_url.expose_secret())?;
    Ok(Some(Email {
        to,
        from,
        smtp_url,
        smtp_server,
    }))
}

/// The server an SMTP URL names, checked as the mailer will read it (the message never
/// repeats the URL).
fn smtp_server(url: &str) -> Result<String, (&'static str, String)> {
    const KEY: &str = "notifications.smtp_url";
    let wrong = || {
        (
            KEY,
            "must be an smtp:// or smtps:// URL such as smtps://user:password@mail.example.org"
                .to_string(),
        )
    };
    let parsed = url::Url::parse(url).map_err(|_| wrong())?;
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(wrong)?;
    if !matches!(parsed.scheme(), "smtp" | "smtps") {
        return Err(wrong());
    }
    lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
        .map_err(|e| (KEY, format!("is not usable: {e}")))?;
    Ok(match parsed.port() {
        Some(port) => format!("{}://{host}:{port}", parsed.scheme()),
        None => format!("{}://{host}", parsed.scheme()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(digest: &str, to: &str, smtp_url: &str) -> RawNotifications {
        RawNotifications {
            email_to: to.into(),
            email_from: "Blog <blog@example.org>".into(),
            smtp_url: smtp_url.into(),
            digest: digest.into(),
            daily_at: "07:30".into(),
            debounce_seconds: 60,
            retry_seconds: 300,
        }
    }

    #[test]
    fn e_mail_settings_are_checked_whole_and_never_repeat_the_url() {
        let ok = parse(raw(
            "daily",
            "critic@example.org",
            "smtps://u:hunter22@mail.example.org",
        ))
        .expect("valid");
        let email = ok.email.expect("e-mail");
        assert_eq!(email.smtp_server, "smtps://mail.example.org");
        assert!(!format!("{email:?}").contains("hunter22"));
        assert_eq!(
            ok.daily_at,
            chrono::NaiveTime::from_hms_opt(7, 30, 0).expect("time")
        );

        let (key, _) = parse(RawNotifications {
            email_from: String::new(),
            ..raw("immediate", "", "")
        })
        .expect_err("no e-mail");
        assert_eq!(key, "notifications.digest");
        let (key, _) = parse(raw("immediate", "", "")).expect_err("half set");
        assert_eq!(key, "notifications.email_to");
        let (key, _) = parse(raw("off", "critic@example.org", "")).expect_err("half set");
        assert_eq!(key, "notifications.smtp_url");
        let (key, message) = parse(raw(
            "daily",
            "critic@example.org",
            "http://u:hunter22@example.org",
        ))
        .expect_err("not smtp");
        assert_eq!(key, "notifications.smtp_url");
        assert!(!message.contains("hunter22"), "{message}");
        let (key, _) =
            parse(raw("daily", "not an address", "smtp://127.0.0.1:25")).expect_err("bad address");
        assert_eq!(key, "notifications.email_to");
        let off = parse(RawNotifications {
            email_from: String::new(),
            ..raw("off", "", "")
        });
        assert!(off.expect("off").email.is_none());
    }
}
