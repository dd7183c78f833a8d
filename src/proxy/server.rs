//! The accept loop and graceful shutdown (as mini-redis `server.rs`).

use std::{future::Future, io, sync::Arc, time::Duration};

use hyper::{server::conn::http1, service::service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::watch, task::JoinSet};

use super::{handler, Proxy};

/// How long open connections get to finish after shutdown is asked for.
const DRAIN: Duration = Duration::from_secs(30);

/// Serves `proxy` on `listener` until `shutdown` completes, then stops
/// accepting, lets requests in flight finish (up to 30 s) and returns.
///
/// # Errors
///
/// Never today: failed accepts (such as running out of file descriptors)
/// are retried after a pause. The result leaves room for listener errors
/// that must end the server.
pub async fn run(
    listener: TcpListener,
    proxy: Proxy,
    shutdown: impl Future,
) -> io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut conns = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            res = listener.accept() => match res {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // EMFILE and friends: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&proxy.shared);
        let mut stop = stop_rx.clone();
        conns.spawn(async move {
            let svc = service_fn(move |req| {
                handler::handle(Arc::clone(&shared), req)
            });
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
        while conns.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(DRAIN, async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    Ok(())
}
