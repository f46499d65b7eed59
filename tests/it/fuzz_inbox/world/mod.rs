//! The running instance and its two peers, one case at a time, and the invariants checked
//! after each case.

mod invariants;
mod run;
mod sending;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::rc::Rc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::checks::char_floor;
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
}
