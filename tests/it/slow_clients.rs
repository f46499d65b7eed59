//! Slow and greedy clients: connections that send half a header, bodies that stall or trickle,
//! more connections than the server serves at once, and more requests than one client may
//! make. Everything talks raw TCP to a real server on loopback.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::TestApp;

/// How long a test waits for the server to close what it must close (the timeouts under test
/// are 1 or 2 seconds; the rest is slack for a loaded machine).
const DEADLINE: Duration = Duration::from_secs(15);

fn server_addr(app: &TestApp) -> SocketAddr {
    let port = app
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port in the base URL");
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(server_addr(app)).await.expect("connect")
}

/// Reads until the server closes the connection (end of stream or reset), within `within`;
/// returns what it sent before, or `None` if it kept the connection open.
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let read_all = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(buf.get(..n).unwrap_or_default()),
            }
        }
    };
    tokio::time::timeout(within, read_all).await.ok()?;
    Some(received)
}

fn status_line(answer: &[u8]) -> String {
    String::from_utf8_lossy(answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// 200 connections that send half a header are all closed once the header timeout has passed
/// (they were all still open after 45 s), and the server goes on serving.
#[tokio::test]
async fn connections_sending_half_a_header_are_closed() {
    let app = TestApp::spawn_with(|f| f.merge(("limits.header_read_timeout_seconds", 1))).await;
    let mut streams = Vec::new();
    for _ in 0..200 {
        let mut stream = connect(&app).await;
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            .await
            .expect("half a header");
        streams.push(stream);
    }
    let started = Instant::now();
    let closed = join_all(
        streams
            .iter_mut()
            .map(|stream| closed_by_server(stream, DEADLINE)),
    )
    .await;
    let open = closed.iter().filter(|c| c.is_none()).count();
    assert_eq!(
        open, 0,
        "{open} of 200 connections still open after {DEADLINE:?}"
    );
    println!(
        "200 half-header connections closed in {:?}",
        started.elapsed()
    );
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    app.stop().await;
}

/// A kept-alive connection that sends nothing after its answer is closed as well: idle
/// connections do not hold slots for ever.
#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let app = TestApp::spawn_with(|f| f.merge(("limits.header_read_timeout_seconds", 1))).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("request");
    let answer = closed_by_server(&mut stream, DEADLINE)
        .await
        .expect("the idle connection is closed");
    assert_eq!(status_line(&answer), "HTTP/1.1 200 OK");
    app.stop().await;
}

/// A POST declaring a 1 MB body that sends 1 byte is answered and closed once the body
/// timeout has passed (it was held for 40 s and more).
#[tokio::test]
async fn a_body_that_stalls_is_cut() {
    let app = TestApp::spawn_with(|f| f.merge(("limits.body_read_timeout_seconds", 1))).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(
            b"POST /inbox HTTP/1.1\r\nHost: localhost\r\n\
              Content-Type: application/activity+json\r\nContent-Length: 1000000\r\n\r\n{",
        )
        .await
        .expect("headers and one byte");
    let started = Instant::now();
    let answer = closed_by_server(&mut stream, DEADLINE)
        .await
        .expect("the stalled request is closed");
    let status = status_line(&answer);
    println!("stalled body cut after {:?}: {status}", started.elapsed());
    assert!(status.starts_with("HTTP/1.1 4"), "answered {status:?}");
    assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    app.stop().await;
}

/// A body sent a byte at a time, each within the body timeout, is cut by the overall request
/// timeout: `503`, and the connection is closed.
#[tokio::test]
async fn a_body_that_trickles_is_cut_by_the_request_timeout() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("limits.body_read_timeout_seconds", 2))
            .merge(("limits.request_timeout_seconds", 2))
    })
    .await;
    let stream = connect(&app).await;
    let (mut read, mut write) = stream.into_split();
    write
        .write_all(
            b"POST /inbox HTTP/1.1\r\nHost: localhost\r\n\
              Content-Type: application/activity+json\r\nContent-Length: 1000000\r\n\r\n",
        )
        .await
        .expect("headers");
    let started = Instant::now();
    // A byte every 300 ms, for as long as the server takes them (at most 30 s).
    let trickle = tokio::spawn(async move {
        for _ in 0..100 {
            if write.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    let mut answer = Vec::new();
    let read_all = async {
        let mut buf = [0u8; 4096];
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(buf.get(..n).unwrap_or_default()),
            }
        }
    };
    tokio::time::timeout(DEADLINE, read_all)
        .await
        .expect("the trickling request is closed");
    println!("trickling body cut after {:?}", started.elapsed());
    trickle.abort();
    assert_eq!(status_line(&answer), "HTTP/1.1 503 Service Unavailable");
    app.stop().await;
}

