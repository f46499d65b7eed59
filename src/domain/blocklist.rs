//! Domain blocklists from elsewhere: Mastodon's CSV export (`#domain,#severity,…`), parsed
//! into the blocks it asks for.

use super::{BlockSeverity, HostName};

/// The most lines read from one list.
pub const MAX_LINES: usize = 100_000;

/// One server the list blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainBlock {
    pub domain: String,
    pub severity: BlockSeverity,
    /// Mastodon's public comment, when the list gives one.
    pub reason: Option<String>,
}

/// What a list holds: the blocks, how many lines asked for nothing (`noop`), and the lines
/// that could not be read (line number and why).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blocklist {
    pub blocks: Vec<DomainBlock>,
    pub skipped: usize,
    pub errors: Vec<(usize, String)>,
}

/// Parses a Mastodon domain-block CSV. The header names the columns (`#domain`, `#severity`,
/// `#public_comment`; without a header, domain then severity); `suspend` is a block,
/// `silence` holds comments, `noop` is skipped.
pub fn parse_mastodon_csv(text: &str) -> Blocklist {
    let mut list = Blocklist::default();
    let mut lines = text.lines().enumerate().take(MAX_LINES).peekable();
    let column = |header: &[String], name: &str| header.iter().position(|h| h == name);
    let mut header: Vec<String> = vec!["domain".into(), "severity".into()];
    if let Some((_, first)) = lines.peek() {
        if first.trim_start().starts_with('#') || first.to_ascii_lowercase().starts_with("domain") {
            header = first
                .split(',')
                .map(|h| h.trim().trim_start_matches('#').to_ascii_lowercase())
                .collect();
            lines.next();
        }
    }
    let (Some(domain_at), severity_at, comment_at) = (
        column(&header, "domain"),
        column(&header, "severity"),
        column(&header, "public_comment"),
    ) else {
        list.errors
            .push((1, "the header names no domain column".into()));
        return list;
    };
    for (index, line) in lines {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let field = |at: Option<usize>| at.and_then(|i| fields.get(i)).copied().unwrap_or_default();
        let domain = match HostName::parse_authority(field(Some(domain_at))) {
            Ok(domain) => domain,
            Err(e) => {
                list.errors.push((number, format!("domain: {}", e.0)));
                continue;
            }
        };
        let severity = match field(severity_at) {
            "" | "suspend" => BlockSeverity::Suspend,
            "silence" => BlockSeverity::Silence,
            "noop" => {
                list.skipped += 1;
                continue;
            }
            other => {
                list.errors
                    .push((number, format!("unknown severity {other:?}")));
                continue;
            }
        };
        let reason =
            Some(crate::content::clean_line(field(comment_at), 500)).filter(|r| !r.is_empty());
        list.blocks.push(DomainBlock {
            domain,
            severity,
            reason,
        });
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mastodon_export_becomes_blocks_and_holds() {
        let csv = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
                   spam.example,suspend,true,true,Spam,false\n\
                   Loud.Example.,silence,false,false,,false\n\
                   fine.example,noop,true,false,,false\n\
                   not a domain,suspend,false,false,,false\n\
                   odd.example,ban,false,false,,false\n\n";
        let list = parse_mastodon_csv(csv);
        assert_eq!(
            list.blocks,
            [
                DomainBlock {
                    domain: "spam.example".into(),
                    severity: BlockSeverity::Suspend,
                    reason: Some("Spam".into())
                },
                DomainBlock {
                    domain: "loud.example".into(),
                    severity: BlockSeverity::Silence,
                    reason: None
                },
            ]
        );
        assert_eq!(list.skipped, 1);
        assert_eq!(
            list.errors.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            [5, 6]
        );
        // Without a header: domain, then severity (suspend when absent).
        let bare = parse_mastodon_csv("a.example\nb.example,silence\n");
        assert_eq!(bare.blocks.len(), 2);
        assert_eq!(bare.blocks[1].severity, BlockSeverity::Silence);
    }
}
