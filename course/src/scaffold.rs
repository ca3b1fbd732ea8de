//! `cloudlab new lesson <slug>`: a new lesson source from
//! `templates/new/lesson.md`, numbered after the existing lessons.

use std::fs;
use std::path::{Path, PathBuf};

use crate::builder::lesson_files;
use crate::error::BuildError;

const LESSON_TEMPLATE: &str = include_str!("../../templates/new/lesson.md");

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
}
