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
