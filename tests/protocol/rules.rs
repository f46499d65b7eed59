//! Lenient where servers differ, strict where it matters: the document rules (what an actor
//! may do) and the actor rules.

use reviewpub::federation::protocol::{Actor, InboxActivity, ProtocolError, Updated};
use serde_json::{json, Value};

use super::{mastodon_create, raw, url, REVIEW};

#[test]
fn lenient_where_servers_differ() {
    // `type` as a list picks the known type.
    let mut doc = mastodon_create();
    doc["type"] = json!(["Create", "https://example.org/ns#Thing"]);
    assert!(matches!(
        InboxActivity::from_value(doc).expect("parses"),
        InboxActivity::Create(_)
    ));
    // An actor given as an object.
    let mut doc = raw("mastodon/like.json");
    doc["actor"] = json!({"id": "https://mastodon.example/users/alice", "type": "Person"});
    assert_eq!(
        InboxActivity::from_value(doc)
            .expect("parses")
            .actor()
            .as_str(),
        "https://mastodon.example/users/alice"
    );
    // Malformed decoration is absent, not fatal.
    let mut doc = mastodon_create();
    doc["object"]["summary"] = json!(12);
    doc["object"]["published"] = json!("last Tuesday");
    doc["object"]["url"] = json!({"no": "href"});
    doc["object"]["sensitive"] = json!("yes");
    doc["object"]["replies"] = json!(["nonsense"]);
    doc["object"]["contentMap"] = json!({"en": 1, "de": "<p>Hallo</p>"});
    doc["object"]["content"] = Value::Null;
    doc["unknownProperty"] = json!({"deep": [1, 2, 3]});
    let create = match InboxActivity::from_value(doc).expect("parses") {
        InboxActivity::Create(c) => c,
        other => panic!("{other:?}"),
    };
    let note = create.note().expect("note");
    assert_eq!(note.summary(), None);
    assert_eq!(note.published, None);
    assert_eq!(note.link(), note.id.to_string(), "falls back to the id");
    assert!(!note.is_sensitive());
    assert_eq!(
        note.html(),
        "<p>Hallo</p>",
        "contentMap when content is absent"
    );
    // `inReplyTo` embedded (Pleroma), quote properties set to null (Misskey).
    let mut doc = mastodon_create();
    doc["object"]["inReplyTo"] = json!({"id": REVIEW, "type": "Article"});
    doc["object"]["_misskey_quote"] = Value::Null;
    doc["object"]["quoteUrl"] = Value::Null;
    let InboxActivity::Create(create) = InboxActivity::from_value(doc).expect("parses") else {
        panic!("not a Create")
    };
    let note = create.note().expect("note");
    assert_eq!(note.parent(), Some(&url(REVIEW)));
    assert!(note.quote().is_none());
    // Mastodon's quote of a deleted post is a Tombstone without id: no quote.
    let mut doc = mastodon_create();
    doc["object"]["quote"] = json!({"type": "Tombstone"});
    let InboxActivity::Create(create) = InboxActivity::from_value(doc).expect("parses") else {
        panic!("not a Create")
    };
    assert!(create.note().expect("note").quote().is_none());
    // A url that is not http(s) is never a link.
    let mut doc = mastodon_create();
    doc["object"]["url"] = json!("javascript:alert(1)");
    let InboxActivity::Create(create) = InboxActivity::from_value(doc).expect("parses") else {
        panic!("not a Create")
    };
    let note = create.note().expect("note");
    assert_eq!(note.link(), note.id.to_string());
}

