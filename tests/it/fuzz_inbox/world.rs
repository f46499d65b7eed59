//! The running instance and its two peers, one case at a time, and the invariants checked
//! after each case.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::rc::Rc;
use std::time::{Duration, Instant};

use scraper::{Html, Selector};
use serde_json::{json, Value};

use super::cases::*;
use super::checks::{active_content, char_floor, feed_problems};
use super::json::*;
use crate::helpers::{sample_review, TestApp};
use crate::peer::Peer;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CommentRow {
    pub(super) id: String,
    pub(super) review_id: String,
    pub(super) ap_id: String,
    pub(super) origin: String,
    pub(super) author: Option<String>,
    pub(super) digest: String,
}

#[derive(Default)]
pub(super) struct Stats {
    pub(super) cases: u64,
    /// Activity type → answer status → count.
    pub(super) sent: BTreeMap<String, BTreeMap<u16, u64>>,
    pub(super) inboxes: BTreeMap<&'static str, u64>,
    /// Refusals by status and the server's words.
    pub(super) refusals: BTreeMap<(u16, String), u64>,
    pub(super) served: u64,
    pub(super) actor_edits: u64,
    pub(super) misattribution_attempts: u64,
    pub(super) pages_checked: u64,
    pub(super) feeds_checked: u64,
    pub(super) comments_stored: u64,
    pub(super) by_bob: u64,
    pub(super) elapsed: Duration,
    /// Time spent per phase of a case.
    pub(super) phases: BTreeMap<&'static str, Duration>,
}

impl Stats {
    fn lap(&mut self, phase: &'static str, since: Instant) {
        *self.phases.entry(phase).or_default() += since.elapsed();
    }

    pub(super) fn total_sent(&self) -> u64 {
        self.sent.values().flat_map(|s| s.values()).sum()
    }

    pub(super) fn report(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "fuzz_inbox: {} cases, {} signed POSTs ({:?} by inbox), {} notes served by peers, \
             {} actor edits, {} misattribution attempts; {} comments stored ({} fetched from \
             bob's server); {} pages and {} feeds checked; {:.1} s",
            self.cases,
            self.total_sent(),
            self.inboxes,
            self.served,
            self.actor_edits,
            self.misattribution_attempts,
            self.comments_stored,
            self.by_bob,
            self.pages_checked,
            self.feeds_checked,
            self.elapsed.as_secs_f64()
        );
        let _ = writeln!(out, "time by phase: {:?}", self.phases);
        for (kind, statuses) in &self.sent {
            let _ = writeln!(out, "  {kind:<16} {statuses:?}");
        }
        let mut refusals: Vec<_> = self.refusals.iter().collect();
        refusals.sort_by(|a, b| b.1.cmp(a.1));
        let _ = writeln!(out, "refusals:");
        for ((status, reason), n) in refusals.iter().take(15) {
            let _ = writeln!(out, "  {n:>5} × {status} {reason}");
        }
        out
    }
}

pub(super) struct World {
    pub(super) app: TestApp,
    /// The signer; replaced by a new one on a new server when the instance no longer lets her
    /// speak (see [`World::run`]).
    alice: RefCell<Rc<Peer>>,
    /// Her actor document as first served.
    alice_doc: RefCell<Value>,
    /// Every alice there was: what they said is theirs.
    alices: RefCell<Vec<String>>,
    alice_locked_out: Cell<bool>,
    pub(super) bob: Peer,
    pub(super) draft_ap: String,
    pub(super) deleted_ap: String,
    nonce: Cell<u64>,
    actor_dirty: Cell<bool>,
    /// What bob's server says is his: (note id, `attributedTo`) of every note it serves.
    bob_says: RefCell<HashSet<(String, String)>>,
    /// Database findings already reported (each is reported once, by the case that caused it).
    reported: RefCell<HashSet<String>>,
}

