use super::*;

const HEADER: &str = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate";

fn block(domain: &str, severity: BlockSeverity, reason: Option<&str>) -> DomainBlock {
    DomainBlock {
        domain: domain.into(),
        severity,
        reason: reason.map(Into::into),
    }
}

fn parsed(csv: &str) -> Blocklist {
    parse_mastodon_csv(csv).expect("a list")
}

#[test]
fn a_mastodon_export_becomes_blocks_and_holds() {
    let csv = format!(
        "{HEADER}\n\
         spam.example,suspend,true,true,Spam,false\n\
         Loud.Example.,silence,false,false,,false\n\
         fine.example,noop,true,false,,false\n\
         not a domain,suspend,false,false,,false\n\
         odd.example,ban,false,false,,false\n\n"
    );
    let list = parsed(&csv);
    assert_eq!(
        list.blocks,
        [
            block("spam.example", BlockSeverity::Suspend, Some("Spam")),
            block("loud.example", BlockSeverity::Silence, None),
        ]
    );
    assert_eq!(list.skipped, 1);
    assert_eq!(
        list.errors.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [5, 6]
    );
    // Without a header: domain, then severity (suspend when absent).
    let bare = parsed("a.example\nb.example,silence\n");
    assert_eq!(bare.blocks.len(), 2);
    assert_eq!(bare.blocks[1].severity, BlockSeverity::Silence);
}

/// Ruby's CSV (Mastodon's export) quotes a comment holding commas, quotes or line breaks.
#[test]
fn quoted_comments_keep_their_commas_and_line_breaks() {
    let csv = format!(
        "{HEADER}\n\
         spam.example,suspend,true,true,\"Spam, harassment, and \"\"free\"\" speech\",false\n\
         evil.example,suspend,false,false,\"Line one\n\
         not-a-server.example,silence\",false\n\
         after.example,silence,false,false,,false\n"
    );
    let list = parsed(&csv);
    assert_eq!(
        list.blocks,
        [
            block(
                "spam.example",
                BlockSeverity::Suspend,
                Some("Spam, harassment, and \"free\" speech")
            ),
            block(
                "evil.example",
                BlockSeverity::Suspend,
                Some("Line one not-a-server.example,silence")
            ),
            block("after.example", BlockSeverity::Silence, None),
        ]
    );
    assert!(list.errors.is_empty(), "{:?}", list.errors);
}

#[test]
fn rows_may_be_short_or_long_and_a_huge_field_is_unreadable() {
    let long = "x".repeat(MAX_FIELD_BYTES + 1);
    let csv = format!(
        "{HEADER}\n\
         short.example,silence\n\
         long.example,suspend,false,false,Why,false,extra,fields\n\
         huge.example,suspend,false,false,{long},false\n"
    );
    let list = parsed(&csv);
    assert_eq!(
        list.blocks
            .iter()
            .map(|b| b.domain.as_str())
            .collect::<Vec<_>>(),
        ["short.example", "long.example"]
    );
    assert_eq!(list.errors.len(), 1);
    assert_eq!(list.errors[0].0, 4);
    assert!(
        list.errors[0].1.contains("longer than"),
        "{:?}",
        list.errors
    );
}

#[test]
fn a_list_naming_no_server_is_refused() {
    assert_eq!(
        parse_mastodon_csv(""),
        Err(BlocklistError::NothingToImport(Vec::new()))
    );
    assert_eq!(
        parse_mastodon_csv(&format!("{HEADER}\n")),
        Err(BlocklistError::NothingToImport(Vec::new()))
    );
    assert_eq!(
        parse_mastodon_csv("#host,#severity\nspam.example,suspend\n"),
        Err(BlocklistError::NoDomainColumn)
    );
    let garbage = parse_mastodon_csv("<html><body>Not found</body></html>\n").expect_err("refused");
    assert!(garbage.to_string().contains("line 1: domain"), "{garbage}");
}

#[test]
fn a_list_over_the_limits_is_refused_whole() {
    let rows: String = (0..=MAX_RECORDS).map(|i| format!("a{i}.io\n")).collect();
    assert!(rows.len() <= MAX_BYTES, "{}", rows.len());
    assert_eq!(
        parse_mastodon_csv(&rows),
        Err(BlocklistError::TooManyRecords)
    );
    let at_limit: String = (0..MAX_RECORDS).map(|i| format!("a{i}.io\n")).collect();
    assert_eq!(parsed(&at_limit).blocks.len(), MAX_RECORDS);
    let big = format!("{HEADER}\n{}", "a".repeat(MAX_BYTES));
    assert_eq!(parse_mastodon_csv(&big), Err(BlocklistError::TooLarge));
}
