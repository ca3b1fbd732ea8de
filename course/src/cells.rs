//! A lesson's blocks expanded into notebook cells for one audience (students
//! or instructors), with ids that stay the same while the content does.

use sha2::{Digest, Sha256};

use crate::exercise::{ExerciseParts, Exercises, with_marker};
use crate::parse::{Admonition, BlockKind, Lesson};

/// Who a notebook is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// Learners: exercise cells hold the starter code.
    Student,
    /// Instructors: exercise cells hold the reference solution.
    Instructor,
}

impl Variant {
    /// Both variants.
    pub const ALL: [Variant; 2] = [Variant::Student, Variant::Instructor];

    /// `student` or `instructor` (the output folder's name).
    pub fn name(self) -> &'static str {
        match self {
            Variant::Student => "student",
            Variant::Instructor => "instructor",
        }
    }
}

/// What a cell is, which decides how notebooks and pages show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// The generated first cell: title, summary, objectives, time.
    Header,
    /// Author prose.
    Prose(String),
    /// A note, tip or warning.
    Admonition {
        /// Which.
        kind: Admonition,
        /// Its title.
        title: String,
        /// Markdown body.
        body: String,
    },
    /// A collapsed hint.
    Hint {
        /// Summary line.
        title: String,
        /// Markdown body.
        body: String,
    },
    /// A runnable code cell.
    Code {
        /// MyST-NB tags.
        tags: Vec<String>,
    },
    /// An exercise's prompt.
    ExercisePrompt {
        /// Exercise id.
        id: String,
    },
    /// An exercise's solution cell (starter or reference solution).
    ExerciseSolution {
        /// Exercise id.
        id: String,
        /// Points.
        points: u32,
    },
    /// The `:check <id>` cell after a solution cell.
    ExerciseCheck {
        /// Exercise id.
        id: String,
    },
}

impl CellKind {
    /// True for cells that hold code (`"cell_type": "code"`).
    pub fn is_code(&self) -> bool {
        matches!(
            self,
            CellKind::Code { .. }
                | CellKind::ExerciseSolution { .. }
                | CellKind::ExerciseCheck { .. }
        )
    }

    /// Tags to write into the cell's metadata.
    pub fn tags(&self) -> Vec<String> {
        match self {
            CellKind::Code { tags } => tags.clone(),
            CellKind::Hint { .. } => vec!["hint".into()],
            CellKind::ExercisePrompt { .. } => vec!["exercise-prompt".into()],
            CellKind::ExerciseSolution { .. } => vec!["exercise".into()],
            CellKind::ExerciseCheck { .. } => vec!["exercise-check".into()],
            _ => Vec::new(),
        }
    }

    /// True when this cell is in the given MyST-NB tag set.
    pub fn has_tag(&self, tag: &str) -> bool {
        matches!(self, CellKind::Code { tags } if tags.iter().any(|t| t == tag))
    }
}

/// One notebook cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    /// nbformat cell id: a hash of the lesson slug and the cell's content.
    pub id: String,
    /// The source line it came from (for messages about it).
    pub line: usize,
    /// What it is.
    pub kind: CellKind,
    /// The cell's source as the notebook holds it (markdown or Rust).
    pub source: String,
}

/// Expands a lesson for one audience. Every `{exercise}` id must be in
/// `exercises` (the loader checks that first, with line numbers).
pub fn expand(lesson: &Lesson, exercises: &Exercises, variant: Variant) -> Vec<Cell> {
    let mut cells = Vec::new();
    let mut push = |line: usize, kind: CellKind, source: String, key: String| {
        cells.push(Cell {
            id: key,
            line,
            kind,
            source,
        });
    };
    push(
        1,
        CellKind::Header,
        header_markdown(lesson),
        "header".into(),
    );
    for block in &lesson.blocks {
        let line = block.line;
        match &block.kind {
            BlockKind::Prose(text) => push(
                line,
                CellKind::Prose(text.clone()),
                text.clone(),
                format!("prose\0{text}"),
            ),
            BlockKind::Code { source, tags } => push(
                line,
                CellKind::Code { tags: tags.clone() },
                source.clone(),
                format!("code\0{}\0{source}", tags.join(",")),
            ),
            BlockKind::Admonition { kind, title, body } => {
                let title = title.clone().unwrap_or_else(|| kind.label().to_string());
                let md = admonition_markdown(&title, body);
                push(
                    line,
                    CellKind::Admonition {
                        kind: *kind,
                        title,
                        body: body.clone(),
                    },
                    md.clone(),
                    format!("admonition\0{md}"),
                )
            }
            BlockKind::Hint { title, body } => {
                let title = title.clone().unwrap_or_else(|| "Hint".to_string());
                let md = hint_markdown(&title, body);
                push(
                    line,
                    CellKind::Hint {
                        title,
                        body: body.clone(),
                    },
                    md.clone(),
                    format!("hint\0{md}"),
                )
            }
            BlockKind::Exercise { id } => {
                let Some(ex) = exercises.get(id) else {
                    continue;
                };
                push(
                    line,
                    CellKind::ExercisePrompt { id: id.clone() },
                    prompt_markdown(ex),
                    format!("exercise-prompt\0{id}"),
                );
                for (n, hint) in ex.hints.iter().enumerate() {
                    let title = format!("Hint {} for {}", n + 1, ex.title.trim());
                    let md = hint_markdown(&title, hint);
                    push(
                        line,
                        CellKind::Hint {
                            title,
                            body: hint.clone(),
                        },
                        md,
                        format!("exercise-hint\0{id}\0{n}"),
                    );
                }
                let code = match variant {
                    Variant::Student => &ex.starter,
                    Variant::Instructor => &ex.solution,
                };
                push(
                    line,
                    CellKind::ExerciseSolution {
                        id: id.clone(),
                        points: ex.points,
                    },
                    with_marker(id, code),
                    format!("exercise-solution\0{id}"),
                );
                push(
                    line,
                    CellKind::ExerciseCheck { id: id.clone() },
                    format!(":check {id}"),
                    format!("exercise-check\0{id}"),
                );
            }
        }
    }
    assign_ids(&lesson.slug, &mut cells);
    cells
}

