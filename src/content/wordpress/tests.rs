use super::*;
use crate::content::markdown_to_html;

#[test]
fn autop_paragraphs_and_line_breaks_render_as_on_wordpress() {
    let html = "First <em>para</em> with a <a href=\"https://x.example/a_b\">link_here</a>.\nSame paragraph, next line.\n\n\nSecond.";
    let md = to_markdown(html);
    let rendered = markdown_to_html(&md);
    assert!(rendered.contains("<em>para</em>"), "{rendered}");
    assert!(
        rendered.contains("href=\"https://x.example/a_b\""),
        "{rendered}"
    );
    assert!(rendered.contains("link_here</a>"), "{rendered}");
    assert!(rendered.contains("<br>"), "{rendered}");
    assert_eq!(rendered.matches("<p>").count(), 2, "{rendered}");
}

#[test]
fn text_that_markdown_would_read_as_markup_stays_text() {
    let html = "# not a heading\n1. not a list\n- nor this\n> nor a quote\n    not code\n*stars* and _under_ [brackets](x) a|b 2 < 3";
    let rendered = markdown_to_html(&to_markdown(html));
    for absent in ["<h1", "<ol", "<ul", "<blockquote", "<pre", "<strong", "<a "] {
        assert!(!rendered.contains(absent), "{absent} in {rendered}");
    }
    for present in [
        "# not a heading",
        "1. not a list",
        "*stars*",
        "_under_",
        "[brackets](x)",
        "2 &lt; 3",
    ] {
        assert!(rendered.contains(present), "{present} not in {rendered}");
    }
}

#[test]
fn block_html_stays_html_and_captions_become_figures() {
    let html = "<!-- wp:paragraph -->\n<p>Block *editor*.</p>\n<!-- /wp:paragraph -->\n\n<ul>\n<li>one</li>\n</ul>\n\n[caption id=\"attachment_1\" align=\"alignright\" width=\"300\"]<img src=\"https://x.example/a.jpg\" alt=\"\" width=\"300\" /> Kathy and Tommy[/caption]\nAfter.\n\nhttps://www.youtube.com/watch?v=abc";
    let rendered = markdown_to_html(&to_markdown(html));
    assert!(rendered.contains("<p>Block *editor*.</p>"), "{rendered}");
    assert!(rendered.contains("<li>one</li>"), "{rendered}");
    assert!(
        rendered.contains("<figure><img src=\"https://x.example/a.jpg\"")
            && rendered.contains("<figcaption>Kathy and Tommy</figcaption>"),
        "{rendered}"
    );
    assert!(rendered.contains("<p>After.</p>"), "{rendered}");
    assert!(
        rendered.contains("<a href=\"https://www.youtube.com/watch?v=abc\""),
        "{rendered}"
    );
    assert!(!rendered.contains("wp:paragraph"), "{rendered}");
}

#[test]
fn the_more_tag_splits_the_teaser() {
    let (teaser, whole) = split_more("One.\n\nTwo.\n\n<!--more-->\n\nThree.");
    assert_eq!(teaser.as_deref().map(str::trim), Some("One.\n\nTwo."));
    assert_eq!(to_markdown(&whole), "One.\n\nTwo.\n\nThree.");
    let (teaser, whole) = split_more("No marker.");
    assert_eq!((teaser, whole.as_str()), (None, "No marker."));
}

#[test]
fn comments_become_paragraphs() {
    assert_eq!(
        comment_html("One\nline.\n\nTwo <em>x</em>."),
        "<p>One<br>\nline.</p>\n<p>Two <em>x</em>.</p>"
    );
}

#[test]
fn image_sources_are_found_and_replaced() {
    let html = "<img class=\"a\" src=\"https://x.example/a.jpg\" /> and <img src='https://x.example/b.png'> <img src=\"https://x.example/a.jpg\">";
    assert_eq!(
        image_sources(html),
        ["https://x.example/a.jpg", "https://x.example/b.png"]
    );
    let replaced = replace_image_sources(
        html,
        &[("https://x.example/a.jpg".into(), "/media/abc.jpg".into())],
    );
    assert_eq!(replaced.matches("/media/abc.jpg").count(), 2);
}

/// Hostile text is read in time linear in its length: a megabyte of `<a` with no `>` (each
/// `<` once looked for its `>` to the end), tags without end and 100,000 distinct images
/// (each once compared with all before).
#[test]
fn hostile_text_is_read_in_one_pass() {
    let lone = "<a".repeat(500_000);
    let markdown = to_markdown(&lone);
    assert_eq!(markdown.matches("&lt;a").count(), 500_000);
    let tags = "<img".repeat(250_000);
    assert_eq!(image_sources(&tags), Vec::<String>::new());
    let many: String = (0..100_000)
        .map(|i| format!("<img src=\"/{i}.jpg\">"))
        .collect();
    let sources = image_sources(&format!("{many}{many}"));
    assert_eq!(sources.len(), 100_000);
    assert_eq!(sources.last().map(String::as_str), Some("/99999.jpg"));
    // Lone `<` among tags: each tag still found.
    assert_eq!(
        to_markdown("1<2 <em>x</em> 3<4 <b>y</b> <c"),
        "1&lt;2 <em>x</em> 3&lt;4 <b>y</b> &lt;c"
    );
}