/// With all connection slots taken, one more connection waits (it is not served) until a slot
/// frees; then it is served, and so is everyone after the slow ones are gone.
#[tokio::test]
async fn past_the_connection_limit_a_connection_waits_for_a_free_slot() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("limits.max_connections", 4))
            // The slow ones must stay for the length of the test.
            .merge(("limits.header_read_timeout_seconds", 60))
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..4 {
        let mut stream = connect(&app).await;
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            .await
            .expect("half a header");
        slow.push(stream);
    }
    // Connected after the four: accepted only once one of them is gone.
    let mut fifth = connect(&app).await;
    fifth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("request");
    let mut first = [0u8; 1];
    // Absence is checked over a bounded time: 2 s without a byte of an answer.
    let early = tokio::time::timeout(Duration::from_secs(2), fifth.read(&mut first)).await;
    assert!(
        early.is_err(),
        "a fifth connection was served while four held every slot: {early:?}"
    );
    drop(slow.pop());
    let answer = closed_by_server(&mut fifth, DEADLINE)
        .await
        .expect("the fifth connection is served once a slot frees");
    assert_eq!(status_line(&answer), "HTTP/1.1 200 OK");
    drop(slow);
    for _ in 0..3 {
        assert_eq!(app.get("/healthz").await.status().as_u16(), 200);
    }
    app.stop().await;
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in whole seconds")
}

/// Past its burst a client gets `429` with `Retry-After` from the inbox and from the public
/// pages (each with its own allowance); another client does not, and the admin API is not
/// limited.
#[tokio::test]
async fn requests_are_limited_per_client_except_the_admin_api() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("limits.pages_per_minute", 1))
            .merge(("limits.pages_burst", 3))
            .merge(("limits.inbox_per_minute", 1))
            .merge(("limits.inbox_burst", 2))
    })
    .await;
    for path in ["/", "/about", "/feed.xml"] {
        assert_eq!(app.get(path).await.status().as_u16(), 200, "{path}");
    }
    for path in ["/", "/users/reviews", "/.well-known/webfinger", "/nope"] {
        let response = app.get(path).await;
        assert_eq!(response.status().as_u16(), 429, "{path}");
        let wait = retry_after(&response);
        assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    }

    let post = || {
        app.client
            .post(app.url("/inbox"))
            .header("content-type", "application/activity+json")
            .body("{}")
            .send()
    };
    for _ in 0..2 {
        // Unsigned: refused, but it counts.
        assert_eq!(post().await.expect("POST").status().as_u16(), 401);
    }
    let response = post().await.expect("POST");
    assert_eq!(response.status().as_u16(), 429);
    assert!((1..=60).contains(&retry_after(&response)));

    // Another address on loopback has its own allowance.
    let other = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .expect("client");
    let response = other
        .get(format!("http://{}/", server_addr(&app)))
        .send()
        .await
        .expect("GET from 127.0.0.2");
    assert_eq!(response.status().as_u16(), 200);

    for _ in 0..20 {
        let response = app.api(Method::GET, "/reviews").send().await.expect("GET");
        assert_eq!(response.status().as_u16(), 200);
    }
    app.stop().await;
}

