//! An in-memory cache of rendered public responses, invalidated on change.
//!
//! Public pages, feeds and ActivityPub documents are the same for everyone until something
//! changes, so a rendered answer is kept and served again without touching the database.
//!
//! - What is kept: a `200` answer to a `GET` without `Authorization` outside `/api/` that its
//!   handler marked [`Cacheable`] (with [`cacheable`]). The key is the path with its query and
//!   whether the request asks for ActivityStreams JSON (one URL answers HTML or JSON).
//! - When it is served: while the generation it was rendered under is still the current one,
//!   and for at most `cache.max_age_seconds`. The generation is read *before* the handler runs,
//!   so a render racing with a write is kept under the old generation and never served after
//!   the write's bump.
//! - What bumps the generation: every request that is not `GET` or `HEAD`, once it is answered
//!   with anything but a 4xx (inbox, admin API; a refused request wrote nothing); the scheduler
//!   publishing; each `NOTIFY reviewpub_changes`, which
//!   [`notify_change`] sends from inside the transactions of the publishing path and of comment
//!   imports (so `reviewpub publish` in another process is seen); and every (re)connection of
//!   the listener, since notifications sent while it was away are lost. A notification sent by
//!   one of this server's own writing requests is not acted on a second time: that request's
//!   bump already covers it, and a late echo would only throw away pages rendered since.
//! - The server starts answering once the listener is connected (or after a few seconds
//!   without it), so nothing kept at start-up predates the first `LISTEN`.
//! - The middleware runs inside the signed-fetch check of secure mode: a kept answer never
//!   skips it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{PgExecutor, PgPool};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::config;
use crate::db::DbError;
use crate::federation::negotiation::wants_activity_json;

/// The PostgreSQL channel on which writers announce changes (the payload names the table).
pub const CHANNEL: &str = "reviewpub_changes";

/// `x-cache: hit` or `miss` on every answer the cache looked up.
pub const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// Marks a response whose handler allows it to be kept (see [`cacheable`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cacheable;

/// Marks `response` as the same for every reader until the next change. Only `200` answers
/// are kept, so a handler may mark whatever it returns.
pub fn cacheable(mut response: Response) -> Response {
    response.extensions_mut().insert(Cacheable);
    response
}

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
    /// The generation it was rendered under.
    generation: u64,
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
        generation: u64,
        stored_at: Instant,
    ) -> Self {
        let header_bytes: usize = headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 32)
            .sum();
        let size = body.len() + header_bytes + key.target.len() + 128;
        Self {
            status,
            headers,
            body,
            generation,
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

/// The kept responses and their total size.
#[derive(Debug, Default)]
struct Store {
    entries: HashMap<Key, Entry>,
    bytes: usize,
}

/// What makes an entry servable, and how much may be kept.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_entries: usize,
    max_bytes: usize,
    max_age: Duration,
}

impl Limits {
    fn valid(&self, entry: &Entry, generation: u64, now: Instant) -> bool {
        entry.generation == generation
            && now.saturating_duration_since(entry.stored_at) < self.max_age
    }
}

