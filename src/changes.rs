//! The change path: every write that changes what a public page shows announces what changed
//! (which review, the listings, the followers, or the whole site), inside its transaction, on
//! the PostgreSQL channel [`CHANNEL`]. Every process's response cache hears it and drops only
//! what depends on it; the writing request's own process applies it at once (see
//! `crate::cache`). Handlers mark what a response they render depends on with [`cacheable`].

use std::cell::RefCell;
use std::future::Future;

use axum::response::Response;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::db::DbError;

/// The PostgreSQL channel on which writers announce changes.
pub const CHANNEL: &str = "reviewpub_changes";

/// What changed, as far as public pages are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// One review's own pages and documents: its text, its comments, its reactions.
    Review(Uuid),
    /// Which reviews are listed, and how: the index, categories, tags, feeds, outbox,
    /// featured collection, counts.
    Listings,
    /// Who follows the blog.
    Followers,
    /// Anything else (blocks, removed authors): every page.
    Site,
}

impl Change {
    /// The notification payload: `review:<uuid>`, `listings`, `followers`, `site`.
    pub fn payload(&self) -> String {
        match self {
            Self::Review(id) => format!("review:{id}"),
            Self::Listings => "listings".into(),
            Self::Followers => "followers".into(),
            Self::Site => "site".into(),
        }
    }

    /// A payload read back; anything unknown (an older or newer process) counts as `Site`.
    pub fn parse(payload: &str) -> Self {
        match payload {
            "listings" => Self::Listings,
            "followers" => Self::Followers,
            other => other
                .strip_prefix("review:")
                .and_then(crate::domain::parse_id)
                .map_or(Self::Site, Self::Review),
        }
    }
}

/// Marks a response that may be kept until one of the changes it depends on (or a `Site`
/// change) happens. A response that depends on `Site` is dropped by any change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cacheable(pub Vec<Change>);

/// Marks `response` as the same for every reader until `depends` changes. Only `200` answers
/// are kept, so a handler may mark whatever it returns.
pub fn cacheable(mut response: Response, depends: &[Change]) -> Response {
    response
        .extensions_mut()
        .insert(Cacheable(depends.to_vec()));
    response
}

tokio::task_local! {
    /// The changes a writing request announced, with the database connection that sent them.
    static ANNOUNCED: RefCell<Vec<(u32, Change)>>;
}

/// Announces `changes` to every process sharing the database. Run inside the writing
/// transaction: PostgreSQL delivers the notifications when (and only if) it commits.
#[tracing::instrument(skip_all, fields(count = changes.len()))]
pub async fn announce(db: impl PgExecutor<'_>, changes: &[Change]) -> Result<(), DbError> {
    if changes.is_empty() {
        return Ok(());
    }
    let payloads: Vec<String> = changes.iter().map(Change::payload).collect();
    let backend: i32 = sqlx::query_scalar(
        "SELECT pg_backend_pid() FROM (SELECT count(*) FROM \
         (SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p) AS sent) AS done",
    )
    .bind(CHANNEL)
    .bind(&payloads)
    .fetch_one(db)
    .await?;
    if let Ok(backend) = u32::try_from(backend) {
        let _ = ANNOUNCED.try_with(|announced| {
            announced
                .borrow_mut()
                .extend(changes.iter().map(|change| (backend, *change)));
        });
    }
    Ok(())
}

/// Runs a writing request and returns, with its outcome, what it announced (and from which
/// database connection).
pub async fn recording<F: Future>(work: F) -> (F::Output, Vec<(u32, Change)>) {
    ANNOUNCED
        .scope(RefCell::new(Vec::new()), async move {
            let output = work.await;
            let announced = ANNOUNCED.with(|announced| announced.take());
            (output, announced)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_unknown_ones_are_the_site() {
        let id = Uuid::now_v7();
        for change in [
            Change::Review(id),
            Change::Listings,
            Change::Followers,
            Change::Site,
        ] {
            assert_eq!(Change::parse(&change.payload()), change);
        }
        assert_eq!(Change::parse("reviews"), Change::Site);
        assert_eq!(Change::parse("review:nope"), Change::Site);
    }
}
