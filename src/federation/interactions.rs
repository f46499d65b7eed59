//! The answer to an interaction request (a `QuoteRequest`, FEP-044f, or a `ReplyRequest`,
//! GoToSocial's interaction controls): `Accept` with the authorization we serve as `result`,
//! or `Reject`. Queued in the caller's transaction, as the outbox does.

use sqlx::PgConnection;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::fetch_object_http;

use super::documents::{self, InteractionRequestDoc};
use super::protocol::activities::InteractionRequest;
use super::protocol::{IdOrObject, Note};
use super::{Context, FederationError};
use crate::db::{deliveries, DbError};
use crate::urls::Urls;

/// Queues the answer to `request` for the requester's `inbox`: `Accept` with the
/// authorization `result` (its id), or `Reject` when there is none.
#[tracing::instrument(skip_all, fields(kind = request.kind, accepted = result.is_some()))]
pub async fn answer(
    conn: &mut PgConnection,
    urls: &Urls,
    request: InteractionRequestDoc,
    result: Option<String>,
    inbox: &str,
) -> Result<(), DbError> {
    let (id, ap_id) = documents::new_activity_id(urls);
    let body = documents::interaction_answer(&ap_id, urls, request, result);
    let kind = body.kind.as_str();
    deliveries::insert_activity(conn, id, &ap_id, kind, None, false, &body).await?;
    deliveries::enqueue_one(conn, id, inbox, &crate::domain::authority(inbox)).await?;
    tracing::info!(activity = %ap_id, kind, inbox, "interaction request answered");
    Ok(())
}

/// The post a request is about: embedded, or given by id and then fetched (one signed,
/// bounded fetch), which must come back under that id and be the actor's.
#[tracing::instrument(skip_all)]
pub async fn requested_post<K>(
    data: &Data<Context>,
    request: &InteractionRequest<K>,
) -> Result<Note, FederationError> {
    match &request.instrument {
        IdOrObject::Object(note) => Ok((**note).clone()),
        IdOrObject::Id(id) => {
            let note = fetch_object_http::<Context, Note>(id.url(), data)
                .await?
                .object;
            if note.id != *id {
                return Err(FederationError::Refused(
                    "the requested post answers under another id".into(),
                ));
            }
            note.check_authored_by(&request.actor)?;
            Ok(note)
        }
    }
}
