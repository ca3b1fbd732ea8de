//! `cloudlab grade`, `check` and `export gradescope` on bad arguments: each
//! gets a clear message on stderr and exit code 2 (1 is kept for "an author
//! check missed"), and nothing is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cloudlab(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudlab"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("cloudlab runs")
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("grade-cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The repository's reference solution of `id`.
fn solution(id: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../exercises")
        .join(id)
        .join("solution.rs");
    std::fs::read_to_string(path).expect("reference solution")
}

#[test]
fn an_unknown_exercise_names_the_known_ones() {
    let dir = scratch("unknown");
    std::fs::write(dir.join("ana.rs"), solution("sqs-dead-letter-queue")).unwrap();
    for args in [
        &["grade", "ana.rs", "-e", "no-such-exercise"][..],
        &["check", "no-such-exercise"][..],
        &["export", "gradescope", "no-such-exercise", "-o", "ag.zip"][..],
    ] {
        let out = cloudlab(args, &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("no exercise `no-such-exercise`"), "{err}");
        assert!(
            err.contains("sqs-dead-letter-queue"),
            "lists the known ones: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(!dir.join("ag.zip").exists(), "no zip for a failed export");
}

#[test]
fn a_bad_format_lists_the_formats() {
    let dir = scratch("format");
    let out = cloudlab(
        &[
            "grade",
            "ana.rs",
            "-e",
            "sqs-dead-letter-queue",
            "--format",
            "pdf",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("invalid value 'pdf'"), "{err}");
    assert!(err.contains("text, json, gradescope, junit, csv"), "{err}");
}

#[test]
fn missing_inputs_and_nothing_to_grade_are_usage_errors() {
    let dir = scratch("inputs");
    let out = cloudlab(&["grade", "gone.rs", "-e", "sqs-dead-letter-queue"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("gone.rs: no such file or directory"));

    let out = cloudlab(&["grade"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nothing to grade"));

    std::fs::write(
        dir.join("empty.ipynb"),
        r#"{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}"#,
    )
    .unwrap();
    let out = cloudlab(&["grade", "empty.ipynb"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no exercise to grade"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn export_needs_at_least_one_exercise() {
    let dir = scratch("export");
    let out = cloudlab(&["export", "gradescope"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("<EXERCISES>"), "{}", stderr(&out));
    assert!(!dir.join("autograder.zip").exists());
}

#[test]
fn a_broken_exercise_folder_is_reported_with_its_line() {
    let dir = scratch("broken-exercise");
    let ex = dir.join("exercises").join("broken-one");
    std::fs::create_dir_all(&ex).unwrap();
    std::fs::write(ex.join("exercise.toml"), "id = \"broken-one\"\ntitle = 3\n").unwrap();
    let out = cloudlab(&["check", "--exercises-dir", "exercises"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("exercises/broken-one/exercise.toml:2:"),
        "names file and line: {err}"
    );
}

#[test]
fn a_corrupt_notebook_is_graded_as_missing_with_where_it_broke() {
    let dir = scratch("corrupt");
    std::fs::write(dir.join("bad.ipynb"), "{\"cells\": [\n").unwrap();
    let out = cloudlab(
        &[
            "grade",
            "bad.ipynb",
            "-e",
            "sqs-dead-letter-queue",
            "--format",
            "json",
            "-o",
            "report.json",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let ex = &report["submissions"][0]["exercises"][0];
    assert_eq!(ex["status"], "missing");
    assert_eq!(ex["score"], 0.0);
    let msg = ex["message"].as_str().unwrap();
    assert!(
        msg.starts_with("bad.ipynb:2:") && msg.contains("not valid JSON"),
        "{msg}"
    );
}
