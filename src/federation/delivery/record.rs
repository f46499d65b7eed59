//! Writing outcomes back: each worker turns its attempt's outcome into what is to be written
//! (delivered, failed for good, or retried when, and what it says about the host), and one
//! recorder writes whatever has arrived since its last write (up to 512) in one transaction.
//! A fan-out costs PostgreSQL a few statements per batch rather than several per delivery,
//! successes and failures alike. Until written, a job stays leased; after a crash it is sent
//! again.

use chrono::Utc;
use tokio::sync::mpsc;

use super::super::Context;
use super::{backoff, Outcome};
use crate::db::deliveries::{self, Claimed, Fate, HostNews, Written};
use crate::db::DbError;

/// A finished attempt on its way to being written back.
pub(super) struct Finished {
    written: Written,
    inbox: String,
}

/// Logs an outcome and hands it to the recorder (or, when it is gone because the workers
/// are shutting down, writes it at once).
pub(super) async fn finish(
    state: &Context,
    job: &Claimed,
    outcome: &Outcome,
    recorder: &mpsc::UnboundedSender<Finished>,
) {
    let finished = Finished {
        written: written(state, job, outcome),
        inbox: job.inbox.clone(),
    };
    if let Err(mpsc::error::SendError(finished)) = recorder.send(finished) {
        if let Err(e) = write(state, vec![finished]).await {
            tracing::error!(delivery = job.id, error = %e, "recording a delivery outcome failed; the lease will bring it back");
        }
    }
}

/// What an outcome comes to (see the module documentation of `delivery`).
fn written(state: &Context, job: &Claimed, outcome: &Outcome) -> Written {
    let settings = &state.settings.federation;
    let (status, fate, news) = match outcome {
        Outcome::Delivered(status) => {
            // One line per delivery only when asked for (a fan-out is thousands): failures are
            // logged, and the fan-out's end is summed up in the deliveries table.
            tracing::debug!(delivery = job.id, inbox = %job.inbox, status, "delivered");
            (Some(*status), Fate::Delivered, HostNews::Answered)
        }
        Outcome::Refused(status, error) => {
            tracing::warn!(delivery = job.id, inbox = %job.inbox, error, "delivery refused; not retried");
            let news = match (status, job.trial) {
                (Some(_), _) => HostNews::Answered,
                (None, true) => HostNews::TrialInconclusive,
                (None, false) => HostNews::Nothing,
            };
            (*status, Fate::Failed(error.clone()), news)
        }
        Outcome::Retry(status, error, pause) => {
            let wait = backoff(job.attempts, settings.retry_base).max(pause.unwrap_or_default());
            let next = Utc::now()
                + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::hours(6));
            let give_up = job.created_at
                + chrono::Duration::from_std(settings.delivery_give_up)
                    .unwrap_or_else(|_| chrono::Duration::days(7));
            let fate = if next > give_up {
                let error = format!("gave up after {} attempts: {error}", job.attempts);
                tracing::warn!(delivery = job.id, inbox = %job.inbox, error, "delivery failed for good");
                Fate::Failed(error)
            } else {
                tracing::info!(delivery = job.id, inbox = %job.inbox, error, retry_at = %next, trial = job.trial, "delivery will be retried");
                Fate::Retry(error.clone(), next)
            };
            (*status, fate, HostNews::Failed)
        }
    };
    Written {
        id: job.id,
        host: job.host.clone(),
        generation: job.generation,
        status,
        fate,
        news,
    }
}

/// Writes outcomes back in batches until every sender is gone.
pub(super) async fn recorder(state: Context, mut done: mpsc::UnboundedReceiver<Finished>) {
    let mut batch = Vec::with_capacity(512);
    while done.recv_many(&mut batch, 512).await > 0 {
        let count = batch.len();
        if let Err(e) = write(&state, std::mem::take(&mut batch)).await {
            tracing::error!(count, error = %e, "recording delivery outcomes failed; their leases will bring them back");
        }
    }
}

/// Writes one batch, then acts on it: wakes the workers for hosts open again, and looks
/// behind inboxes that are gone (`410`).
async fn write(state: &Context, batch: Vec<Finished>) -> Result<(), DbError> {
    let settings = &state.settings.federation;
    let written: Vec<Written> = batch.iter().map(|f| f.written.clone()).collect();
    let outcomes = deliveries::write_outcomes(
        &state.pool,
        &written,
        settings.retry_base,
        settings.host_unavailable_after,
    )
    .await?;
    // Leases were cleared: the hosts of these jobs have slots again (and perhaps a
    // backed-off host was released).
    state.federation.wake.notify_one();
    for (host, rounds) in &outcomes.rounds {
        tracing::info!(%host, rounds, "a failed round counted against the host");
    }
    for host in &outcomes.given_up {
        tracing::warn!(%host, "every delivery to this host failed for too long: it is unavailable until it is heard from");
        // The next activity from it must bring it back, however recently it sent one.
        state.federation.heard_from.invalidate(host).await;
    }
    for gone in batch {
        if gone.written.status == Some(410) && matches!(gone.written.fate, Fate::Failed(_)) {
            // The inbox is gone: so, perhaps, are the followers behind it.
            let ctx = state.clone();
            tokio::spawn(async move {
                let inbox = gone.inbox;
                if let Err(e) = super::super::followers::remove_gone_behind(&ctx, &inbox).await {
                    tracing::warn!(%inbox, error = %e, "checking the followers of a gone inbox failed");
                }
            });
        }
    }
    Ok(())
}