#[test]
fn document_rules_refuse_what_the_actor_may_not_do() {
    // A post by someone else.
    let mut doc = mastodon_create();
    doc["object"]["attributedTo"] = json!("https://mastodon.example/users/mallory");
    let parsed = InboxActivity::from_value(doc).expect("parses");
    assert!(matches!(parsed.check(), Err(ProtocolError::NotTheAuthor)));
    assert!(parsed.check().is_err_and(|e| !e.is_malformed()));
    // A post stored on another server.
    let mut doc = mastodon_create();
    doc["object"]["id"] = json!("https://elsewhere.example/statuses/1");
    let parsed = InboxActivity::from_value(doc).expect("parses");
    assert!(matches!(parsed.check(), Err(ProtocolError::ForeignObject)));
    // A post given by reference only.
    let mut doc = mastodon_create();
    doc["object"] = json!("https://mastodon.example/users/alice/statuses/1");
    let parsed = InboxActivity::from_value(doc).expect("parses");
    assert!(matches!(parsed.check(), Err(ProtocolError::NotEmbedded)));
    // An activity id on another server than its actor.
    let mut doc = raw("mastodon/like.json");
    doc["id"] = json!("https://elsewhere.example/likes/1");
    let parsed = InboxActivity::from_value(doc).expect("parses");
    assert!(matches!(
        parsed.check(),
        Err(ProtocolError::ForeignActivity)
    ));
    // Undoing someone else's like.
    let mut doc = raw("mastodon/undo_like.json");
    doc["object"]["actor"] = json!("https://mastodon.example/users/bob");
    let parsed = InboxActivity::from_value(doc).expect("parses");
    assert!(matches!(parsed.check(), Err(ProtocolError::NotTheUndoer)));
    // Deleting a post of another server.
    let mut doc = raw("mastodon/delete_tombstone.json");
    doc["object"]["id"] = json!(REVIEW);
    let parsed = InboxActivity::from_value(doc).expect("parses");
    assert!(matches!(parsed.check(), Err(ProtocolError::ForeignObject)));
    // Updating someone else's profile.
    let mut person = raw("mastodon/person.json");
    person["id"] = json!("https://mastodon.example/users/bob");
    person["publicKey"]["owner"] = json!("https://mastodon.example/users/bob");
    let update = json!({"id": "https://mastodon.example/users/alice#updates/1", "type": "Update",
        "actor": "https://mastodon.example/users/alice", "object": person});
    let parsed = InboxActivity::from_value(update).expect("parses");
    let InboxActivity::Update(u) = &parsed else {
        panic!("not an Update")
    };
    assert!(matches!(u.object.object(), Some(Updated::Actor(_))));
    assert!(matches!(parsed.check(), Err(ProtocolError::NotOwnProfile)));
    // A profile update whose actor document is incomplete is still a profile update (the
    // actor is fetched again; nothing in it is used), but only of oneself.
    let update = json!({"id": "https://mastodon.example/users/alice#updates/2", "type": "Update",
        "actor": "https://mastodon.example/users/alice",
        "object": {"id": "https://mastodon.example/users/alice", "type": "Person", "name": "Alice"}});
    let parsed = InboxActivity::from_value(update.clone()).expect("parses");
    let InboxActivity::Update(u) = &parsed else {
        panic!("not an Update")
    };
    assert!(matches!(u.object.object(), Some(Updated::OtherActor(_))));
    assert!(u.is_profile_update());
    parsed.check().expect("own profile");
    let mut other = update;
    other["object"]["id"] = json!("https://mastodon.example/users/bob");
    let parsed = InboxActivity::from_value(other).expect("parses");
    assert!(matches!(parsed.check(), Err(ProtocolError::NotOwnProfile)));
    // Moving someone else.
    let mut doc = raw("mastodon/move.json");
    doc["object"] = json!("https://mastodon.example/users/bob");
    let parsed = InboxActivity::from_value(doc).expect("parses");
    assert!(matches!(parsed.check(), Err(ProtocolError::NotSelf)));
}

#[test]
fn actor_rules() {
    let base = raw("mastodon/person.json");
    let check = |patch: &dyn Fn(&mut Value)| {
        let mut doc = base.clone();
        patch(&mut doc);
        serde_json::from_value::<Actor>(doc).map(|a| a.check())
    };
    assert!(matches!(
        check(&|d| d["type"] = json!("Note")),
        Ok(Err(ProtocolError::NotAnActor(_)))
    ));
    assert!(matches!(
        check(&|d| d["inbox"] = json!("https://elsewhere.example/inbox")),
        Ok(Err(ProtocolError::ForeignInbox))
    ));
    assert!(matches!(
        check(&|d| d["publicKey"]["owner"] = json!("https://mastodon.example/users/bob")),
        Ok(Err(ProtocolError::NoOwnKey))
    ));
    assert!(check(&|d| d["inbox"] = json!("javascript:alert(1)")).is_err());
    assert!(check(&|d| {
        d.as_object_mut().expect("object").remove("inbox");
    })
    .is_err());
    // A shared inbox on a third party's server is ignored.
    let mut doc = base.clone();
    doc["endpoints"]["sharedInbox"] = json!("https://victim.example/inbox");
    let actor: Actor = serde_json::from_value(doc).expect("parses");
    assert_eq!(actor.shared_inbox(), None);
    assert_eq!(actor.delivery_inbox(), &actor.inbox);
    // Two keys: the one the actor owns signs.
    let mut doc = base.clone();
    let own = doc["publicKey"].clone();
    let mut other = own.clone();
    other["owner"] = json!("https://mastodon.example/users/bob");
    other["id"] = json!("https://mastodon.example/users/bob#main-key");
    doc["publicKey"] = json!([other, own]);
    let actor: Actor = serde_json::from_value(doc).expect("parses");
    assert_eq!(
        actor.public_key().map(|k| k.id.as_str()),
        Some("https://mastodon.example/users/alice#main-key")
    );
}
