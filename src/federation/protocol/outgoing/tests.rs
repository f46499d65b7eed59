use super::*;
use crate::domain::{
    Film, ImdbId, Language, Rating as Stars, ReviewStatus, Slug, WebUrl, WikidataId,
};
use crate::federation::documents;
use chrono::TimeZone;
use serde_json::json;
use uuid::Uuid;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, day, 12, 0, 0)
        .single()
        .expect("date")
}

fn settings() -> Settings {
    let figment = Settings::defaults()
        .merge(("public_url", "https://blog.example"))
        .merge(("handle", "reviews"));
    Settings::from_figment(&figment).expect("settings")
}

/// Every branch on: rating, poster, spoiler warning, categories and tags, an edit.
fn full_review() -> Review {
    Review {
        id: Uuid::from_u128(0x0190a6f0_7b1c_7c3e_9a55_2f1d8e4c6b01),
        slug: Slug::parse("heat-1995").expect("slug"),
        title: "Heat (1995)".into(),
        body: "De Niro and **Pacino** & <friends>.".into(),
        body_html: "<p>De Niro and <strong>Pacino</strong> &amp; &lt;friends&gt;.</p>".into(),
        summary: None,
        summary_html: "<p>De Niro and Pacino.</p>".into(),
        film: Film {
            title: "Heat".into(),
            year: Some(1995),
            original_title: Some("Heat".into()),
            directors: vec!["Michael Mann".into()],
            writers: vec!["Michael Mann".into()],
            cast: vec!["Al Pacino".into(), "Robert De Niro".into()],
            runtime_minutes: Some(170),
            poster_url: Some(WebUrl::parse("https://img.example/heat.jpg").expect("url")),
            poster_alt: None,
            imdb_id: Some(ImdbId::parse("tt0113277").expect("imdb")),
            wikidata_id: Some(WikidataId::parse("Q512653").expect("wikidata")),
            credits: vec![],
        },
        rating: Some(Stars::new(4.5, 5).expect("rating")),
        categories: vec![Term::parse("Crime").expect("term")],
        tags: vec![Term::parse("Los Angeles").expect("term")],
        spoiler_warning: Some("the <ending>".into()),
        language: Language::parse("en").expect("language"),
        author: "The Critic".into(),
        status: ReviewStatus::Published,
        publish_at: None,
        published_at: Some(at(14)),
        created_at: at(13),
        updated_at: at(15),
    }
}

/// Every branch off.
fn bare_review() -> Review {
    let mut review = full_review();
    review.film = Film {
        title: "Never Let Me Go".into(),
        year: None,
        original_title: None,
        directors: vec![],
        writers: vec![],
        cast: vec![],
        runtime_minutes: None,
        poster_url: None,
        poster_alt: None,
        imdb_id: None,
        wikidata_id: None,
        credits: vec![],
    };
    review.title = "Never Let Me Go".into();
    review.rating = None;
    review.categories = vec![];
    review.tags = vec![];
    review.spoiler_warning = None;
    review.language = Language::parse("fr").expect("language");
    review.published_at = None;
    review.updated_at = review.created_at;
    review
}

fn keys() -> KeyRow {
    KeyRow {
        public_key_pem: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n".into(),
        private_key_pem: "never serialized".into(),
        created_at: at(1),
    }
}

fn comment(origin: &str, edited: bool) -> CommentRow {
    CommentRow {
        id: Uuid::from_u128(7),
        ap_id: "https://blog.example/comments/00000000-0000-0000-0000-000000000007".into(),
        review_id: Uuid::from_u128(1),
        parent_id: None,
        origin: origin.parse().expect("origin"),
        author_actor: None,
        author_name: "Ann <Onymous>".into(),
        author_handle: None,
        author_url: Some("https://ann.example/?a=1&b=2".into()),
        author_avatar: None,
        url: None,
        content_html: "<p>Thanks!</p>".into(),
        source: None,
        summary: None,
        sensitive: false,
        visibility: crate::domain::Visibility::Public,
        status: crate::domain::CommentStatus::Published,
        published_at: at(16),
        edited_at: edited.then(|| at(17)),
        deleted_at: None,
        created_at: at(16),
        depth: 0,
    }
}

/// The typed document serializes to the same JSON as the `json!` one: field by field
/// (a failure names the field), then byte for byte (same order).
fn same(what: &str, typed: impl Serialize, old: Value) {
    let new = serde_json::to_value(&typed).expect("serializes");
    if let (Value::Object(new_map), Value::Object(old_map)) = (&new, &old) {
        for (key, value) in old_map {
            assert_eq!(new_map.get(key), Some(value), "{what}: field {key}");
        }
        for key in new_map.keys() {
            assert!(old_map.contains_key(key), "{what}: extra field {key}");
        }
    }
    assert_eq!(new, old, "{what}");
    assert_eq!(
        serde_json::to_string(&typed).expect("serializes"),
        old.to_string(),
        "{what}: field order"
    );
}

