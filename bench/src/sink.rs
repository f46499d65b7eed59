//! Sink servers: many small fediverse "hosts" on loopback ports. They accept deliveries (or
//! answer 503, or never answer), verify a sample of signatures, record arrival times, and serve
//! the actor documents of the remote repliers in the inbox benchmark.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use anyhow::Result;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use serde_json::{json, Value};
use sha2::Digest;

/// What a host does with a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Accept,
    /// `503 Service Unavailable` at once.
    Unavailable,
    /// Accepts the connection and never answers (the sender's timeout ends it).
    Hang,
}

/// One delivery that was accepted.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub at: Instant,
    pub inbox: String,
    pub object: String,
}

#[derive(Default)]
struct Shared {
    faults: AtomicBool,
    /// Bumped to let every hanging request go (with a 503).
    release: tokio::sync::watch::Sender<u64>,
    arrivals: Mutex<Vec<Arrival>>,
    /// Every `verify_every`-th accepted delivery has its signature checked.
    verify_every: AtomicU64,
    received: AtomicU64,
    verified: AtomicU64,
    verify_failed: AtomicU64,
    /// The blog's public key, for the sampled checks.
    blog_key: RwLock<Option<String>>,
    /// Actor name → public key PEM, for the inbox benchmark's repliers.
    actors: RwLock<HashMap<String, String>>,
    actor_fetches: AtomicU64,
    /// How long each accepted delivery is held before the answer (ms): concurrent requests to
    /// one host then overlap, so a per-host limit that does not hold shows.
    hold_ms: AtomicU64,
    /// The most requests any one host had in flight at once.
    max_in_flight: AtomicUsize,
}

#[derive(Clone)]
struct Host {
    port: u16,
    behaviour: Behaviour,
    shared: Arc<Shared>,
    /// Requests this host is answering now.
    in_flight: Arc<AtomicUsize>,
}

/// Counts one request in flight on its host while it lives.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn enter(host: &Host) -> Self {
        let now = host.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        host.shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(host.in_flight.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A set of sink hosts sharing counters.
pub struct Sinks {
    pub ports: Vec<u16>,
    pub behaviours: Vec<Behaviour>,
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Sinks {
    /// Starts `count` hosts; `behaviour(i)` says what host `i` does when faults are on.
    pub async fn start(count: usize, behaviour: impl Fn(usize) -> Behaviour) -> Result<Self> {
        let shared = Arc::new(Shared {
            verify_every: AtomicU64::new(50),
            ..Shared::default()
        });
        let mut ports = Vec::with_capacity(count);
        let mut behaviours = Vec::with_capacity(count);
        let mut tasks = Vec::with_capacity(count);
        for i in 0..count {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let port = listener.local_addr()?.port();
            let host = Host {
                port,
                behaviour: behaviour(i),
                shared: shared.clone(),
                in_flight: Arc::default(),
            };
            let app = Router::new()
                .route("/inbox", post(inbox))
                .route("/users/{name}/inbox", post(inbox))
                .route("/users/{name}", get(actor))
                .with_state(host);
            tasks.push(tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            }));
            ports.push(port);
            behaviours.push(behaviour(i));
        }
        Ok(Self {
            ports,
            behaviours,
            shared,
            tasks,
        })
    }

    /// Checks the signature of every `n`-th delivery.
    pub fn set_verify_every(&self, n: u64) {
        self.shared.verify_every.store(n.max(1), Ordering::SeqCst);
    }

    /// Answers every request left hanging (503), so none outlives its run.
    pub fn release_hung(&self) {
        self.shared.release.send_modify(|n| *n += 1);
    }

    pub fn set_faults(&self, on: bool) {
        self.shared.faults.store(on, Ordering::SeqCst);
    }

    pub fn set_blog_key(&self, pem: String) {
        if let Ok(mut key) = self.shared.blog_key.write() {
            *key = Some(pem);
        }
    }

    pub fn add_actor(&self, name: String, public_key_pem: String) {
        if let Ok(mut actors) = self.shared.actors.write() {
            actors.insert(name, public_key_pem);
        }
    }

    /// Takes the arrivals recorded so far.
    pub fn take_arrivals(&self) -> Vec<Arrival> {
        self.shared
            .arrivals
            .lock()
            .map(|mut a| std::mem::take(&mut *a))
            .unwrap_or_default()
    }

    /// (checked, failed) sampled signature verifications, and resets them.
    pub fn take_verifications(&self) -> (u64, u64) {
        (
            self.shared.verified.swap(0, Ordering::SeqCst),
            self.shared.verify_failed.swap(0, Ordering::SeqCst),
        )
    }

    /// Holds every accepted delivery this long before answering.
    pub fn set_hold(&self, hold: std::time::Duration) {
        self.shared
            .hold_ms
            .store(hold.as_millis() as u64, Ordering::SeqCst);
    }

    /// The most requests one host had in flight at once since the last call, and resets it.
    pub fn take_max_in_flight(&self) -> usize {
        self.shared.max_in_flight.swap(0, Ordering::SeqCst)
    }

    pub fn take_actor_fetches(&self) -> u64 {
        self.shared.actor_fetches.swap(0, Ordering::SeqCst)
    }
}

