//! Limits per client: how many requests one address may make (answered `429` with
//! `Retry-After` past the limit), and how many costly lookups run at once.
//!
//! A client is the peer address of the connection. Behind a reverse proxy every request comes
//! from the proxy: the proxy must then limit per client itself (see SECURITY.md), and these
//! limits only bound the whole.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

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
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets clients whose allowance is full again (bounds the memory held per address).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
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
