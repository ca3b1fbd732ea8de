//! `cloudlab bench course`: how long a full build (every lesson, notebooks
//! and site, no execution) takes, as a ratio to a baseline measured in the
//! same run: reading the same sources, rendering them with pulldown-cmark
//! alone and writing the HTML.

use std::fmt;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::builder::{self, Quiet, lesson_files};
use crate::error::BuildError;
use crate::exercise::ExerciseSource;

/// Best-of-N timings of the build and of the baseline.
#[derive(Clone, Debug)]
pub struct BenchReport {
    /// Lessons built.
    pub lessons: usize,
    /// Files a build writes.
    pub files: usize,
    /// Runs of each measurement.
    pub iterations: usize,
    /// Fastest full build (load, check, render, write).
    pub build: Duration,
    /// Fastest baseline (read, pulldown-cmark, write).
    pub baseline: Duration,
}

impl BenchReport {
    /// Build time over baseline time.
    pub fn ratio(&self) -> f64 {
        self.build.as_secs_f64() / self.baseline.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "course build: {} lessons -> {} files, best of {}",
            self.lessons, self.files, self.iterations
        )?;
        writeln!(
            f,
            "  baseline (read + pulldown-cmark + write): {:>9.2} ms",
            self.baseline.as_secs_f64() * 1e3
        )?;
        writeln!(
            f,
            "  cloudlab build (no execution):            {:>9.2} ms  ({:.1}x baseline; target <= 1000 ms: {})",
            self.build.as_secs_f64() * 1e3,
            self.ratio(),
            if self.build <= Duration::from_secs(1) {
                "met"
            } else {
                "MISSED"
            }
        )
    }
}

/// Builds the lessons in `lessons_dir` into `scratch` `iterations` times and
/// measures the baseline as often; reports the best of each.
pub fn course(
    lessons_dir: &Path,
    exercises: &dyn ExerciseSource,
    scratch: &Path,
    iterations: usize,
) -> Result<BenchReport, BuildError> {
    let iterations = iterations.max(1);
    let mut best_build = Duration::MAX;
    let mut best_base = Duration::MAX;
    let mut files = 0;
    let mut lessons = 0;
    let out = scratch.join("build");
    let base_out = scratch.join("baseline");
    fs::create_dir_all(&base_out).map_err(|e| BuildError::write(&base_out, e))?;
    for _ in 0..iterations {
        let t = Instant::now();
        let course = builder::load(lessons_dir, exercises)?;
        let report = builder::build(&course, &out, None, &mut Quiet)?;
        best_build = best_build.min(t.elapsed());
        files = report.files.len();
        lessons = report.lessons;

        let t = Instant::now();
        for path in lesson_files(lessons_dir)? {
            let text = fs::read_to_string(&path).map_err(|e| BuildError::read(&path, e))?;
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&text));
            let name = base_out
                .join(path.file_name().unwrap_or_default())
                .with_extension("html");
            fs::write(&name, html).map_err(|e| BuildError::write(&name, e))?;
        }
        best_base = best_base.min(t.elapsed());
    }
    Ok(BenchReport {
        lessons,
        files,
        iterations,
        build: best_build,
        baseline: best_base,
    })
}
