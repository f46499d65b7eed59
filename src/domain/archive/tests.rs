use chrono::Utc;
use uuid::Uuid;

use super::*;
use crate::domain::Film;

fn review(slug: &str) -> ReviewRecord {
    ReviewRecord {
        id: Uuid::now_v7(),
        slug: Some(slug.into()),
        title: "Heat".into(),
        body: "Body.".into(),
        summary: None,
        film: Film {
            title: "Heat".into(),
            ..Film::default()
        },
        rating_value: Some(4.5),
        rating_best: Some(5),
        spoiler_warning: None,
        categories: vec![Term::parse("Crime").expect("term")],
        tags: vec![],
        language: "en".into(),
        author: "A. Critic".into(),
        status: ReviewStatus::Published,
        publish_at: None,
        published_at: Some(Utc::now()),
        created_at: Utc::now(),
        updated_at: Utc::now(),
        deleted_at: None,
        federated: true,
        fediverse_hidden: false,
        ap_revision: 0,
        ap_retired_at: None,
        replies: ReplyPolicy::Default,
        quote_policy: None,
    }
}

fn comment(review_id: Uuid, parent: Option<&CommentRecord>) -> CommentRecord {
    CommentRecord {
        id: Uuid::now_v7(),
        ap_id: format!("https://blog.example/comments/{}", Uuid::now_v7()),
        review_id,
        parent_id: parent.map(|p| p.id),
        depth: parent.map_or(0, |p| p.depth + 1),
        origin: CommentOrigin::Imported,
        author_actor: None,
        author_name: "Reader".into(),
        author_handle: None,
        author_url: None,
        author_avatar: None,
        url: None,
        content_html: "<p>Hi</p>".into(),
        source: None,
        summary: None,
        sensitive: false,
        visibility: Visibility::Public,
        status: CommentStatus::Pending,
        published_at: Utc::now(),
        edited_at: None,
        deleted_at: None,
        created_at: Utc::now(),
    }
}

fn archive() -> Archive {
    let review = review("heat-1995");
    let top = comment(review.id, None);
    let answer = comment(review.id, Some(&top));
    Archive {
        format: FORMAT.into(),
        version: VERSION,
        exported_at: Utc::now(),
        generator: "reviewpub test".into(),
        instance: Instance {
            public_url: "https://blog.example".into(),
            handle: "reviews".into(),
            actors: vec![],
        },
        keys: None,
        former_slugs: vec![FormerSlugRecord {
            slug: "heat".into(),
            review_id: review.id,
            retired_at: Utc::now(),
        }],
        reviews: vec![review],
        pinned: vec![],
        remote_actors: vec![],
        followers: vec![],
        comments: vec![top, answer],
        reactions: vec![],
        blocks: vec![],
        reports: vec![],
        quotes: vec![],
        reply_authorizations: vec![],
        activities: vec![],
        pending_deliveries: vec![],
        thread_crawls: vec![],
        wordpress_posts: vec![],
        wordpress_comments: vec![],
        legacy_paths: vec![],
        moves: vec![],
        settings: None,
    }
}

#[test]
fn an_archive_reads_back_as_written_and_is_valid() {
    let archive = archive();
    assert_eq!(archive.validate(), Ok(()));
    let json = serde_json::to_string(&archive).expect("serializes");
    assert!(
        !json.contains("\"keys\""),
        "no keys unless exported: {json}"
    );
    let back: Archive = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, archive);
}

/// A field, and how to break its rule.
type Breakage = (&'static str, Box<dyn Fn(&mut Archive)>);

#[test]
fn broken_rules_name_the_field() {
    let cases: Vec<Breakage> = vec![
        ("version", Box::new(|a| a.version = 2)),
        (
            "instance.public_url",
            Box::new(|a| a.instance.public_url = "ftp://x".into()),
        ),
        (
            "reviews[0].slug",
            Box::new(|a| a.reviews[0].slug = Some("Not A Slug".into())),
        ),
        ("reviews[0].slug", Box::new(|a| a.reviews[0].slug = None)),
        (
            "reviews[0].rating_value",
            Box::new(|a| a.reviews[0].rating_value = Some(4.2)),
        ),
        (
            "reviews[0].language",
            Box::new(|a| a.reviews[0].language = "english!".into()),
        ),
        (
            "reviews[0].categories[0]",
            Box::new(|a| a.reviews[0].categories[0].key = "x".into()),
        ),
        (
            "reviews[0].published_at",
            Box::new(|a| a.reviews[0].published_at = None),
        ),
        (
            "former_slugs[0].review_id",
            Box::new(|a| a.former_slugs[0].review_id = Uuid::nil()),
        ),
        ("comments[1].depth", Box::new(|a| a.comments[1].depth = 3)),
        ("comments[0].parent_id", Box::new(|a| a.comments.swap(0, 1))),
        (
            "comments[1].id",
            Box::new(|a| a.comments[1].id = a.comments[0].id),
        ),
        (
            "comments[0].author_actor",
            Box::new(|a| a.comments[0].author_actor = Some("https://x.example/u".into())),
        ),
    ];
    for (field, break_it) in cases {
        let mut broken = archive();
        break_it(&mut broken);
        let error = broken.validate().expect_err(field);
        assert_eq!(error.field, field, "{error}");
    }
}

#[test]
fn unknown_fields_and_words_are_refused() {
    let mut json = serde_json::to_value(archive()).expect("serializes");
    json["reviews"][0]["colour"] = "red".into();
    assert!(serde_json::from_value::<Archive>(json).is_err());
    let mut json = serde_json::to_value(archive()).expect("serializes");
    json["comments"][0]["status"] = "maybe".into();
    assert!(serde_json::from_value::<Archive>(json).is_err());
}

#[test]
fn a_key_record_never_shows_its_private_key() {
    let key = KeyRecord {
        actor: "blog".into(),
        public_key_pem: "-----BEGIN PUBLIC KEY-----".into(),
        private_key_pem: "-----BEGIN PRIVATE KEY-----secret".into(),
        created_at: Utc::now(),
    };
    assert!(!format!("{key:?}").contains("secret"));
}
