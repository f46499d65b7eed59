//! The blog moving to another account (`reviewpub move`, `POST /api/v1/move`), as Mastodon
//! moves an account: the new account must name the blog in its `alsoKnownAs`; the followers
//! get an `Update` of the blog (now with `movedTo`) and a `Move`, on which their servers
//! follow the new account; from then on follows of the blog are refused and every page says
//! where it went. A move can be cancelled (the redirect ends; followers already gone stay
//! gone). Moving here from another account needs only `federation.also_known_as`.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;
use activitypub_federation::fetch::webfinger::webfinger_resolve_actor;
use activitypub_federation::traits::{Actor, Object};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use url::Url;

use super::actors::RemoteActor;
use super::documents::{self, Activity, ActivityKind};
use super::{protocol, Context, FederationError};
use crate::changes::{self, Change};
use crate::db::moves::{self, MoveRow};
use crate::db::{deliveries, DbError};
use crate::domain::{AccountRef, Invalid};

/// Why the blog did not move.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("the account {0}")]
    Account(Invalid),
    #[error("the blog cannot move to itself")]
    Itself,
    #[error("the blog has already moved to {0}: cancel that move first")]
    AlreadyMoved(String),
    #[error("{account} could not be looked up: {source}")]
    Lookup {
        account: String,
        #[source]
        source: FederationError,
    },
    #[error(
        "{account} does not name this blog ({blog}) among its aliases (alsoKnownAs): add the \
         blog as an alias of the new account first (Mastodon: Preferences → Account → Moving \
         from a different account), then move"
    )]
    NotAliased { account: String, blog: String },
    #[error(transparent)]
    Federation(#[from] FederationError),
}

impl MoveError {
    /// A failure while looking the new account up (WebFinger, fetching and verifying its
    /// actor, storing it): the account's or its server's fault is [`MoveError::Lookup`] (a
    /// refusal, 4xx), our own (the database, an internal error) stays ours (5xx).
    fn lookup(account: &AccountRef, source: FederationError) -> Self {
        match source {
            FederationError::Db(_) | FederationError::Internal { .. } => Self::Federation(source),
            source => Self::Lookup {
                account: account.to_string(),
                source,
            },
        }
    }
}

impl From<DbError> for MoveError {
    fn from(e: DbError) -> Self {
        Self::Federation(e.into())
    }
}

impl From<sqlx::Error> for MoveError {
    fn from(e: sqlx::Error) -> Self {
        Self::Federation(e.into())
    }
}

/// Moves the blog to `account` (`@user@host` or an actor id) and queues the `Update` and the
/// `Move` to every follower; the move and how many inboxes it goes to.
#[tracing::instrument(skip_all)]
pub async fn move_to(
    data: &Data<Context>,
    account: &str,
    now: DateTime<Utc>,
) -> Result<(MoveRow, u64), MoveError> {
    let account = AccountRef::parse(account).map_err(MoveError::Account)?;
    if let Some(current) = moves::current(&data.pool).await? {
        return Err(MoveError::AlreadyMoved(current.target_handle));
    }
    let lookup = |source| MoveError::lookup(&account, source);
    let blog = data.urls.actor();
    let target = match &account {
        // The library's WebFinger lookup drops the cause of a failed fetch: it may only fetch
        // and check (a `Target` touches no table), never store.
        AccountRef::Handle { .. } => {
            webfinger_resolve_actor::<Context, Target>(&account.to_string(), data)
                .await
                .map_err(lookup)?
        }
        AccountRef::Id(url) if url.as_str() == blog => return Err(MoveError::Itself),
        AccountRef::Id(url) => fetch_target(data, url).await.map_err(lookup)?,
    };
    if target.actor.id.url().as_str() == blog {
        return Err(MoveError::Itself);
    }
    if !target.names(&data.federation.blog.id) {
        return Err(MoveError::NotAliased {
            account: account.to_string(),
            blog,
        });
    }
    let stored = RemoteActor::from_json(target.actor, data)
        .await
        .map_err(lookup)?;
    let (activity_id, ap_id) = documents::new_activity_id(&data.urls);
    let row = MoveRow {
        id: uuid::Uuid::now_v7(),
        target: stored.id.to_string(),
        target_handle: stored.handle(),
        target_url: stored
            .row
            .url
            .clone()
            .unwrap_or_else(|| stored.id.to_string()),
        activity_id: ap_id.clone(),
        moved_at: now,
    };
    let mut tx = data.pool.begin().await?;
    let Some(row) = moves::insert(&mut *tx, &row).await? else {
        return Err(MoveError::AlreadyMoved(row.target_handle));
    };
    let queued = announce_profile(&mut tx, data, Some(&row.target), now).await?;
    let body = documents::move_to(&ap_id, &data.urls, &row.target, now);
    to_followers(&mut tx, activity_id, &body).await?;
    changes::announce(&mut *tx, &[Change::Site]).await?;
    tx.commit().await?;
    data.federation.wake.notify_one();
    tracing::info!(target = %row.target, inboxes = queued, "the blog moved");
    Ok((row, queued))
}