#[test]
fn actors_match_the_json_documents() {
    let settings = settings();
    let urls = Urls::new(&settings);
    same(
        "blog actor",
        blog_actor(&settings, &urls, &keys()),
        documents::blog_actor(&settings, &urls, &keys()),
    );
    let figment = Settings::defaults()
        .merge(("public_url", "https://blog.example"))
        .merge(("site.avatar_url", "https://img.example/me.png"))
        .merge(("federation.manually_approves_followers", true));
    let custom = Settings::from_figment(&figment).expect("settings");
    assert!(custom.site.avatar_url.is_some());
    assert!(custom.federation.manually_approves_followers);
    same(
        "blog actor with an avatar, locked",
        blog_actor(&custom, &urls, &keys()),
        documents::blog_actor(&custom, &urls, &keys()),
    );
    same(
        "instance actor",
        instance_actor(&urls, &keys()),
        documents::instance_actor(&urls, &keys()),
    );
}

#[test]
fn articles_match_the_json_documents() {
    let urls = Urls::new(&settings());
    let engagement = Engagement {
        replies: 31,
        likes: 4,
        shares: 2,
    };
    for (what, review) in [
        ("full review", full_review()),
        ("bare review", bare_review()),
    ] {
        same(
            what,
            article(&review, &urls, engagement),
            documents::article(&review, &urls, engagement),
        );
        let id = urls.activity(Uuid::from_u128(9));
        same(
            &format!("Create of the {what}"),
            review_activity(
                "Create",
                &id,
                &urls,
                article(&review, &urls, engagement),
                at(18),
            ),
            documents::review_activity(
                "Create",
                &id,
                &urls,
                documents::article(&review, &urls, engagement),
                at(18),
            ),
        );
    }
    // A review whose title names the film, without rating: the line has no film.
    let mut review = bare_review();
    review.film.directors = vec!["Mark Romanek".into()];
    same(
        "titled review",
        article(&review, &urls, engagement),
        documents::article(&review, &urls, engagement),
    );
}

#[test]
fn notes_tombstones_and_answers_match_the_json_documents() {
    let urls = Urls::new(&settings());
    let review = urls.review_id(full_review().id);
    let mention = Some((
        "https://mastodon.example/users/alice",
        "@alice@mastodon.example",
        "https://mastodon.example/@alice",
    ));
    for (origin, edited, mention) in [
        ("local", false, None),
        ("local", true, mention),
        ("imported", false, mention),
    ] {
        let comment = comment(origin, edited);
        same(
            &format!("{origin} comment, edited {edited}"),
            comment_note(&comment, &review, &review, mention, &urls),
            documents::comment_note(&comment, &review, &review, mention, &urls),
        );
    }
    same(
        "review tombstone",
        tombstone(&review, "Article", at(20)),
        documents::tombstone(&review, at(20)),
    );
    same(
        "comment tombstone",
        tombstone(&review, "Note", at(20)),
        documents::comment_tombstone(&review, at(20)),
    );
    let id = urls.activity(Uuid::from_u128(10));
    same(
        "Delete",
        review_activity(
            "Delete",
            &id,
            &urls,
            tombstone(&review, "Article", at(20)),
            at(20),
        ),
        documents::review_activity(
            "Delete",
            &id,
            &urls,
            documents::tombstone(&review, at(20)),
            at(20),
        ),
    );
    let follow = json!({"id": "https://mastodon.example/1", "type": "Follow",
        "actor": "https://mastodon.example/users/alice", "object": urls.actor()});
    for kind in ["Accept", "Reject"] {
        same(
            kind,
            follow_answer(kind, &id, &urls, follow.clone()),
            documents::follow_answer(kind, &id, &urls, &follow),
        );
    }
}

#[test]
fn collections_match_the_json_documents() {
    let id = "https://blog.example/users/reviews/followers";
    for (total, paged) in [(0, true), (1, true), (45, true), (45, false)] {
        same(
            &format!("collection of {total}, paged {paged}"),
            collection(id, total, paged),
            documents::collection(id, total, paged),
        );
    }
    for (page, total) in [(1, 1), (1, 45), (2, 45), (3, 45)] {
        let items = vec![
            json!("https://a.example/1"),
            json!({"id": "https://a.example/2"}),
        ];
        same(
            &format!("page {page} of {total}"),
            collection_page(id, page, total, items.clone()),
            documents::collection_page(id, page, total, items),
        );
    }
}
