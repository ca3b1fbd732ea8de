//! The builder end to end on small lessons: snapshots of a notebook and a
//! page, every problem reported at once with nothing written, stable ids.

use std::fs;
use std::path::{Path, PathBuf};

use cloudlab_course::exercise::{ExerciseParts, Exercises};
use cloudlab_course::{BuildError, builder};

const SMALL: &str = r#"---
title: A small lesson
summary: Queues in one cell.
order: 1
objectives:
  - Send a message
estimated_minutes: 20
---

## Send

A queue holds messages until a consumer deletes them.

```{code-cell} rust
:tags: [hide-input]

use cloudlab::prelude::*;
let mut cloud = Cloud::new();
```

```{code-cell} rust
let q = cloud.sqs().create_queue("orders")?;
cloud.sqs().send(&q, "hello")?;
cloud.sqs().peek(&q)?
```

```{warning}
Receiving does not delete.
```

```{exercise} tiny
```

```{hint} Answer
It stays in the queue.
```
"#;

fn exercises() -> Exercises {
    let mut m = Exercises::new();
    m.insert(
        "tiny".into(),
        ExerciseParts {
            id: "tiny".into(),
            title: "Count the messages".into(),
            points: 10,
            prompt: "Write `count`.".into(),
            starter: "// exercise: tiny\nfn count() -> usize { todo!() }\n".into(),
            solution: "// exercise: tiny\nfn count() -> usize { 1 }\n".into(),
            hints: vec![],
            lesson: "small".into(),
        },
    );
    m
}

fn write_lessons(dir: &Path, lessons: &[(&str, &str)]) {
    fs::create_dir_all(dir).unwrap();
    for (name, text) in lessons {
        fs::write(dir.join(name), text).unwrap();
    }
}

fn read(out: &Path, rel: &str) -> String {
    fs::read_to_string(out.join(rel)).unwrap()
}

#[test]
fn small_lesson_notebook_and_page() {
    let tmp = tempfile::tempdir().unwrap();
    let lessons = tmp.path().join("lessons");
    write_lessons(&lessons, &[("small.md", SMALL)]);
    let course = builder::load(&lessons, &exercises()).unwrap();
    let out = tmp.path().join("dist");
    builder::build(&course, &out, None, &mut builder::Quiet).unwrap();

    let student: serde_json::Value =
        serde_json::from_str(&read(&out, "student/01-small.ipynb")).unwrap();
    insta::assert_json_snapshot!("small_student_notebook", student);
    let instructor = read(&out, "instructor/01-small.ipynb");
    assert!(instructor.contains("fn count() -> usize { 1 }"));
    assert!(!read(&out, "student/01-small.ipynb").contains("{ 1 }"));

    let page = read(&out, "site/01-small.html");
    insta::assert_snapshot!("small_page", page);
    assert!(!page.contains("{ 1 }"), "the site never shows solutions");
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no network on the page"
    );
    let index = read(&out, "site/index.html");
    assert!(index.contains("href=\"01-small.html\""));
    assert!(read(&out, "site/style.css").contains(".hl-"));
}

#[test]
fn rebuilding_unchanged_sources_gives_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let lessons = tmp.path().join("lessons");
    write_lessons(&lessons, &[("small.md", SMALL)]);
    let course = builder::load(&lessons, &exercises()).unwrap();
    let a = builder::render(&course, None, &mut builder::Quiet).unwrap();
    let b = builder::render(&course, None, &mut builder::Quiet).unwrap();
    assert_eq!(a.files, b.files);
}