/// One entry of a case's log, for the failure message.
pub(super) struct Sent {
    pub(super) what: String,
    pub(super) status: String,
    pub(super) body: String,
}

pub(super) fn excerpt(body: &str) -> String {
    const MAX: usize = 1_500;
    if body.len() <= MAX {
        return body.escape_debug().to_string();
    }
    let cut = char_floor(body, MAX);
    format!(
        "{}… ({} bytes in all)",
        body.get(..cut).unwrap_or_default().escape_debug(),
        body.len()
    )
}

/// The first id in a value, as reviewpub reads `attributedTo`: a string, an object's `id`, or
/// the first of a list that has one.
pub(super) fn first_id(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => map.get("id").and_then(Value::as_str).map(str::to_string),
        Value::Array(items) => items.iter().find_map(first_id),
        _ => None,
    }
}

pub(super) fn normalized(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(String::from)
}

pub(super) fn host_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    Some(format!(
        "{}:{}",
        url.host_str()?,
        url.port_or_known_default()?
    ))
}

impl World {
    pub(super) async fn start() -> Self {
        // Thousands of requests from one address: the per-client limits are not under test.
        let app = TestApp::spawn_with(|f| {
            f.merge(("comments.moderation", "open"))
                .merge(("limits.inbox_per_minute", 0))
                .merge(("limits.pages_per_minute", 0))
        })
        .await;
        let alice = Peer::start().await;
        let bob = Peer::start().await;
        let mut alice_doc = Value::Null;
        alice.edit_actor(|doc| alice_doc = doc.clone());
        let alices = vec![alice.actor_id.clone()];
        let mut draft = sample_review("A draft");
        draft["status"] = json!("draft");
        let draft = app.create_review(draft).await;
        let deleted = app.create_review(sample_review("Deleted at once")).await;
        let status = app
            .api(
                reqwest::Method::DELETE,
                &format!("/reviews/{}", deleted["id"].as_str().expect("id")),
            )
            .send()
            .await
            .expect("DELETE")
            .status();
        assert_eq!(status.as_u16(), 204, "deleting a review");
        Self {
            app,
            alice: RefCell::new(Rc::new(alice)),
            alice_doc: RefCell::new(alice_doc),
            alices: RefCell::new(alices),
            alice_locked_out: Cell::new(false),
            bob,
            draft_ap: draft["ap_id"].as_str().expect("ap_id").to_string(),
            deleted_ap: deleted["ap_id"].as_str().expect("ap_id").to_string(),
            nonce: Cell::new(0),
            actor_dirty: Cell::new(false),
            bob_says: RefCell::new(HashSet::new()),
            reported: RefCell::new(HashSet::new()),
        }
    }

    fn next_nonce(&self) -> u64 {
        let n = self.nonce.get();
        self.nonce.set(n + 1);
        n
    }

    /// Remembers what a note bob's server serves says about itself.
    fn vouch(&self, doc: &Value) {
        if let (Some(id), Some(author)) = (
            first_id(&doc["id"]).and_then(|id| normalized(&id)),
            first_id(&doc["attributedTo"]),
        ) {
            self.bob_says.borrow_mut().insert((id, author));
        }
    }

    pub(super) fn alice(&self) -> Rc<Peer> {
        Rc::clone(&self.alice.borrow())
    }

    /// A new alice on a new server, when the instance no longer lets the old one speak.
    pub(super) async fn new_alice(&self) {
        let alice = Peer::start().await;
        let mut doc = Value::Null;
        alice.edit_actor(|d| doc = d.clone());
        self.alices.borrow_mut().push(alice.actor_id.clone());
        *self.alice_doc.borrow_mut() = doc;
        *self.alice.borrow_mut() = Rc::new(alice);
        self.actor_dirty.set(false);
        self.alice_locked_out.set(false);
    }

    pub(super) fn inbox(&self, personal: bool) -> String {
        if personal {
            self.app.url("/users/reviews/inbox")
        } else {
            self.app.url("/inbox")
        }
    }

