//! The HTTP listener: accepts connections and serves them with hyper, with the limits a
//! server facing slow or hostile clients needs, and a graceful shutdown that has a bound.
//!
//! axum's own `serve` sets no timer, so a client sending its headers a byte a second held a
//! connection open for ever. Here a request's headers must arrive within
//! [`HEADER_READ_TIMEOUT`] and fit in [`MAX_HEADER_BYTES`] (`431` otherwise); bodies are
//! bounded by `web::body` (size and read time).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// Longest a client may take to send a request's headers (also how long an idle kept-alive
/// connection stays open).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Most bytes of request line and headers (a 100 KB cookie is refused with 431).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Serves `app` on `listener` until `signal` resolves, then lets in-flight requests finish for
/// at most `limit`.
pub async fn serve(listener: TcpListener, app: Router, signal: impl Future<Output = ()>, limit: Duration) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT).max_buf_size(MAX_HEADER_BYTES);
    builder.http2().timer(TokioTimer::new()).max_header_list_size(MAX_HEADER_BYTES as u32);
    let graceful = GracefulShutdown::new();
    let mut signal = std::pin::pin!(signal);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!(%error, "Could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        stream.set_nodelay(true).ok();
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(Body::new);
            // The peer's address, for login throttling and trusted proxies.
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let app = app.clone();
            async move { Ok::<_, Infallible>(app.oneshot(request).await.unwrap_or_else(|never| match never {})) }
        });
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "Connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(limit, graceful.shutdown()).await.is_err() {
        tracing::warn!(limit_ms = limit.as_millis(), "Requests still in flight at the shutdown limit were cut off");
    }
}
