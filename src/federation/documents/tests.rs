use super::*;

#[test]
fn with_fields_adds_present_fields_last_replaces_in_place_and_leaves_absent_ones_out() {
    let object = json!({"id": "a", "type": "Note", "cc": []});
    let out = with_fields(
        object,
        [
            ("updated", None),
            ("cc", Some(json!(["b"]))),
            ("name", Some(json!("n"))),
        ],
    );
    assert_eq!(
        out.to_string(),
        r#"{"id":"a","type":"Note","cc":["b"],"name":"n"}"#
    );
    assert_eq!(with_fields(json!([1]), [("x", Some(json!(1)))]), json!([1]));
}

#[allow(clippy::result_large_err)] // figment::Jail's error type
fn urls() -> Urls {
    let mut settings = None;
    figment::Jail::expect_with(|_jail| {
        settings = Some(crate::config::Settings::load().expect("defaults are valid"));
        Ok(())
    });
    Urls::new(&settings.expect("settings"))
}

#[test]
fn a_follow_answer_embeds_the_follow_without_context_and_is_not_addressed() {
    let urls = urls();
    let accept = follow_answer(
        ActivityKind::Accept,
        "https://blog.example/activities/1",
        &urls,
        "https://peer.example/follows/9",
        "https://peer.example/users/alice",
    );
    let doc = serde_json::to_value(&accept).expect("serializes");
    assert_eq!(doc["type"], "Accept");
    assert!(doc.get("@context").is_some());
    assert!(doc.get("to").is_none() && doc.get("published").is_none());
    assert_eq!(
        doc["object"],
        json!({
            "id": "https://peer.example/follows/9",
            "type": "Follow",
            "actor": "https://peer.example/users/alice",
            "object": urls.actor(),
        })
    );
}

#[test]
fn an_embedded_activity_loses_its_context_and_keeps_its_addressing() {
    let urls = urls();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T10:00:00Z")
        .expect("date")
        .with_timezone(&Utc);
    let delete = review_activity(
        ActivityKind::Delete,
        "https://blog.example/activities/2",
        &urls,
        Object::Tombstone(tombstone("https://blog.example/reviews/x", at)),
        at,
    );
    let doc = serde_json::to_value(delete.embedded()).expect("serializes");
    assert!(doc.get("@context").is_none());
    assert_eq!(doc["to"], json!([PUBLIC]));
    assert_eq!(doc["cc"], json!([urls.followers()]));
    assert_eq!(doc["published"], "2026-11-30T10:00:00Z");
    assert_eq!(
        doc["object"],
        json!({"id": "https://blog.example/reviews/x", "type": "Tombstone", "formerType": "Article", "deleted": "2026-11-30T10:00:00Z"})
    );
}

#[test]
fn collections_name_their_pages_only_when_there_is_something_on_them() {
    let empty =
        serde_json::to_value(collection("https://b.example/outbox", 0, true)).expect("json");
    assert!(empty.get("first").is_none() && empty.get("last").is_none());
    let full =
        serde_json::to_value(collection("https://b.example/outbox", 41, true)).expect("json");
    assert_eq!(full["first"], "https://b.example/outbox?page=1");
    assert_eq!(full["last"], "https://b.example/outbox?page=3");

    let items: Vec<String> = (0..45).map(|i| format!("https://p.example/{i}")).collect();
    let middle = serde_json::to_value(collection_page("https://b.example/c", 2, 45, items.clone()))
        .expect("json");
    assert_eq!(middle["prev"], "https://b.example/c?page=1");
    assert_eq!(middle["next"], "https://b.example/c?page=3");
    // A post's replies: the collection with its first page embedded, without `@context`.
    let replies = serde_json::to_value(paged_collection(
        "https://b.example/r",
        FirstPage {
            ids: items[..20].to_vec(),
            total: 45,
        },
    ))
    .expect("json");
    assert!(replies.get("@context").is_none());
    assert_eq!(replies["totalItems"], 45);
    assert_eq!(
        replies["first"]["orderedItems"].as_array().map(Vec::len),
        Some(20)
    );
    assert_eq!(replies["first"]["next"], "https://b.example/r?page=2");
    assert!(replies["first"].get("@context").is_none());
}

mod previews {
    use super::*;
    use crate::content::{html_to_text, markdown_to_html};
    use crate::db::comments::Engagement;
    use crate::domain::review::{Film, ReviewStatus};
    use crate::domain::{Language, Rating, Review, Slug, Term, WebUrl};

