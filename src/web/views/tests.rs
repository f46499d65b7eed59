use super::*;
use crate::comments::Answered;
use crate::db::comments::CommentRow;
use crate::domain::CommentOrigin;
use uuid::Uuid;

fn links() -> ReplyLinks {
    ReplyLinks {
        interact: "https://blog.example/interact".into(),
        review_ap_id: "https://blog.example/reviews/r".into(),
    }
}

fn shown(id: u128, level: usize) -> Shown {
    let at = Utc::now();
    Shown {
        comment: CommentRow {
            id: Uuid::from_u128(id),
            ap_id: format!("https://x.example/{id}"),
            review_id: Uuid::nil(),
            parent_id: None,
            origin: CommentOrigin::Remote,
            author_actor: None,
            author_name: format!("A{id}"),
            author_handle: None,
            author_url: None,
            author_avatar: None,
            url: None,
            content_html: format!("<p>{id}</p>"),
            source: None,
            summary: None,
            sensitive: false,
            visibility: crate::domain::Visibility::Public,
            status: crate::domain::CommentStatus::Published,
            published_at: at,
            edited_at: None,
            deleted_at: None,
            created_at: at,
            depth: 0,
        },
        level,
        in_reply_to: None,
    }
}

/// Each comment's id with the ids of the comments whose lists hold it, outermost first.
fn nesting(html: &str) -> Vec<(String, Vec<String>)> {
    let doc = scraper::Html::parse_fragment(html);
    let li = scraper::Selector::parse("li").expect("selector");
    doc.select(&li)
        .map(|e| {
            let mut outer: Vec<String> = e
                .ancestors()
                .filter_map(scraper::ElementRef::wrap)
                .filter(|a| a.value().name() == "li")
                .filter_map(|a| a.value().id().map(str::to_string))
                .collect();
            outer.reverse();
            (e.value().id().unwrap_or_default().to_string(), outer)
        })
        .collect()
}

#[test]
fn levels_become_nested_lists_and_impossible_jumps_are_clamped() {
    let id = |n: u128| format!("comment-{}", Uuid::from_u128(n));
    let html = thread_html(
        &[
            shown(1, 0),
            shown(2, 1),
            shown(3, 2),
            shown(4, 0),
            shown(5, 3), // no level 1 or 2 before it: one level down at most
            shown(6, 9),
        ],
        &links(),
    );
    assert_eq!(html.matches("<ol").count(), html.matches("</ol>").count());
    assert_eq!(html.matches("<li ").count(), html.matches("</li>").count());
    assert_eq!(
        nesting(&html),
        vec![
            (id(1), vec![]),
            (id(2), vec![id(1)]),
            (id(3), vec![id(1), id(2)]),
            (id(4), vec![]),
            (id(5), vec![id(4)]),
            (id(6), vec![id(4), id(5)]),
        ]
    );
    assert_eq!(
        thread_html(&[], &links()),
        "<ol class=\"comment-list\"></ol>"
    );
}

#[test]
fn flattened_answers_say_whom_they_answer_escaped() {
    let mut deep = shown(2, 3);
    deep.in_reply_to = Some(Answered {
        id: Uuid::from_u128(1),
        author: Some("<b>Bob</b>".into()),
    });
    let mut after_deleted = shown(3, 3);
    after_deleted.in_reply_to = Some(Answered {
        id: Uuid::from_u128(9),
        author: None,
    });
    let html = thread_html(&[shown(1, 0), deep, after_deleted], &links());
    assert!(html.contains(&format!(
        "<span class=\"in-reply-to\">in reply to <a href=\"#comment-{}\">&lt;b&gt;Bob&lt;/b&gt;</a></span>",
        Uuid::from_u128(1)
    )));
    assert!(html.contains("in reply to <a href=\"#comment-00000000-0000-0000-0000-000000000009\">a deleted comment</a>"));
}