/// Sends the headers of a POST to the inbox that asks for `100 Continue`, and waits for it:
/// the server has then read them and its handler is reading the body.
async fn start_inbox_post(app: &TestApp, content_length: usize) -> TcpStream {
    let mut stream = connect(app).await;
    let head = format!(
        "POST /inbox HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/activity+json\r\n\
         Expect: 100-continue\r\nContent-Length: {content_length}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("headers");
    let expected = b"HTTP/1.1 100 Continue\r\n\r\n";
    let mut got = vec![0u8; expected.len()];
    tokio::time::timeout(DEADLINE, stream.read_exact(&mut got))
        .await
        .expect("100 Continue in time")
        .expect("100 Continue");
    assert_eq!(got, expected);
    stream
}

/// At shutdown the server stops accepting, lets a request under way finish (here a body sent
/// after the listener is gone), and then stops.
#[tokio::test]
async fn shutdown_lets_a_request_under_way_finish() {
    let app = TestApp::spawn_with(|f| f.merge(("limits.shutdown_grace_seconds", 60))).await;
    let addr = server_addr(&app);
    let mut stream = start_inbox_post(&app, 2).await;
    let stopping = tokio::spawn(app.stop());
    // Wait until the listener is closed: new connections are refused.
    let deadline = Instant::now() + DEADLINE;
    while TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting after shutdown");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!stopping.is_finished(), "stopped with a request under way");
    stream.write_all(b"{}").await.expect("the body");
    let answer = closed_by_server(&mut stream, DEADLINE)
        .await
        .expect("answered, then closed");
    // Unsigned: refused, but answered.
    assert_eq!(status_line(&answer), "HTTP/1.1 401 Unauthorized");
    tokio::time::timeout(DEADLINE, stopping)
        .await
        .expect("the server stops once the request is answered")
        .expect("stop");
}

/// A request that does not finish within the shutdown grace does not hold the server: it is
/// cut and the server stops.
#[tokio::test]
async fn shutdown_waits_for_requests_under_way_only_so_long() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("limits.shutdown_grace_seconds", 1))
            .merge(("limits.body_read_timeout_seconds", 600))
            .merge(("limits.request_timeout_seconds", 600))
    })
    .await;
    let mut stream = start_inbox_post(&app, 1000).await;
    stream.write_all(b"{").await.expect("one byte");
    let started = Instant::now();
    tokio::time::timeout(DEADLINE, app.stop())
        .await
        .expect("the server stops despite the stalled request");
    println!(
        "stopped with a stalled request after {:?}",
        started.elapsed()
    );
    assert!(
        closed_by_server(&mut stream, DEADLINE).await.is_some(),
        "the stalled connection is closed"
    );
}

/// A client that asks for answers and stops reading them (HTTP/1.1 pipelining lets it ask for
/// many at once) has its connection closed once nothing of an answer was taken for the write
/// timeout; with one connection slot, the next client is served only then.
#[tokio::test]
async fn a_client_that_stops_reading_is_cut() {
    let app = TestApp::spawn_with(|f| {
        f.merge(("limits.max_connections", 1))
            .merge(("limits.write_timeout_seconds", 1))
            .merge(("limits.pages_per_minute", 0))
    })
    .await;
    // A page of about 300 KB.
    let mut review = crate::helpers::sample_review("Long");
    review["body"] =
        serde_json::json!("A paragraph of a long review, said again.\n\n".repeat(7_000));
    // With a client of its own, dropped after: its kept-alive connection would hold the slot.
    let client = reqwest::Client::new();
    let created: serde_json::Value = client
        .post(app.url("/api/v1/reviews"))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .json(&review)
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("JSON");
    drop(client);
    let slug = created["slug"].as_str().expect("slug").to_string();
    const ASKED: usize = 100;
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .set_recv_buffer_size(4096)
        .expect("small receive buffer");
    let mut slow = socket.connect(server_addr(&app)).await.expect("connect");
    let request = format!("GET /reviews/{slug} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    slow.write_all(request.repeat(ASKED).as_bytes())
        .await
        .expect("pipelined requests");
    // The only slot frees when the slow reader is cut.
    let started = Instant::now();
    let mut next = connect(&app).await;
    next.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("request");
    let answer = closed_by_server(&mut next, DEADLINE)
        .await
        .expect("the next client is served once the slow reader is cut");
    println!(
        "a client that stopped reading was cut within {:?}",
        started.elapsed()
    );
    assert_eq!(status_line(&answer), "HTTP/1.1 200 OK");
    let taken = closed_by_server(&mut slow, DEADLINE)
        .await
        .expect("the slow reader's connection is closed");
    let answered = String::from_utf8_lossy(&taken)
        .matches("HTTP/1.1 200 OK")
        .count();
    assert!(answered < ASKED, "all {ASKED} answers were written");
    app.stop().await;
}