    fn review(teaser: &str, warning: Option<&str>) -> Review {
        let now = Utc::now();
        Review {
            id: Uuid::now_v7(),
            slug: Slug::parse("a-film").expect("slug"),
            title: "A Film (1999)".into(),
            body: format!("{teaser}\n\nThe butler did it."),
            body_html: markdown_to_html(&format!("{teaser}\n\nThe butler did it.")),
            summary: None,
            summary_html: markdown_to_html(teaser),
            film: Film {
                title: "A Film".into(),
                year: Some(1999),
                directors: vec!["Jane Doe".into()],
                poster_url: Some(WebUrl::parse("https://img.example/p.PNG?size=2").expect("url")),
                ..Default::default()
            },
            rating: Rating::new(3.5, 5).ok(),
            categories: vec![Term::parse("Drama").expect("term")],
            tags: vec![Term::parse("butlers").expect("term")],
            spoiler_warning: warning.map(Into::into),
            language: Language::parse("en").expect("language"),
            author: "Critic".into(),
            status: ReviewStatus::Published,
            publish_at: None,
            published_at: Some(now),
            created_at: now,
            updated_at: now,
            ap_revision: 0,
            ap_retired_at: None,
            replies: crate::domain::ReplyPolicy::Default,
            quote_policy: None,
        }
    }

    fn engagement() -> Engagement {
        Engagement {
            replies: 0,
            likes: 0,
            shares: 0,
        }
    }

    fn article_json(review: &Review) -> Value {
        serde_json::to_value(article(
            review,
            &urls(),
            engagement(),
            FirstPage::default(),
            true,
            crate::domain::QuotePolicy::Anyone,
            None,
        ))
        .expect("serializes")
    }

    #[test]
    fn neodb_gets_the_markdown_without_the_spoiler_marker_and_a_rating_on_its_scale() {
        let mut r = review("A *fine* film.\n\n<!-- spoilers -->", None);
        r.film.imdb_id = crate::domain::ImdbId::parse("tt0113277").ok();
        r.rating = Rating::new(0.0, 5).ok();
        let a = article_json(&r);
        let related = &a["relatedWith"];
        assert_eq!(related[0]["type"], "Review");
        let body = related[0]["content"].as_str().expect("content");
        assert!(!body.contains("<!--"), "{body}");
        assert!(
            body.contains("A *fine* film.") && body.contains("The butler did it."),
            "{body}"
        );
        // NeoDB's grades run from 1 to 10 (`worst` is always 1): no stars is its lowest.
        assert_eq!(
            (
                &related[1]["value"],
                &related[1]["worst"],
                &related[1]["best"]
            ),
            (&json!(1), &json!(1), &json!(10))
        );
        r.rating = Rating::new(3.5, 5).ok();
        assert_eq!(article_json(&r)["relatedWith"][1]["value"], 7);
    }

    #[test]
    fn the_summary_reads_alone_with_linked_hashtags_and_the_poster_is_attached() {
        let r = review("A *fine* film.", Some("The ending."));
        let a = article_json(&r);
        let urls = urls();
        let drama = urls.category("drama");
        assert_eq!(
            a["summary"],
            format!(
                "<p>★★★½☆ (3.5 out of 5) A Film (1999), directed by Jane Doe</p>\
                 <p>Spoiler warning: The ending.</p><p>A <em>fine</em> film.</p>\
                 <p><a href=\"{drama}\" class=\"mention hashtag\" rel=\"tag\">#<span>Drama</span></a> \
                 <a href=\"{}\" class=\"mention hashtag\" rel=\"tag\">#<span>Butlers</span></a></p>",
                urls.tag("butlers")
            )
        );
        assert_eq!(a["tag"][0]["href"], drama);
        let poster = json!({"type": "Image", "url": "https://img.example/p.PNG?size=2",
            "mediaType": "image/png", "name": "Poster of A Film"});
        assert_eq!(a["image"], poster);
        assert_eq!(a["attachment"], json!([poster]));
        assert_eq!(a["sensitive"], true);
    }

    #[test]
    fn the_summary_stays_within_its_limit_whatever_the_review_holds() {
        let mut r = review(&"Long praise. ".repeat(150), Some(&"w".repeat(500)));
        r.film.directors = (0..100).map(|i| format!("Director {i}")).collect();
        r.tags = (0..30)
            .map(|i| Term::parse(&format!("tag {i}")).expect("term"))
            .collect();
        let a = article_json(&r);
        let text = html_to_text(a["summary"].as_str().expect("summary"));
        assert!(text.chars().count() <= SUMMARY_CHARS, "{text}");
        assert!(
            text.starts_with("★★★½☆") && text.contains("Long praise."),
            "{text}"
        );
        assert!(text.contains("#Drama") && text.contains("#Tag0"), "{text}");
        assert_eq!(a["tag"].as_array().map(Vec::len), Some(31));
    }

