//! Serving HTTP/1.1 connections within bounds: at most so many at once, a request's headers
//! within a time limit (an idle kept-alive connection included), answers cut when the client
//! stops taking them, and a shutdown that lets requests under way finish for a bounded time.
//!
//! When every connection slot is taken the server stops accepting: new connections wait in
//! the kernel's listen queue and are served in turn as slots free up, instead of being closed
//! at once. A delivering server or a reader then sees a slower answer rather than an error,
//! and since the header and body timeouts cut slow clients, a slot frees within seconds.
//!
//! Only HTTP/1.1 is spoken: browsers reach HTTP/2 only over TLS, which a reverse proxy in
//! front terminates, and fediverse servers deliver over HTTP/1.1.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_io_timeout::TimeoutStream;
use tokio_util::sync::CancellationToken;
use tower::Service;

use crate::config::Limits;

/// The bounds connections are served within.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub write_timeout: Duration,
    pub shutdown_grace: Duration,
}

impl Bounds {
    pub fn new(limits: &Limits) -> Self {
        Self {
            max_connections: limits.max_connections,
            header_read_timeout: limits.header_read_timeout,
            write_timeout: limits.write_timeout,
            shutdown_grace: limits.shutdown_grace,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops accepting, lets the
/// requests under way finish (for at most [`Bounds::shutdown_grace`]) and closes the rest.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    bounds: Bounds,
    shutdown: impl Future<Output = ()> + Send,
) {
    let slots = Arc::new(Semaphore::new(bounds.max_connections));
    let stop = CancellationToken::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // Finished connections are reaped as we go: the set holds only live ones.
        while connections.try_join_next().is_some() {}
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // never: the semaphore is not closed
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    if !is_connection_error(&e) {
                        // Out of file descriptors, most likely: wait for some to be closed.
                        tracing::error!(error = %e, "cannot accept connections");
                        tokio::select! {
                            () = &mut shutdown => break,
                            () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        }
                    }
                    continue;
                }
            },
        };
        connections.spawn(connection(
            stream,
            peer,
            router.clone(),
            bounds,
            stop.clone(),
            slot,
        ));
    }
    // New connections are refused from here on.
    drop(listener);
    tracing::info!(
        connections = connections.len(),
        "shutting down: letting requests under way finish"
    );
    stop.cancel();
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(bounds.shutdown_grace, drained)
        .await
        .is_err()
    {
        tracing::warn!(
            connections = connections.len(),
            "closing connections whose requests did not finish in time"
        );
        connections.shutdown().await;
    }
}

/// One connection, holding its slot until it ends.
#[tracing::instrument(level = "debug", skip_all)]
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    bounds: Bounds,
    stop: CancellationToken,
    _slot: OwnedSemaphorePermit,
) {
    // Answers are written whole: no waiting for an acknowledgement between writes.
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "cannot set TCP_NODELAY");
    }
    // A client that stops reading (its window stays shut) does not hold the connection.
    let mut stream = TimeoutStream::new(stream);
    stream.set_write_timeout(Some(bounds.write_timeout));
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        // What `limits::client_ip` reads.
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().call(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(bounds.header_read_timeout)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(Box::pin(stream)), service);
    tokio::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = stop.cancelled() => {
            // Finish the request under way, if any, then close.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        // A client that went away, was too slow, or spoke something else than HTTP.
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// Errors about one connection that the listener can ignore.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
