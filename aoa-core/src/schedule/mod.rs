//! The rollout scheduler: a pure state machine that decides when each app starts, retries, times out, fails
//! or is skipped. It owns no thread and no clock: the runtime feeds it events ([`Event`]) with the time they
//! happened and carries out the [`Decision`]s it returns. The same events at the same times give the same
//! decisions, so a run can be replayed from its journal.
//!
//! An app becomes ready as soon as every predecessor (its parent and its dependencies) has succeeded — not
//! wave by wave, unless [`Policy::waves`] asks for a barrier between waves. A global limit and named
//! concurrency classes bound how many apps run at once; a failed attempt is retried with exponential backoff;
//! a per-attempt timeout and an overall deadline bound the time; [`OnFailure`] decides what a final failure
//! does to the rest of the run.
//!
//! ```
//! use aoa_core::schedule::{Decision, Event, Policy, Scheduler, Setup, Successors};
//! // a -> b: b waits for a.
//! let graph = Successors::from_edges(2, &[(0, 1)])?;
//! let mut s = Scheduler::new(&graph, Setup::default(), Policy::default())?;
//! assert_eq!(s.on(0, Event::Begin)?, vec![Decision::Start { app: 0, attempt: 1 }]);
//! assert_eq!(
//!     s.on(5, Event::Succeeded { app: 0, attempt: 1 })?,
//!     vec![Decision::Succeeded { app: 0, attempt: 1 }, Decision::Start { app: 1, attempt: 1 }]
//! );
//! assert_eq!(s.on(9, Event::Succeeded { app: 1, attempt: 1 })?, vec![Decision::Succeeded { app: 1, attempt: 1 }]);
//! assert!(s.is_finished());
//! # Ok::<(), aoa_core::Error>(())
//! ```

mod dag;
mod decision;
mod policy;
mod ready;
mod scheduler;
mod timers;

pub use dag::{Dag, Successors};
pub use decision::{AppStatus, Counts, Decision, Event, SkipReason};
pub use policy::{OnFailure, Policy, Retry};
pub use scheduler::{Scheduler, Setup};

/// A point in time or a duration, in milliseconds, on the runtime's clock (any monotonic origin).
pub type Millis = u64;
