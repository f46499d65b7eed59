//! Limits per client: how many requests one address may make (answered `429` with
//! `Retry-After` past the limit), how many costly lookups run at once, and how long a public
//! request may take.
//!
//! A client is the peer address of the connection (an IPv6 client: its /64, which one
//! subscriber usually holds whole). Behind a reverse proxy every request comes from the
//! proxy: the proxy must then limit per client itself (see the README), and these limits only
//! bound the whole.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::{Rate, Settings};

/// The limiters the handlers and the middleware share.
pub struct Limiters {
    /// `/interact` lookups per client.
    pub interact: PerClient,
    /// `/interact` lookups at once.
    pub interact_slots: tokio::sync::Semaphore,
    /// POSTs to the inboxes per client (`None`: no limit).
    inbox: Option<PerClient>,
    /// Other public requests per client (`None`: no limit).
    pages: Option<PerClient>,
    /// How long a public request may take.
    request_timeout: Duration,
    /// Sign-in attempts at the desk per client.
    pub sign_in: PerClient,
    /// Failed sign-ins at the desk, whoever makes them: past this, nobody may try for a while
    /// (a guesser spread over many addresses still gets few guesses).
    pub sign_in_failures: Failures,
}

impl Limiters {
    pub fn new(settings: &Settings) -> Self {
        let l = &settings.limits;
        let per_client =
            |rate: Option<Rate>| rate.map(|r| PerClient::per_minute(r.per_minute, r.burst));
        Self {
            interact: PerClient::per_minute(l.interact_per_minute, l.interact_per_minute),
            interact_slots: tokio::sync::Semaphore::new(l.interact_concurrency),
            inbox: per_client(l.inbox),
            pages: per_client(l.pages),
            request_timeout: l.request_timeout,
            sign_in: PerClient::per_minute(SIGN_INS_PER_MINUTE, SIGN_INS_PER_MINUTE),
            sign_in_failures: Failures::new(
                Quota::per_hour(FAILED_SIGN_INS_PER_HOUR).allow_burst(FAILED_SIGN_IN_BURST),
            ),
        }
    }

    /// Forgets the clients of every limiter whose allowance is full again.
    pub fn forget_idle(&self) {
        self.interact.forget_idle();
        self.sign_in.forget_idle();
        for limiter in [&self.inbox, &self.pages].into_iter().flatten() {
            limiter.forget_idle();
        }
    }
}

/// Sign-in attempts one client may make a minute.
const SIGN_INS_PER_MINUTE: u32 = 5;
/// Failed sign-ins an hour, from anyone, and how many may come at once.
const FAILED_SIGN_INS_PER_HOUR: NonZeroU32 = NonZeroU32::new(30).expect("not zero");
const FAILED_SIGN_IN_BURST: NonZeroU32 = NonZeroU32::new(10).expect("not zero");

/// What a request is, for the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The admin API: its callers hold a token, and its work may take long.
    Admin,
    /// The critic's desk (`/admin`): limited as pages are, whatever the method (its forms
    /// are POSTs; signing in has a limit of its own).
    Desk,
    /// A POST outside the admin API: the inboxes are the only ones.
    Inbox,
    /// Everything else: pages, feeds, ActivityPub documents, WebFinger.
    Page,
}

fn kind(method: &Method, path: &str) -> Kind {
    let admin = path
        .strip_prefix(crate::urls::API_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    let desk = path
        .strip_prefix(crate::urls::DESK_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if admin {
        Kind::Admin
    } else if desk {
        Kind::Desk
    } else if method == Method::POST {
        Kind::Inbox
    } else {
        Kind::Page
    }
}

/// Every request outside the admin API: `429` with `Retry-After` when its client is over its
/// rate (before any work is done for it), `503` when it is not answered within the request
/// timeout (reading its body included).
pub async fn public_requests(
    State(limits): State<Arc<Limiters>>,
    request: axum::extract::Request,
    next: Next,
) -> Response {
    let limiter = match kind(request.method(), request.uri().path()) {
        Kind::Admin => return next.run(request).await,
        Kind::Inbox => &limits.inbox,
        Kind::Page | Kind::Desk => &limits.pages,
    };
    if let Some(limiter) = limiter {
        if let Err(wait) = limiter.check(client_ip(&request)) {
            tracing::debug!("a client is over its request rate");
            return too_many(wait);
        }
    }
    match tokio::time::timeout(limits.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                timeout_seconds = limits.request_timeout.as_secs(),
                "a request was not answered in time"
            );
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the request took too long; try again later",
            )
                .into_response()
        }
    }
}

