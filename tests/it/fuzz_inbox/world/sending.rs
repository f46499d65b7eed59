//! What a case sends and serves: signed POSTs by alice, their log and statistics, notes
//! served by the peers, alice's actor document restored.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{json, Value};

use super::{excerpt, Sent, Stats, World};
use crate::fuzz_inbox::cases::*;
use crate::fuzz_inbox::json::*;
use crate::peer::Peer;

impl World {
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
}
