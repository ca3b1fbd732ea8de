//! # cloudlab-course: lessons in markdown to notebooks and a site
//!
//! Authors write MyST-style markdown (`lessons/*.md`): YAML front matter,
//! prose, ```` ```{code-cell} rust ```` cells and the directives `{note}`,
//! `{tip}`, `{warning}`, `{hint}` and `{exercise} <id>`. The builder turns
//! each lesson into
//!
//! - `student/NN-slug.ipynb`: nbformat 4.5 with the Cloudlab kernelspec,
//!   exercise cells holding the starter code;
//! - `instructor/NN-slug.ipynb`: the same with the reference solutions;
//! - `site/NN-slug.html` (+ `index.html`, `style.css`, images): a static site
//!   that works opened from disk.
//!
//! ```
//! use cloudlab_course::{builder, exercise::Exercises};
//! # fn main() -> Result<(), cloudlab_course::BuildError> {
//! let src = "---\ntitle: Hello\nsummary: A first lesson.\norder: 1\n\
//!            objectives: [say hello]\nestimated_minutes: 20\n---\n\
//!            Hi.\n\n```{code-cell} rust\nprintln!(\"hi\");\n```\n";
//! let course = builder::load_sources(
//!     std::path::Path::new("lessons"),
//!     &[("lessons/hello.md".into(), src.to_string())],
//!     &Exercises::new(),
//! )?;
//! let out = builder::render(&course, None, &mut builder::Quiet)?;
//! assert!(out.files.iter().any(|(p, _)| p.ends_with("student/01-hello.ipynb")));
//! # Ok(()) }
//! ```
//!
//! Modules: [`parse`] (source to blocks), [`frontmatter`], [`cells`] (blocks
//! to cells per audience, cell ids), [`notebook`] (nbformat JSON), [`site`]
//! (tera pages), [`highlight`], [`markdown`], [`outputs`] (executed outputs to
//! HTML), [`execute`] (the [`execute::Executor`] the kernel plugs into),
//! [`builder`] (load, check, render, write), [`scaffold`] (`cloudlab new`).

pub mod bench;
pub mod builder;
pub mod cells;
pub mod diagnostics;
pub mod error;
pub mod execute;
pub mod exercise;
pub mod frontmatter;
pub mod highlight;
pub mod html;
pub mod markdown;
pub mod notebook;
pub mod outputs;
pub mod parse;
pub mod scaffold;
pub mod site;

pub use builder::{BuildReport, Course, Progress, build, load};
pub use diagnostics::{Diagnostic, Diagnostics};
pub use error::BuildError;
