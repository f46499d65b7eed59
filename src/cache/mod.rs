//! An in-memory cache of rendered public responses, dropped by what changes.
//!
//! Public pages, feeds and ActivityPub documents are the same for everyone until something
//! changes, so a rendered answer is kept and served again without touching the database.
//!
//! - What is kept: a `200` answer to a `GET` without `Authorization` outside `/api/` that its
//!   handler marked with [`crate::changes::cacheable`], naming what it depends on (a review,
//!   the listings, the followers, the site). The key is the path with its query and whether
//!   the request asks for ActivityStreams JSON (one URL answers HTML or JSON).
//! - When it is served: until a change it depends on (or a `Site` change) is heard of, and for
//!   at most `cache.max_age_seconds`. Changes are stamped on one counter, read *before* the
//!   handler runs, so a render racing with a write is never served after the write.
//! - What drops entries: the changes writers announce through [`crate::changes`] (inside
//!   their transactions, so other processes hear them on commit); a writing request's own
//!   announcements are applied in its process as soon as it answers (and their echo from the
//!   database is not applied twice); every (re)connection of the listener drops everything,
//!   since notifications sent while it was away are lost.
//! - The server starts answering once the listener is connected (or after a few seconds
//!   without it), so nothing kept at start-up predates the first `LISTEN`.
//! - The middleware ([`middleware`]) runs inside the signed-fetch check of secure mode: a kept
//!   answer never skips it. The listener is in [`listener`].

mod listener;
mod middleware;

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use tokio::sync::watch;
use uuid::Uuid;

use crate::changes::Change;
use crate::config;
use crate::federation::negotiation::wants_activity_json;

pub use listener::listen;
pub use middleware::middleware;

/// `x-cache: hit` or `miss` on every answer the cache looked up.
pub const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// What a kept response is found by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// The path and query, as requested.
    target: String,
    /// Whether the request prefers ActivityStreams JSON to HTML.
    activity_json: bool,
}

impl Key {
    pub fn new(target: &str, activity_json: bool) -> Self {
        Self {
            target: target.to_string(),
            activity_json,
        }
    }

    /// The key of a request the cache may answer: a `GET` without `Authorization`, outside
    /// the admin API. `None` for anything else.
    pub fn for_request(request: &Request) -> Option<Self> {
        if request.method() != Method::GET || request.headers().contains_key(header::AUTHORIZATION)
        {
            return None;
        }
        let uri = request.uri();
        let path = uri.path();
        if path == "/api" || path.starts_with("/api/") {
            return None;
        }
        let target = uri.path_and_query().map_or(path, |p| p.as_str());
        Some(Self::new(target, wants_activity_json(request.headers())))
    }
}

/// A kept response.
#[derive(Debug, Clone)]
struct Entry {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// What it depends on.
    depends: Vec<Change>,
    /// The change counter when its rendering started.
    started: u64,
    stored_at: Instant,
    /// What it counts against `max_bytes`.
    size: usize,
}

impl Entry {
    fn new(
        key: &Key,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        depends: Vec<Change>,
        started: u64,
        stored_at: Instant,
    ) -> Self {
        let header_bytes: usize = headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 32)
            .sum();
        let size = body.len() + header_bytes + key.target.len() + 128 + depends.len() * 24;
        Self {
            status,
            headers,
            body,
            depends,
            started,
            stored_at,
            size,
        }
    }

    fn response(&self) -> Response {
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
            .headers_mut()
            .insert(X_CACHE, HeaderValue::from_static("hit"));
        response
    }
}

/// When each kind of change last happened, as stamps of one counter.
#[derive(Debug, Default)]
struct Changed {
    counter: u64,
    any: u64,
    site: u64,
    listings: u64,
    followers: u64,
    reviews: HashMap<Uuid, u64>,
}

/// Past this many reviews with a recorded change, the record is folded into one `Site` change.
const MAX_REVIEWS_TRACKED: usize = 100_000;

impl Changed {
    fn apply(&mut self, change: Change) {
        self.counter += 1;
        let at = self.counter;
        self.any = at;
        match change {
            Change::Site => self.site = at,
            Change::Listings => self.listings = at,
            Change::Followers => self.followers = at,
            Change::Review(id) => {
                if self.reviews.len() >= MAX_REVIEWS_TRACKED {
                    self.reviews.clear();
                    self.site = at;
                }
                self.reviews.insert(id, at);
            }
        }
    }

    /// Whether a response whose rendering started at `started` still holds.
    fn holds(&self, started: u64, depends: &[Change]) -> bool {
        started >= self.site
            && depends.iter().all(|depend| match depend {
                Change::Site => started >= self.any,
                Change::Listings => started >= self.listings,
                Change::Followers => started >= self.followers,
                Change::Review(id) => self.reviews.get(id).is_none_or(|&at| started >= at),
            })
    }
}

/// The kept responses, their total size, and when things last changed.
#[derive(Debug, Default)]
struct Store {
    entries: HashMap<Key, Entry>,
    bytes: usize,
    changed: Changed,
}

/// How much may be kept, and for how long.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_entries: usize,
    max_bytes: usize,
    max_age: Duration,
}

impl Store {
    fn valid(&self, limits: &Limits, entry: &Entry, now: Instant) -> bool {
        now.saturating_duration_since(entry.stored_at) < limits.max_age
            && self.changed.holds(entry.started, &entry.depends)
    }

    fn fits(&self, limits: &Limits, incoming: usize) -> bool {
        self.entries.len() < limits.max_entries && self.bytes + incoming <= limits.max_bytes
    }

