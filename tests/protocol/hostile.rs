//! Hostile input fails cleanly: ids that are not http(s) URLs, missing ids and actors, huge
//! lists, deep nesting and what is not JSON.

use reviewpub::federation::protocol::{InboxActivity, ProtocolError, MAX_LIST_ITEMS};
use serde_json::{json, Value};

use super::{mastodon_create, raw};

fn refused(doc: Value) -> ProtocolError {
    match InboxActivity::from_value(doc) {
        Ok(parsed) => panic!("parsed: {parsed:?}"),
        Err(e) => e,
    }
}

#[test]
fn ids_that_are_not_http_urls_are_refused() {
    for bad in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "/users/alice/statuses/1",
        "https://user:secret@mastodon.example/users/alice/statuses/1",
        "https://",
        "",
    ] {
        for pointer in [
            "/id",
            "/actor",
            "/object/id",
            "/object/inReplyTo",
            "/object/attributedTo",
        ] {
            let mut doc = mastodon_create();
            *doc.pointer_mut(pointer).expect(pointer) = json!(bad);
            match refused(doc) {
                ProtocolError::Invalid { kind, path, .. } => {
                    assert_eq!(kind, "Create");
                    assert_eq!(format!("/{}", path.replace('.', "/")), pointer, "{bad}");
                }
                other => panic!("{bad} at {pointer}: {other:?}"),
            }
        }
    }
    let long = format!("https://mastodon.example/{}", "a".repeat(3000));
    let mut doc = mastodon_create();
    doc["object"]["id"] = json!(long);
    assert!(matches!(refused(doc), ProtocolError::Invalid { .. }));
}

#[test]
fn missing_ids_and_actors_are_refused_for_every_type() {
    for file in [
        "mastodon/create_note_reply.json",
        "mastodon/update_note.json",
        "mastodon/delete_tombstone.json",
        "mastodon/follow.json",
        "snac/accept_follow.json",
        "mastodon/undo_like.json",
        "misskey/like_custom_reaction.json",
        "akkoma/emoji_react_custom.json",
        "mastodon/announce.json",
        "mastodon/flag.json",
        "mastodon/move.json",
        "friendica/relocate.json",
    ] {
        for field in ["id", "actor"] {
            let mut doc = raw(file);
            doc.as_object_mut().expect("object").remove(field);
            assert!(
                matches!(refused(doc), ProtocolError::Invalid { .. }),
                "{file} without {field}"
            );
        }
    }
    // An embedded post without id.
    let mut doc = mastodon_create();
    doc["object"].as_object_mut().expect("object").remove("id");
    assert!(matches!(refused(doc), ProtocolError::Invalid { .. }));
    // An embedded Tombstone without id.
    let mut doc = raw("mastodon/delete_tombstone.json");
    doc["object"].as_object_mut().expect("object").remove("id");
    assert!(matches!(refused(doc), ProtocolError::Invalid { .. }));
}

#[test]
fn huge_lists_are_refused_where_they_matter_and_dropped_where_they_do_not() {
    let many = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!(format!("https://spam.example/users/u{i}")))
            .collect()
    };
    // Addressing decides who sees a post: too long a list is refused.
    let mut doc = mastodon_create();
    doc["object"]["cc"] = Value::Array(many(10_000));
    match refused(doc) {
        ProtocolError::Invalid { path, source, .. } => {
            assert_eq!(path, "object.cc");
            assert!(source
                .to_string()
                .contains(&format!("more than {MAX_LIST_ITEMS}")));
        }
        other => panic!("{other:?}"),
    }
    // Exactly the limit is fine.
    let mut doc = mastodon_create();
    doc["object"]["cc"] = Value::Array(many(MAX_LIST_ITEMS));
    InboxActivity::from_value(doc).expect("the limit itself parses");
    // A report of too many objects is refused.
    let mut doc = raw("mastodon/flag.json");
    doc["object"] = Value::Array(many(MAX_LIST_ITEMS + 1));
    assert!(matches!(refused(doc), ProtocolError::Invalid { .. }));
    // Too many tags are only decoration: the post parses without them.
    let mut doc = mastodon_create();
    doc["object"]["tag"] = Value::Array(
        (0..10_000)
            .map(|i| json!({"type": "Hashtag", "name": format!("#t{i}"), "href": "https://spam.example/t"}))
            .collect(),
    );
    let InboxActivity::Create(create) = InboxActivity::from_value(doc).expect("parses") else {
        panic!("not a Create")
    };
    assert!(create.note().expect("note").tag.is_empty());
}

#[test]
fn deep_nesting_and_non_json_fail_cleanly() {
    let deep = format!(
        "{{\"id\":\"https://x.example/1\",\"type\":\"Create\",\"actor\":\"https://x.example/a\",\"object\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        InboxActivity::parse(deep.as_bytes()),
        Err(ProtocolError::Json(_))
    ));
    assert!(matches!(
        InboxActivity::parse(b"not json"),
        Err(ProtocolError::Json(_))
    ));
    assert!(matches!(
        InboxActivity::parse(b"[1, 2]"),
        Err(ProtocolError::NotAnObject)
    ));
    assert!(InboxActivity::parse(b"[1, 2]").is_err_and(|e| e.is_malformed()));
    // A known type whose object has the wrong shape is an error, not an Unknown.
    let mut doc = mastodon_create();
    doc["object"] = json!(42);
    assert!(matches!(refused(doc), ProtocolError::Invalid { kind, .. } if kind == "Create"));
    // An unknown type still needs its id and actor.
    assert!(matches!(
        refused(json!({"type": "Block", "actor": "https://x.example/a"})),
        ProtocolError::Invalid { .. }
    ));
}
