//! The shapes of Mastodon, Misskey, GoToSocial, Akkoma, Pleroma and Friendica, read into the
//! fields the handlers need.

use reviewpub::federation::protocol::{HttpUrl, IdOrObject, InboxActivity};

use super::{activity, actor, create, raw, url, BLOG, COMMENT, REVIEW};

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
fn mastodon_quote_request_embeds_the_quoting_post() {
    let InboxActivity::QuoteRequest(request) = activity("mastodon/quote_request.json") else {
        panic!("not a QuoteRequest")
    };
    assert_eq!(
        request.actor.as_str(),
        "https://mastodon.example/users/alice"
    );
    assert_eq!(request.target().as_str(), REVIEW);
    assert_eq!(
        request.post().as_str(),
        "https://mastodon.example/users/alice/statuses/115512345678901234"
    );

    // By id alone, as a server may send it, it still parses and names the same post.
    let mut by_id = raw("mastodon/quote_request.json");
    by_id["instrument"] = serde_json::json!(request.post().as_str());
    let InboxActivity::QuoteRequest(by_id) = InboxActivity::from_value(by_id).expect("parses")
    else {
        panic!("not a QuoteRequest")
    };
    assert!(by_id.check().is_ok());
    assert_eq!(by_id.post(), request.post());

    // Someone else's post is not the actor's to have quoted.
    let mut foreign = raw("mastodon/quote_request.json");
    foreign["instrument"]["attributedTo"] = serde_json::json!("https://mastodon.example/users/bob");
    let parsed = InboxActivity::from_value(foreign).expect("parses");
    assert!(parsed.check().is_err(), "a post by bob in alice's request");
    let mut elsewhere = raw("mastodon/quote_request.json");
    elsewhere["instrument"] = serde_json::json!("https://other.example/notes/1");
    let parsed = InboxActivity::from_value(elsewhere).expect("parses");
    assert!(parsed.check().is_err(), "a post on another server");

    // Without the quoting post, it is refused as malformed.
    let mut missing = raw("mastodon/quote_request.json");
    missing
        .as_object_mut()
        .expect("object")
        .remove("instrument");
    assert!(InboxActivity::from_value(missing).is_err());
}

#[test]
fn gotosocial_reply_request_embeds_the_reply() {
    let InboxActivity::ReplyRequest(request) = activity("gotosocial/reply_request.json") else {
        panic!("not a ReplyRequest")
    };
    assert!(request.check().is_ok());
    assert_eq!(request.actor.as_str(), "https://gts.example/users/bob");
    assert_eq!(request.target().as_str(), REVIEW);
    let reply = "https://gts.example/users/bob/statuses/01JPB7Q8Z3K4M5N6P7R8S9T0V2";
    assert_eq!(request.post().as_str(), reply);
    let IdOrObject::Object(note) = &request.instrument else {
        panic!("the reply is embedded")
    };
    assert_eq!(note.parent(), Some(&url(REVIEW)));
    assert!(note.is_public());

    // By id alone it still parses and names the same reply.
    let mut by_id = raw("gotosocial/reply_request.json");
    by_id["instrument"] = serde_json::json!(reply);
    let InboxActivity::ReplyRequest(by_id) = InboxActivity::from_value(by_id).expect("parses")
    else {
        panic!("not a ReplyRequest")
    };
    assert!(by_id.check().is_ok());
    assert_eq!(by_id.post().as_str(), reply);

    // Someone else's post, or one on another server, is not the actor's to ask about.
    let mut foreign = raw("gotosocial/reply_request.json");
    foreign["instrument"]["attributedTo"] = serde_json::json!("https://gts.example/users/carol");
    assert!(InboxActivity::from_value(foreign)
        .expect("parses")
        .check()
        .is_err());
    let mut elsewhere = raw("gotosocial/reply_request.json");
    elsewhere["instrument"] = serde_json::json!("https://other.example/notes/1");
    assert!(InboxActivity::from_value(elsewhere)
        .expect("parses")
        .check()
        .is_err());
    let mut missing = raw("gotosocial/reply_request.json");
    missing
        .as_object_mut()
        .expect("object")
        .remove("instrument");
    assert!(InboxActivity::from_value(missing).is_err());
}
