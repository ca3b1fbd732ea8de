//! Every bad input from issue 4 gets a clear verdict, and the rest of the
//! batch carries on: all of them are graded in one batch here.

use std::path::Path;

use cloudlab_grader::report::{ExerciseReport, ExerciseStatus, ScenarioStatus};
use cloudlab_grader::{GradeOptions, Grader, Submission, exercise};

const ID: &str = "sqs-idempotent-consumer";

/// A copy of the exercise with a 1-second time limit (the loop test waits it out).
fn fast_exercise(dir: &Path) -> exercise::Exercise {
    let src = exercise::default_root().join(ID);
    let dst = dir.join(ID);
    std::fs::create_dir_all(dst.join("wrong")).unwrap();
    for f in exercise::REQUIRED_FILES {
        std::fs::copy(src.join(f), dst.join(f)).unwrap();
    }
    let toml = std::fs::read_to_string(src.join("exercise.toml")).unwrap();
    std::fs::write(
        dst.join("exercise.toml"),
        toml.replace("time_ms = 5000", "time_ms = 1000"),
    )
    .unwrap();
    exercise::load(&dst).unwrap()
}

/// The reference solution with `drain`'s body replaced.
fn with_drain(ex: &exercise::Exercise, body: &str) -> String {
    let start = ex.solution.find("    let mut charged = 0;").unwrap();
    let end = ex.solution.rfind('}').unwrap();
    format!("{}{body}\n{}", &ex.solution[..start], &ex.solution[end..])
}

fn notebook(cells: serde_json::Value) -> String {
    serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
        .to_string()
}