impl Store {
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
    fn make_room(&mut self, limits: &Limits, incoming: usize, generation: u64, now: Instant) {
        if self.fits(limits, incoming) {
            return;
        }
        self.entries
            .retain(|_, entry| limits.valid(entry, generation, now));
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

tokio::task_local! {
    /// The cache of the server whose writing request is running: notifications sent meanwhile
    /// are that request's own (see [`notify_change`]).
    static WRITING_REQUEST: Arc<ResponseCache>;
}

/// How long a notification of our own is waited for before it is forgotten (its transaction
/// may have rolled back).
const ECHO_WINDOW: Duration = Duration::from_secs(10);

/// A notification one of our own writing requests sent: who sent it, about what, when.
#[derive(Debug)]
struct Echo {
    backend: u32,
    table: String,
    sent_at: Instant,
}

/// Rendered public responses, bounded in number and size, and the generation counter that
/// invalidates them all at once.
pub struct ResponseCache {
    enabled: bool,
    limits: Limits,
    generation: AtomicU64,
    store: RwLock<Store>,
    /// Notifications our own writing requests sent and the listener will hear back.
    echoes: Mutex<Vec<Echo>>,
    /// Whether the listener is connected and listening.
    listening: watch::Sender<bool>,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("enabled", &self.enabled)
            .field("generation", &self.generation())
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
            generation: AtomicU64::new(0),
            store: RwLock::new(Store::default()),
            echoes: Mutex::new(Vec::new()),
            listening: watch::Sender::new(false),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The current generation: only entries rendered under it are served.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Something changed: nothing kept so far is served again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
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

    /// Remembers a notification sent by one of our own writing requests.
    fn expect_echo(&self, backend: u32, table: &str) {
        let mut echoes = self.echoes.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        echoes.retain(|e| now.saturating_duration_since(e.sent_at) < ECHO_WINDOW);
        if echoes.len() >= 1024 {
            echoes.remove(0);
        }
        echoes.push(Echo {
            backend,
            table: table.to_string(),
            sent_at: now,
        });
    }

    /// Whether a notification is one our own writing requests sent (each is recognized once).
    fn is_echo(&self, backend: u32, table: &str) -> bool {
        let mut echoes = self.echoes.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        echoes.retain(|e| now.saturating_duration_since(e.sent_at) < ECHO_WINDOW);
        match echoes
            .iter()
            .position(|e| e.backend == backend && e.table == table)
        {
            Some(i) => {
                echoes.remove(i);
                true
            }
            None => false,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The kept answer for `key`, if it may still be served at `now`.
    fn lookup(&self, key: &Key, now: Instant) -> Option<Response> {
        let generation = self.generation();
        let store = self.read();
        let entry = store.entries.get(key)?;
        self.limits
            .valid(entry, generation, now)
            .then(|| entry.response())
    }

    /// Keeps an answer rendered under `entry.generation`, unless that generation has already
    /// passed (the answer may predate a change) or the answer alone exceeds `max_bytes`.
    fn insert(&self, key: Key, entry: Entry, now: Instant) -> bool {
        if entry.size > self.limits.max_bytes {
            return false;
        }
        let mut store = self.write();
        let generation = self.generation();
        if entry.generation != generation {
            return false;
        }
        store.remove(&key);
        store.make_room(&self.limits, entry.size, generation, now);
        store.bytes += entry.size;
        store.entries.insert(key, entry);
        true
    }

    /// Keeps `response` if its handler marked it and it is a `200` of known, bounded size;
    /// gives it back either way.
    async fn keep(&self, key: Key, generation: u64, response: Response) -> Response {
        if response.status() != StatusCode::OK
            || response.extensions().get::<Cacheable>().is_none()
            || response.headers().contains_key(header::SET_COOKIE)
        {
            return response;
        }
        let bounded = response
            .body()
            .size_hint()
            .exact()
            .and_then(|n| usize::try_from(n).ok())
            .is_some_and(|n| n <= self.limits.max_bytes);
        if !bounded {
            return response;
        }
        let (parts, body) = response.into_parts();
        let body = match axum::body::to_bytes(body, self.limits.max_bytes).await {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, path = %key.target, "reading a response to keep it");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let now = Instant::now();
        let entry = Entry::new(
            &key,
            parts.status,
            parts.headers.clone(),
            body.clone(),
            generation,
            now,
        );
        self.insert(key, entry, now);
        Response::from_parts(parts, Body::from(body))
    }
}

/// The middleware (see the module documentation). Outside it nothing is cached; it must run
/// inside `secure_fetch` and `FederationMiddleware`.
pub async fn middleware(
    State(cache): State<Arc<ResponseCache>>,
    request: Request,
    next: Next,
) -> Response {
    if !cache.enabled {
        return next.run(request).await;
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let response = WRITING_REQUEST
            .scope(cache.clone(), next.run(request))
            .await;
        // A refused request (4xx) changed nothing: a flood of junk POSTs must not empty the
        // cache. Anything else, a server error included, may have written.
        if !response.status().is_client_error() {
            cache.invalidate();
        }
        return response;
    }
    let Some(key) = Key::for_request(&request) else {
        return next.run(request).await;
    };
    if let Some(hit) = cache.lookup(&key, Instant::now()) {
        return hit;
    }
    // Read before rendering: if a write lands meanwhile, this answer is never served after it.
    let generation = cache.generation();
    let response = next.run(request).await;
    let mut response = cache.keep(key, generation, response).await;
    response
        .headers_mut()
        .insert(X_CACHE, HeaderValue::from_static("miss"));
    response
}

/// Tells every server sharing the database that `table` changed (`pg_notify`, the table as
/// payload). Run inside the writing transaction: PostgreSQL delivers the notification when
/// (and only if) it commits. Sent from a server's own writing request, it is remembered so
/// that server's listener does not invalidate a second time.
pub async fn notify_change(db: impl PgExecutor<'_>, table: &str) -> Result<(), DbError> {
    let backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid() FROM pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(table)
        .fetch_one(db)
        .await?;
    if let Ok(backend) = u32::try_from(backend) {
        let _ = WRITING_REQUEST.try_with(|cache| cache.expect_echo(backend, table));
    }
    Ok(())
}

const RETRY_MIN: Duration = Duration::from_millis(250);
const RETRY_MAX: Duration = Duration::from_secs(30);

/// Invalidates `cache` on every notification on [`CHANNEL`] and on every (re)connection,
/// until `shutdown`. Uses a connection of its own, not one of the server's pool.
#[tracing::instrument(name = "cache_listener", skip_all, fields(channel = CHANNEL))]
pub async fn listen(
    cache: Arc<ResponseCache>,
    options: PgConnectOptions,
    shutdown: CancellationToken,
) {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(10))
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with(options);
    let mut pause = RETRY_MIN;
    loop {
        let subscribed = tokio::select! {
            _ = shutdown.cancelled() => break,
            subscribed = subscribe(&pool) => subscribed,
        };
        match subscribed {
            Ok(mut listener) => {
                // Whatever was committed while nobody listened went unannounced.
                cache.invalidate();
                cache.set_listening(true);
                tracing::info!("listening for changes made by other processes");
                pause = RETRY_MIN;
                let error = tokio::select! {
                    _ = shutdown.cancelled() => break,
                    error = follow(&cache, &mut listener) => error,
                };
                cache.set_listening(false);
                tracing::warn!(error = %error, "change notifications interrupted");
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = pause.as_millis() as u64, "cannot listen for changes");
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(RETRY_MAX);
    }
    cache.set_listening(false);
    if tokio::time::timeout(Duration::from_secs(5), pool.close())
        .await
        .is_err()
    {
        tracing::warn!("the listener's connection did not close in time");
    }
    tracing::debug!("stopped listening for changes");
}

/// A connection that has run `LISTEN` on [`CHANNEL`].
#[tracing::instrument(skip_all)]
async fn subscribe(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Invalidates on each notification until the connection fails for good (a lost connection
/// that the listener re-establishes at once also invalidates: notifications may be lost).
async fn follow(cache: &ResponseCache, listener: &mut PgListener) -> sqlx::Error {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                let table = notification.payload();
                if cache.is_echo(notification.process_id(), table) {
                    tracing::debug!(table, "own change notified (already invalidated)");
                } else {
                    cache.invalidate();
                    tracing::debug!(table, "change notified");
                }
            }
            Ok(None) => {
                cache.invalidate();
                tracing::warn!("connection lost and re-established; cache invalidated");
            }
            Err(e) => return e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(max_entries: usize, max_bytes: usize) -> ResponseCache {
        ResponseCache::new(&config::Cache {
            enabled: true,
            max_entries,
            max_bytes,
            max_age: Duration::from_secs(60),
        })
    }

    fn entry(cache: &ResponseCache, key: &Key, body: &str, at: Instant) -> Entry {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        Entry::new(
            key,
            StatusCode::OK,
            headers,
            Bytes::from(body.to_string()),
            cache.generation(),
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
    async fn entries_are_served_until_the_generation_moves_or_they_age() {
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
        cache.invalidate();
        assert!(
            cache.lookup(&key, now).is_none(),
            "rendered before a change"
        );
    }

    #[test]
    fn a_render_that_raced_a_change_is_not_kept() {
        let cache = cache(10, 1 << 20);
        let key = Key::new("/", false);
        let now = Instant::now();
        let rendered = entry(&cache, &key, "old", now);
        cache.invalidate();
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
        cache.invalidate();
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
        cache.expect_echo(42, "reviews");
        assert!(!cache.is_echo(42, "comments"), "another table");
        assert!(!cache.is_echo(43, "reviews"), "another connection");
        assert!(cache.is_echo(42, "reviews"));
        assert!(!cache.is_echo(42, "reviews"), "only once");
    }

    #[tokio::test]
    async fn only_marked_ok_answers_are_kept() {
        let cache = cache(10, 1 << 20);
        let generation = cache.generation();
        let unmarked = cache
            .keep(Key::new("/a", false), generation, "a".into_response())
            .await;
        assert_eq!(body_of(unmarked).await, "a");
        let not_found = cacheable((StatusCode::NOT_FOUND, "missing").into_response());
        cache
            .keep(Key::new("/b", false), generation, not_found)
            .await;
        assert!(cache.is_empty());

        let kept = cache
            .keep(
                Key::new("/c", false),
                generation,
                cacheable("c".into_response()),
            )
            .await;
        assert_eq!(body_of(kept).await, "c");
        let hit = cache
            .lookup(&Key::new("/c", false), Instant::now())
            .expect("kept");
        assert_eq!(body_of(hit).await, "c");
    }
}