    /// POSTs `body` signed by alice; an answer of 5xx, none, or a dropped connection is `Err`.
    /// Counts why the server refused what it refused.
    pub(super) async fn post(
        &self,
        inbox: &str,
        body: String,
        stats: &RefCell<Stats>,
    ) -> Result<u16, String> {
        let answer = tokio::time::timeout(
            Duration::from_secs(30),
            self.alice().try_post_raw(inbox, body.clone()),
        )
        .await;
        let response = match answer {
            Err(_) => return Err("no answer within 30 s".into()),
            Ok(Err(e)) => return Err(format!("no answer (connection dropped?): {e:?}")),
            Ok(Ok(response)) => response,
        };
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| format!("the answer's body was cut off: {e:?}"))?;
        if status >= 500 {
            return Err(format!("answered {status}: {}", excerpt(&text)));
        }
        if status >= 400 {
            let mut reason: String = text.chars().take(60).collect();
            if status == 400 {
                if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&body) {
                    let what = e.to_string();
                    let what = what.split(" at line").next().unwrap_or_default();
                    let _ = write!(reason, " (not JSON: {what})");
                }
            }
            *stats
                .borrow_mut()
                .refusals
                .entry((status, reason))
                .or_default() += 1;
        }
        Ok(status)
    }

    /// Alice's actor document as it was; tells the server to fetch it again.
    pub(super) async fn restore_actor(&self, stats: &RefCell<Stats>) -> Result<(), String> {
        let original = self.alice_doc.borrow().clone();
        self.alice().edit_actor(|doc| *doc = original);
        let nonce = self.next_nonce();
        let update = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/activities/restore-{nonce}", self.alice().base),
            "type": "Update",
            "actor": self.alice().actor_id,
            "object": self.alice().actor_id,
        });
        let status = self
            .post(&self.inbox(false), update.to_string(), stats)
            .await
            .map_err(|e| format!("restoring alice's actor document: {e}"))?;
        if status != 202 {
            return Err(format!(
                "alice put her actor document back, but her Update{{Person}} was answered \
                 {status}: the instance no longer lets her speak"
            ));
        }
        self.actor_dirty.set(false);
        Ok(())
    }

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

    /// Does one step of a case; `Err` when the server failed to answer properly.
    pub(super) async fn step(
        &self,
        step: &Step,
        cx: &Ctx<'_>,
        stats: &RefCell<Stats>,
        log: &mut Vec<Sent>,
    ) -> Result<(), String> {
        match step {
            Step::Send { personal, activity } => {
                self.send(*personal, activity, cx, stats, log).await
            }
            Step::Serve { bob, slot, note } => {
                self.serve(*bob, &format!("f{}-{slot}", cx.nonce), note, cx, stats, log);
                Ok(())
            }
            Step::Reply {
                bob,
                parent,
                reply,
                personal,
            } => {
                let url = self.serve(*bob, &format!("f{}-p", cx.nonce), parent, cx, stats, log);
                let mut reply = (**reply).clone();
                reply.in_reply_to = Some(Val::Str(Text(vec![Piece {
                    frag: Frag::Any(url),
                    times: 1,
                }])));
                let create = ActSpec {
                    name: "Create",
                    kind: lit("Create"),
                    id: Some(r(Ref::AliceActivity(5))),
                    actor: Some(r(Ref::Alice)),
                    object: Object::Note(Box::new(reply)),
                    extra: Vec::new(),
                };
                self.send(*personal, &create, cx, stats, log).await
            }
            Step::EditActor(fields) => {
                let mut edited = Value::Null;
                self.alice().edit_actor(|doc| {
                    for (key, value) in fields {
                        doc[*key] = to_value(value, cx);
                    }
                    edited = doc.clone();
                });
                self.actor_dirty.set(true);
                stats.borrow_mut().actor_edits += 1;
                let update = json!({
                    "@context": "https://www.w3.org/ns/activitystreams",
                    "id": cx.url(Ref::AliceActivity(9)),
                    "type": "Update",
                    "actor": self.alice().actor_id,
                    "object": self.alice().actor_id,
                });
                let answer = self
                    .post(&self.inbox(false), update.to_string(), stats)
                    .await;
                self.logged(
                    "alice edits her actor document, then POST /inbox Update{Person}".into(),
                    "Update{Person}",
                    &edited.to_string(),
                    answer,
                    stats,
                    log,
                )
            }
        }
    }

    /// Records a POST's answer in the log and the statistics.
    pub(super) fn logged(
        &self,
        what: String,
        kind: &str,
        body: &str,
        answer: Result<u16, String>,
        stats: &RefCell<Stats>,
        log: &mut Vec<Sent>,
    ) -> Result<(), String> {
        log.push(Sent {
            what,
            status: match &answer {
                Ok(status) => status.to_string(),
                Err(e) => e.clone(),
            },
            body: excerpt(body),
        });
        // A 5xx is counted under its status, no answer at all under 0.
        let status = match &answer {
            Ok(status) => *status,
            Err(e) => e
                .strip_prefix("answered ")
                .and_then(|rest| rest.get(..3))
                .and_then(|code| code.parse().ok())
                .unwrap_or(0),
        };
        *stats
            .borrow_mut()
            .sent
            .entry(kind.to_string())
            .or_default()
            .entry(status)
            .or_default() += 1;
        answer.map(|_| ())
    }

    pub(super) async fn send(
        &self,
        personal: bool,
        activity: &ActSpec,
        cx: &Ctx<'_>,
        stats: &RefCell<Stats>,
        log: &mut Vec<Sent>,
    ) -> Result<(), String> {
        let mut body = String::new();
        write_activity(&mut body, activity, cx, true);
        {
            let mut s = stats.borrow_mut();
            *s.inboxes
                .entry(if personal { "personal" } else { "shared" })
                .or_default() += 1;
            if attempts_misattribution(activity) {
                s.misattribution_attempts += 1;
            }
        }
        let what = format!(
            "POST {} {}",
            if personal {
                "/users/reviews/inbox"
            } else {
                "/inbox"
            },
            activity.name
        );
        let answer = self.post(&self.inbox(personal), body.clone(), stats).await;
        self.logged(what, activity.name, &body, answer, stats, log)
    }

    /// Alice's or bob's server serves `note` at `/objects/{name}` from now on; returns its URL.
    pub(super) fn serve(
        &self,
        bob: bool,
        name: &str,
        note: &NoteSpec,
        cx: &Ctx<'_>,
        stats: &RefCell<Stats>,
        log: &mut Vec<Sent>,
    ) -> String {
        let alice = self.alice();
        let peer: &Peer = if bob { &self.bob } else { &alice };
        let url = format!("{}/objects/{name}", peer.base);
        let cx = Ctx {
            owner_is_bob: bob,
            served_at: Some(&url),
            ..*cx
        };
        let doc: serde_json::Map<String, Value> = note_fields(note, &cx)
            .iter()
            .map(|(key, value)| ((*key).to_string(), to_value(value, &cx)))
            .collect();
        let doc = Value::Object(doc);
        peer.serve_object(name, doc.clone());
        if bob {
            self.vouch(&doc);
        }
        stats.borrow_mut().served += 1;
        log.push(Sent {
            what: format!("{} serves {url}", if bob { "bob" } else { "alice" }),
            status: "served".into(),
            body: excerpt(&doc.to_string()),
        });
        url
    }

    /// Runs one case against a review of its own and checks every invariant after it.
    pub(super) async fn run(&self, case: &Case, stats: &RefCell<Stats>) -> Result<(), String> {
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
    pub(super) async fn warm_up(&self, stats: &RefCell<Stats>) {
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
    pub(super) async fn checks_can_fail(&self, stats: &RefCell<Stats>) {
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
