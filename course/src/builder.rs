//! Loading a course (every lesson checked, all problems at once) and
//! building it: notebooks for students and instructors and the static site.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::cells::{self, Cell, CellKind, Variant};
use crate::diagnostics::Diagnostics;
use crate::error::BuildError;
use crate::execute::{CellFailure, Executor, run_cells};
use crate::exercise::{ExerciseProblem, ExerciseSource, Exercises};
use crate::markdown;
use crate::notebook::{self, Outputs};
use crate::parse::{BlockKind, Lesson, parse_lesson_partial};
use crate::site::{self, Site};

/// Every lesson (in course order), the exercises they use and the local
/// files (images) they refer to.
#[derive(Clone, Debug)]
pub struct Course {
    /// The lessons folder.
    pub root: PathBuf,
    /// Lessons sorted by `order`.
    pub lessons: Vec<Lesson>,
    /// Exercises by id.
    pub exercises: Exercises,
    /// Files the lessons refer to, relative to `root`.
    pub assets: Vec<PathBuf>,
}

/// Lesson sources in `dir`: every `*.md` except `README.md`, by name.
pub fn lesson_files(dir: &Path) -> Result<Vec<PathBuf>, BuildError> {
    let entries = fs::read_dir(dir).map_err(|e| BuildError::read(dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| BuildError::read(dir, e))?.path();
        let is_md = path.extension().is_some_and(|x| x == "md");
        let readme = path
            .file_name()
            .is_some_and(|n| n.eq_ignore_ascii_case("README.md"));
        if is_md && !readme && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Parses and checks every lesson in `dir`, looking exercises up in
/// `exercises`. Reports every problem in every file (unknown directive or
/// exercise, bad front matter, unclosed fence, duplicate order, unknown
/// prerequisite, missing image, broken exercise folder).
pub fn load(dir: &Path, exercises: &dyn ExerciseSource) -> Result<Course, BuildError> {
    let mut sources = Vec::new();
    for path in lesson_files(dir)? {
        let text = fs::read_to_string(&path).map_err(|e| BuildError::read(&path, e))?;
        sources.push((path, text));
    }
    load_sources(dir, &sources, exercises)
}

/// [`load`] over sources already in memory (`(path, text)` pairs).
pub fn load_sources(
    dir: &Path,
    sources: &[(PathBuf, String)],
    source: &dyn ExerciseSource,
) -> Result<Course, BuildError> {
    let mut exercises = Exercises::new();
    let mut diags = Diagnostics::default();
    let mut lessons = Vec::new();
    for (path, text) in sources {
        let (lesson, problems) = parse_lesson_partial(path, text);
        diags.0.extend(problems.0);
        lessons.extend(lesson);
    }
    let mut assets = Vec::new();
    let mut orders: BTreeMap<u32, &Lesson> = BTreeMap::new();
    for l in &lessons {
        if let Some(first) = orders.get(&l.meta.order) {
            diags.at(
                &l.path,
                1,
                format!(
                    "order {} is also used by {}",
                    l.meta.order,
                    first.path.file_name().unwrap_or_default().to_string_lossy()
                ),
            );
        } else {
            orders.insert(l.meta.order, l);
        }
        for p in &l.meta.prerequisites {
            if !lessons.iter().any(|o| &o.slug == p) {
                diags.at(
                    &l.path,
                    1,
                    format!("unknown prerequisite `{p}` (no lessons/{p}.md)"),
                );
            }
        }
        for b in &l.blocks {
            let prose: Vec<&str> = match &b.kind {
                BlockKind::Prose(t) => vec![t],
                BlockKind::Admonition { body, .. } | BlockKind::Hint { body, .. } => vec![body],
                BlockKind::Exercise { id } => {
                    match source.lookup(id) {
                        Ok(ex) if ex.lesson != l.slug => diags.at(
                            &l.path,
                            b.line,
                            format!(
                                "exercise `{id}` belongs to lesson `{}` (its exercise.toml), not `{}`",
                                ex.lesson, l.slug
                            ),
                        ),
                        Ok(ex) => {
                            exercises.insert(id.clone(), ex);
                        }
                        Err(ExerciseProblem::Unknown { known }) => {
                            let known = if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            };
                            diags.at(&l.path, b.line, format!("unknown exercise `{id}` (known: {known})"));
                        }
                        Err(ExerciseProblem::Invalid(problems)) => {
                            diags.at(&l.path, b.line, format!("exercise `{id}` is broken (see below)"));
                            diags.0.extend(problems);
                        }
                    }
                    vec![]
                }
                BlockKind::Code { .. } => vec![],
            };
            for text in prose {
                for r in markdown::local_images(text) {
                    let rel = PathBuf::from(&r.path);
                    let inside = rel
                        .components()
                        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
                    if !inside {
                        diags.at(
                            &l.path,
                            b.line + r.line - 1,
                            format!("image `{}` must be inside the lessons folder", r.path),
                        );
                    } else if !dir.join(&rel).is_file() {
                        diags.at(
                            &l.path,
                            b.line + r.line - 1,
                            format!("image `{}` not found beside the lesson", r.path),
                        );
                    } else if !assets.contains(&rel) {
                        assets.push(rel);
                    }
                }
            }
        }
    }
    if !diags.is_empty() {
        diags.sort();
        return Err(BuildError::Sources(diags));
    }
    lessons.sort_by_key(|l| l.meta.order);
    assets.sort();
    Ok(Course {
        root: dir.to_path_buf(),
        lessons,
        exercises,
        assets,
    })
}

/// Hears about a build's progress (the CLI draws a bar).
pub trait Progress {
    /// The build has `steps` steps (one per lesson, plus one per executed cell).
    fn begin(&mut self, _steps: u64) {}
    /// One step starts.
    fn step(&mut self, _what: &str) {}
    /// The build is done.
    fn finish(&mut self) {}
}

/// Progress that goes nowhere.
pub struct Quiet;

impl Progress for Quiet {}

/// What a build produced.
#[derive(Clone, Debug, Default)]
pub struct BuildReport {
    /// Lessons built.
    pub lessons: usize,
    /// Files written, relative to the output folder.
    pub files: Vec<PathBuf>,
    /// True when cells were run.
    pub executed: bool,
    /// Cells that failed when run.
    pub failures: Vec<CellFailure>,
}

/// Everything a build writes, in memory first.
pub struct Rendered {
    /// (path relative to the output folder, contents).
    pub files: Vec<(PathBuf, Vec<u8>)>,
    /// Cells that failed when run.
    pub failures: Vec<CellFailure>,
}

/// Renders every output file in memory; runs cells through `executor` if given.
pub fn render(
    course: &Course,
    mut executor: Option<&mut dyn Executor>,
    progress: &mut dyn Progress,
) -> Result<Rendered, BuildError> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut failures = Vec::new();
    let site = Site::new()?;
    let refs: Vec<&Lesson> = course.lessons.iter().collect();
    let expanded: Vec<[Vec<Cell>; 2]> = course
        .lessons
        .iter()
        .map(|l| Variant::ALL.map(|v| cells::expand(l, &course.exercises, v)))
        .collect();
    let code_cells: usize = expanded
        .iter()
        .map(|[_, instructor]| instructor.iter().filter(|c| c.kind.is_code()).count())
        .sum();
    let steps = course.lessons.len() + if executor.is_some() { code_cells } else { 0 };
    progress.begin(steps as u64);
    let executed = executor.is_some();
    for (i, lesson) in course.lessons.iter().enumerate() {
        let [student, instructor] = &expanded[i];
        let outputs: Outputs = match executor.as_deref_mut() {
            Some(exec) => {
                let (outs, fails) = run_cells(exec, lesson, instructor, &mut |c: &Cell| {
                    progress.step(&format!("{}:{}", lesson.slug, c.line));
                });
                failures.extend(fails);
                outs
            }
            None => Outputs::new(),
        };
        progress.step(&lesson.slug);
        // Students see the outputs of the lesson's own cells, never of solutions.
        let student_outputs: Outputs = outputs
            .iter()
            .filter(|(id, _)| {
                student
                    .iter()
                    .any(|c| &c.id == *id && matches!(c.kind, CellKind::Code { .. }))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (variant, cells, outs) in [
            (Variant::Student, student, &student_outputs),
            (Variant::Instructor, instructor, &outputs),
        ] {
            let nb = notebook::notebook(lesson, cells, variant, outs);
            files.push((
                Path::new(variant.name()).join(format!("{}.ipynb", lesson.stem())),
                notebook::to_string(&nb).into_bytes(),
            ));
        }
        let page = site.lesson(&refs, i, student, &student_outputs, executed)?;
        files.push((
            Path::new("site").join(site::page_name(lesson)),
            page.into_bytes(),
        ));
    }
    files.push((
        Path::new("site").join("index.html"),
        site.index(&refs, executed)?.into_bytes(),
    ));
    files.push((
        Path::new("site").join("style.css"),
        site::stylesheet().into_bytes(),
    ));
    for asset in &course.assets {
        let src = course.root.join(asset);
        let bytes = fs::read(&src).map_err(|e| BuildError::read(&src, e))?;
        for dir in ["student", "instructor", "site"] {
            files.push((Path::new(dir).join(asset), bytes.clone()));
        }
    }
    progress.finish();
    Ok(Rendered { files, failures })
}

/// Builds the course into `out`: `student/`, `instructor/` and `site/` are
/// replaced whole (nothing else in `out` is touched).
pub fn build(
    course: &Course,
    out: &Path,
    executor: Option<&mut dyn Executor>,
    progress: &mut dyn Progress,
) -> Result<BuildReport, BuildError> {
    let executed = executor.is_some();
    let rendered = render(course, executor, progress)?;
    write(out, &rendered.files)?;
    Ok(BuildReport {
        lessons: course.lessons.len(),
        files: rendered.files.into_iter().map(|(p, _)| p).collect(),
        executed,
        failures: rendered.failures,
    })
}

/// Writes rendered files under `out`, replacing the three output folders.
pub fn write(out: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<(), BuildError> {
    for dir in ["student", "instructor", "site"] {
        let d = out.join(dir);
        if d.exists() {
            fs::remove_dir_all(&d).map_err(|e| BuildError::write(&d, e))?;
        }
    }
    for (rel, bytes) in files {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| BuildError::write(parent, e))?;
        }
        fs::write(&path, bytes).map_err(|e| BuildError::write(&path, e))?;
    }
    Ok(())
}
