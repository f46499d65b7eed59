//! One case run against a review of its own with every invariant checked after it; the
//! warm-up that shows the pipeline stores things, and the checks shown to fail.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::time::Instant;

use super::{Sent, Stats, World};
use crate::fuzz_inbox::cases::*;
use crate::fuzz_inbox::json::*;
use crate::helpers::sample_review;

impl World {
    /// Runs one case against a review of its own and checks every invariant after it.
    pub(in crate::fuzz_inbox) async fn run(
        &self,
        case: &Case,
        stats: &RefCell<Stats>,
    ) -> Result<(), String> {
        if self.actor_dirty.get() && self.restore_actor(stats).await.is_err() {
            self.alice_locked_out.set(true);
        }
        if self.alice_locked_out.get() {
            self.new_alice().await;
        }
        let nonce = self.next_nonce();
        let clock = Instant::now();
        let review = self
            .app
            .create_review(sample_review(&format!("Fuzz {nonce}")))
            .await;
        stats.borrow_mut().lap("review", clock);
        let review_id = review["id"].as_str().expect("id").to_string();
        let review_ap = review["ap_id"].as_str().expect("ap_id").to_string();
        let slug = review["slug"].as_str().expect("slug").to_string();
        let review_page = self.app.url(&format!("/reviews/{slug}"));
        let clock = Instant::now();
        let before = self.comments().await;
        stats.borrow_mut().lap("database checks", clock);
        let mut log: Vec<Sent> = Vec::new();
        let failure = |log: &[Sent], what: String| {
            let mut message = format!("case #{nonce} (review {slug}): {what}\nwhat was done:\n");
            for (i, s) in log.iter().enumerate() {
                let _ = writeln!(
                    message,
                    "  {}. {} → {}\n     {}",
                    i + 1,
                    s.what,
                    s.status,
                    s.body
                );
            }
            message
        };
        let clock = Instant::now();
        for step in &case.steps {
            let our_comment = self.newest_comment().await;
            let cx = Ctx {
                world: self,
                nonce,
                review_ap: &review_ap,
                review_page: &review_page,
                slug: &slug,
                our_comment: our_comment.as_deref(),
                owner_is_bob: false,
                served_at: None,
            };
            if let Err(e) = self.step(step, &cx, stats, &mut log).await {
                return Err(failure(&log, e));
            }
        }
        // Alice puts her actor document back: the instance must let her speak again.
        if self.actor_dirty.get() {
            if let Err(e) = self.restore_actor(stats).await {
                self.alice_locked_out.set(true);
                return Err(failure(&log, e));
            }
        }
        stats.borrow_mut().lap("steps", clock);
        let clock = Instant::now();
        let after = self.comments().await;
        let wrong = self.misattributions(&before, &after).await;
        stats.borrow_mut().lap("database checks", clock);
        if !wrong.is_empty() {
            return Err(failure(
                &log,
                format!("stored misattribution:\n    {}", wrong.join("\n    ")),
            ));
        }
        {
            let mut s = stats.borrow_mut();
            let old: HashSet<&str> = before.iter().map(|c| c.id.as_str()).collect();
            for c in after.iter().filter(|c| !old.contains(c.id.as_str())) {
                s.comments_stored += 1;
                if c.author.as_deref() == Some(self.bob.actor_id.as_str()) {
                    s.by_bob += 1;
                }
            }
        }
        // The case's review, and (a few of) the others whose comments changed.
        let previous: HashMap<&str, &str> = before
            .iter()
            .map(|c| (c.id.as_str(), c.digest.as_str()))
            .collect();
        let mut reviews = vec![review_id.clone()];
        for c in &after {
            if previous.get(c.id.as_str()) != Some(&c.digest.as_str())
                && !reviews.contains(&c.review_id)
                && reviews.len() < 6
            {
                reviews.push(c.review_id.clone());
            }
        }
        for id in &reviews {
            let clock = Instant::now();
            let problems = self.page_problems(id, stats).await;
            stats.borrow_mut().lap("pages and feeds", clock);
            if !problems.is_empty() {
                return Err(failure(
                    &log,
                    format!(
                        "a page or feed is wrong:\n    {}\n    (review {id})",
                        problems.join("\n    ")
                    ),
                ));
            }
        }
        stats.borrow_mut().cases += 1;
        Ok(())
    }

