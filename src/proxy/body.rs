//! Bodies the proxy sends on: buffered bytes, and relayed ones (the
//! upstream's answer, restored; a request body passed on unscanned), with an
//! idle timeout.

use std::{
    collections::VecDeque,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::body::{Body, Frame};
use tokio::{sync::OwnedSemaphorePermit, time::Sleep};

use crate::SseRestorer;

/// Errors inside bodies, boxed at the service edge.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Every body the proxy answers or forwards with.
pub(crate) type ProxyBody = BoxBody<Bytes, BoxError>;

/// A body of bytes in memory.
pub(crate) fn full(bytes: Bytes) -> ProxyBody {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

/// A body passed on frame by frame, never buffered whole: chunks already
/// read first, then the rest as it comes; through an [`SseRestorer`] when
/// restoring; failing when the sender sends nothing for the idle time.
/// Holds the request's concurrency permit until it is done.
pub(crate) struct Relay<B> {
    prefix: VecDeque<Bytes>,
    inner: B,
    sse: Option<SseRestorer>,
    idle: Duration,
    sleep: Pin<Box<Sleep>>,
    trailers: Option<Frame<Bytes>>,
    done: bool,
    _permit: Option<OwnedSemaphorePermit>,
}

impl<B> Relay<B> {
    pub(crate) fn new(
        inner: B,
        sse: Option<SseRestorer>,
        idle: Duration,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Relay<B> {
        Relay {
            prefix: VecDeque::new(),
            inner,
            sse,
            idle,
            sleep: Box::pin(tokio::time::sleep(idle)),
            trailers: None,
            done: false,
            _permit: permit,
        }
    }
}

impl<B> Relay<B> {
    /// Sends `chunks`, read before, ahead of the rest.
    pub(crate) fn prefix(mut self, chunks: Vec<Bytes>) -> Relay<B> {
        self.prefix = chunks.into();
        self
    }
}

impl<B> Body for Relay<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if let Some(chunk) = this.prefix.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        loop {
            if let Some(t) = this.trailers.take() {
                this.done = true;
                return Poll::Ready(Some(Ok(t)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    let deadline = tokio::time::Instant::now() + this.idle;
                    this.sleep.as_mut().reset(deadline);
                    let frame = match frame.into_data() {
                        Ok(data) => match &mut this.sse {
                            None => {
                                return Poll::Ready(Some(Ok(Frame::data(
                                    data,
                                ))))
                            }
                            Some(sse) => {
                                let mut out = Vec::new();
                                sse.push(&data, &mut out);
                                if out.is_empty() {
                                    continue;
                                }
                                return Poll::Ready(Some(Ok(Frame::data(
                                    out.into(),
                                ))));
                            }
                        },
                        Err(frame) => frame,
                    };
                    // Trailers end the body: what a restorer holds goes
                    // first.
                    this.trailers = Some(frame);
                    if let Some(out) = this.finish() {
                        return Poll::Ready(Some(Ok(Frame::data(out))));
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e.into())));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(
                        this.finish().map(|b| Ok(Frame::data(b))),
                    );
                }
                Poll::Pending => {
                    if this.sleep.as_mut().poll(cx).is_ready() {
                        this.done = true;
                        return Poll::Ready(Some(Err(
                            "upstream sent nothing within the timeout".into(),
                        )));
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

impl<B> Relay<B> {
    /// What the restorer still holds, if anything.
    fn finish(&mut self) -> Option<Bytes> {
        let mut out = Vec::new();
        self.sse.take()?.finish(&mut out);
        (!out.is_empty()).then(|| out.into())
    }
}