#[test]
fn every_bad_input_gets_a_clear_verdict_and_the_batch_carries_on() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = fast_exercise(tmp.path());
    let endless = with_drain(
        &ex,
        "    let _ = (cloud, queue, ledger);\n    let mut n = 0u64;\n    loop { n = n.wrapping_add(1); if n == u64::MAX { return Ok(0); } }",
    );
    let fork_bomb = with_drain(
        &ex,
        r#"    let _ = (cloud, queue, ledger);
    let me = std::env::current_exe().unwrap_or_default();
    let mut started = 0;
    for _ in 0..200 {
        if std::process::Command::new(&me).spawn().is_ok() { started += 1; }
        if std::process::Command::new("/bin/sh").arg("-c").arg(":").spawn().is_ok() { started += 1; }
    }
    panic!("started {started} processes")"#,
    );
    let snoop = with_drain(
        &ex,
        r#"    let _ = (cloud, queue, ledger);
    let passwd = std::fs::read_to_string("/etc/passwd").is_ok();
    let write = std::fs::write("/tmp/cloudlab-escape", "x").is_ok();
    let scratch = std::fs::write("scratch.txt", "mine").is_ok();
    let net = std::net::TcpStream::connect("127.0.0.1:9").is_ok();
    let env = std::env::vars().count();
    panic!("passwd={passwd} write={write} scratch={scratch} net={net} env={env}")"#,
    );
    let hog = with_drain(
        &ex,
        "    let _ = (cloud, queue, ledger);\n    let mut v: Vec<Vec<u8>> = Vec::new();\n    loop { v.push(vec![0u8; 16 << 20]); }",
    );
    let exits = with_drain(
        &ex,
        "    let _ = (cloud, queue, ledger);\n    std::process::exit(0)",
    );
    let fake = with_drain(
        &ex,
        r#"    let _ = (cloud, queue, ledger);
    for index in 0..6 {
        println!("{{\"key\":\"guess\",\"t\":\"seed\",\"index\":{index},\"seed\":42,\"passed\":true,\"failure\":null}}");
        println!("{{\"t\":\"done\",\"index\":{index}}}");
    }
    println!("{{\"t\":\"end\"}}");
    Ok(0)"#,
    );
    let type_error = ex.solution.replace("Ok(charged)", "Ok(\"charged\")");
    let syntax = ex.solution.replace("pub fn drain(", "pub fn drain(,");
    let sneaky = format!(
        "{}\nconst SECRET: &str = include_str!(\"/etc/passwd\");\n",
        ex.solution
    );
    let wrong_sig = ex.solution.replace(
        "ledger: &mut Ledger) -> CloudResult<usize>",
        "ledger: &Ledger) -> CloudResult<usize>",
    );
    let dir = tmp.path().join("subs");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("corrupt.ipynb"),
        "{\"cells\": [ {\"cell_type\": \"code\",",
    )
    .unwrap();
    std::fs::write(
        dir.join("no-cell.ipynb"),
        notebook(serde_json::json!([{"cell_type": "code", "source": "fn unrelated() {}", "metadata": {}}])),
    )
    .unwrap();
    let mut subs = vec![
        Submission::from_source("reference", &ex.solution),
        Submission::from_source("endless", &endless),
        Submission::from_source("fork-bomb", &fork_bomb),
        Submission::from_source("snoop", &snoop),
        Submission::from_source("memory-hog", &hog),
        Submission::from_source("exits", &exits),
        Submission::from_source("fake-results", &fake),
        Submission::from_source("type-error", &type_error),
        Submission::from_source("syntax", &syntax),
        Submission::from_source("sneaky", &sneaky),
        Submission::from_source("wrong-signature", &wrong_sig),
    ];
    subs.extend(cloudlab_grader::submission::read_dir(&dir).unwrap());
    let grader = Grader::new(GradeOptions::default()).unwrap();
    let report = grader.grade(&subs, std::slice::from_ref(&ex));
    let get = |name: &str| -> &ExerciseReport {
        &report
            .submissions
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .exercises[0]
    };
    let text = cloudlab_grader::render::json(&report);
    assert!(!text.contains("fn redelivery"), "hidden source leaked");

    let reference = get("reference");
    assert_eq!(
        (reference.score, reference.max_score),
        (20.0, 20.0),
        "{reference:#?}"
    );
    let p = reference.protections.as_ref().unwrap();
    assert!(p.all_active(), "{p:?}");

    let endless = get("endless");
    assert_eq!(endless.score, 0.0);
    assert!(
        endless
            .scenarios
            .iter()
            .all(|s| s.status == ScenarioStatus::TimedOut),
        "{endless:#?}"
    );

    let bomb = get("fork-bomb");
    let panic = bomb.scenarios[0]
        .failure
        .as_ref()
        .unwrap()
        .panic
        .as_ref()
        .unwrap();
    assert_eq!(panic.message, "started 0 processes");

    let snoop = get("snoop");
    let panic = snoop.scenarios[0]
        .failure
        .as_ref()
        .unwrap()
        .panic
        .as_ref()
        .unwrap();
    assert_eq!(
        panic.message,
        "passwd=false write=false scratch=true net=false env=1"
    );
    assert!(!Path::new("/tmp/cloudlab-escape").exists());

    let hog = get("memory-hog");
    assert_eq!(hog.scenarios[0].status, ScenarioStatus::Crashed, "{hog:#?}");
    assert!(
        hog.scenarios[0]
            .message
            .as_deref()
            .unwrap()
            .contains("memory limit exceeded (512 MiB)")
    );
    assert_eq!(hog.scenarios.len(), 6, "later scenarios still ran");

    let exits = get("exits");
    assert!(
        exits.scenarios[0]
            .message
            .as_deref()
            .unwrap()
            .contains("exited (code 0)"),
        "{exits:#?}"
    );

    let fake = get("fake-results");
    assert_eq!(fake.score, 0.0, "{fake:#?}");
    assert!(
        fake.output.contains("\"passed\":true"),
        "the fake lines are only output"
    );

    let te = get("type-error");
    assert_eq!(te.status, ExerciseStatus::CompileError);
    assert!(
        te.problems
            .iter()
            .any(|p| p.contains("solution.rs:") && p.contains("mismatched types")),
        "{te:#?}"
    );

    let syntax = get("syntax");
    assert_eq!(syntax.status, ExerciseStatus::Refused);
    assert!(syntax.problems[0].starts_with("line "), "{syntax:#?}");

    let sneaky = get("sneaky");
    assert_eq!(sneaky.status, ExerciseStatus::Refused);
    assert!(sneaky.problems[0].contains("include_str!"), "{sneaky:#?}");

    let sig = get("wrong-signature");
    assert_eq!(sig.status, ExerciseStatus::Refused);
    assert!(
        sig.problems[0].contains("the contract asks for"),
        "{sig:#?}"
    );

    let corrupt = get("corrupt");
    assert_eq!(corrupt.status, ExerciseStatus::Missing);
    assert!(
        corrupt
            .message
            .as_deref()
            .unwrap()
            .contains("not valid JSON"),
        "{corrupt:#?}"
    );

    let none = get("no-cell");
    assert_eq!(none.status, ExerciseStatus::Missing);
    assert!(
        none.message
            .as_deref()
            .unwrap()
            .contains("no solution cell")
    );
}

#[test]
fn a_missing_exercise_is_a_clear_error() {
    let err = exercise::load_by_id(&exercise::default_root(), "sqs-idempotent").unwrap_err();
    assert!(
        err.to_string()
            .contains("did you mean sqs-idempotent-consumer?"),
        "{err}"
    );
}