    fn remove(&mut self, key: &Key) {
        if let Some(old) = self.entries.remove(key) {
            self.bytes -= old.size;
        }
    }

    /// Makes room for an entry of `incoming` bytes: entries that can no longer be served go
    /// first, then the oldest, down to three quarters of the limits (so that a full cache
    /// does not sort itself on every insert).
    fn make_room(&mut self, limits: &Limits, incoming: usize, now: Instant) {
        if self.fits(limits, incoming) {
            return;
        }
        let changed = &self.changed;
        self.entries.retain(|_, entry| {
            now.saturating_duration_since(entry.stored_at) < limits.max_age
                && changed.holds(entry.started, &entry.depends)
        });
        self.bytes = self.entries.values().map(|e| e.size).sum();
        if self.fits(limits, incoming) {
            return;
        }
        let target_entries = limits.max_entries * 3 / 4;
        let target_bytes = limits.max_bytes * 3 / 4;
        let mut by_age: Vec<(Instant, Key)> = self
            .entries
            .iter()
            .map(|(key, entry)| (entry.stored_at, key.clone()))
            .collect();
        by_age.sort_unstable_by_key(|(stored_at, _)| *stored_at);
        for (_, key) in by_age {
            if self.entries.len() <= target_entries && self.bytes + incoming <= target_bytes {
                break;
            }
            self.remove(&key);
        }
    }
}

/// How long a change of our own is waited for from the listener before it is forgotten (its
/// transaction may have rolled back).
const ECHO_WINDOW: Duration = Duration::from_secs(10);

/// A change one of our own writing requests announced: which connection sent it, what, when.
#[derive(Debug)]
struct Echo {
    backend: u32,
    change: Change,
    sent_at: Instant,
}

/// Rendered public responses, bounded in number and size.
pub struct ResponseCache {
    enabled: bool,
    limits: Limits,
    store: RwLock<Store>,
    /// Changes our own writing requests announced and the listener will hear back.
    echoes: Mutex<Vec<Echo>>,
    /// Whether the listener is connected and listening.
    listening: watch::Sender<bool>,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("enabled", &self.enabled)
            .field("entries", &self.len())
            .finish()
    }
}

impl ResponseCache {
    pub fn new(settings: &config::Cache) -> Self {
        Self {
            enabled: settings.enabled,
            limits: Limits {
                max_entries: settings.max_entries.max(1),
                max_bytes: settings.max_bytes,
                max_age: settings.max_age,
            },
            store: RwLock::new(Store::default()),
            echoes: Mutex::new(Vec::new()),
            listening: watch::Sender::new(false),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The change counter now: a rendering that starts now is stamped with it.
    fn started(&self) -> u64 {
        self.read().changed.counter
    }

    /// Drops whatever depends on `changes`.
    pub fn apply(&self, changes: &[Change]) {
        let mut store = self.write();
        for change in changes {
            store.changed.apply(*change);
        }
    }

    /// Applies the changes a writing request of this process announced, and remembers them
    /// so that the listener does not apply them a second time.
    pub fn apply_own(&self, announced: &[(u32, Change)]) {
        if announced.is_empty() {
            return;
        }
        let changes: Vec<Change> = announced.iter().map(|(_, change)| *change).collect();
        self.apply(&changes);
        let mut echoes = self.echoes.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        echoes.retain(|e| now.saturating_duration_since(e.sent_at) < ECHO_WINDOW);
        for (backend, change) in announced {
            if echoes.len() >= 1024 {
                echoes.remove(0);
            }
            echoes.push(Echo {
                backend: *backend,
                change: *change,
                sent_at: now,
            });
        }
    }

    /// Whether a notification is one our own writing requests sent (each is recognized once).
    fn is_echo(&self, backend: u32, change: Change) -> bool {
        let mut echoes = self.echoes.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        echoes.retain(|e| now.saturating_duration_since(e.sent_at) < ECHO_WINDOW);
        match echoes
            .iter()
            .position(|e| e.backend == backend && e.change == change)
        {
            Some(i) => {
                echoes.remove(i);
                true
            }
            None => false,
        }
    }

    /// How many responses are held (servable or not).
    pub fn len(&self) -> usize {
        self.read().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits (at most `timeout`) until the listener hears about other processes' changes;
    /// whether it does.
    pub async fn wait_listening(&self, timeout: Duration) -> bool {
        let mut listening = self.listening.subscribe();
        let heard = async move { listening.wait_for(|on| *on).await.is_ok() };
        tokio::time::timeout(timeout, heard).await.unwrap_or(false)
    }

    fn set_listening(&self, on: bool) {
        self.listening.send_replace(on);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The kept answer for `key`, if it may still be served at `now`.
    fn lookup(&self, key: &Key, now: Instant) -> Option<Response> {
        let store = self.read();
        let entry = store.entries.get(key)?;
        store
            .valid(&self.limits, entry, now)
            .then(|| entry.response())
    }

    /// Keeps an answer, unless something it depends on changed since its rendering started
    /// or the answer alone exceeds `max_bytes`.
    fn insert(&self, key: Key, entry: Entry, now: Instant) -> bool {
        if entry.size > self.limits.max_bytes {
            return false;
        }
        let mut store = self.write();
        if !store.changed.holds(entry.started, &entry.depends) {
            return false;
        }
        store.remove(&key);
        store.make_room(&self.limits, entry.size, now);
        store.bytes += entry.size;
        store.entries.insert(key, entry);
        true
    }
}

#[cfg(test)]
mod tests;
