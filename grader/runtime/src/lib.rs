//! # grading: what every compiled submission links
//!
//! Crate `cloudlab-grading-rt`, imported as `grading`. Scenario files
//! (`public.rs`, `hidden.rs`) are modules beside the learner's `solution`
//! module and use this crate's [`prelude`]:
//!
//! ```
//! use grading::prelude::*;
//! // use super::solution::{drain, Ledger};   // the contract's items
//!
//! pub fn scenarios() -> Vec<Scenario> {
//!     vec![
//!         Scenario::new("an empty queue drains to nothing", 2, empty)
//!             .feedback("Stop receiving when a long poll returns no messages."),
//!         Scenario::new("duplicates are applied once", 4, empty)
//!             .seeds(1..=5)
//!             .anomalies(),
//!     ]
//! }
//!
//! fn empty(ctx: &mut Ctx) -> Outcome {
//!     let mut cloud = ctx.cloud();
//!     let q = check::ok("create the queue", cloud.sqs().create_queue("orders"))?;
//!     let counts = check::ok("count messages", cloud.sqs().counts(&q))?;
//!     check::eq("messages left in the queue", 0, counts.total())
//! }
//! # fn main() { assert_eq!(scenarios().len(), 2); }
//! ```
//!
//! - [`check`]: assertions whose failures carry expected and actual values;
//! - [`scenario`]: [`Scenario`](scenario::Scenario) and its [`Ctx`](scenario::Ctx);
//! - [`protocol`]: the records the child sends the grader;
//! - [`isolate`]: rlimits, landlock and seccomp, applied before learner code runs;
//! - [`harness`]: the child's `main`.

pub mod check;
pub mod harness;
pub mod isolate;
pub mod protocol;
pub mod scenario;

pub use cloudlab;

/// What scenario files import: `use grading::prelude::*;`.
pub mod prelude {
    pub use crate::check;
    pub use crate::scenario::{Ctx, Outcome, Scenario};
    pub use cloudlab::prelude::*;
}