/// The address a request came from (unspecified when the server was not told, as in tests
/// that call the router directly).
pub fn client_ip<B>(request: &Request<B>) -> IpAddr {
    ip_of(request.extensions())
}

fn ip_of(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The client's address, as an extractor.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(ip_of(&parts.extensions)))
    }
}

/// So many requests per minute per client, with bursts of up to `burst`.
pub struct PerClient {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl PerClient {
    pub fn per_minute(per_minute: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst)),
        }
    }

    /// `Ok` when `client` may go on; otherwise how long it should wait.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.limiter
            .check_key(&client_key(client))
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets clients whose allowance is full again (bounds the memory held per address).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Failures of anyone at something (signing in): past their rate, every attempt is refused
/// until the rate allows one again. Successes do not count.
pub struct Failures {
    limiter: governor::DefaultDirectRateLimiter,
    paused_until: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Failures {
    pub fn new(quota: Quota) -> Self {
        Self {
            limiter: RateLimiter::direct(quota),
            paused_until: std::sync::Mutex::new(None),
        }
    }

    fn pause(&self) -> std::sync::MutexGuard<'_, Option<std::time::Instant>> {
        self.paused_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `Ok` when attempts may be made; otherwise how long to wait.
    pub fn check(&self) -> Result<(), Duration> {
        match *self.pause() {
            Some(until) if until > std::time::Instant::now() => {
                Err(until - std::time::Instant::now())
            }
            _ => Ok(()),
        }
    }

    /// Counts a failure; past the rate, attempts pause until it allows one again.
    pub fn failed(&self) {
        if let Err(not_until) = self.limiter.check() {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            *self.pause() = Some(std::time::Instant::now() + wait);
            tracing::warn!(
                wait_seconds = wait.as_secs(),
                "too many failed sign-ins: paused"
            );
        }
    }
}

/// Who a limit counts: an IPv4 address, or the /64 network of an IPv6 one (one subscriber is
/// usually given a whole /64, and would otherwise have 2^64 allowances).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(network))
            }
        },
    }
}

/// `429 Too Many Requests` with `Retry-After` (whole seconds, at least one).
pub fn too_many(retry_after: Duration) -> Response {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        "too many requests; try again later",
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_api_is_told_apart_by_its_exact_prefix() {
        assert_eq!(kind(&Method::GET, "/api/v1"), Kind::Admin);
        assert_eq!(kind(&Method::POST, "/api/v1/reviews"), Kind::Admin);
        assert_eq!(kind(&Method::GET, "/api/v1x"), Kind::Page);
        assert_eq!(kind(&Method::GET, "//api/v1/reviews"), Kind::Page);
        assert_eq!(kind(&Method::POST, "/inbox"), Kind::Inbox);
        assert_eq!(kind(&Method::POST, "/users/reviews/inbox"), Kind::Inbox);
        assert_eq!(kind(&Method::GET, "/users/reviews"), Kind::Page);
        assert_eq!(kind(&Method::HEAD, "/feed.xml"), Kind::Page);
        assert_eq!(kind(&Method::POST, "/admin/sign-in"), Kind::Desk);
        assert_eq!(kind(&Method::GET, "/admin"), Kind::Desk);
        assert_eq!(kind(&Method::POST, "/administrator"), Kind::Inbox);
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("address");
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("address");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("address");
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("address");
        assert_eq!(
            client_key(mapped),
            "192.0.2.7".parse::<IpAddr>().expect("address")
        );
        let v4: IpAddr = "192.0.2.7".parse().expect("address");
        assert_eq!(client_key(v4), v4);
    }

    #[test]
    fn past_its_burst_a_client_waits_and_others_do_not() {
        let limiter = PerClient::per_minute(60, 2);
        let a: IpAddr = "192.0.2.1".parse().expect("address");
        let b: IpAddr = "192.0.2.2".parse().expect("address");
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_ok());
        let wait = limiter.check(a).expect_err("over the burst");
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(limiter.check(b).is_ok());
    }

    #[test]
    fn failures_past_their_burst_pause_every_attempt_and_successes_do_not_count() {
        let failures = super::Failures::new(
            governor::Quota::per_hour(std::num::NonZeroU32::new(30).expect("30"))
                .allow_burst(std::num::NonZeroU32::new(3).expect("3")),
        );
        for _ in 0..3 {
            assert!(failures.check().is_ok());
            failures.failed();
        }
        // The fourth failure is past the burst: everyone waits about two minutes (30 an hour).
        assert!(failures.check().is_ok());
        failures.failed();
        let wait = failures.check().expect_err("paused");
        assert!(
            wait > std::time::Duration::from_secs(60)
                && wait <= std::time::Duration::from_secs(120),
            "{wait:?}"
        );
    }
}
