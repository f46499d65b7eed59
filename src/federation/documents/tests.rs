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
    // A single-page collection holds every item on page 1, however many.
    let single = serde_json::to_value(single_page("https://b.example/r", items)).expect("json");
    assert_eq!(single["orderedItems"].as_array().map(Vec::len), Some(45));
    assert!(single.get("next").is_none() && single.get("prev").is_none());
    assert_eq!(single["@context"], AS_CONTEXT);
}
