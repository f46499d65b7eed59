//! Federation against a real peer on loopback: discovery, documents, the inbox and the
//! durable delivery queue.

mod delivery_queue;
mod documents;
mod follows;
mod inbox;
mod two_processes;

use serde_json::Value;

use crate::helpers::{eventually, TestApp};
use crate::peer::Peer;

/// What Mastodon sends when it fetches an actor or a status.
const MASTODON_ACCEPT: &str = "application/activity+json, application/ld+json";
/// What Mastodon's search sends for a pasted URL.
const MASTODON_SEARCH_ACCEPT: &str =
    "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\", application/activity+json, text/html;q=0.1";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

async fn get_json(app: &TestApp, url: &str, accept: &str) -> (u16, String, Value) {
    let response = app
        .client
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .expect("GET");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = response.text().await.expect("body");
    (
        status,
        content_type,
        serde_json::from_str(&body).unwrap_or(Value::Null),
    )
}

fn host(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

/// Waits until no delivery is pending (successes are written back in batches, after the peer
/// has answered); then nothing more can be sent. Returns (activity kind, status) of every
/// delivery, oldest first.
async fn settled_deliveries(app: &TestApp) -> Vec<(String, String)> {
    eventually(
        "no delivery pending",
        std::time::Duration::from_secs(20),
        || async {
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT o.kind, d.status FROM deliveries d JOIN outgoing_activities o ON o.id = d.activity_id ORDER BY d.id",
            )
            .fetch_all(&app.pool)
            .await
            .expect("deliveries");
            if rows.iter().any(|(_, status)| status == "pending") {
                Err(format!("{rows:?}"))
            } else {
                Ok(rows)
            }
        },
    )
    .await
}

/// The `Create`s `peer` received, and how many different inboxes they reached.
fn creates_at(peer: &Peer) -> (Vec<crate::peer::Received>, usize) {
    let creates: Vec<_> = peer
        .received()
        .into_iter()
        .filter(|r| r.kind() == "Create")
        .collect();
    let mut inboxes: Vec<&str> = creates.iter().map(|r| r.path.as_str()).collect();
    inboxes.sort();
    inboxes.dedup();
    let reached = inboxes.len();
    (creates, reached)
}

/// Followers straight into the database: `count` actors, each with its own inbox on `peer`.
pub(crate) async fn add_followers(pool: &sqlx::PgPool, peer: &Peer, count: usize) {
    for i in 0..count {
        let actor = format!("{}/users/f{i}", peer.base);
        let inbox = format!("{}/inboxes/{i}", peer.base);
        sqlx::query("INSERT INTO remote_actors (id, inbox, public_key_pem, kind, fetched_at) VALUES ($1, $2, 'unused', 'Person', now())")
            .bind(&actor)
            .bind(&inbox)
            .execute(pool)
            .await
            .expect("actor");
        sqlx::query("INSERT INTO followers (id, actor_id, follow_id, inbox, host, status) VALUES ($1, $2, $3, $4, $5, 'accepted')")
            .bind(uuid::Uuid::now_v7())
            .bind(&actor)
            .bind(format!("{actor}#follow"))
            .bind(&inbox)
            .bind(peer.base.trim_start_matches("http://"))
            .execute(pool)
            .await
            .expect("follower");
    }
}
