use super::*;

/// Comment `id` answering `parent`, written `id` minutes after a fixed time.
fn row(id: u128, parent: Option<u128>, deleted: bool) -> CommentRow {
    let at = "2026-11-20T10:00:00Z"
        .parse::<DateTime<Utc>>()
        .expect("date")
        + chrono::Duration::minutes(i64::try_from(id).expect("small id"));
    CommentRow {
        id: Uuid::from_u128(id),
        ap_id: format!("https://x.example/{id}"),
        review_id: Uuid::nil(),
        parent_id: parent.map(Uuid::from_u128),
        origin: CommentOrigin::Remote,
        author_actor: None,
        author_name: format!("A{id}"),
        author_handle: None,
        author_url: None,
        author_avatar: None,
        url: None,
        content_html: String::new(),
        source: None,
        summary: None,
        sensitive: false,
        visibility: crate::domain::Visibility::Public,
        status: CommentStatus::Published,
        published_at: at,
        edited_at: None,
        deleted_at: deleted.then_some(at),
        created_at: at,
        depth: 0,
    }
}

/// (id, level, id of whom it answers when shown away from it) in page order.
fn layout(rows: Vec<CommentRow>) -> Vec<(u128, usize, Option<u128>)> {
    thread_for_page(rows)
        .iter()
        .map(|s| {
            (
                s.comment.id.as_u128(),
                s.level,
                s.in_reply_to.as_ref().map(|a| a.id.as_u128()),
            )
        })
        .collect()
}

#[test]
fn threads_nest_and_deleted_leaves_disappear() {
    let shown = layout(vec![
        row(1, None, false),
        row(2, Some(1), false),
        row(3, Some(2), false),
        row(4, None, true),
        row(5, None, true),
        row(6, Some(5), false),
        row(7, Some(99), false),
    ]);
    assert_eq!(
        shown,
        vec![
            (1, 0, None),
            (2, 1, None),
            (3, 2, None),
            (5, 0, None),
            (6, 1, None),
            (7, 0, None),
        ],
        "deleted 4 without answers goes; deleted 5 with one stays; 7's parent is unknown"
    );
    assert_eq!(imported_html("a & b\n\nc"), "<p>a &amp; b</p><p>c</p>");
}

#[test]
fn answers_below_the_last_level_lie_flat_in_date_order_naming_whom_they_answer() {
    // 1 ← 2 ← 3 ← 4 ← 5 ← 8, with 6 answering 4 and 7 answering 3, 9 answering 2.
    let shown = layout(vec![
        row(9, Some(2), false),
        row(1, None, false),
        row(2, Some(1), false),
        row(3, Some(2), false),
        row(4, Some(3), false),
        row(5, Some(4), false),
        row(6, Some(4), false),
        row(7, Some(3), false),
        row(8, Some(5), false),
    ]);
    assert_eq!(
        shown,
        vec![
            (1, 0, None),
            (2, 1, None),
            (3, 2, None),
            // Everything under 3, by date; 4 and 7 answer 3 itself.
            (4, 3, None),
            (5, 3, Some(4)),
            (6, 3, Some(4)),
            (7, 3, None),
            (8, 3, Some(5)),
            (9, 2, None),
        ]
    );
    let names: Vec<Option<String>> = thread_for_page(vec![
        row(1, None, false),
        row(2, Some(1), false),
        row(3, Some(2), false),
        row(4, Some(3), false),
        row(5, Some(4), false),
    ])
    .into_iter()
    .map(|s| s.in_reply_to.and_then(|a| a.author))
    .collect();
    assert_eq!(names, vec![None, None, None, None, Some("A4".to_string())]);
}

#[test]
fn deleted_comments_stay_only_above_visible_answers_at_every_depth() {
    // A chain of ten: the deleted 6 stays (8 answers it further down), the deleted 9
    // and 10 at the end go.
    let mut rows: Vec<CommentRow> = (1..=10u128)
        .map(|i| row(i, (i > 1).then(|| i - 1), matches!(i, 6 | 9 | 10)))
        .collect();
    rows.push(row(11, Some(7), true));
    let shown = thread_for_page(rows);
    let ids: Vec<u128> = shown.iter().map(|s| s.comment.id.as_u128()).collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5, 6, 7, 8]);
    let seven = shown
        .iter()
        .find(|s| s.comment.id.as_u128() == 7)
        .expect("7");
    assert_eq!(
        seven.in_reply_to,
        Some(Answered {
            id: Uuid::from_u128(6),
            author: None
        }),
        "answers a deleted comment"
    );
    // Nothing visible at all: nothing shown.
    assert!(thread_for_page(vec![row(1, None, true), row(2, Some(1), true)]).is_empty());
}

#[test]
fn answers_to_comments_not_shown_hang_from_the_review_and_nest_from_there() {
    // 20 is an answer deep in a thread whose upper part is hidden (blocked, held).
    let shown = layout(vec![
        row(20, Some(19), false),
        row(21, Some(20), false),
        row(22, Some(21), false),
        row(23, Some(22), false),
        row(24, Some(23), false),
    ]);
    assert_eq!(
        shown,
        vec![
            (20, 0, None),
            (21, 1, None),
            (22, 2, None),
            (23, 3, None),
            (24, 3, Some(23)),
        ]
    );
}

#[test]
fn a_chain_of_a_hundred_thousand_is_laid_out_on_a_small_stack() {
    // 256 KiB of stack: recursion over the chain would overflow long before the end.
    let worker = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let rows: Vec<CommentRow> = (1..=100_000u128)
                .map(|i| row(i, (i > 1).then(|| i - 1), i % 2 == 0 && i < 100_000))
                .collect();
            let shown = thread_for_page(rows);
            let levels: Vec<usize> = shown.iter().map(|s| s.level).collect();
            let html = crate::web::views::thread_html(
                &shown,
                &crate::web::views::ReplyLinks {
                    interact: "https://blog.example/interact".into(),
                    review_ap_id: "https://blog.example/reviews/r".into(),
                },
            );
            drop(shown);
            (levels, html)
        })
        .expect("thread");
    let (levels, html) = worker.join().expect("no overflow");
    assert_eq!(
        levels.len(),
        100_000,
        "every deleted one has a visible answer"
    );
    assert_eq!(levels.iter().max(), Some(&(LEVELS - 1)));
    assert_eq!(html.matches("<li ").count(), 100_000);
    assert_eq!(html.matches("</li>").count(), 100_000);
    assert_eq!(html.matches("<ol").count(), LEVELS);
    assert_eq!(html.matches("</ol>").count(), LEVELS);
}
