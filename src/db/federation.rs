//! SQL for the federation tables: `actor_keys`, `remote_actors`, `followers`,
//! `received_activities` and `featured_reviews`. The delivery queue has its own module.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::DbError;
use crate::domain::archive::{
    FollowerRecord, KeyRecord, LocalActorRecord, PinRecord, RemoteActorRecord,
};
use crate::domain::FollowerStatus;

// ---- actor_keys ----

#[derive(Clone, sqlx::FromRow)]
pub struct KeyRow {
    pub public_key_pem: String,
    pub private_key_pem: String,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for KeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key never reaches a log.
        f.debug_struct("KeyRow")
            .field("public_key_pem", &self.public_key_pem)
            .field("created_at", &self.created_at)
            .finish()
    }
}

#[tracing::instrument(skip_all)]
pub async fn get_key(db: impl PgExecutor<'_>, actor: &str) -> Result<Option<KeyRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT public_key_pem, private_key_pem, created_at FROM actor_keys WHERE actor = $1",
    )
    .bind(actor)
    .fetch_optional(db)
    .await?)
}

/// Stores a key pair unless another process stored one first; returns the one that is kept.
#[tracing::instrument(skip_all)]
pub async fn insert_key(
    conn: &mut PgConnection,
    actor: &str,
    keys: &KeyRow,
) -> Result<KeyRow, DbError> {
    sqlx::query("INSERT INTO actor_keys (actor, public_key_pem, private_key_pem) VALUES ($1, $2, $3) ON CONFLICT (actor) DO NOTHING")
        .bind(actor)
        .bind(&keys.public_key_pem)
        .bind(&keys.private_key_pem)
        .execute(&mut *conn)
        .await?;
    get_key(&mut *conn, actor)
        .await?
        .ok_or_else(|| DbError::Corrupt(format!("key of {actor} vanished")))
}

// ---- remote_actors ----

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RemoteActorRow {
    pub id: String,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub public_key_pem: String,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub icon_url: Option<String>,
    pub kind: String,
    pub fetched_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all)]
pub async fn get_remote_actor(
    db: impl PgExecutor<'_>,
    id: &str,
) -> Result<Option<RemoteActorRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, inbox, shared_inbox, public_key_pem, preferred_username, name, url, icon_url, kind, fetched_at \
         FROM remote_actors WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}

#[tracing::instrument(skip_all, fields(actor = %actor.id))]
pub async fn upsert_remote_actor(
    db: impl PgExecutor<'_>,
    actor: &RemoteActorRow,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO remote_actors (id, inbox, shared_inbox, public_key_pem, preferred_username, name, url, icon_url, kind, fetched_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (id) DO UPDATE SET inbox = $2, shared_inbox = $3, public_key_pem = $4, preferred_username = $5, \
         name = $6, url = $7, icon_url = $8, kind = $9, fetched_at = $10",
    )
    .bind(&actor.id)
    .bind(&actor.inbox)
    .bind(&actor.shared_inbox)
    .bind(&actor.public_key_pem)
    .bind(&actor.preferred_username)
    .bind(&actor.name)
    .bind(&actor.url)
    .bind(&actor.icon_url)
    .bind(&actor.kind)
    .bind(actor.fetched_at)
    .execute(db)
    .await?;
    Ok(())
}

// ---- received_activities ----

