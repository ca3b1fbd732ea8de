//! `cloudlab new lesson <slug>` and `cloudlab new exercise <id>`: a new
//! lesson source from `templates/new/lesson.md`, numbered after the existing
//! lessons, or a new exercise folder from `templates/new/exercise/` (a small
//! working example in the grader's format, ready to be replaced).

use std::fs;
use std::path::{Path, PathBuf};

use crate::builder::lesson_files;
use crate::error::BuildError;

const LESSON_TEMPLATE: &str = include_str!("../../templates/new/lesson.md");

/// The files of a new exercise and their templates.
const EXERCISE_TEMPLATES: &[(&str, &str)] = &[
    (
        "exercise.toml",
        include_str!("../../templates/new/exercise/exercise.toml"),
    ),
    (
        "prompt.md",
        include_str!("../../templates/new/exercise/prompt.md"),
    ),
    (
        "starter.rs",
        include_str!("../../templates/new/exercise/starter.rs"),
    ),
    (
        "solution.rs",
        include_str!("../../templates/new/exercise/solution.rs"),
    ),
    (
        "public.rs",
        include_str!("../../templates/new/exercise/public.rs"),
    ),
    (
        "hidden.rs",
        include_str!("../../templates/new/exercise/hidden.rs"),
    ),
    (
        "wrong/counts_in_flight_too.rs",
        include_str!("../../templates/new/exercise/wrong/counts_in_flight_too.rs"),
    ),
    (
        "wrong/hard_coded.rs",
        include_str!("../../templates/new/exercise/wrong/hard_coded.rs"),
    ),
];

/// True for a valid slug or exercise id: lowercase letters, digits, `-`, not
/// starting or ending with `-`.
pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn title_of(slug: &str) -> String {
    let mut t = slug.replace('-', " ");
    if let Some(first) = t.get(0..1) {
        t.replace_range(0..1, &first.to_uppercase());
    }
    t
}

/// Writes `dir/<slug>.md` from the lesson template, ordered after the lessons
/// already there; refuses to overwrite. Returns the new file's path.
pub fn new_lesson(dir: &Path, slug: &str) -> Result<PathBuf, BuildError> {
    if !valid_slug(slug) {
        return Err(BuildError::Scaffold(format!(
            "`{slug}` is not a lesson slug: use lowercase letters, digits and `-`"
        )));
    }
    let path = dir.join(format!("{slug}.md"));
    if path.exists() {
        return Err(BuildError::Scaffold(format!(
            "{} already exists",
            path.display()
        )));
    }
    let mut order = 0;
    if dir.is_dir() {
        for f in lesson_files(dir)? {
            let text = fs::read_to_string(&f).map_err(|e| BuildError::read(&f, e))?;
            if let Some(n) = text
                .lines()
                .take_while(|l| !l.is_empty())
                .find_map(|l| l.strip_prefix("order:"))
                .and_then(|n| n.trim().parse::<u32>().ok())
            {
                order = order.max(n);
            }
        }
    }
    let mut ctx = tera::Context::new();
    ctx.insert("slug", slug);
    ctx.insert("title", &title_of(slug));
    ctx.insert("order", &(order + 1));
    let text = tera::Tera::one_off(LESSON_TEMPLATE, &ctx, false)
        .map_err(|e| BuildError::Template(format!("{e:?}")))?;
    fs::create_dir_all(dir).map_err(|e| BuildError::write(dir, e))?;
    fs::write(&path, text).map_err(|e| BuildError::write(&path, e))?;
    Ok(path)
}

/// Writes `exercises_dir/<id>/` from the exercise templates, for lesson
/// `lesson` (which must exist in `lessons_dir`); refuses to overwrite.
/// Returns the new folder.
pub fn new_exercise(
    exercises_dir: &Path,
    id: &str,
    lessons_dir: &Path,
    lesson: &str,
) -> Result<PathBuf, BuildError> {
    if !valid_slug(id) {
        return Err(BuildError::Scaffold(format!(
            "`{id}` is not an exercise id: use lowercase letters, digits and `-`"
        )));
    }
    if !lessons_dir.join(format!("{lesson}.md")).is_file() {
        return Err(BuildError::Scaffold(format!(
            "no lesson `{lesson}` ({} is missing)",
            lessons_dir.join(format!("{lesson}.md")).display()
        )));
    }
    let dir = exercises_dir.join(id);
    if dir.exists() {
        return Err(BuildError::Scaffold(format!(
            "{} already exists",
            dir.display()
        )));
    }
    let mut ctx = tera::Context::new();
    ctx.insert("id", id);
    ctx.insert("title", &title_of(id));
    ctx.insert("lesson", lesson);
    let mut files = Vec::new();
    for (name, template) in EXERCISE_TEMPLATES {
        let text = tera::Tera::one_off(template, &ctx, false)
            .map_err(|e| BuildError::Template(format!("{name}: {e:?}")))?;
        files.push((dir.join(name), text));
    }
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| BuildError::write(parent, e))?;
        }
        fs::write(&path, text).map_err(|e| BuildError::write(&path, e))?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_lessons_parse_and_come_last() {
        let dir = tempfile::tempdir().unwrap();
        let a = new_lesson(dir.path(), "first-steps").unwrap();
        let b = new_lesson(dir.path(), "second").unwrap();
        let text = fs::read_to_string(&b).unwrap();
        assert!(text.contains("order: 2"), "{text}");
        let l = crate::parse::parse_lesson(&a, &fs::read_to_string(&a).unwrap()).unwrap();
        assert_eq!(l.meta.title, "First steps");
        assert!(new_lesson(dir.path(), "second").is_err());
        assert!(new_lesson(dir.path(), "Bad_Slug").is_err());
    }

    #[test]
    fn new_exercises_load_with_the_grader_and_expand() {
        use crate::exercise::{ExerciseDir, ExerciseSource};
        let tmp = tempfile::tempdir().unwrap();
        let lessons = tmp.path().join("lessons");
        new_lesson(&lessons, "queues").unwrap();
        let exercises = tmp.path().join("exercises");
        new_exercise(&exercises, "count-visible", &lessons, "queues").unwrap();
        let ex = ExerciseDir::new(&exercises)
            .lookup("count-visible")
            .unwrap();
        assert_eq!(ex.lesson, "queues");
        assert_eq!(ex.points, 5);
        assert!(ex.starter.starts_with("// exercise: count-visible\n"));
        assert!(
            exercises
                .join("count-visible/wrong/hard_coded.rs")
                .is_file()
        );
        assert!(new_exercise(&exercises, "count-visible", &lessons, "queues").is_err());
        assert!(new_exercise(&exercises, "other", &lessons, "no-such-lesson").is_err());
    }
}
