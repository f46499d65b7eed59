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
mod tests {
    use super::*;
    use crate::changes::cacheable;
    use axum::response::IntoResponse;

    fn cache(max_entries: usize, max_bytes: usize) -> ResponseCache {
        ResponseCache::new(&config::Cache {
            enabled: true,
            max_entries,
            max_bytes,
            max_age: Duration::from_secs(60),
        })
    }

    fn entry(cache: &ResponseCache, key: &Key, body: &str, at: Instant) -> Entry {
        entry_on(cache, key, body, at, &[Change::Listings])
    }

    fn entry_on(
        cache: &ResponseCache,
        key: &Key,
        body: &str,
        at: Instant,
        depends: &[Change],
    ) -> Entry {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        Entry::new(
            key,
            StatusCode::OK,
            headers,
            Bytes::from(body.to_string()),
            depends.to_vec(),
            cache.started(),
            at,
        )
    }

    fn request(method: Method, uri: &str, headers: &[(header::HeaderName, &str)]) -> Request {
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(name, *value);
        }
        builder.body(Body::empty()).expect("request")
    }

    async fn body_of(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[test]
    fn keys_separate_query_and_representation_and_skip_what_is_not_public() {
        let html = Key::for_request(&request(Method::GET, "/reviews/heat", &[])).expect("key");
        let json = Key::for_request(&request(
            Method::GET,
            "/reviews/heat",
            &[(header::ACCEPT, "application/activity+json")],
        ))
        .expect("key");
        assert_ne!(html, json, "HTML and JSON of one URL are kept apart");
        assert_eq!(html, Key::new("/reviews/heat", false));
        assert_eq!(json, Key::new("/reviews/heat", true));

        let alice = Key::for_request(&request(
            Method::GET,
            "/.well-known/webfinger?resource=acct:alice@x",
            &[],
        ));
        let bob = Key::for_request(&request(
            Method::GET,
            "/.well-known/webfinger?resource=acct:bob@x",
            &[],
        ));
        assert!(
            alice.is_some() && alice != bob,
            "the query is part of the key"
        );

        assert!(Key::for_request(&request(Method::POST, "/inbox", &[])).is_none());
        assert!(Key::for_request(&request(Method::HEAD, "/", &[])).is_none());
        assert!(Key::for_request(&request(Method::GET, "/api/v1/reviews", &[])).is_none());
        assert!(Key::for_request(&request(
            Method::GET,
            "/",
            &[(header::AUTHORIZATION, "Bearer x")]
        ))
        .is_none());
        assert!(Key::for_request(&request(Method::GET, "/apiary", &[])).is_some());
    }

    #[tokio::test]
    async fn entries_are_served_until_what_they_depend_on_changes_or_they_age() {
        let cache = cache(10, 1 << 20);
        let key = Key::new("/", false);
        let now = Instant::now();
        assert!(cache.lookup(&key, now).is_none());
        assert!(cache.insert(key.clone(), entry(&cache, &key, "home", now), now));
        let hit = cache.lookup(&key, now).expect("hit");
        assert_eq!(hit.headers()[X_CACHE], "hit");
        assert_eq!(hit.headers()[header::CONTENT_TYPE], "text/html");
        assert_eq!(body_of(hit).await, "home");

        assert!(
            cache.lookup(&key, now + Duration::from_secs(61)).is_none(),
            "older than max_age"
        );
        cache.apply(&[Change::Followers, Change::Review(Uuid::now_v7())]);
        assert!(cache.lookup(&key, now).is_some(), "unrelated changes");
        cache.apply(&[Change::Listings]);
        assert!(
            cache.lookup(&key, now).is_none(),
            "rendered before a change"
        );
    }

    #[test]
    fn a_review_change_drops_that_reviews_pages_only_and_a_site_change_all() {
        let cache = cache(10, 1 << 20);
        let now = Instant::now();
        let (heat, ran) = (Uuid::now_v7(), Uuid::now_v7());
        let page = |slug: &str| Key::new(&format!("/reviews/{slug}"), false);
        for (slug, id) in [("heat", heat), ("ran", ran)] {
            let entry = entry_on(&cache, &page(slug), slug, now, &[Change::Review(id)]);
            assert!(cache.insert(page(slug), entry, now));
        }
        let index = Key::new("/", false);
        assert!(cache.insert(index.clone(), entry(&cache, &index, "index", now), now));
        let about = Key::new("/about", false);
        let everything = entry_on(&cache, &about, "about", now, &[Change::Site]);
        assert!(cache.insert(about.clone(), everything, now));

        cache.apply(&[Change::Review(heat)]);
        assert!(cache.lookup(&page("heat"), now).is_none());
        assert!(cache.lookup(&page("ran"), now).is_some());
        assert!(
            cache.lookup(&index, now).is_some(),
            "the listings did not change"
        );
        assert!(cache.lookup(&about, now).is_none(), "depends on everything");

        cache.apply(&[Change::Site]);
        assert!(cache.lookup(&page("ran"), now).is_none());
        assert!(cache.lookup(&index, now).is_none());
    }

    #[test]
    fn a_render_that_raced_a_change_is_not_kept() {
        let cache = cache(10, 1 << 20);
        let key = Key::new("/", false);
        let now = Instant::now();
        let rendered = entry(&cache, &key, "old", now);
        cache.apply(&[Change::Listings]);
        assert!(!cache.insert(key.clone(), rendered, now));
        assert!(cache.lookup(&key, now).is_none());
        assert!(cache.is_empty());
    }

    #[test]
    fn a_full_cache_drops_unservable_entries_first_then_the_oldest() {
        let cache = cache(4, 1 << 20);
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        let key = |i: usize| Key::new(&format!("/p{i}"), false);
        // Two entries from before a change, then three after it.
        for i in 0..2 {
            assert!(cache.insert(key(i), entry(&cache, &key(i), "x", at(0)), at(0)));
        }
        cache.apply(&[Change::Listings]);
        for i in 2..5 {
            let t = at(i as u64);
            assert!(cache.insert(key(i), entry(&cache, &key(i), "x", t), t));
        }
        assert_eq!(cache.len(), 3, "the stale ones made room");
        for i in 2..5 {
            assert!(cache.lookup(&key(i), at(5)).is_some());
        }
        // Full of servable entries: the oldest go, down to three quarters.
        let t = at(6);
        assert!(cache.insert(key(5), entry(&cache, &key(5), "x", t), t));
        let t = at(7);
        assert!(cache.insert(key(6), entry(&cache, &key(6), "x", t), t));
        assert!(cache.len() <= 4);
        assert!(cache.lookup(&key(2), t).is_none(), "the oldest went");
        assert!(cache.lookup(&key(6), t).is_some() && cache.lookup(&key(5), t).is_some());
    }

    #[test]
    fn the_byte_limit_holds_and_an_oversized_answer_is_not_kept() {
        let max = 4096;
        let cache = cache(1000, max);
        let now = Instant::now();
        let body = "y".repeat(1000);
        for i in 0..20 {
            let key = Key::new(&format!("/page{i}"), false);
            assert!(cache.insert(key.clone(), entry(&cache, &key, &body, now), now));
            let store = cache.read();
            assert!(store.bytes <= max, "{} bytes held", store.bytes);
            assert_eq!(
                store.bytes,
                store.entries.values().map(|e| e.size).sum::<usize>()
            );
        }
        assert!(cache.len() >= 2);
        let key = Key::new("/huge", false);
        assert!(!cache.insert(key.clone(), entry(&cache, &key, &"z".repeat(max), now), now));

        // Replacing an entry does not count it twice.
        let key = Key::new("/page19", false);
        let before = cache.read().bytes;
        assert!(cache.insert(key.clone(), entry(&cache, &key, &body, now), now));
        assert_eq!(cache.read().bytes, before);
    }

    #[test]
    fn each_echo_of_our_own_is_recognized_once() {
        let cache = cache(10, 1 << 20);
        cache.apply_own(&[(42, Change::Listings)]);
        assert!(!cache.is_echo(42, Change::Followers), "another change");
        assert!(!cache.is_echo(43, Change::Listings), "another connection");
        assert!(cache.is_echo(42, Change::Listings));
        assert!(!cache.is_echo(42, Change::Listings), "only once");
    }

    #[tokio::test]
    async fn only_marked_ok_answers_are_kept() {
        let cache = cache(10, 1 << 20);
        let started = cache.started();
        let unmarked =
            middleware::keep(&cache, Key::new("/a", false), started, "a".into_response()).await;
        assert_eq!(body_of(unmarked).await, "a");
        let not_found = cacheable(
            (StatusCode::NOT_FOUND, "missing").into_response(),
            &[Change::Site],
        );
        middleware::keep(&cache, Key::new("/b", false), started, not_found).await;
        assert!(cache.is_empty());

        let kept = middleware::keep(
            &cache,
            Key::new("/c", false),
            started,
            cacheable("c".into_response(), &[Change::Site]),
        )
        .await;
        assert_eq!(body_of(kept).await, "c");
        let hit = cache
            .lookup(&Key::new("/c", false), Instant::now())
            .expect("kept");
        assert_eq!(body_of(hit).await, "c");
    }
}
