use super::*;

#[test]
fn each_constructor_fixes_origin_visibility_and_status() {
    figment::Jail::expect_with(|_jail| {
        let settings = crate::config::Settings::load().expect("defaults are valid");
        let urls = Urls::new(&settings);
        let at = Utc::now();
        let place = Place {
            review_id: Uuid::from_u128(1),
            parent_id: Some(Uuid::from_u128(2)),
        };

        let local = NewComment::local(&urls, "The Critic", place, "*Yes.*", at);
        assert_eq!(
            (local.origin, local.visibility, local.status),
            (
                CommentOrigin::Local,
                Visibility::Public,
                CommentStatus::Published
            )
        );
        assert_eq!(local.ap_id, urls.comment(local.id));
        assert_eq!(
            (local.review_id, local.parent_id),
            (place.review_id, place.parent_id)
        );
        assert_eq!(local.author_name, "The Critic");
        assert_eq!(local.author_handle, Some(format!("@{}", urls.acct())));
        assert_eq!(local.author_url, Some(urls.home()));
        assert_eq!(local.author_avatar, Some(urls.avatar()));
        assert_eq!(local.content_html, content::markdown_to_html("*Yes.*"));
        assert_eq!(local.source.as_deref(), Some("*Yes.*"));
        assert_eq!((local.author_actor, local.url), (None, None));

        let imported = NewComment::imported(
            &urls,
            place,
            "An Old Reader",
            Some("https://old.example/me".into()),
            "<p>Hi</p>".into(),
            at,
        );
        assert_eq!(
            (imported.origin, imported.visibility, imported.status),
            (
                CommentOrigin::Imported,
                Visibility::Public,
                CommentStatus::Published
            )
        );
        assert_eq!(imported.ap_id, urls.comment(imported.id));
        assert_ne!(imported.id, local.id);
        assert_eq!(
            imported.author_url.as_deref(),
            Some("https://old.example/me")
        );
        assert_eq!(imported.content_html, "<p>Hi</p>");
        assert_eq!(
            (
                imported.author_handle,
                imported.author_avatar,
                imported.source
            ),
            (None, None, None)
        );

        let reply = RemoteReply {
            ap_id: "https://peer.example/notes/1".into(),
            url: "https://peer.example/@alice/1".into(),
            author: Author {
                actor: Some("https://peer.example/users/alice".into()),
                name: "Alice".into(),
                ..Author::default()
            },
            body: Body {
                html: "<p>Hm</p>".into(),
                summary: Some("spoilers".into()),
                sensitive: true,
                ..Body::default()
            },
            published_at: at,
        };
        let remote = NewComment::remote(reply, place, Visibility::Private, CommentStatus::Pending);
        assert_eq!(
            (remote.origin, remote.visibility, remote.status),
            (
                CommentOrigin::Remote,
                Visibility::Private,
                CommentStatus::Pending
            )
        );
        assert_eq!(remote.ap_id, "https://peer.example/notes/1");
        assert_eq!(remote.url.as_deref(), Some("https://peer.example/@alice/1"));
        assert_eq!(
            remote.author_actor.as_deref(),
            Some("https://peer.example/users/alice")
        );
        assert_eq!(remote.summary.as_deref(), Some("spoilers"));
        assert!(remote.sensitive);
        assert_eq!(remote.published_at, at);
        Ok(())
    });
}
