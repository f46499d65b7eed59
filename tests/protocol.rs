//! The typed protocol layer (`reviewpub::federation::protocol`) against what real servers
//! send: every fixture under `tests/fixtures/activitypub/` (captured from snac2 and Fedify,
//! written in the exact shape of Mastodon, Misskey, GoToSocial, Akkoma, Pleroma and
//! Friendica) parses into the typed enum with the fields the handlers need, and hostile
//! variants of them fail cleanly (an error, no panic, nothing half-parsed).

// Test code may unwrap, expect and index (a panic is a failed test); see tests/it/main.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use reviewpub::federation::protocol::{
    ids_of, Actor, Create, HttpUrl, InboxActivity, Note, ProtocolError, Updated, MAX_LIST_ITEMS,
};
use serde_json::{json, Value};

const BLOG: &str = "https://blog.example/users/reviews";
const REVIEW: &str = "https://blog.example/reviews/0190a6f0-7b1c-7c3e-9a55-2f1d8e4c6b01";
const COMMENT: &str = "https://blog.example/comments/0190a6f2-1d4e-7a20-8c31-5b6e7f809a1b";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/activitypub")
}

fn raw(path: &str) -> Value {
    let file = fixtures_dir().join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn activity(path: &str) -> InboxActivity {
    let parsed = InboxActivity::from_value(raw(path)).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    parsed.check().unwrap_or_else(|e| panic!("{path}: {e}"));
    parsed
}

fn actor(path: &str) -> Actor {
    let actor: Actor = serde_json::from_value(raw(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    actor.check().unwrap_or_else(|e| panic!("{path}: {e}"));
    actor
}

fn create(path: &str) -> Create {
    match activity(path) {
        InboxActivity::Create(c) => c,
        other => panic!("{path}: not a Create: {other:?}"),
    }
}

fn url(s: &str) -> HttpUrl {
    HttpUrl::parse(s).expect("URL")
}

/// Every file under the fixtures directory, relative to it.
fn all_fixtures() -> Vec<String> {
    let mut files = Vec::new();
    for software in std::fs::read_dir(fixtures_dir()).expect("fixtures dir") {
        let software = software.expect("entry").path();
        if !software.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&software).expect("software dir") {
            let file = file.expect("entry").path();
            if file.extension().is_some_and(|e| e == "json") {
                files.push(
                    file.strip_prefix(fixtures_dir())
                        .expect("under the dir")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    files.sort();
    files
}

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
fn mastodon_reply_with_mentions_hashtags_emoji_and_content_map() {
    let create = create("mastodon/create_note_reply.json");
    let status = "https://mastodon.example/users/alice/statuses/113456789012345678";
    assert_eq!(create.actor, url("https://mastodon.example/users/alice"));
    assert!(create.is_public());
    let note = create.own_note().expect("own note");
    assert_eq!(note.id.as_str(), status);
    assert!(note.is_post());
    assert_eq!(note.parent(), Some(&url(REVIEW)));
    assert!(note.is_public());
    assert!(note.html().contains("The diner scene still holds up"));
    assert_eq!(note.content_map.get("en"), Some(note.html()));
    assert_eq!(
        note.summary(),
        None,
        "\"summary\": null is no content warning"
    );
    assert!(!note.is_sensitive());
    assert_eq!(
        note.link(),
        "https://mastodon.example/@alice/113456789012345678"
    );
    let mentions: Vec<String> = note.mentions().map(|m| m.to_string()).collect();
    assert_eq!(mentions, [BLOG, "https://misskey.example/users/9v2k3x4y5z"]);
    assert_eq!(note.hashtags().collect::<Vec<_>>(), ["michaelmann"]);
    let emojis: Vec<(&str, String)> = note.emojis().collect();
    assert_eq!(emojis.len(), 1);
    assert_eq!(emojis[0].0, ":heat_mug:");
    assert!(emojis[0].1.ends_with("3c9a6e0f12ab7d45.png"));
    assert_eq!(
        note.published.map(|d| d.to_rfc3339()),
        Some("2025-03-14T18:22:05+00:00".into())
    );
    assert_eq!(note.attachment.len(), 1);
    assert_eq!(
        note.attachment.first().and_then(|a| a.name.as_deref()),
        Some("Two men facing each other across a diner table at night")
    );
    let replies = note
        .replies
        .as_ref()
        .and_then(|r| r.object())
        .expect("replies collection");
    assert_eq!(
        replies.id.as_ref().map(HttpUrl::as_str),
        Some(format!("{status}/replies").as_str())
    );
    let first = replies
        .first
        .as_ref()
        .and_then(|f| f.object())
        .expect("first page");
    assert!(first.next.is_some());
    assert_eq!(first.item_ids().count(), 0);
    assert!(note
        .interaction_policy
        .as_ref()
        .and_then(|p| p.can_quote.as_ref())
        .is_some_and(|r| r.is_open()));
    assert!(note.quote().is_none());
    assert!(note
        .conversation
        .as_deref()
        .is_some_and(|c| c.starts_with("tag:")));
}

#[test]
fn mastodon_edit_delete_like_follow_flag_move_and_actor() {
    let InboxActivity::Update(update) = activity("mastodon/update_note.json") else {
        panic!("not an Update")
    };
    assert!(!update.is_profile_update());
    let note = update.own_note().expect("own note");
    assert_eq!(note.summary().as_deref(), Some("Heat (1995) spoilers"));
    assert!(note.is_sensitive());
    assert!(note.updated.is_some());
    assert!(note.html().contains("thirty years on"));

    let InboxActivity::Delete(delete) = activity("mastodon/delete_tombstone.json") else {
        panic!("not a Delete")
    };
    assert_eq!(
        delete.object_id().as_str(),
        "https://mastodon.example/users/alice/statuses/113456789012345678"
    );
    assert!(!delete.deletes_actor());
    assert_eq!(
        delete.object.object().and_then(|t| t.kind.first()),
        Some("Tombstone")
    );
    let InboxActivity::Delete(gone) = activity("mastodon/delete_actor.json") else {
        panic!("not a Delete")
    };
    assert!(gone.deletes_actor());

    let InboxActivity::Like(like) = activity("mastodon/like.json") else {
        panic!("not a Like")
    };
    assert_eq!(like.liked(), &url(REVIEW));
    assert_eq!(like.reaction(), None, "a Mastodon like is a plain like");
    assert!(!like.is_emoji_react());

    let InboxActivity::Undo(undo) = activity("mastodon/undo_like.json") else {
        panic!("not an Undo")
    };
    assert_eq!(undo.undone_kind(), Some("Like"));
    assert_eq!(
        undo.undone_id().map(HttpUrl::as_str),
        Some("https://mastodon.example/users/alice#likes/2207731")
    );
    assert_eq!(undo.undone_object(), Some(&url(REVIEW)));

    let InboxActivity::Follow(follow) = activity("mastodon/follow.json") else {
        panic!("not a Follow")
    };
    assert_eq!(follow.followed(), &url(BLOG));
    let InboxActivity::Undo(unfollow) = activity("mastodon/undo_follow.json") else {
        panic!("not an Undo")
    };
    assert_eq!(unfollow.undone_kind(), Some("Follow"));
    assert_eq!(unfollow.undone_object(), Some(&url(BLOG)));
    assert_eq!(unfollow.undone_id(), Some(&follow.id));

    let InboxActivity::Announce(boost) = activity("mastodon/announce.json") else {
        panic!("not an Announce")
    };
    assert_eq!(boost.announced(), &url(REVIEW));
    assert!(boost.is_public());

    let InboxActivity::Flag(flag) = activity("mastodon/flag.json") else {
        panic!("not a Flag")
    };
    assert_eq!(flag.actor.as_str(), "https://mastodon.example/actor");
    let reported: Vec<&str> = flag.reported().map(HttpUrl::as_str).collect();
    assert_eq!(reported, [BLOG, REVIEW, COMMENT]);
    assert_eq!(
        flag.content.as_deref(),
        Some("Spam link in a reply to one of our users")
    );

    let InboxActivity::Move(moved) = activity("mastodon/move.json") else {
        panic!("not a Move")
    };
    assert_eq!(moved.target.as_str(), "https://gts.example/users/alice");

    let alice = actor("mastodon/person.json");
    assert!(alice.kind.is("Person"));
    assert_eq!(alice.username().as_deref(), Some("alice"));
    assert_eq!(alice.display_name().as_deref(), Some("Alice :heat_mug:"));
    assert_eq!(
        alice.shared_inbox().map(HttpUrl::as_str),
        Some("https://mastodon.example/inbox")
    );
    assert_eq!(
        alice.delivery_inbox().as_str(),
        "https://mastodon.example/inbox"
    );
    assert_eq!(
        alice.profile_url().as_deref(),
        Some("https://mastodon.example/@alice")
    );
    assert!(alice
        .avatar_url()
        .is_some_and(|u| u.ends_with("b7c1d0e2a3f4.png")));
    let key = alice.public_key().expect("key");
    assert_eq!(
        key.id.as_str(),
        "https://mastodon.example/users/alice#main-key"
    );
    assert!(key.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert!(!alice.is_locked());
    assert_eq!(
        alice.also_known_as.first_id().map(HttpUrl::as_str),
        Some("https://oldserver.example/users/alice")
    );
    assert_eq!(
        alice.attachment.first().and_then(|a| a.name.as_deref()),
        Some("Letterboxd")
    );
}

#[test]
fn misskey_quote_reactions_and_cat() {
    let create = create("misskey/create_note_quote.json");
    let note = create.own_note().expect("own note");
    assert_eq!(note.parent(), Some(&url(REVIEW)));
    assert!(note.is_public());
    let quoted = "https://mastodon.example/users/alice/statuses/113456789012345678";
    assert_eq!(note.quote().map(HttpUrl::as_str), Some(quoted));
    assert_eq!(
        note.misskey_quote.as_ref().map(HttpUrl::as_str),
        Some(quoted)
    );
    assert_eq!(note.quote_url.as_ref().map(HttpUrl::as_str), Some(quoted));
    assert!(note
        .misskey_content
        .as_deref()
        .is_some_and(|m| m.starts_with("@reviews@blog.example Mann said")));
    assert_eq!(
        note.source.as_ref().and_then(|s| s.media_type.as_deref()),
        Some("text/x.misskeymarkdown")
    );
    assert_eq!(note.summary(), None, "no summary key is no content warning");
    assert_eq!(
        note.emojis().map(|(n, _)| n).collect::<Vec<_>>(),
        [":blobcat_popcorn:"]
    );
    assert_eq!(
        note.published.map(|d| d.timestamp_millis()),
        Some(1_741_983_102_317)
    );

    let InboxActivity::Like(custom) = activity("misskey/like_custom_reaction.json") else {
        panic!("not a Like")
    };
    assert!(!custom.is_emoji_react());
    assert_eq!(custom.liked(), &url(REVIEW));
    assert_eq!(custom.reaction().as_deref(), Some(":blobcat_popcorn:"));
    assert!(custom
        .custom_emoji_url()
        .is_some_and(|u| u.starts_with("https://misskey.example/files/webpublic-")));

    let InboxActivity::Like(unicode) = activity("misskey/like_unicode_reaction.json") else {
        panic!("not a Like")
    };
    assert_eq!(unicode.reaction().as_deref(), Some("👍"));
    assert_eq!(unicode.custom_emoji_url(), None);
    assert_eq!(unicode.liked(), &url(COMMENT));

    let InboxActivity::Undo(undo) = activity("misskey/undo_like.json") else {
        panic!("not an Undo")
    };
    assert_eq!(undo.undone_kind(), Some("Like"));
    assert_eq!(undo.undone_object(), Some(&url(COMMENT)));

    let carol = actor("misskey/person.json");
    assert_eq!(carol.is_cat, Some(true));
    assert_eq!(carol.display_name().as_deref(), Some("carol 🎬"));
    assert_eq!(
        carol.shared_inbox().map(HttpUrl::as_str),
        Some("https://misskey.example/inbox")
    );
    assert!(carol.image.is_empty(), "\"image\": null is no banner");
    assert!(carol.avatar_url().is_some());
}

#[test]
fn gotosocial_single_values_and_interaction_policy() {
    let create = create("gotosocial/create_note_reply.json");
    // GoToSocial writes one-item lists as bare values: `"to": "…#Public"`, `"tag": {…}`.
    assert!(create.is_public());
    let note = create.own_note().expect("own note");
    assert!(note.is_public());
    assert_eq!(note.parent(), Some(&url(COMMENT)));
    assert_eq!(
        note.mentions().map(|m| m.to_string()).collect::<Vec<_>>(),
        [BLOG]
    );
    assert_eq!(
        note.summary(),
        None,
        "an empty summary is no content warning"
    );
    assert_eq!(
        note.link(),
        "https://gts.example/@bob/statuses/01JPB7Q8Z3K4M5N6P7R8S9T0V1"
    );
    let policy = note.interaction_policy.as_ref().expect("policy");
    let reply = policy.can_reply.as_ref().expect("canReply");
    assert!(reply.is_open());
    assert!(reply.automatic().any(|a| a.as_str() == BLOG));
    let quote = policy.can_quote.as_ref().expect("canQuote");
    assert!(!quote.is_open(), "only bob may quote");
    assert_eq!(quote.manual().count(), 0);

    let bob = actor("gotosocial/person.json");
    assert!(bob.is_locked());
    assert_eq!(
        bob.public_key().map(|k| k.id.as_str()),
        Some("https://gts.example/users/bob/main-key")
    );
    assert_eq!(
        bob.delivery_inbox().as_str(),
        "https://gts.example/sharedInbox"
    );
}

#[test]
fn akkoma_and_pleroma_threads_sources_and_emoji_reactions() {
    let akkoma = create("akkoma/create_note_reply.json");
    let note = akkoma.own_note().expect("own note");
    assert_eq!(note.parent(), Some(&url(REVIEW)));
    assert!(note.is_public());
    assert_eq!(note.context, note.conversation);
    assert!(note
        .context
        .as_deref()
        .is_some_and(|c| c.starts_with("https://akkoma.example/contexts/")));
    assert_eq!(
        note.source.as_ref().and_then(|s| s.media_type.as_deref()),
        Some("text/markdown")
    );

    let InboxActivity::Like(react) = activity("akkoma/emoji_react_custom.json") else {
        panic!("not a Like")
    };
    assert!(react.is_emoji_react());
    assert_eq!(InboxActivity::Like(react.clone()).kind(), "EmojiReact");
    assert_eq!(react.reaction().as_deref(), Some(":popcorn:"));
    // Akkoma names the emoji without colons and gives it `"id": null`.
    assert_eq!(
        react.custom_emoji_url().as_deref(),
        Some("https://akkoma.example/emoji/custom/popcorn.png")
    );
    let InboxActivity::Undo(undo) = activity("akkoma/undo_emoji_react.json") else {
        panic!("not an Undo")
    };
    assert_eq!(undo.undone_id(), Some(&react.id), "undone by bare id");
    assert!(undo.undone().is_none());

    let pleroma = create("pleroma/create_note_reply.json");
    let note = pleroma.own_note().expect("own note");
    // Pleroma's `source` is a bare string and `sensitive` is null: both are just absent.
    assert!(note.source.is_none());
    assert!(!note.is_sensitive());
    assert!(note.is_public());
    assert!(note.html().contains("four stars is stingy"));

    let InboxActivity::Like(fire) = activity("pleroma/emoji_react_unicode.json") else {
        panic!("not a Like")
    };
    assert!(fire.is_emoji_react());
    assert_eq!(fire.reaction().as_deref(), Some("🔥"));
    assert_eq!(fire.custom_emoji_url(), None);
}

#[test]
fn friendica_reply_and_an_unknown_activity() {
    let create = create("friendica/create_note_reply.json");
    let note = create.own_note().expect("own note");
    let guid = "8f7e6d5c-4b3a-2910-8f7e-6d5c4b3a2910";
    assert_eq!(note.diaspora_guid.as_deref(), Some(guid));
    assert_eq!(note.parent(), Some(&url(REVIEW)));
    assert!(note.is_public());
    // `content` is preferred; the richer `contentMap` is there too.
    assert!(note.html().starts_with("@<a href"));
    assert!(note
        .content_map
        .get("en")
        .is_some_and(|c| c.contains("<em>L.A. Takedown</em>")));
    assert_eq!(
        note.link(),
        format!("https://friendica.example/display/{guid}")
    );
    assert_eq!(
        note.replies
            .as_ref()
            .and_then(|r| r.object())
            .and_then(|r| r.total_items),
        Some(0)
    );

    let InboxActivity::Unknown(relocate) = activity("friendica/relocate.json") else {
        panic!("not Unknown")
    };
    assert!(relocate.kind.is("dfrn:relocate"));
    assert_eq!(
        relocate.actor.as_str(),
        "https://friendica.example/profile/frank"
    );
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

// ------------------------------------------------------------------------ hostile input

fn refused(doc: Value) -> ProtocolError {
    match InboxActivity::from_value(doc) {
        Ok(parsed) => panic!("parsed: {parsed:?}"),
        Err(e) => e,
    }
}

fn mastodon_create() -> Value {
    raw("mastodon/create_note_reply.json")
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