    #[test]
    fn the_preview_is_a_note_with_the_warning_as_its_content_warning() {
        let r = review("A *fine* film.", Some("The ending."));
        let a = article_json(&r);
        let p = &a["preview"];
        assert_eq!(p["type"], "Note");
        assert_eq!(p["attributedTo"], a["attributedTo"]);
        assert_eq!(p["summary"], "The ending.");
        assert_eq!(p["sensitive"], true);
        assert_eq!(p["attachment"], a["attachment"]);
        assert_eq!(p["tag"], a["tag"]);
        assert_eq!(p["url"], a["url"]);
        assert_eq!(p["published"], a["published"]);
        let content = p["content"].as_str().expect("content");
        let url = a["url"].as_str().expect("url");
        assert!(content.starts_with("<p><strong>A Film (1999)</strong></p><p>★★★½☆"));
        assert!(content.ends_with(&format!("<p><a href=\"{url}\">{url}</a></p>")));
        assert!(
            content.contains("<p>A <em>fine</em> film.</p>"),
            "{content}"
        );
        assert!(
            !content.contains("Spoiler warning"),
            "the warning is the CW: {content}"
        );
        assert!(!content.contains("butler did it"), "{content}");

        let mut plain = review("A fine film.", None);
        plain.film.poster_url = Some(WebUrl::parse("https://img.example/poster").expect("url"));
        plain.film.poster_alt = Some("A house".into());
        let a = article_json(&plain);
        assert!(a["preview"].get("summary").is_none());
        assert_eq!(a["preview"]["sensitive"], false);
        assert_eq!(a["sensitive"], false);
        assert_eq!(
            a["attachment"],
            json!([{"type": "Image", "url": "https://img.example/poster", "name": "A house"}])
        );
    }
}

#[test]
fn interaction_answers_and_stamps_have_the_shapes_mastodon_reads() {
    let urls = urls();
    let request = || InteractionRequestDoc {
        id: "https://m.example/users/alice/quote_requests/1".into(),
        kind: "QuoteRequest",
        actor: "https://m.example/users/alice".into(),
        object: "https://blog.example/reviews/1".into(),
        instrument: "https://m.example/users/alice/statuses/2".into(),
    };
    let accept = serde_json::to_value(interaction_answer(
        "https://b/activities/1",
        &urls,
        request(),
        Some("https://b/quotes/3".into()),
    ))
    .expect("json");
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["result"], "https://b/quotes/3");
    assert_eq!(accept["object"]["type"], "QuoteRequest");
    assert_eq!(
        accept["object"]["instrument"],
        "https://m.example/users/alice/statuses/2"
    );
    let reject = serde_json::to_value(interaction_answer(
        "https://b/activities/2",
        &urls,
        request(),
        None,
    ))
    .expect("json");
    assert_eq!(reject["type"], "Reject");
    assert!(reject.get("result").is_none(), "{reject}");

    let stamp = serde_json::to_value(quote_authorization(
        &urls,
        "https://b/quotes/3",
        "https://m.example/users/alice/statuses/2",
        "https://blog.example/reviews/1",
    ))
    .expect("json");
    assert_eq!(stamp["type"], "QuoteAuthorization");
    assert_eq!(stamp["attributedTo"], urls.actor());
    let terms = &stamp["@context"][2];
    assert_eq!(
        terms["QuoteAuthorization"],
        "https://w3id.org/fep/044f#QuoteAuthorization"
    );
    assert_eq!(terms["interactingObject"]["@id"], "gts:interactingObject");

    let revoke = serde_json::to_value(stamp_revocation(
        "https://b/activities/4",
        &urls,
        "https://b/quotes/3",
    ))
    .expect("json");
    assert_eq!(
        (revoke["type"].clone(), revoke["object"].clone()),
        (json!("Delete"), json!("https://b/quotes/3"))
    );

    use crate::domain::QuotePolicy;
    assert_eq!(quote_approval(QuotePolicy::Anyone, &urls), [PUBLIC]);
    assert_eq!(
        quote_approval(QuotePolicy::Followers, &urls),
        [urls.followers()]
    );
    assert_eq!(quote_approval(QuotePolicy::Nobody, &urls), [urls.actor()]);
}
