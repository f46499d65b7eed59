//! The blog's side of the fediverse at the desk: follow requests to answer, followers, servers
//! that deliveries have trouble with (resumed from here), failed deliveries (retried from here),
//! and the reports readers sent.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{path, render, see_other, Critic, Frame, NoFields, Posted, Refused};
use crate::db::{deliveries, federation as db, hosts, reports};
use crate::domain::{DeliveryStatus, FollowerStatus};
use crate::error::AppError;
use crate::federation::{delivery, followers};
use crate::state::AppState;

/// Rows shown of each list.
const SHOWN: i64 = 50;

#[derive(Template)]
#[template(path = "desk_fediverse.html", config = "config/askama.toml")]
struct FediversePage {
    frame: Frame,
    requests: Vec<Follower>,
    followers: Vec<Follower>,
    followers_total: i64,
    hosts: Vec<Host>,
    failed: Vec<Delivery>,
    reports: Vec<Report>,
}

struct Follower {
    id: Uuid,
    who: String,
    actor: String,
    since: String,
}

struct Host {
    host: String,
    state: String,
    followers: i64,
    waiting: i64,
    unavailable: bool,
}

struct Delivery {
    id: i64,
    kind: String,
    inbox: String,
    attempts: i32,
    error: String,
}

struct Report {
    from: String,
    when: String,
    content: String,
    objects: Vec<String>,
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y, %H:%M UTC").to_string()
}

fn follower(f: db::FollowerRow) -> Follower {
    Follower {
        id: f.id,
        who: crate::notifications::follower_name(&f),
        since: when(f.created_at),
        actor: f.actor_id,
    }
}

pub async fn page(State(state): State<AppState>, critic: Critic) -> Result<Response, Refused> {
    let pool = &state.pool;
    let fail = |e: crate::db::DbError| Refused::from(AppError::from(e));
    let (requests, _) = db::list_followers(pool, Some(FollowerStatus::Pending), SHOWN, 0)
        .await
        .map_err(fail)?;
    let (accepted, followers_total) =
        db::list_followers(pool, Some(FollowerStatus::Accepted), SHOWN, 0)
            .await
            .map_err(fail)?;
    let trouble = hosts::list(pool, SHOWN, 0).await.map_err(fail)?;
    let (failed, _) = deliveries::list(pool, Some(DeliveryStatus::Failed), SHOWN, 0)
        .await
        .map_err(fail)?;
    let reports = reports::list_reports(pool).await.map_err(fail)?;
    Ok(render(&FediversePage {
        frame: Frame::new(&state, &critic, "Fediverse").await?,
        requests: requests.into_iter().map(follower).collect(),
        followers: accepted.into_iter().map(follower).collect(),
        followers_total,
        hosts: trouble
            .into_iter()
            .map(|h| Host {
                state: match (h.unavailable_since, h.backoff_until) {
                    (Some(since), _) => format!("given up on since {}", when(since)),
                    (None, Some(until)) if until > Utc::now() => {
                        format!("paused until {}", when(until))
                    }
                    _ => format!("{} failures in a row", h.consecutive_failures),
                },
                unavailable: h.unavailable_since.is_some(),
                host: h.host,
                followers: h.followers,
                waiting: h.pending_deliveries,
            })
            .collect(),
        failed: failed
            .into_iter()
            .map(|d| Delivery {
                id: d.id,
                kind: d.activity_kind,
                inbox: d.inbox,
                attempts: d.attempts,
                error: d.last_error.unwrap_or_default(),
            })
            .collect(),
        reports: reports
            .into_iter()
            .map(|r| Report {
                from: r.actor_id,
                when: when(r.created_at),
                content: r.content.unwrap_or_default(),
                objects: r.objects,
            })
            .collect(),
    })?)
}

fn back() -> Response {
    see_other(&path("/fediverse"))
}

pub async fn approve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _signed_in: Posted<NoFields>,
) -> Result<Response, Refused> {
    followers::approve(&state.context(), super::id(&id)?)
        .await
        .map_err(AppError::from)?;
    Ok(back())
}

pub async fn reject(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _signed_in: Posted<NoFields>,
) -> Result<Response, Refused> {
    followers::reject(&state.context(), super::id(&id)?)
        .await
        .map_err(AppError::from)?;
    Ok(back())
}

pub async fn resume(
    State(state): State<AppState>,
    Path(host): Path<String>,
    _signed_in: Posted<NoFields>,
) -> Result<Response, Refused> {
    if !hosts::resume(&state.pool, &host.to_ascii_lowercase())
        .await
        .map_err(AppError::from)?
    {
        return Err(AppError::NotFound.into());
    }
    state.federation.wake.notify_one();
    Ok(back())
}

pub async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    _signed_in: Posted<NoFields>,
) -> Result<Response, Refused> {
    if !delivery::retry_now(&state.context(), id)
        .await
        .map_err(AppError::from)?
    {
        return Err(AppError::NotFound.into());
    }
    Ok(back())
}
