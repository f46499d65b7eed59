//! The e-mail itself: what it says (plain text with an HTML alternative) and sending it through
//! the configured SMTP server (lettre, on tokio, TLS by rustls).

use std::time::Duration;

use lettre::message::{header::ContentType, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::Notice;
use crate::config::{Email, Settings};
use crate::content::escape_html;
use crate::domain::NoticeKind;

/// An SMTP conversation that takes longer is given up (and tried again later).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Things listed of each kind in one e-mail; the rest are counted.
const LISTED: usize = 50;

/// Why an e-mail was not sent. The messages carry no secret (the SMTP URL is never in them).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("e-mail is not set up (notifications.email_to, email_from, smtp_url)")]
    NotSetUp,
    #[error("the e-mail could not be made: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("the SMTP server was not reached or refused the e-mail: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

/// An e-mail to send.
pub(super) struct Mail {
    pub(super) subject: String,
    pub(super) text: String,
    pub(super) html: String,
}

/// The e-mail telling of `notices` (not empty), subject "Blog: 2 held comments, 1 report".
pub(super) fn compose(settings: &Settings, notices: &[Notice]) -> Mail {
    let tz = settings.site.time_zone;
    let mut counts = Vec::new();
    let mut text = String::new();
    let mut html = String::new();
    for &kind in NoticeKind::ALL {
        let mut of_kind: Vec<&Notice> = notices.iter().filter(|n| n.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        of_kind.sort_by_key(|n| n.arrived);
        let counted = kind.counted(of_kind.len());
        let heading = match kind {
            NoticeKind::HeldComment => "Held comments",
            NoticeKind::Report => "Reports",
            NoticeKind::FollowRequest => "Follow requests",
        };
        text.push_str(&format!("{heading}:\n\n"));
        html.push_str(&format!("<h2>{heading}</h2>\n<ul>\n"));
        for n in of_kind.iter().take(LISTED) {
            let when = format!(
                "{} ({})",
                n.arrived.with_timezone(&tz).format("%-d %B %Y, %H:%M"),
                tz.name()
            );
            text.push_str(&format!(
                "- {}, {when}\n  {}\n  {}\n\n",
                n.title(),
                n.excerpt,
                n.desk_url
            ));
            html.push_str(&format!(
                "<li><p><a href=\"{url}\">{title}</a>, {when}</p><blockquote>{excerpt}</blockquote></li>\n",
                url = escape_html(&n.desk_url),
                title = escape_html(&n.title()),
                excerpt = escape_html(&n.excerpt),
            ));
        }
        if of_kind.len() > LISTED {
            let more = format!("and {} more at the desk", of_kind.len() - LISTED);
            text.push_str(&format!("({more})\n\n"));
            html.push_str(&format!("<li>{more}</li>\n"));
        }
        html.push_str("</ul>\n");
        counts.push(counted);
    }
    let summary = counts.join(", ");
    let site = &settings.site.title;
    let footer = format!(
        "Sent by {site} (notifications.digest in its settings).",
        site = settings.public_url.as_str()
    );
    Mail {
        subject: format!("{site}: {summary}"),
        text: format!("{summary} wait at the desk.\n\n{text}-- \n{footer}\n"),
        html: format!(
            "<!DOCTYPE html><html><body><p>{summary} wait at the desk.</p>\n{html}<p><small>{footer}</small></p></body></html>\n",
            summary = escape_html(&summary),
            footer = escape_html(&footer),
        ),
    }
}

/// Sends `mail` to the configured address.
#[tracing::instrument(skip_all)]
pub(super) async fn send(email: &Email, mail: Mail) -> Result<(), MailError> {
    let message = Message::builder()
        .from(email.from.clone())
        .to(email.to.clone())
        .subject(mail.subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(mail.text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(mail.html),
                ),
        )?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(email.smtp_url.expose_secret())?
        .timeout(Some(SMTP_TIMEOUT))
        .build();
    transport.send(message).await?;
    Ok(())
}

/// Sends a test e-mail (from the desk): whether e-mail works.
#[tracing::instrument(skip_all)]
pub async fn send_test(settings: &Settings) -> Result<(), MailError> {
    let email = settings
        .notifications
        .email
        .as_ref()
        .ok_or(MailError::NotSetUp)?;
    let site = &settings.site.title;
    let text = format!(
        "This is a test e-mail from {site} ({}). Held comments, reports and follow requests \
         will be told this way (notifications.digest: {}).\n",
        settings.public_url.as_str(),
        settings.notifications.digest.as_str()
    );
    let mail = Mail {
        subject: format!("{site}: test e-mail"),
        html: format!("<p>{}</p>\n", escape_html(&text)),
        text,
    };
    send(email, mail).await?;
    tracing::info!("a test e-mail was sent");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(kind: NoticeKind, who: &str, excerpt: &str) -> Notice {
        Notice {
            kind,
            id: uuid::Uuid::now_v7(),
            arrived: chrono::Utc::now(),
            who: who.into(),
            about: Some("Heat <1995>".into()),
            excerpt: excerpt.into(),
            desk_url: "https://blog.example/admin/comments#comment-1".into(),
        }
    }

    #[test]
    fn the_mail_counts_in_its_subject_and_escapes_its_html() {
        let settings = Settings::from_figment(&Settings::defaults()).expect("defaults");
        let mail = compose(
            &settings,
            &[
                notice(NoticeKind::HeldComment, "Alice", "<script>x</script>"),
                notice(NoticeKind::FollowRequest, "Bob", "https://b.example/bob"),
                notice(NoticeKind::HeldComment, "Carol", "Fine film."),
            ],
        );
        assert_eq!(mail.subject, "reviewpub: 2 held comments, 1 follow request");
        assert!(mail.text.contains("Held comment by Alice on “Heat <1995>”"));
        assert!(mail.text.contains("<script>x</script>"));
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(mail.html.contains("Heat &lt;1995&gt;"));
    }
}
