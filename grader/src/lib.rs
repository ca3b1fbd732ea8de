//! # cloudlab-grader: hidden scenario tests, isolated runs, real reports
//!
//! - [`exercise`] loads `exercises/<id>/` (the format is in `exercises/README.md`);
//! - [`contract`] holds what a solution must define and checks it with `syn`.
//!
//! (Being built: see issue 4.)

pub mod contract;
pub mod exercise;

pub use exercise::{Exercise, ExerciseError};
