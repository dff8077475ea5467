//! Rollouts with JavaScript callbacks: `aoa-rollout` runs on a thread of its own (the event loop never waits);
//! each worker calls one JavaScript function (`index.js` builds it from the user's `deploy`, `observe` and
//! `rollback`) through a `ThreadsafeFunction` and waits for the promise it returns to settle.

use crate::Manifest;
use aoa_rollout::text::{Answer, Call, Foreign};
use napi::Status;
use napi::bindgen_prelude::{Either, FnArgs, Promise};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode::NonBlocking};
use napi_derive::napi;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// `(kind, app, version, attempt, runId, idempotencyKey)`, owned.
type Args = FnArgs<(&'static str, String, Option<String>, u32, String, String)>;
/// What the JavaScript side answers: `[error, health, version]` (`error` when the callback threw or rejected).
type Reply = Vec<Option<String>>;
/// The JavaScript function that runs every callback: it returns the [`Reply`], or a promise of it when the
/// callback returned a promise.
type Dispatch = ThreadsafeFunction<Args, Either<Reply, Promise<Reply>>, Args, Status, false>;
/// A JavaScript function of one string (`onEvent`, the completion).
type Sink = ThreadsafeFunction<String, (), String, Status, false>;

/// Wakes the worker thread that waits in [`answer`].
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Calls JavaScript and waits, on this worker thread, for the promise to settle.
fn answer(dispatch: &Dispatch, c: Call<'_>) -> Answer {
    let own = |s: &str| s.to_owned();
    let args = (
        c.kind,
        own(c.app),
        c.version.map(own),
        c.attempt,
        own(c.run_id),
        own(c.idempotency_key),
    );
    let mut future = std::pin::pin!(async {
        match dispatch.call_async_catch(args.into()).await? {
            Either::A(reply) => Ok(reply),
            Either::B(promise) => promise.await,
        }
    });
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let reply = loop {
        match future.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(reply) => break reply.map_err(|e| e.reason)?,
            Poll::Pending => std::thread::park(),
        }
    };
    let mut reply = reply.into_iter();
    match (
        reply.next().flatten(),
        reply.next().flatten(),
        reply.next().flatten(),
    ) {
        (Some(error), ..) => Err(error),
        (None, health, version) => Ok((health, version)),
    }
}

/// Rolls out `manifest` on a new thread (see `aoa_rollout::text::run`): `dispatch` runs each callback,
/// `onEvent` gets every journal entry as JSON text, `done` the outcome as JSON text.
#[napi]
pub fn rollout(
    manifest: &Manifest,
    dispatch: Dispatch,
    observes: bool,
    options: Option<String>,
    on_event: Option<Sink>,
    done: Sink,
) -> napi::Result<()> {
    let manifest = Arc::clone(&manifest.0);
    let call = move |c: Call<'_>| answer(&dispatch, c);
    let callbacks = Arc::new(Foreign { call, observes });
    let run = move || {
        let mut progress = |event: &str| {
            on_event
                .as_ref()
                .map(|f| f.call(event.to_owned(), NonBlocking));
        };
        done.call(
            aoa_rollout::text::run(&manifest, options.as_deref(), callbacks, &mut progress),
            NonBlocking,
        );
    };
    let thread = std::thread::Builder::new()
        .name("aoa-rollout".to_owned())
        .spawn(run);
    thread
        .map(drop)
        .map_err(|e| napi::Error::from_reason(format!("cannot start the rollout thread: {e}")))
}