    /// A plain reply is stored and shown: the pipeline the fuzz attacks really stores things.
    pub(in crate::fuzz_inbox) async fn warm_up(&self, stats: &RefCell<Stats>) {
        let review = self.app.create_review(sample_review("Warm-up")).await;
        let ap_id = review["ap_id"].as_str().expect("ap_id");
        let note = self.alice().note(
            "warm-up",
            ap_id,
            "<p>A plain reply</p>",
            true,
            &self.app.url("/users/reviews"),
        );
        let status = self
            .post(
                &self.inbox(false),
                self.alice().activity("Create", "warm-up", note).to_string(),
                stats,
            )
            .await
            .expect("the warm-up reply is answered");
        assert_eq!(status, 202, "a plain reply is accepted");
        // A reply to a note only bob's server has: we fetch it, and store it as bob's.
        let bob_note = self.bob.note(
            "warm-up-parent",
            ap_id,
            "<p>Bob's reply</p>",
            true,
            &self.app.url("/users/reviews"),
        );
        let bob_url = self.bob.serve_object("warm-up-parent", bob_note.clone());
        self.vouch(&bob_note);
        let reply = self.alice().note(
            "warm-up-reply",
            &bob_url,
            "<p>Alice answers Bob</p>",
            true,
            &self.app.url("/users/reviews"),
        );
        let before = self.comments().await;
        let status = self
            .post(
                &self.inbox(false),
                self.alice()
                    .activity("Create", "warm-up-reply", reply)
                    .to_string(),
                stats,
            )
            .await
            .expect("the reply to bob is answered");
        assert_eq!(status, 202, "a reply to bob's note is accepted");
        let after = self.comments().await;
        assert!(
            after
                .iter()
                .any(|c| c.ap_id == bob_url
                    && c.author.as_deref() == Some(self.bob.actor_id.as_str())),
            "bob's note was fetched and stored as his: {after:?}"
        );
        assert_eq!(
            self.misattributions(&before, &after).await,
            Vec::<String>::new(),
            "what bob's server serves as his is his"
        );
        let id = review["id"].as_str().expect("id");
        assert_eq!(
            self.page_problems(id, stats).await,
            Vec::<String>::new(),
            "the warm-up page is clean"
        );
    }

    /// Planted rows that break each invariant are reported: the checks can fail.
    pub(in crate::fuzz_inbox) async fn checks_can_fail(&self, stats: &RefCell<Stats>) {
        let review = self.app.create_review(sample_review("Planted")).await;
        let review_id = review["id"].as_str().expect("id");
        let plant = |ap_id: String, author: String, html: &'static str| {
            let pool = self.app.pool.clone();
            let review_id = review_id.to_string();
            async move {
                sqlx::query(
                    "INSERT INTO comments (id, ap_id, review_id, origin, author_actor, author_name, \
                     content_html, visibility, status, published_at) \
                     VALUES ($1, $2, $3::uuid, 'remote', $4, 'Planted', $5, 'public', 'published', now())",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(ap_id)
                .bind(review_id)
                .bind(author)
                .bind(html)
                .execute(&pool)
                .await
                .expect("planted comment");
            }
        };
        let before = self.comments().await;
        // An id on bob's host under alice's name.
        plant(
            format!("{}/objects/planted", self.bob.base),
            self.alice().actor_id.clone(),
            "<p>planted</p>",
        )
        .await;
        let after = self.comments().await;
        let found = self.misattributions(&before, &after).await;
        assert!(
            found.iter().any(|f| f.contains("another host")),
            "a misattributed row is reported: {found:?}"
        );
        // Script in a stored comment, and a control character in the feed.
        plant(
            format!("{}/objects/planted-script", self.alice().base),
            self.alice().actor_id.clone(),
            "<p>x</p><script>alert(1)</script>",
        )
        .await;
        plant(
            format!("{}/objects/planted-control", self.alice().base),
            self.alice().actor_id.clone(),
            "<p>\u{1}</p>",
        )
        .await;
        let problems = self.page_problems(review_id, stats).await;
        assert!(
            problems.iter().any(|p| p.starts_with("page: <script>")),
            "a stored script is reported on the page: {problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("comments feed: character")),
            "a control character is reported in the feed: {problems:?}"
        );
        sqlx::query("DELETE FROM comments WHERE review_id = $1::uuid")
            .bind(review_id)
            .execute(&self.app.pool)
            .await
            .expect("remove planted comments");
        let status = self
            .app
            .api(reqwest::Method::DELETE, &format!("/reviews/{review_id}"))
            .send()
            .await
            .expect("DELETE")
            .status();
        assert_eq!(status.as_u16(), 204, "the planted review is deleted");
    }
}
