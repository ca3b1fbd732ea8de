//! # cloudlab-grader: hidden scenario tests, isolated runs, real reports
//!
//! - [`exercise`] loads `exercises/<id>/` (the format: `exercises/README.md`);
//! - [`contract`] holds what a solution must define, checked with `syn`;
//! - [`submission`] finds solution cells in notebooks and `.rs` files;
//! - [`source`] refuses solutions that reach outside their contract;
//! - [`toolchain`] keeps the precompiled sandbox, [`compile`] builds units;
//! - [`run`] runs them isolated in child processes;
//! - [`report`] scores, [`render`] prints (terminal, JSON, Gradescope, JUnit, CSV, HTML);
//! - [`grade`] ties it together; [`bench`] measures it (`cloudlab bench grader`); [`learner::check_public`] is what the kernel's `:check` calls.

pub mod author;
pub mod bench;
pub mod compile;
pub mod contract;
pub mod exercise;
pub mod export;
pub mod grade;
pub mod learner;
pub mod render;
pub mod report;
pub mod run;
pub mod source;
pub mod submission;
pub mod toolchain;

pub use exercise::{Exercise, ExerciseError};
pub use grade::{GradeOptions, Grader};
pub use report::{ExerciseReport, GradeReport};
pub use submission::Submission;
