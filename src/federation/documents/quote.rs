//! Interaction requests: quotes (FEP-044f, as Mastodon 4.5 reads them) and replies
//! (GoToSocial's `ReplyRequest`). The authorization we serve at its own id
//! (`QuoteAuthorization`, `ReplyAuthorization`), the `Accept` (with the authorization as
//! `result`) or `Reject` of a request, and the `Delete` of a quote stamp that revokes it.

use serde::Serialize;
use serde_json::Value;

use super::{context, Activity, ActivityKind, Object, PUBLIC};
use crate::domain::QuotePolicy;
use crate::urls::Urls;

/// An authorization: we (`attributedTo`) let `interacting_object` quote (or answer)
/// `interaction_target`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InteractionAuthorization {
    #[serde(rename = "@context")]
    pub context: Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub attributed_to: String,
    pub interacting_object: String,
    pub interaction_target: String,
}

pub fn quote_authorization(
    urls: &Urls,
    stamp: &str,
    quoting_post: &str,
    review_ap_id: &str,
) -> InteractionAuthorization {
    InteractionAuthorization {
        context: context(),
        id: stamp.to_string(),
        kind: "QuoteAuthorization",
        attributed_to: urls.actor(),
        interacting_object: quoting_post.to_string(),
        interaction_target: review_ap_id.to_string(),
    }
}

/// A reply authorization: we let `reply` answer `target` (our review or comment).
pub fn reply_authorization(
    urls: &Urls,
    id: &str,
    reply: &str,
    target: &str,
) -> InteractionAuthorization {
    InteractionAuthorization {
        kind: "ReplyAuthorization",
        ..quote_authorization(urls, id, reply, target)
    }
}

/// The request answered (`QuoteRequest` or `ReplyRequest`), embedded as Mastodon and
/// GoToSocial embed it.
#[derive(Debug, Clone, Serialize)]
pub struct InteractionRequestDoc {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub actor: String,
    pub object: String,
    pub instrument: String,
}

/// `Accept` (with the authorization as `result`) or `Reject` of an interaction request.
#[derive(Debug, Clone, Serialize)]
pub struct InteractionAnswer {
    #[serde(rename = "@context")]
    pub context: Value,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ActivityKind,
    pub actor: String,
    pub to: Vec<String>,
    pub object: InteractionRequestDoc,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

/// The request answered: `Accept` when the authorization `stamp` is given, else `Reject`.
pub fn interaction_answer(
    activity_id: &str,
    urls: &Urls,
    request: InteractionRequestDoc,
    stamp: Option<String>,
) -> InteractionAnswer {
    InteractionAnswer {
        context: context(),
        id: activity_id.to_string(),
        kind: if stamp.is_some() {
            ActivityKind::Accept
        } else {
            ActivityKind::Reject
        },
        actor: urls.actor(),
        to: vec![request.actor.clone()],
        object: request,
        result: stamp,
    }
}

/// The `Delete` of a stamp: the quote is no longer authorized.
pub fn stamp_revocation(activity_id: &str, urls: &Urls, stamp: &str) -> Activity {
    Activity {
        context: Some(context()),
        id: activity_id.to_string(),
        kind: ActivityKind::Delete,
        actor: urls.actor(),
        published: None,
        to: vec![PUBLIC.to_string()],
        cc: Vec::new(),
        object: Object::Id(stamp.to_string()),
        target: None,
    }
}

/// Who may quote, as `interactionPolicy.canQuote.automaticApproval` says it (as Mastodon
/// writes it: the public, the followers collection, or, for nobody, the author alone).
pub fn quote_approval(policy: QuotePolicy, urls: &Urls) -> Vec<String> {
    match policy {
        QuotePolicy::Anyone => vec![PUBLIC.to_string()],
        QuotePolicy::Followers => vec![urls.followers()],
        QuotePolicy::Nobody => vec![urls.actor()],
    }
}