#[test]
fn every_problem_in_every_file_and_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let lessons = tmp.path().join("lessons");
    let broken = SMALL
        .replace("```{warning}", "```{danger}")
        .replace("```{exercise} tiny", "```{exercise} nope");
    let unclosed = SMALL
        .replace("order: 1", "order: 2")
        .replace("estimated_minutes: 20", "estimated_minutes: twenty")
        .replace("It stays in the queue.\n```\n", "It stays in the queue.\n");
    let dup = SMALL.replace("## Send", "## Send\n\n![diagram](img/missing.svg)");
    write_lessons(
        &lessons,
        &[("a.md", &broken), ("b.md", &unclosed), ("c.md", &dup)],
    );
    let out = tmp.path().join("dist");
    let err = builder::load(&lessons, &exercises()).unwrap_err();
    let BuildError::Sources(diags) = err else {
        panic!("expected source problems, got {err}");
    };
    let got: Vec<String> = diags
        .0
        .iter()
        .map(|d| {
            format!(
                "{}:{}: {}",
                d.file.file_name().unwrap().to_string_lossy(),
                d.line,
                d.message
            )
        })
        .collect();
    insta::assert_debug_snapshot!("every_problem", got);
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn images_are_copied_beside_notebooks_and_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let lessons = tmp.path().join("lessons");
    let with_img = SMALL.replace("## Send", "## Send\n\n![A queue](img/q.svg)");
    write_lessons(&lessons, &[("small.md", &with_img)]);
    fs::create_dir_all(lessons.join("img")).unwrap();
    fs::write(
        lessons.join("img/q.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    let course = builder::load(&lessons, &exercises()).unwrap();
    let out = tmp.path().join("dist");
    let report = builder::build(&course, &out, None, &mut builder::Quiet).unwrap();
    for dir in ["student", "instructor", "site"] {
        assert!(out.join(dir).join("img/q.svg").is_file(), "{dir}");
    }
    assert!(report.files.contains(&PathBuf::from("site/img/q.svg")));
    assert!(read(&out, "site/01-small.html").contains("src=\"img/q.svg\""));
}

/// Answers every cell with a printed line and, for cells ending in `peek(&q)?`,
/// a rich HTML/SVG display, as the kernel does.
struct FakeKernel {
    count: u64,
}

impl cloudlab_course::execute::Executor for FakeKernel {
    fn start(&mut self, _lesson: &cloudlab_course::parse::Lesson) -> Result<(), String> {
        self.count = 0;
        Ok(())
    }

    fn run(&mut self, source: &str) -> Result<cloudlab_course::execute::CellRun, String> {
        self.count += 1;
        let mut outputs = vec![serde_json::json!({
            "output_type": "stream", "name": "stdout", "text": format!("ran cell {}\n", self.count)
        })];
        if source.ends_with("peek(&q)?") {
            outputs.push(serde_json::json!({
                "output_type": "display_data", "metadata": {},
                "data": {"text/html": "<svg class=\"queue-view\"><rect/></svg>", "text/plain": "Queue orders"}
            }));
        }
        Ok(cloudlab_course::execute::CellRun {
            execution_count: Some(self.count),
            outputs,
            failed: false,
        })
    }
}

#[test]
fn executed_outputs_reach_notebooks_and_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let lessons = tmp.path().join("lessons");
    write_lessons(&lessons, &[("small.md", SMALL)]);
    let course = builder::load(&lessons, &exercises()).unwrap();
    let out = tmp.path().join("dist");
    let mut kernel = FakeKernel { count: 0 };
    let report = builder::build(&course, &out, Some(&mut kernel), &mut builder::Quiet).unwrap();
    assert!(report.executed && report.failures.is_empty());

    let instructor: serde_json::Value =
        serde_json::from_str(&read(&out, "instructor/01-small.ipynb")).unwrap();
    let student: serde_json::Value =
        serde_json::from_str(&read(&out, "student/01-small.ipynb")).unwrap();
    let outputs_of = |nb: &serde_json::Value, tag: &str| -> usize {
        nb["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["metadata"]["tags"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|x| x == tag))
            })
            .map(|c| c["outputs"].as_array().unwrap().len())
            .sum()
    };
    // The instructor's solution and :check ran; students get no solution outputs.
    assert_eq!(outputs_of(&instructor, "exercise"), 1);
    assert_eq!(outputs_of(&instructor, "exercise-check"), 1);
    assert_eq!(outputs_of(&student, "exercise"), 0);
    assert_eq!(outputs_of(&student, "exercise-check"), 0);
    assert_eq!(student["cells"][3]["execution_count"], 2);

    let page = read(&out, "site/01-small.html");
    assert!(
        page.contains("<div class=\"output rich\"><svg class=\"queue-view\"><rect/></svg></div>")
    );
    assert!(page.contains("<pre class=\"output stdout\">ran cell 2\n</pre>"));
    assert!(
        !page.contains("ran cell 3"),
        "solution outputs stay off the site"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Whatever an author writes, the builder reports or renders; it never panics.
    #[test]
    fn any_body_is_reported_or_rendered(
        body in "(```\\{code-cell\\} rust\n|```\\{hint\\}\n|```\\{note\\} T\n|```\n|:tags: \\[hide-input\\]\n|<b>|é|\\*|\\| a \\|\n|!\\[x\\]\\(y.svg\\)|[a-z ]{1,8}|\n){0,40}"
    ) {
        let src = format!("---\ntitle: T\nsummary: S\norder: 1\nobjectives: [o]\nestimated_minutes: 20\n---\n{body}");
        let loaded = builder::load_sources(
            Path::new("/nonexistent"),
            &[(PathBuf::from("/nonexistent/t.md"), src)],
            &Exercises::new(),
        );
        if let Ok(course) = loaded {
            builder::render(&course, None, &mut builder::Quiet).unwrap();
        }
    }
}
