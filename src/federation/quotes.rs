//! Quotes of our reviews (FEP-044f): the revocation of stamps (`Delete` of the stamp) when a
//! review goes or its policy no longer allows them (the answer to a `QuoteRequest` is
//! [`super::interactions::answer`]). Queued in the caller's transaction, as the outbox does.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::documents;
use crate::db::quotes::{self, QuoteRow};
use crate::db::{deliveries, DbError};
use crate::domain::{QuotePolicy, Review};
use crate::urls::Urls;

/// Revokes the stamps of `review` that its policy (`policy`, the effective one) no longer
/// allows, all of them when the review is no longer public; each revocation goes to the
/// quoting author and to the followers.
pub async fn revoke_disallowed(
    conn: &mut PgConnection,
    urls: &Urls,
    review: &Review,
    policy: QuotePolicy,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let keep_followers = match policy {
        _ if !review.is_public() => false,
        QuotePolicy::Anyone => return Ok(()),
        QuotePolicy::Followers => true,
        QuotePolicy::Nobody => false,
    };
    revoke(conn, urls, review.id, keep_followers, now).await
}

/// Revokes the review's stamps (all, or those of authors who do not follow the blog).
#[tracing::instrument(skip_all, fields(%review_id, keep_followers))]
pub async fn revoke(
    conn: &mut PgConnection,
    urls: &Urls,
    review_id: Uuid,
    keep_followers: bool,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let revoked = quotes::revoke(&mut *conn, review_id, keep_followers, now).await?;
    for quote in &revoked {
        send_revocation(conn, urls, quote).await?;
    }
    if !revoked.is_empty() {
        tracing::info!(count = revoked.len(), "quote stamps revoked");
    }
    Ok(())
}

async fn send_revocation(
    conn: &mut PgConnection,
    urls: &Urls,
    quote: &QuoteRow,
) -> Result<(), DbError> {
    let (id, ap_id) = documents::new_activity_id(urls);
    let body = documents::stamp_revocation(&ap_id, urls, &urls.quote(quote.id));
    let kind = body.kind.as_str();
    deliveries::insert_activity(conn, id, &ap_id, kind, Some(quote.review_id), false, &body)
        .await?;
    deliveries::enqueue_to_followers(conn, id).await?;
    let inbox = &quote.author_inbox;
    deliveries::enqueue_one(conn, id, inbox, &crate::domain::authority(inbox)).await?;
    Ok(())
}
