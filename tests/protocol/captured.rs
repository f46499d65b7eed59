//! Every fixture parses and passes the document rules; the activities captured from snac2
//! and Fedify; the typed note against the old helpers.

use std::path::Path;

use reviewpub::federation::protocol::{ids_of, HttpUrl, InboxActivity, Note};

use super::{activity, actor, all_fixtures, create, raw};

#[test]
fn every_fixture_parses_and_passes_the_document_rules() {
    let files = all_fixtures();
    for software in [
        "mastodon",
        "misskey",
        "gotosocial",
        "akkoma",
        "pleroma",
        "friendica",
        "snac",
        "fedify",
    ] {
        assert!(
            files.iter().any(|f| f.starts_with(&format!("{software}/"))),
            "no fixture for {software}"
        );
    }
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for file in &files {
        let name = Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name");
        if name.starts_with("person") {
            actor(file);
            *kinds.entry("actor".into()).or_default() += 1;
        } else if name.starts_with("note") {
            let note: Note = serde_json::from_value(raw(file)).expect(file);
            assert!(note.is_post(), "{file}");
            *kinds.entry("note".into()).or_default() += 1;
        } else {
            let parsed = activity(file);
            // The typed id and actor are the ones in the document.
            let doc = raw(file);
            assert_eq!(
                parsed.id().as_str(),
                doc["id"].as_str().expect("id"),
                "{file}"
            );
            assert_eq!(
                Some(parsed.actor().as_str()),
                ids_of(&doc["actor"]).next(),
                "{file}"
            );
            *kinds.entry(parsed.kind()).or_default() += 1;
        }
    }
    assert!(files.len() >= 40, "{} fixtures", files.len());
    for kind in [
        "actor",
        "note",
        "Create",
        "Update",
        "Delete",
        "Follow",
        "Accept",
        "Undo",
        "Like",
        "EmojiReact",
        "Announce",
        "Flag",
        "Move",
        "dfrn:relocate",
    ] {
        assert!(
            kinds.contains_key(kind),
            "no fixture is a {kind}: {kinds:?}"
        );
    }
}

#[test]
fn snac_captured_activities() {
    let snac = "http://localhost:18202/critic";
    let peer = "http://localhost:18201/users/peer";
    let peer_note = "http://localhost:18201/notes/2ef5a0d6-abe4-44b8-845c-5109af4a23f3";

    let InboxActivity::Follow(follow) = activity("snac/follow.json") else {
        panic!("not a Follow")
    };
    assert_eq!(follow.followed().as_str(), peer);

    let InboxActivity::Accept(accept) = activity("snac/accept_follow.json") else {
        panic!("not an Accept")
    };
    assert_eq!(accept.accepted_kind(), Some("Follow"));
    assert_eq!(
        accept.accepted_id().map(HttpUrl::as_str),
        Some("http://localhost:18201/follows/147f1774-2979-47ff-8824-49b568d97c42")
    );

    let top = create("snac/create_note.json");
    let note = top.own_note().expect("own note");
    assert_eq!(note.parent(), None, "\"inReplyTo\": null");
    assert!(note.is_public());
    assert_eq!(note.summary(), None);
    assert_eq!(note.hashtags().collect::<Vec<_>>(), ["film"]);

    let reply = create("snac/create_note_reply.json");
    let note = reply.own_note().expect("own note");
    assert_eq!(note.parent().map(HttpUrl::as_str), Some(peer_note));
    assert_eq!(
        note.mentions().map(|m| m.to_string()).collect::<Vec<_>>(),
        [peer]
    );
    assert!(note.html().contains("Elliot Goldenthal"));

    let InboxActivity::Like(like) = activity("snac/like.json") else {
        panic!("not a Like")
    };
    assert_eq!(like.liked().as_str(), peer_note);
    let InboxActivity::Announce(boost) = activity("snac/announce.json") else {
        panic!("not an Announce")
    };
    assert_eq!(boost.announced().as_str(), peer_note);
    for (file, kind, undone) in [
        ("snac/undo_like.json", "Like", &like.id),
        ("snac/undo_announce.json", "Announce", &boost.id),
    ] {
        let InboxActivity::Undo(undo) = activity(file) else {
            panic!("{file}: not an Undo")
        };
        assert_eq!(undo.undone_kind(), Some(kind), "{file}");
        assert_eq!(undo.undone_id(), Some(undone), "{file}");
        assert_eq!(undo.undone_object().map(HttpUrl::as_str), Some(peer_note));
    }

    let InboxActivity::Delete(delete) = activity("snac/delete_tombstone.json") else {
        panic!("not a Delete")
    };
    assert_eq!(delete.object_id(), &reply.own_note().expect("note").id);

    let InboxActivity::Update(update) = activity("snac/update_note.json") else {
        panic!("not an Update")
    };
    let edited = update.own_note().expect("own note");
    assert!(edited.updated.is_some());
    assert!(edited.html().starts_with("Just watched Heat again (1995)."));

    let critic = actor("snac/person.json");
    assert_eq!(critic.id.as_str(), snac);
    assert_eq!(critic.shared_inbox(), None, "snac has no shared inbox");
    assert_eq!(
        critic.delivery_inbox().as_str(),
        "http://localhost:18202/critic/inbox"
    );
    assert_eq!(
        critic.avatar_url().as_deref(),
        Some("http://localhost:18202/susie.png")
    );
}

#[test]
fn fedify_captured_activities_and_compact_public_address() {
    let create = create("fedify/create_note_reply.json");
    assert!(create.is_public());
    let note = create.own_note().expect("own note");
    assert_eq!(
        note.parent().map(HttpUrl::as_str),
        Some("http://localhost:18201/notes/2ef5a0d6-abe4-44b8-845c-5109af4a23f3")
    );
    assert_eq!(
        note.cc.first().map(|a| a.as_str()),
        Some("http://localhost:18201/users/peer")
    );

    // The note Fedify serves addresses the public in compact form: `"to": "as:Public"`.
    let served: Note = serde_json::from_value(raw("fedify/note_reply.json")).expect("note");
    assert_eq!(served.to.first().map(|a| a.as_str()), Some("as:Public"));
    assert!(served.is_public());
    assert_eq!(
        served.author().map(HttpUrl::as_str),
        Some("http://localhost:18201/users/peer")
    );

    let InboxActivity::Undo(undo) = activity("fedify/undo_follow.json") else {
        panic!("not an Undo")
    };
    assert_eq!(undo.undone_kind(), Some("Follow"));
    assert_eq!(
        undo.undone_object().map(HttpUrl::as_str),
        Some("http://localhost:18201/users/peer")
    );

    let peer = actor("fedify/person.json");
    assert_eq!(
        peer.shared_inbox().map(HttpUrl::as_str),
        Some("http://localhost:18201/inbox")
    );
    assert_eq!(peer.username().as_deref(), Some("peer"));
}
