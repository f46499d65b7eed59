//! The typed protocol layer (`reviewpub::federation::protocol`) against what real servers
//! send: every fixture under `tests/fixtures/activitypub/` (captured from snac2 and Fedify,
//! written in the exact shape of Mastodon, Misskey, GoToSocial, Akkoma, Pleroma and
//! Friendica) parses into the typed enum with the fields the handlers need, and hostile
//! variants of them fail cleanly (an error, no panic, nothing half-parsed).

// Test code may unwrap, expect and index (a panic is a failed test); see tests/it/main.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod captured;
mod hostile;
mod rules;
mod servers;

use std::path::{Path, PathBuf};

use reviewpub::federation::protocol::{Actor, Create, HttpUrl, InboxActivity};
use serde_json::Value;

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

fn mastodon_create() -> Value {
    raw("mastodon/create_note_reply.json")
}
