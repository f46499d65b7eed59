//! One delivery attempt: signed afresh (RFC 9421 to hosts that take it, draft-cavage to the
//! rest, the other at once when a host refuses RFC 9421) and sent.

use bytes::Bytes;
use chrono::Utc;
use reqwest::header::{ACCEPT, CONTENT_TYPE, DATE, HOST, RETRY_AFTER};
use url::Url;

use super::super::negotiation::ACTIVITY_JSON;
use super::super::signatures::SignatureKind;
use super::super::Context;
use super::{authority, check_destination, classify, http_date, retry_after, Outcome};
use crate::db::deliveries::Claimed;

/// Signs (afresh) and sends one delivery.
#[tracing::instrument(skip_all, fields(delivery = job.id, inbox = %job.inbox))]
pub(super) async fn attempt(state: &Context, job: &Claimed, body: Bytes) -> Outcome {
    let fed = &state.federation;
    let inbox = match Url::parse(&job.inbox) {
        Ok(url) => url,
        Err(e) => return Outcome::Refused(None, format!("invalid inbox URL: {e}")),
    };
    if let Err(reason) = check_destination(&inbox, state.settings.allow_private_networks) {
        return Outcome::Refused(None, reason);
    }
    let sync = match super::super::follower_sync::header_for(state, &inbox).await {
        Ok(sync) => sync,
        // Without it the delivery still goes; the other server just cannot check.
        Err(e) => {
            tracing::warn!(error = %e, "no followers digest for this delivery");
            None
        }
    };
    // RFC 9421 to hosts that signed that way to us (they implement it), draft-cavage to the
    // rest: a server that takes any signature with 202 and checks it later (snac does) would
    // drop an RFC 9421 one silently. A host that refuses an RFC 9421 knock gets draft-cavage
    // at once, and that is remembered.
    let kind = fed
        .signature_kinds
        .get(&job.host)
        .await
        .unwrap_or(SignatureKind::DraftCavage);
    let outcome = send(state, &inbox, sync.as_deref(), body.clone(), kind).await;
    let refused_signature = matches!(outcome, Outcome::Refused(Some(400 | 401 | 403), _));
    if kind == SignatureKind::Rfc9421 && refused_signature {
        fed.signature_kinds
            .insert(job.host.clone(), SignatureKind::DraftCavage)
            .await;
        return send(
            state,
            &inbox,
            sync.as_deref(),
            body,
            SignatureKind::DraftCavage,
        )
        .await;
    }
    outcome
}

/// Signs a delivery one way and sends it.
async fn send(
    state: &Context,
    inbox: &Url,
    sync: Option<&str>,
    body: Bytes,
    kind: SignatureKind,
) -> Outcome {
    let fed = &state.federation;
    // `Host` and `Date` go in before signing so that they are signed: Fedify (and Mastodon)
    // require a signed `date`, and a signed `host` binds the request to this inbox.
    let mut builder = fed
        .http
        .post(inbox.as_str())
        .header(HOST, authority(inbox.as_str()))
        .header(DATE, http_date(Utc::now()))
        .header(CONTENT_TYPE, ACTIVITY_JSON)
        .header(ACCEPT, "application/activity+json, application/ld+json");
    if let Some(sync) = sync {
        builder = builder.header("Collection-Synchronization", sync);
    }
    let signed = match kind {
        SignatureKind::Rfc9421 => fed.signer.sign_rfc9421(builder, inbox, body).await,
        SignatureKind::DraftCavage => fed.signer.sign(builder, body).await,
    };
    let request = match signed {
        Ok(request) => request,
        Err(e) => return Outcome::Retry(None, format!("signing failed: {e}"), None),
    };
    match fed.http.execute(request).await {
        Ok(response) => {
            let status = response.status();
            let pause = retry_after(response.headers().get(RETRY_AFTER), Utc::now());
            let text = super::super::remote::read_start(
                response,
                super::super::remote::DELIVERY_ANSWER_LIMIT,
            )
            .await;
            classify(status, pause, &text)
        }
        Err(e) if e.is_timeout() => Outcome::Retry(None, format!("timed out: {e}"), None),
        Err(e) => Outcome::Retry(None, format!("request failed: {e}"), None),
    }
}
