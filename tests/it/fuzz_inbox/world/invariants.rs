//! The invariants read back after a case: the stored comments, misattributions in the
//! database, and what is wrong with a review's page and comments feed.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use scraper::{Html, Selector};

use super::{host_of, CommentRow, Stats, World};
use crate::fuzz_inbox::checks::{active_content, feed_problems};

impl World {
    pub(super) async fn comments(&self) -> Vec<CommentRow> {
        let rows: Vec<(String, String, String, String, Option<String>, String)> = sqlx::query_as(
            "SELECT id::text, review_id::text, ap_id, origin, author_actor, md5(c::text) \
             FROM comments c",
        )
        .fetch_all(&self.app.pool)
        .await
        .expect("comments");
        rows.into_iter()
            .map(
                |(id, review_id, ap_id, origin, author, digest)| CommentRow {
                    id,
                    review_id,
                    ap_id,
                    origin,
                    author,
                    digest,
                },
            )
            .collect()
    }

    pub(super) async fn newest_comment(&self) -> Option<String> {
        sqlx::query_scalar::<_, String>(
            "SELECT id::text FROM comments ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .fetch_optional(&self.app.pool)
        .await
        .expect("newest comment")
        .map(|id| self.app.url(&format!("/comments/{id}")))
    }

    /// Misattributions in the database, comparing with the rows before the case.
    pub(super) async fn misattributions(
        &self,
        before: &[CommentRow],
        after: &[CommentRow],
    ) -> Vec<String> {
        let alices = self.alices.borrow().clone();
        let bob = self.bob.actor_id.as_str();
        let mut found = Vec::new();
        for c in after {
            if c.origin != "remote" {
                found.push(format!("a comment of origin {} appeared: {c:?}", c.origin));
                continue;
            }
            let Some(author) = c.author.as_deref() else {
                found.push(format!("a remote comment without an author: {c:?}"));
                continue;
            };
            if !alices.iter().any(|a| a == author) && author != bob {
                found.push(format!(
                    "a comment attributed to {author}, who never spoke: {c:?}"
                ));
            }
            if host_of(&c.ap_id) != host_of(author) {
                found.push(format!(
                    "a comment whose id is on another host than its author's: {c:?}"
                ));
            }
            if author == bob {
                // Bob's server serves a note with this id as his.
                let vouched = self
                    .bob_says
                    .borrow()
                    .contains(&(c.ap_id.clone(), bob.to_string()));
                if !vouched {
                    found.push(format!(
                        "a comment stored under bob's name that bob's server does not serve \
                         as his: {c:?}"
                    ));
                }
            }
        }
        let now: HashMap<&str, &CommentRow> = after.iter().map(|c| (c.id.as_str(), c)).collect();
        for old in before {
            match now.get(old.id.as_str()) {
                None => found.push(format!("a comment disappeared: {old:?}")),
                Some(new)
                    if new.digest != old.digest
                        && !alices
                            .iter()
                            .any(|a| Some(a.as_str()) == old.author.as_deref()) =>
                {
                    found.push(format!(
                        "alice's activities changed another author's comment: {old:?} → {new:?}"
                    ));
                }
                Some(_) => {}
            }
        }
        let pool = &self.app.pool;
        let on_hidden: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM comments c JOIN reviews r ON r.id = c.review_id \
             WHERE r.status <> 'published' OR r.deleted_at IS NOT NULL",
        )
        .fetch_one(pool)
        .await
        .expect("count");
        if on_hidden > 0 {
            found.push(format!("{on_hidden} comments on a draft or deleted review"));
        }
        let strangers: Vec<(String, String)> = sqlx::query_as(
            "SELECT 'reaction', actor_id FROM reactions WHERE actor_id <> ALL($1) \
             UNION ALL SELECT 'reaction on a hidden review', x.actor_id FROM reactions x \
               JOIN reviews r ON r.id = x.review_id WHERE r.status <> 'published' OR r.deleted_at IS NOT NULL \
             UNION ALL SELECT 'report', actor_id FROM reports WHERE actor_id <> ALL($1) \
             UNION ALL SELECT 'follower', actor_id FROM followers WHERE actor_id <> ALL($1) \
             UNION ALL SELECT 'remote actor', id FROM remote_actors WHERE id <> ALL($1) AND id <> $2",
        )
        .bind(&alices)
        .bind(bob)
        .fetch_all(pool)
        .await
        .expect("strangers");
        for (what, actor) in strangers {
            found.push(format!("a {what} by {actor}, who never signed anything"));
        }
        let mut reported = self.reported.borrow_mut();
        found.retain(|f| reported.insert(f.clone()));
        found
    }

    /// What is wrong with a review's page and comments feed.
    pub(super) async fn page_problems(
        &self,
        review_id: &str,
        stats: &RefCell<Stats>,
    ) -> Vec<String> {
        let slug: Option<Option<String>> = sqlx::query_scalar(
            "SELECT slug FROM reviews WHERE id = $1::uuid AND status = 'published' \
             AND deleted_at IS NULL",
        )
        .bind(review_id)
        .fetch_optional(&self.app.pool)
        .await
        .expect("slug");
        let Some(Some(slug)) = slug else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        let origin = self.app.base.as_str();
        let (status, html) = self.app.get_text(&format!("/reviews/{slug}")).await;
        stats.borrow_mut().pages_checked += 1;
        if status != 200 {
            problems.push(format!("the page answered {status}"));
        }
        let doc = Html::parse_document(&html);
        for finding in active_content(&doc, origin) {
            problems.push(format!("page: {finding}"));
        }
        let shown: HashSet<String> = doc
            .select(&Selector::parse("li.comment").expect("selector"))
            .filter_map(|li| li.value().id().map(str::to_string))
            .collect();
        let rows: Vec<(String, bool)> = sqlx::query_as(
            "SELECT id::text, visibility = 'public' AND status = 'published' AND deleted_at IS NULL \
             FROM comments WHERE review_id = $1::uuid AND deleted_at IS NULL",
        )
        .bind(review_id)
        .fetch_all(&self.app.pool)
        .await
        .expect("comments of the review");
        let visible = rows.iter().filter(|(_, v)| *v).count();
        for (id, public) in &rows {
            let on_page = shown.contains(&format!("comment-{id}"));
            if *public && !on_page {
                problems.push(format!("published comment {id} is not on the page"));
            }
            if !public && on_page {
                problems.push(format!("comment {id}, not public, is on the page"));
            }
        }
        let (status, xml) = self
            .app
            .get_text(&format!("/reviews/{slug}/comments.xml"))
            .await;
        stats.borrow_mut().feeds_checked += 1;
        if status != 200 {
            problems.push(format!("the comments feed answered {status}"));
        }
        for problem in feed_problems(&xml, origin) {
            problems.push(format!("comments feed: {problem}"));
        }
        if let Ok(feed) = feed_rs::parser::parse(xml.as_bytes()) {
            if feed.entries.len() != visible.min(50) {
                problems.push(format!(
                    "the comments feed has {} entries for {visible} published comments",
                    feed.entries.len()
                ));
            }
        }
        problems
    }
}
