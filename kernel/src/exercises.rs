//! `:exercise` and `:hint`, on top of the grader's exercise loader
//! (`cloudlab_grader::exercise`), so the kernel shows exactly what is graded.

use std::path::{Path, PathBuf};

use cloudlab_grader::exercise;
use jupyter_protocol::{ErrorOutput, Media};

use crate::outcome;

/// The exercises under one folder (`exercises/`).
pub(crate) struct Exercises {
    root: PathBuf,
}

/// What `:exercise` shows and what it puts in the next cell.
pub(crate) struct Shown {
    pub media: Media,
    pub starter: String,
}

impl Exercises {
    pub fn new(root: &Path) -> Exercises {
        Exercises {
            root: root.to_path_buf(),
        }
    }

    /// The exercise ids there are (for completion).
    pub fn ids(&self) -> Vec<String> {
        exercise::list_ids(&self.root).unwrap_or_default()
    }

    fn load(&self, id: &str) -> Result<cloudlab_grader::Exercise, ErrorOutput> {
        exercise::load_by_id(&self.root, id).map_err(|e| {
            let ename = match e {
                cloudlab_grader::ExerciseError::NotFound { .. } => "UnknownExercise",
                _ => "BrokenExercise",
            };
            outcome::error(ename, &e.to_string(), vec![e.to_string()])
        })
    }

    /// The prompt (markdown) and the starter code of exercise `id`.
    pub fn show(&self, id: &str) -> Result<Shown, ErrorOutput> {
        let ex = self.load(id)?;
        let meta = &ex.meta;
        let hints = match meta.hints.len() {
            0 => String::new(),
            n => format!(
                " · {n} hint{} with `:hint {id}`",
                if n == 1 { "" } else { "s" }
            ),
        };
        let md = format!(
            "### Exercise: {title}\n\n{prompt}\n\n*{points} points · the starter code is in the \
             cell below{hints}.*\n",
            title = meta.title,
            prompt = ex.prompt.trim_end(),
            points = meta.points,
        );
        let plain = format!("Exercise: {}\n\n{}", meta.title, ex.prompt.trim_end());
        Ok(Shown {
            media: outcome::markdown(&plain, &md),
            starter: ex.starter.clone(),
        })
    }

    /// Runs exercise `id`'s public scenarios on `source` (the learner's
    /// solution cell) and renders the grader's report.
    pub fn check(&self, id: &str, source: &str) -> Result<Media, ErrorOutput> {
        let ex = self.load(id)?;
        let report = cloudlab_grader::learner::check_public(&ex, source)
            .map_err(|e| outcome::error("CheckFailed", &e.to_string(), vec![e.to_string()]))?;
        let map = serde_json::json!({
            "text/plain": report.to_text(),
            "text/html": report.to_html(),
        });
        Ok(serde_json::from_value(map).unwrap_or_default())
    }

    /// Hint number `shown + 1` of exercise `id` (the last one again once all
    /// are out) and the new count of hints shown.
    pub fn hint(&self, id: &str, shown: usize) -> Result<(Media, usize), ErrorOutput> {
        let ex = self.load(id)?;
        let hints = &ex.meta.hints;
        if hints.is_empty() {
            let text =
                format!("Exercise `{id}` has no hints: re-read the prompt with `:exercise {id}`.");
            return Ok((outcome::markdown(&text, &text), 0));
        }
        let index = shown.min(hints.len() - 1);
        let last = if index + 1 == hints.len() {
            " (the last one)"
        } else {
            ""
        };
        let md = format!(
            "**Hint {} of {}{last}** for `{id}`\n\n{}\n",
            index + 1,
            hints.len(),
            hints[index]
        );
        let plain = format!("Hint {} of {}: {}", index + 1, hints.len(), hints[index]);
        Ok((outcome::markdown(&plain, &md), index + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("cl-ex-{name}-{}", std::process::id()));
        let dir = root.join("demo-queue");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("exercise.toml"),
            "id = \"demo-queue\"\ntitle = \"A demo\"\nlesson = \"sqs\"\npoints = 5\n\
             hints = [\"first hint\", \"second hint\"]\n\n[contract]\nfns = [\"fn go() -> u32\"]\n",
        )
        .unwrap();
        std::fs::write(dir.join("prompt.md"), "Write `go`.\n").unwrap();
        for f in ["starter.rs", "solution.rs"] {
            std::fs::write(
                dir.join(f),
                "// exercise: demo-queue\nfn go() -> u32 { 0 }\n",
            )
            .unwrap();
        }
        for f in ["public.rs", "hidden.rs"] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        root
    }

    fn json(m: &Media) -> serde_json::Value {
        serde_json::to_value(m).unwrap()
    }

    #[test]
    fn shows_prompt_and_starter() {
        let root = fixture("show");
        let shown = Exercises::new(&root).show("demo-queue").unwrap();
        assert!(shown.starter.starts_with("// exercise: demo-queue"));
        let md = json(&shown.media)["text/markdown"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            md.contains("A demo") && md.contains("Write `go`.") && md.contains("2 hints"),
            "{md}"
        );
        assert_eq!(Exercises::new(&root).ids(), vec!["demo-queue".to_string()]);
    }

    #[test]
    fn hints_come_in_order_then_repeat_the_last() {
        let root = fixture("hint");
        let ex = Exercises::new(&root);
        let (m, n) = ex.hint("demo-queue", 0).unwrap();
        assert_eq!(n, 1);
        assert!(
            json(&m)["text/plain"]
                .as_str()
                .unwrap()
                .contains("Hint 1 of 2: first hint")
        );
        let (m, n) = ex.hint("demo-queue", n).unwrap();
        assert!(
            json(&m)["text/markdown"]
                .as_str()
                .unwrap()
                .contains("(the last one)")
        );
        let (m, _) = ex.hint("demo-queue", n).unwrap();
        assert!(
            json(&m)["text/plain"]
                .as_str()
                .unwrap()
                .contains("second hint")
        );
    }

    #[test]
    fn unknown_ids_are_errors_that_name_the_known_ones() {
        let root = fixture("unknown");
        let err = Exercises::new(&root).show("demo-queu").err().unwrap();
        assert_eq!(err.ename, "UnknownExercise");
        assert!(err.evalue.contains("demo-queu"), "{}", err.evalue);
    }
}
