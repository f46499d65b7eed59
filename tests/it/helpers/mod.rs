//! Starting real reviewpub instances on loopback against a real PostgreSQL, one database per test.

mod app;
pub mod axe;
pub mod browser;
mod database;
mod server;

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{json, Value};
use sqlx::PgPool;

pub use app::TestApp;
pub use database::{drop_database, fresh_database};
pub use server::{wait_ready, Server};

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

/// A directory under /tmp that the unprivileged PostgreSQL user can reach (CI runs as root,
/// possibly in a clone below a private home directory).
pub fn shared_tmp(prefix: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in("/tmp")
        .expect("temp dir");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod temp dir");
    dir
}

/// How many RSA key pairs a test run generates (slots 0 and 1: the app's actors; the others:
/// peers).
pub const TEST_KEYS: usize = 8;

/// A key pair from the run's pool, generated once per test process.
pub fn test_key(slot: usize) -> reviewpub::db::federation::KeyRow {
    static KEYS: OnceLock<Vec<reviewpub::db::federation::KeyRow>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..TEST_KEYS)
                .map(|_| {
                    scope.spawn(|| {
                        activitypub_federation::http_signatures::generate_actor_keypair()
                            .expect("key pair")
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    let pair = h.join().expect("key thread");
                    reviewpub::db::federation::KeyRow {
                        public_key_pem: pair.public_key,
                        private_key_pem: pair.private_key,
                        created_at: chrono::Utc::now(),
                    }
                })
                .collect()
        })
    });
    keys[slot % keys.len()].clone()
}

/// A complete review, published, as the API accepts it.
pub fn sample_review(title: &str) -> Value {
    json!({
        "title": title,
        "body": "The first paragraph, which becomes the teaser.\n\n<!-- spoilers -->\n\nA second paragraph with *emphasis*.",
        "film": {
            "title": "Never Let Me Go",
            "year": 2010,
            "original_title": "Never Let Me Go",
            "directors": ["Mark Romanek"],
            "writers": ["Alex Garland"],
            "cast": ["Carey Mulligan", "Andrew Garfield", "Keira Knightley"],
            "runtime_minutes": 103,
            "poster_url": "https://images.example/never-let-me-go.jpg",
            "poster_alt": "Three young people on a beach",
            "imdb_id": "tt1334260",
            "wikidata_id": "Q837203",
            "credits": [{"role": "Music", "name": "Rachel Portman"}]
        },
        "rating": {"value": 4, "best": 5},
        "categories": ["Science Fiction"],
        "tags": ["clones", "Kazuo Ishiguro"],
        "spoiler_warning": "The premise is discussed.",
        "status": "published"
    })
}

/// The samples beside the checkout, as CI has them.
pub fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/samples")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Sends a request and reads its JSON answer (whatever the status; tests assert on it).
pub trait FetchJson {
    async fn fetch_json(self) -> Value;
}

impl FetchJson for reqwest::RequestBuilder {
    async fn fetch_json(self) -> Value {
        self.send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON")
    }
}

/// Polls `check` every 50 ms until it returns `Ok`, and returns its value; after `limit`,
/// fails naming `what` and the last state `check` described in its `Err`.
/// Waits until an edit of `review` (as the API returned it) counts as an edit: documents carry
/// `updated` only when it is more than a second after `published`.
pub async fn edits_count_for(review: &Value) {
    let published: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(review["published_at"].clone()).expect("published_at");
    until(published + chrono::Duration::milliseconds(1100)).await;
}

/// Waits until the clock reaches `at`.
pub async fn until(at: chrono::DateTime<chrono::Utc>) {
    while chrono::Utc::now() < at {
        let left = (at - chrono::Utc::now()).to_std().unwrap_or_default();
        tokio::time::sleep(left.min(std::time::Duration::from_millis(100))).await;
    }
}

/// Waits until the delivery queue has nothing left to send (a negative check is only
/// meaningful once the workers are idle).
#[allow(dead_code)] // Used by the interop target, which shares these helpers.
pub async fn deliveries_idle(pool: &PgPool) {
    eventually(
        "the delivery queue to be idle",
        std::time::Duration::from_secs(30),
        || async {
            let pending: i64 =
                sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'pending'")
                    .fetch_one(pool)
                    .await
                    .map_err(|e| e.to_string())?;
            if pending == 0 {
                Ok(())
            } else {
                Err(format!("{pending} pending"))
            }
        },
    )
    .await
}

pub async fn eventually<T, F, Fut>(what: &str, limit: std::time::Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let deadline = std::time::Instant::now() + limit;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(state) => assert!(
                std::time::Instant::now() < deadline,
                "waited {limit:?} for {what}; last state: {state}"
            ),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
