use super::*;

const FIXTURE: &str = include_str!("../../../tests/fixtures/wordpress/never-let-me-go.wxr.xml");

fn item(export: &Export, id: u64) -> &Item {
    export.items.iter().find(|i| i.post_id == id).expect("item")
}

#[test]
fn the_fixture_parses_into_its_items_and_comments() {
    let export = parse(FIXTURE).expect("parses");
    assert_eq!(export.version, "1.2");
    assert_eq!(export.blog_url, "https://oldblog.example");
    assert_eq!(export.language.as_deref(), Some("en-US"));
    assert_eq!(
        export.authors,
        vec![("vern".to_string(), "Vern".to_string())]
    );
    assert_eq!(export.items.len(), 7);

    let post = item(&export, 123);
    assert_eq!(post.title, "Never Let Me Go");
    assert_eq!(post.post_type, "post");
    assert_eq!(post.status, Some(PostStatus::Publish));
    assert_eq!(post.post_name, "never-let-me-go");
    assert_eq!(
        post.link,
        "https://oldblog.example/2011/02/04/never-let-me-go/"
    );
    assert_eq!(post.guid, "https://oldblog.example/?p=123");
    assert_eq!(post.post_date_gmt, parse_date("2011-02-04 10:54:00"));
    assert_eq!(post.post_date, parse_date("2011-02-04 02:54:00"));
    assert!(post.content.contains("<!--more-->"));
    let categories: Vec<&str> = post.terms_in("category").map(|t| t.name.as_str()).collect();
    assert_eq!(categories, ["Reviews", "Science Fiction and Space Shit"]);
    assert_eq!(post.terms_in("post_tag").count(), 2);
    assert_eq!(post.comments.len(), 36);

    let moderator = post.comments.iter().find(|c| c.id == 128).expect("comment");
    assert_eq!(moderator.author, "Vern");
    assert_eq!(moderator.parent, 124);
    assert_eq!(moderator.approved, Approval::Approved);
    assert_eq!(moderator.kind, CommentKind::Comment);
    assert!(moderator.content.contains("don’t be a dick"));
    let kinds: Vec<(&Approval, &CommentKind)> = post
        .comments
        .iter()
        .filter(|c| c.id >= 140)
        .map(|c| (&c.approved, &c.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (&Approval::Approved, &CommentKind::Pingback),
            (&Approval::Spam, &CommentKind::Comment),
            (&Approval::Trash, &CommentKind::Comment),
            (&Approval::Pending, &CommentKind::Comment),
            (&Approval::Approved, &CommentKind::Comment),
        ]
    );

    let draft = item(&export, 125);
    assert_eq!(draft.status, Some(PostStatus::Draft));
    assert_eq!(draft.post_date_gmt, None, "0000-00-00 00:00:00 is no date");
    assert_eq!(item(&export, 2).post_type, "page");
    assert_eq!(item(&export, 126).post_type, "attachment");
}

#[test]
fn entities_and_character_references_outside_cdata_are_read() {
    let xml = r#"<rss><channel><wp:wxr_version>1.2</wp:wxr_version>
        <item><title>Fast &amp; Furious &#8211; &#x2014;</title><wp:post_id>7</wp:post_id></item>
        </channel></rss>"#;
    let export = parse(xml).expect("parses");
    assert_eq!(export.items[0].title, "Fast & Furious – —");
}

#[test]
fn a_dtd_and_its_entities_are_never_expanded() {
    let xml = r#"<?xml version="1.0"?>
        <!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY lol "lol">]>
        <rss><channel><wp:wxr_version>1.2</wp:wxr_version>
        <item><title>&xxe;</title><wp:post_id>1</wp:post_id></item></channel></rss>"#;
    match parse(xml) {
        Err(WxrError::Entity(name)) => assert_eq!(name, "xxe"),
        other => panic!("expected an unknown entity error, got {other:?}"),
    }
}