/// Ends the move in force (the blog no longer says `movedTo`); whether there was one.
#[tracing::instrument(skip_all)]
pub async fn cancel(data: &Data<Context>, now: DateTime<Utc>) -> Result<bool, MoveError> {
    let mut tx = data.pool.begin().await?;
    if !moves::cancel(&mut *tx, now).await? {
        return Ok(false);
    }
    announce_profile(&mut tx, data, None, now).await?;
    changes::announce(&mut *tx, &[Change::Site]).await?;
    tx.commit().await?;
    data.federation.wake.notify_one();
    tracing::info!("the blog's move was cancelled");
    Ok(true)
}

/// The new account's document, fetched now (its aliases as they are, not as cached) and
/// checked as any actor's, not stored: as an [`Object`] it reads and writes no table.
#[derive(Debug, Clone)]
struct Target {
    actor: protocol::Actor,
}

#[async_trait::async_trait]
impl Object for Target {
    type DataType = Context;
    type Kind = protocol::Actor;
    type Error = FederationError;

    fn id(&self) -> &Url {
        self.actor.id.url()
    }

    async fn read_from_id(
        _id: Url,
        _data: &Data<Context>,
    ) -> Result<Option<Self>, FederationError> {
        Ok(None)
    }

    async fn into_json(self, _data: &Data<Context>) -> Result<protocol::Actor, FederationError> {
        Ok(self.actor)
    }

    async fn verify(
        json: &protocol::Actor,
        expected: &Url,
        data: &Data<Context>,
    ) -> Result<(), FederationError> {
        RemoteActor::verify(json, expected, data).await
    }

    async fn from_json(
        json: protocol::Actor,
        _data: &Data<Context>,
    ) -> Result<Self, FederationError> {
        Ok(Self { actor: json })
    }
}

impl Actor for Target {
    fn public_key_pem(&self) -> &str {
        self.actor
            .public_key()
            .map_or("", |key| key.public_key_pem.as_str())
    }

    fn private_key_pem(&self) -> Option<String> {
        None
    }

    fn inbox(&self) -> Url {
        self.actor.inbox.url().clone()
    }
}

impl Target {
    /// Whether the new account names `blog` among its aliases.
    fn names(&self, blog: &Url) -> bool {
        self.actor.also_known_as.contains_id(blog)
    }
}

async fn fetch_target(data: &Data<Context>, id: &Url) -> Result<Target, FederationError> {
    let actor = fetch_object_http::<Context, protocol::Actor>(id, data)
        .await?
        .object;
    RemoteActor::verify(&actor, id, data).await?;
    Ok(Target { actor })
}

/// Queues an `Update` of the blog's actor (with `moved_to`, or without) to the followers.
async fn announce_profile(
    conn: &mut PgConnection,
    data: &Data<Context>,
    moved_to: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let actor = documents::blog_actor(
        &data.settings,
        &data.urls,
        &data.federation.blog.keys,
        moved_to,
    );
    let (id, ap_id) = documents::new_activity_id(&data.urls);
    let body = documents::review_activity(
        ActivityKind::Update,
        &ap_id,
        &data.urls,
        documents::Object::Actor(Box::new(actor)),
        now,
    );
    to_followers(conn, id, &body).await
}

async fn to_followers(
    conn: &mut PgConnection,
    id: uuid::Uuid,
    body: &Activity,
) -> Result<u64, DbError> {
    deliveries::insert_activity(conn, id, &body.id, body.kind.as_str(), None, false, body).await?;
    deliveries::enqueue_to_followers(conn, id).await
}