/// Replaces each cell's hash key with its id: 16 hex digits of SHA-256 over
/// the slug and key, with `-2`, `-3` ... for repeated content.
fn assign_ids(slug: &str, cells: &mut [Cell]) {
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for cell in cells {
        let mut h = Sha256::new();
        h.update(slug.as_bytes());
        h.update([0]);
        h.update(cell.id.as_bytes());
        let digest = h.finalize();
        let mut id: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let n = seen.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            id = format!("{id}-{n}");
        }
        cell.id = id;
    }
}

fn header_markdown(lesson: &Lesson) -> String {
    let m = &lesson.meta;
    let mut md = format!("# {}\n\n{}\n\n", m.title.trim(), m.summary.trim());
    md.push_str(&format!("*About {} minutes.*\n\n", m.estimated_minutes));
    md.push_str("**You will learn to**\n\n");
    for o in &m.objectives {
        md.push_str(&format!("- {}\n", o.trim()));
    }
    if !m.prerequisites.is_empty() {
        md.push_str(&format!(
            "\n**Before this lesson:** {}\n",
            m.prerequisites.join(", ")
        ));
    }
    md.trim_end().to_string()
}

fn quote(body: &str) -> String {
    body.lines()
        .map(|l| {
            if l.is_empty() {
                ">".to_string()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn admonition_markdown(title: &str, body: &str) -> String {
    format!("> **{title}**\n>\n{}", quote(body))
}

fn hint_markdown(title: &str, body: &str) -> String {
    format!(
        "<details>\n<summary>{}</summary>\n\n{body}\n\n</details>",
        crate::html::escape(title)
    )
}

fn prompt_markdown(ex: &ExerciseParts) -> String {
    let mut md = format!(
        "## Exercise: {} ({} points)\n\n{}\n\nWrite your solution in the next cell and keep its first line, `// exercise: {}`.",
        ex.title.trim(),
        ex.points,
        ex.prompt.trim(),
        ex.id
    );
    if !ex.prompt.contains(":check") {
        md.push_str(&format!(
            " Run it, then run `:check {}` to try the public scenarios.",
            ex.id
        ));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_lesson;
    use std::path::Path;

    fn lesson(body: &str) -> Lesson {
        let src = format!(
            "---\ntitle: T\nsummary: S\norder: 1\nobjectives: [o]\nestimated_minutes: 20\n---\n{body}"
        );
        parse_lesson(Path::new("t.md"), &src).unwrap()
    }

    fn exercises() -> Exercises {
        let mut m = Exercises::new();
        m.insert(
            "ex".into(),
            ExerciseParts {
                id: "ex".into(),
                title: "Do it".into(),
                points: 5,
                prompt: "Write f.".into(),
                starter: "fn f() { todo!() }".into(),
                solution: "// exercise: ex\nfn f() {}".into(),
                hints: vec!["Think.".into()],
                lesson: "t".into(),
            },
        );
        m
    }

    #[test]
    fn ids_are_unique_and_stable() {
        let l = lesson("A\n\n+++\nA\n\n```{code-cell} rust\nlet a = 1;\n```\n");
        let a = expand(&l, &Exercises::new(), Variant::Student);
        let b = expand(&l, &Exercises::new(), Variant::Student);
        let ids: Vec<_> = a.iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, b.iter().map(|c| c.id.clone()).collect::<Vec<_>>());
        let unique: std::collections::BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
        assert!(ids[2].ends_with("-2"), "{ids:?}");
        // Changing one cell changes only that cell's id.
        let l2 = lesson("B\n\n+++\nA\n\n```{code-cell} rust\nlet a = 1;\n```\n");
        let c = expand(&l2, &Exercises::new(), Variant::Student);
        assert_ne!(c[1].id, a[1].id);
        assert_eq!(c[3].id, a[3].id);
    }

    #[test]
    fn exercises_expand_per_variant() {
        let l = lesson("```{exercise} ex\n```\n");
        let s = expand(&l, &exercises(), Variant::Student);
        let i = expand(&l, &exercises(), Variant::Instructor);
        assert_eq!(s.len(), 5, "header, prompt, hint, solution, check");
        assert!(s[1].source.contains("Write f."));
        assert!(
            s[2].source
                .starts_with("<details>\n<summary>Hint 1 for Do it</summary>\n\nThink.")
        );
        assert_eq!(s[3].source, "// exercise: ex\nfn f() { todo!() }");
        assert_eq!(i[3].source, "// exercise: ex\nfn f() {}");
        assert_eq!(s[4].source, ":check ex");
        assert_eq!(
            s[3].id, i[3].id,
            "solution cells keep one id in both notebooks"
        );
    }
}