#[test]
fn malformed_files_are_refused_with_a_reason() {
    let cases = [
        ("<rss><channel><wp:wxr_version>1.2</wp:wxr_version><item>", "ends before"),
        ("<rss><channel><item></channel></rss>", "not valid XML"),
        ("<html><body>hi</body></html>", "root element"),
        ("<rss><channel><title>x</title></channel></rss>", "wxr_version"),
        ("<rss></rss>", "no <channel>"),
        (
            "<rss><channel><wp:wxr_version>1.2</wp:wxr_version><item><wp:post_id>x</wp:post_id></item></channel></rss>",
            "wp:post_id is not a whole number",
        ),
        (
            "<rss><channel><wp:wxr_version>1.2</wp:wxr_version><item><title>t</title></item></channel></rss>",
            "wp:post_id is missing",
        ),
        ("", "no <channel>"),
    ];
    for (xml, why) in cases {
        let error = parse(xml).expect_err(xml).to_string();
        assert!(error.contains(why), "{xml}: {error}");
    }
}

#[test]
fn nesting_and_counts_are_bounded_without_recursion() {
    let deep = format!(
        "<rss><channel>{}{}</channel></rss>",
        "<x>".repeat(100_000),
        "</x>".repeat(100_000)
    );
    assert!(matches!(parse(&deep), Err(WxrError::TooDeep)));
    let many = format!(
        "<rss><channel><wp:wxr_version>1.2</wp:wxr_version>{}</channel></rss>",
        "<item><wp:post_id>1</wp:post_id></item>".repeat(MAX_ITEMS + 1)
    );
    assert!(matches!(parse(&many), Err(WxrError::TooMany(_))));
}

#[test]
fn commenters_addresses_are_not_read() {
    let export = parse(FIXTURE).expect("parses");
    let debug = format!("{export:?}");
    assert!(!debug.contains("@mail.example"), "no e-mail kept");
    assert!(!debug.contains("192.0.2."), "no IP kept");
}

#[test]
fn old_addresses_are_known_with_or_without_a_trailing_slash() {
    let key = Some("/2011/02/04/never-let-me-go".to_string());
    assert_eq!(legacy_path("/2011/02/04/never-let-me-go/", None), key);
    assert_eq!(
        legacy_path("/2011/02/04/never-let-me-go", Some("utm=x")),
        key
    );
    assert_eq!(legacy_path("/", Some("p=123")), Some("/?p=123".into()));
    assert_eq!(legacy_path("", Some("x=1&p=123")), Some("/?p=123".into()));
    assert_eq!(legacy_path("/", Some("p=12a")), None);
    assert_eq!(legacy_path("/", None), None);
    // A blog in a subdirectory keeps its plain links there.
    assert_eq!(
        legacy_path("/blog/", Some("p=123")),
        Some("/blog/?p=123".into())
    );
    assert_eq!(
        legacy_path("/blog", Some("p=123")),
        Some("/blog/?p=123".into())
    );
    assert_eq!(legacy_path("/blog/", None), Some("/blog".into()));
}

#[test]
fn a_blog_is_known_by_its_host_without_www_and_scheme_and_its_path() {
    let key = |address: &str| Blog::parse(address).map(|b| (b.key, b.base_path));
    let root = Some(("oldblog.example".to_string(), String::new()));
    for address in [
        "https://oldblog.example",
        "http://oldblog.example/",
        "https://www.OldBlog.example./",
        " http://WWW.oldblog.example ",
    ] {
        assert_eq!(key(address), root, "{address}");
    }
    assert_eq!(
        key("https://www.oldblog.example/blog/"),
        Some(("oldblog.example/blog".into(), "/blog".into()))
    );
    assert_eq!(
        key("http://oldblog.example:8080/Blog"),
        Some(("oldblog.example:8080/Blog".into(), "/Blog".into()))
    );
    for bad in ["", "oldblog.example", "ftp://oldblog.example", "https://"] {
        assert_eq!(key(bad), None, "{bad}");
    }
}