/// Records an incoming activity id; `false` when it was seen before.
#[tracing::instrument(skip_all)]
pub async fn record_received(conn: &mut PgConnection, id: &str) -> Result<bool, DbError> {
    let done =
        sqlx::query("INSERT INTO received_activities (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

// ---- followers ----

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FollowerRow {
    pub id: Uuid,
    pub actor_id: String,
    pub follow_id: String,
    pub inbox: String,
    pub host: String,
    pub status: FollowerStatus,
    pub created_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub preferred_username: Option<String>,
    pub name: Option<String>,
    pub personal_inbox: String,
}

const FOLLOWER_COLUMNS: &str =
    "f.id, f.actor_id, f.follow_id, f.inbox, f.host, f.status, f.created_at, f.accepted_at, \
    a.preferred_username, a.name, a.inbox AS personal_inbox";

/// Records a follow (or a repeated one), pending or accepted.
#[tracing::instrument(skip_all, fields(accepted))]
pub async fn upsert_follower(
    conn: &mut PgConnection,
    actor_id: &str,
    follow_id: &str,
    inbox: &str,
    host: &str,
    accepted: bool,
) -> Result<FollowerRow, DbError> {
    let status = if accepted {
        FollowerStatus::Accepted
    } else {
        FollowerStatus::Pending
    };
    sqlx::query(
        "INSERT INTO followers (id, actor_id, follow_id, inbox, host, status, accepted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 = 'accepted' THEN now() END) \
         ON CONFLICT (actor_id) DO UPDATE SET follow_id = $3, inbox = $4, host = $5, \
         status = CASE WHEN followers.status = 'accepted' THEN 'accepted' ELSE $6 END, \
         accepted_at = COALESCE(followers.accepted_at, CASE WHEN $6 = 'accepted' THEN now() END)",
    )
    .bind(Uuid::now_v7())
    .bind(actor_id)
    .bind(follow_id)
    .bind(inbox)
    .bind(host)
    .bind(status)
    .execute(&mut *conn)
    .await?;
    get_follower_by_actor(&mut *conn, actor_id)
        .await?
        .ok_or_else(|| DbError::Corrupt(format!("follower {actor_id} vanished")))
}

pub async fn get_follower_by_actor(
    db: impl PgExecutor<'_>,
    actor_id: &str,
) -> Result<Option<FollowerRow>, DbError> {
    let sql = format!("SELECT {FOLLOWER_COLUMNS} FROM followers f JOIN remote_actors a ON a.id = f.actor_id WHERE f.actor_id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(actor_id)
        .fetch_optional(db)
        .await?)
}

pub async fn get_follower(
    db: impl PgExecutor<'_>,
    id: Uuid,
) -> Result<Option<FollowerRow>, DbError> {
    let sql = format!("SELECT {FOLLOWER_COLUMNS} FROM followers f JOIN remote_actors a ON a.id = f.actor_id WHERE f.id = $1 FOR UPDATE OF f");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn accept_follower(db: impl PgExecutor<'_>, id: Uuid) -> Result<(), DbError> {
    sqlx::query("UPDATE followers SET status = 'accepted', accepted_at = now() WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes a follower; `false` when there was none.
#[tracing::instrument(skip_all)]
/// The accepted followers whose ids are on the server `prefix` (`scheme://host[:port]`), at
/// most `limit`.
#[tracing::instrument(skip_all, fields(limit))]
pub async fn accepted_followers_on(
    db: impl PgExecutor<'_>,
    prefix: &str,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    let pattern = format!(
        "{}/%",
        prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    Ok(sqlx::query_scalar(
        "SELECT actor_id FROM followers WHERE status = 'accepted' AND actor_id LIKE $1 ORDER BY actor_id LIMIT $2",
    )
    .bind(pattern)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

/// The followers whose deliveries go to `inbox`, at most `limit`.
#[tracing::instrument(skip_all, fields(limit))]
pub async fn followers_at_inbox(
    db: impl PgExecutor<'_>,
    inbox: &str,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT actor_id FROM followers WHERE inbox = $1 ORDER BY created_at LIMIT $2",
    )
    .bind(inbox)
    .bind(limit)
    .fetch_all(db)
    .await?)
}

pub async fn remove_follower(db: impl PgExecutor<'_>, actor_id: &str) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM followers WHERE actor_id = $1")
        .bind(actor_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(skip_all, fields(limit, offset))]
pub async fn list_followers(
    db: impl PgExecutor<'_> + Copy,
    status: Option<FollowerStatus>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<FollowerRow>, i64), DbError> {
    let sql = format!(
        "SELECT {FOLLOWER_COLUMNS} FROM followers f JOIN remote_actors a ON a.id = f.actor_id \
         WHERE ($1::text IS NULL OR f.status = $1) ORDER BY f.created_at DESC, f.id DESC LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(status)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    let total = sqlx::query_scalar(
        "SELECT count(*) FROM followers f WHERE ($1::text IS NULL OR f.status = $1)",
    )
    .bind(status)
    .fetch_one(db)
    .await?;
    Ok((rows, total))
}

// ---- featured_reviews ----

#[tracing::instrument(skip_all, fields(review_id))]
pub async fn pin(db: impl PgExecutor<'_>, review_id: Uuid) -> Result<(), DbError> {
    sqlx::query("INSERT INTO featured_reviews (review_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(review_id)
        .execute(db)
        .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(review_id))]
pub async fn unpin(db: impl PgExecutor<'_>, review_id: Uuid) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM featured_reviews WHERE review_id = $1")
        .bind(review_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ids of pinned reviews that are public, most recently pinned first.
#[tracing::instrument(skip_all)]
pub async fn featured(db: impl PgExecutor<'_>) -> Result<Vec<Uuid>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT f.review_id FROM featured_reviews f JOIN reviews r ON r.id = f.review_id \
         WHERE r.status = 'published' AND r.deleted_at IS NULL ORDER BY f.pinned_at DESC LIMIT 20",
    )
    .fetch_all(db)
    .await?)
}

/// Whether the fediverse has the review; locks nothing (the caller holds the row lock).
pub async fn is_federated(db: impl PgExecutor<'_>, review_id: Uuid) -> Result<bool, DbError> {
    Ok(
        sqlx::query_scalar("SELECT federated FROM reviews WHERE id = $1")
            .bind(review_id)
            .fetch_optional(db)
            .await?
            .unwrap_or(false),
    )
}

pub async fn set_federated(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
    federated: bool,
) -> Result<(), DbError> {
    sqlx::query("UPDATE reviews SET federated = $2 WHERE id = $1")
        .bind(review_id)
        .bind(federated)
        .execute(db)
        .await?;
    Ok(())
}

/// The review was withdrawn from the fediverse (a `Delete` of its current id went out): it is
/// no longer there, and its next publication goes out under a new id. Returns the revision
/// that id will have.
#[tracing::instrument(skip_all, fields(review_id))]
pub async fn retire_ap_id(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
    at: DateTime<Utc>,
) -> Result<i32, DbError> {
    Ok(sqlx::query_scalar(
        "UPDATE reviews SET federated = false, ap_revision = ap_revision + 1, ap_retired_at = $2 \
         WHERE id = $1 RETURNING ap_revision",
    )
    .bind(review_id)
    .bind(at)
    .fetch_one(db)
    .await?)
}

/// Whether the review was hidden without a `Delete` (see `publishing::Withdraw::Hide`).
pub async fn is_hidden(db: impl PgExecutor<'_>, review_id: Uuid) -> Result<bool, DbError> {
    Ok(
        sqlx::query_scalar("SELECT fediverse_hidden FROM reviews WHERE id = $1")
            .bind(review_id)
            .fetch_one(db)
            .await?,
    )
}

pub async fn set_hidden(
    db: impl PgExecutor<'_>,
    review_id: Uuid,
    hidden: bool,
) -> Result<(), DbError> {
    sqlx::query("UPDATE reviews SET fediverse_hidden = $2 WHERE id = $1")
        .bind(review_id)
        .bind(hidden)
        .execute(db)
        .await?;
    Ok(())
}

/// The review's current ActivityPub revision (see `Urls::review_ap_id`).
pub async fn ap_revision(db: impl PgExecutor<'_>, review_id: Uuid) -> Result<u32, DbError> {
    let revision: i32 = sqlx::query_scalar("SELECT ap_revision FROM reviews WHERE id = $1")
        .bind(review_id)
        .fetch_one(db)
        .await?;
    u32::try_from(revision)
        .map_err(|e| DbError::Corrupt(format!("review {review_id}: ap_revision: {e}")))
}

/// Published reviews, for NodeInfo.
pub async fn published_count(db: impl PgExecutor<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM reviews WHERE status = 'published' AND deleted_at IS NULL",
    )
    .fetch_one(db)
    .await?)
}

// ---- archives ----

super::archived_table!(
    RemoteActorRecord,
    "remote_actors",
    "id, inbox, shared_inbox, public_key_pem, preferred_username, name, url, icon_url, kind, fetched_at",
    "ORDER BY id",
    archived_remote_actors,
    restore_remote_actors
);
super::archived_table!(
    FollowerRecord,
    "followers",
    "id, actor_id, follow_id, inbox, host, status, created_at, accepted_at",
    "ORDER BY created_at, id",
    archived_followers,
    restore_followers
);
super::archived_table!(
    PinRecord,
    "featured_reviews",
    "review_id, pinned_at",
    "ORDER BY pinned_at, review_id",
    archived_pins,
    restore_pins
);
super::archived_table!(
    KeyRecord,
    "actor_keys",
    "actor, public_key_pem, private_key_pem, created_at",
    "ORDER BY actor",
    archived_keys,
    insert_archived_keys
);

/// When each local actor was created (its key's date), without its keys.
#[tracing::instrument(skip_all)]
pub async fn archived_local_actors(
    db: impl PgExecutor<'_>,
) -> Result<Vec<LocalActorRecord>, DbError> {
    super::archived_rows(
        db,
        "SELECT to_jsonb(t) FROM (SELECT actor, created_at FROM actor_keys ORDER BY actor) t",
    )
    .await
}

/// Gives the local actors the creation dates of an archive's (their keys stay).
#[tracing::instrument(skip_all)]
pub async fn date_local_actors(
    conn: &mut PgConnection,
    actors: &[LocalActorRecord],
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE actor_keys k SET created_at = a.created_at \
         FROM jsonb_populate_recordset(NULL::actor_keys, $1) a WHERE k.actor = a.actor",
    )
    .bind(sqlx::types::Json(actors))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the local actors' keys with those of an archive.
#[tracing::instrument(skip_all)]
pub async fn replace_keys(conn: &mut PgConnection, keys: &[KeyRecord]) -> Result<(), DbError> {
    let actors: Vec<&str> = keys.iter().map(|k| k.actor.as_str()).collect();
    sqlx::query("DELETE FROM actor_keys WHERE actor = ANY($1)")
        .bind(&actors)
        .execute(&mut *conn)
        .await?;
    insert_archived_keys(conn, keys).await?;
    Ok(())
}

/// How many follow requests wait for the critic's answer (for the desk's counts).
#[tracing::instrument(skip_all)]
pub async fn count_pending_followers(db: impl PgExecutor<'_>) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM followers WHERE status = 'pending'")
            .fetch_one(db)
            .await?,
    )
}