impl Drop for Sinks {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn inbox(
    State(host): State<Host>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _in_flight = InFlight::enter(&host);
    if host.shared.faults.load(Ordering::Relaxed) {
        match host.behaviour {
            Behaviour::Accept => {}
            Behaviour::Unavailable => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
            Behaviour::Hang => {
                let mut released = host.shared.release.subscribe();
                let _ = released.changed().await;
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        }
    }
    let n = host.shared.received.fetch_add(1, Ordering::Relaxed);
    if n % host.shared.verify_every.load(Ordering::Relaxed).max(1) == 0 {
        let ok = verify(&host, &method, &uri, &headers, &body);
        let counter = if ok {
            &host.shared.verified
        } else {
            &host.shared.verify_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
    let object = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| match v.get("object")? {
            Value::String(s) => Some(s.clone()),
            o => o.get("id")?.as_str().map(str::to_string),
        })
        .unwrap_or_default();
    let arrival = Arrival {
        at: Instant::now(),
        inbox: format!("{}{}", host.port, uri.path()),
        object,
    };
    if let Ok(mut arrivals) = host.shared.arrivals.lock() {
        arrivals.push(arrival);
    }
    let hold = host.shared.hold_ms.load(Ordering::Relaxed);
    if hold > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(hold)).await;
    }
    StatusCode::ACCEPTED.into_response()
}

/// Checks a delivery's signature with reviewpub's own verifier and its body's `Digest`.
fn verify(host: &Host, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(pem) = host.shared.blog_key.read().ok().and_then(|k| k.clone()) else {
        return false;
    };
    if reviewpub::federation::message_signatures::is_present(headers) {
        // RFC 9421: the target is the URL reviewpub sent to (its `Host` and our path).
        use reviewpub::federation::message_signatures as rfc9421;
        let target = headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| {
                url::Url::parse(&format!(
                    "http://{h}{}",
                    uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
                ))
                .ok()
            });
        return target.is_some_and(|target| {
            rfc9421::check_content_digest(headers, body).is_ok()
                && rfc9421::parse(headers).is_ok_and(|s| {
                    s.check(chrono::Utc::now(), true).is_ok()
                        && reviewpub::federation::signatures::PublicKey::from_pem(
                            &pem,
                            reviewpub::federation::signatures::SigningBackend::Rsa,
                        )
                        .is_ok_and(|key| s.verify(method, &target, headers, &key).is_ok())
                })
        });
    }
    let digest = format!(
        "SHA-256={}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body))
    );
    let digest_ok = headers
        .get("digest")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == digest);
    digest_ok
        && reviewpub::federation::signatures::verify(
            method,
            uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"),
            headers,
            &format!("127.0.0.1:{}", host.port),
            &pem,
            true,
        )
        .is_ok()
}

async fn actor(State(host): State<Host>, Path(name): Path<String>) -> Response {
    let Some(pem) = host
        .shared
        .actors
        .read()
        .ok()
        .and_then(|a| a.get(&name).cloned())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    host.shared.actor_fetches.fetch_add(1, Ordering::Relaxed);
    let id = actor_id(host.port, &name);
    let body = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "name": format!("Reader {name}"),
        "inbox": format!("{id}/inbox"),
        "endpoints": {"sharedInbox": format!("http://localhost:{}/inbox", host.port)},
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
    });
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/activity+json",
        )],
        body.to_string(),
    )
        .into_response()
}

/// A replier's actor id. `activitypub_federation` wants a domain, not an IP, in ids it fetches.
pub fn actor_id(port: u16, name: &str) -> String {
    format!("http://localhost:{port}/users/{name}")
}
