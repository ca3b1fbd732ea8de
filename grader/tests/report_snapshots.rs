//! Snapshots (insta) of every report format for one fixed, small grading run:
//! four learners, two exercises, every verdict (full marks, failed hidden
//! scenarios with diffs and feedback, a compile error, a refused solution,
//! missing cells). The run is real (compiled and run in child processes);
//! only what depends on the machine is normalised: the temporary directory,
//! the isolation a kernel offers, and compile errors past their first line
//! (rustc's rendering changes between versions).

use std::path::Path;

use cloudlab_grader::render::{self, Style};
use cloudlab_grader::report::GradeReport;
use cloudlab_grader::{GradeOptions, Grader, exercise};

const IDS: [&str; 2] = ["sqs-dead-letter-queue", "sns-fan-out"];

fn read(id: &str, file: &str) -> String {
    std::fs::read_to_string(exercise::default_root().join(id).join(file)).expect("exercise file")
}

fn notebook(cells: &[String]) -> String {
    let mut all = vec![serde_json::json!({
        "cell_type": "markdown", "id": "intro", "metadata": {}, "source": "# Lesson 2"
    })];
    all.extend(cells.iter().enumerate().map(|(i, source)| {
        serde_json::json!({
            "cell_type": "code", "id": format!("c{i}"), "metadata": {},
            "execution_count": null, "outputs": [], "source": source
        })
    }));
    serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": all})
        .to_string()
}

fn write_submissions(dir: &Path) {
    let dlq = read(IDS[0], "solution.rs");
    let fan = read(IDS[1], "solution.rs");
    std::fs::write(dir.join("ana.ipynb"), notebook(&[dlq.clone(), fan])).unwrap();
    std::fs::write(
        dir.join("bo.ipynb"),
        notebook(&[
            read(IDS[0], "wrong/max_receive_10.rs"),
            read(IDS[1], "wrong/raw_everywhere.rs"),
        ]),
    )
    .unwrap();
    let broken = format!("{dlq}\npub fn total() -> u32 {{\n    \"forty\"\n}}\n");
    std::fs::write(dir.join("cy.ipynb"), notebook(&[broken])).unwrap();
    let sneaky = dlq.replace(
        "pub struct Orders {",
        "const ANSWERS: &str = include_str!(\"/etc/hostname\");\n\npub struct Orders {",
    );
    std::fs::write(dir.join("dee.rs"), sneaky).unwrap();
}

/// Grades the fixed run; normalises what depends on the machine.
fn fixed_run() -> (GradeReport, String) {
    let tmp = tempfile::tempdir().unwrap();
    write_submissions(tmp.path());
    let subs = cloudlab_grader::submission::read_dir(tmp.path()).unwrap();
    let exercises: Vec<_> = IDS
        .iter()
        .map(|id| exercise::load_by_id(&exercise::default_root(), id).unwrap())
        .collect();
    let grader = Grader::new(GradeOptions {
        jobs: 2,
        ..GradeOptions::default()
    })
    .expect("grading workspace");
    let mut report = grader.grade(&subs, &exercises);
    for sub in &mut report.submissions {
        sub.path = Path::new(&sub.path)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        for ex in &mut sub.exercises {
            ex.protections = None;
            if ex.status == cloudlab_grader::report::ExerciseStatus::CompileError {
                for p in &mut ex.problems {
                    *p = p.lines().next().unwrap_or_default().to_string();
                }
            }
        }
    }
    (report, tmp.path().display().to_string())
}

/// Replaces UUIDs (message ids the sandbox draws from its seeded RNG) with
/// `<uuid>`, so a change in how the sandbox uses its RNG does not change
/// these snapshots.
fn redact_uuids(text: &str) -> String {
    let is_uuid = |s: &[u8]| {
        s.len() == 36
            && s.iter().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => *b == b'-',
                _ => b.is_ascii_hexdigit(),
            })
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if i + 36 <= bytes.len() && is_uuid(&bytes[i..i + 36]) {
            out.push_str("<uuid>");
            i += 36;
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8().max(1);
        }
    }
    out
}

/// The report of one submission of `report`.
fn only(report: &GradeReport, name: &str) -> GradeReport {
    GradeReport {
        submissions: report
            .submissions
            .iter()
            .filter(|s| s.name == name)
            .cloned()
            .collect(),
        ..report.clone()
    }
}

#[test]
fn uuids_are_redacted() {
    assert_eq!(
        redact_uuids("id 934cf71a-fe19-484d-abf8-9d0e1aae86e3, é"),
        "id <uuid>, é"
    );
}

#[test]
fn every_report_format_of_a_fixed_run() {
    let (report, tmp) = fixed_run();
    let clean = |text: String| redact_uuids(&text.replace(&tmp, "<submissions>"));
    let scores: Vec<(String, f64)> = report
        .submissions
        .iter()
        .map(|s| (s.name.clone(), s.score))
        .collect();
    assert_eq!(
        scores,
        [
            ("ana".to_string(), 40.0),
            ("bo".to_string(), 26.0),
            ("cy".to_string(), 0.0),
            ("dee".to_string(), 0.0)
        ]
    );

    let plain = clean(render::text(&report, Style { color: false }));
    assert!(!plain.contains('\x1b'), "NO_COLOR: no escape codes");
    let coloured = render::text(&report, Style { color: true });
    assert!(coloured.contains("\x1b[32mPASS\x1b[0m") && coloured.contains("\x1b[31mFAIL\x1b[0m"));

    let formats = [
        ("text", plain),
        ("json", clean(render::json(&report))),
        // Gradescope grades one submission per results.json.
        (
            "gradescope_bo",
            clean(render::gradescope(&only(&report, "bo"))),
        ),
        (
            "gradescope_cy",
            clean(render::gradescope(&only(&report, "cy"))),
        ),
        ("junit", clean(render::junit(&report))),
        ("csv", clean(render::csv(&report))),
    ];
    // Scenario names, feedback and what a check compares are shown by
    // design; the code around them never is.
    for id in IDS {
        for line in read(id, "hidden.rs").lines().map(str::trim) {
            let code = ["let ", "fn ", "for ", "if ", "match "]
                .iter()
                .any(|k| line.starts_with(k));
            if code && line.len() > 20 && !line.contains('"') {
                for (name, text) in &formats {
                    assert!(!text.contains(line), "{name} shows hidden source: {line}");
                }
            }
        }
    }
    for (name, text) in formats {
        insta::assert_snapshot!(format!("report_{name}"), text);
    }
}
