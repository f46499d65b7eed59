use super::*;

#[test]
fn posting_line() {
    let (when, categories) = parse_posting_line(
        "This entry was posted on Friday, February 4th, 2011 at 2:54 am and is filed under Reviews, Science Fiction and Space Shit. You can follow",
    )
    .expect("parses");
    assert_eq!(when.to_rfc3339(), "2011-02-04T02:54:00+00:00");
    assert_eq!(
        categories,
        vec!["Reviews", "Science Fiction and Space Shit"]
    );
}

#[test]
fn the_sample_has_31_responses() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/samples/002_f9ad0a0c7b967a73.txt"),
    );
    let Ok(text) = text else { return }; // the samples live beside the checkout
    let mut items = responses(&text);
    assert_eq!(items.len(), 31);
    assert_eq!(
        items.iter().map(|r| r.number).collect::<Vec<_>>(),
        (1..=31).collect::<Vec<_>>()
    );
    assert_eq!(
        items[15].author.as_deref(),
        Some("Jareth Cutestory's Clone")
    );
    assert_eq!(
        items[15].paragraphs[0],
        "Note to self: Remove Sternhein from Facebook friends page."
    );
    assert_eq!(items[22].author.as_deref(), Some("The Sophisticated Panda"));
    assert!(items[21].paragraphs[0].starts_with("They made a choice in the movie"));
    assert!(items[30]
        .paragraphs
        .last()
        .expect("last")
        .contains("DREDD 3D"));
    let posted = wordpress_date("February 4th, 2011 at 2:54 am").expect("date");
    fill_dates(&mut items, posted);
    let dates: Vec<_> = items.iter().map(|r| r.date.expect("date")).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "in order");
    assert_eq!(dates[15].to_rfc3339(), "2011-02-05T16:12:00+00:00");
    // No invented times: an undated response has the last date the sample gives before it.
    assert!(dates[..15].iter().all(|d| *d == posted));
    assert!(dates[16..22].iter().all(|d| *d == dates[15]));
    assert_eq!(dates[23], dates[22]);
}

#[test]
fn the_spoiler_sample_marks_where_its_spoilers_begin() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/samples/002_f9ad0a0c7b967a73.txt"),
    );
    let Ok(text) = text else { return }; // the samples live beside the checkout
    let input = second_sample(&text).expect("parses");
    let body = input.body.expect("body");
    let at = crate::content::spoiler_marker_at(&body).expect("marked");
    assert!(body[at..].contains("You can turn back now"));
    assert!(
        !body[..at].contains("clones"),
        "no spoiler before the marker"
    );
    let r = crate::content::render(&body, None, input.spoiler_warning.as_deref());
    assert!(r.summary_text.contains("LET ME IN"), "{}", r.summary_text);
    assert!(!r.summary_text.contains("clones"));
}
