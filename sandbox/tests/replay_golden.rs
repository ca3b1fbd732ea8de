//! Replay golden files: every `tests/replay/*.jsonl` script runs against a
//! fresh `Cloud` and its output must match the stored snapshot
//! (`tests/snapshots/`). Review changes with `cargo insta review`.

use cloudlab::replay::{parse_script, run};

#[test]
fn replay_scripts_match_their_golden_output() {
    insta::glob!("replay/*.jsonl", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let steps = parse_script(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let mut out = Vec::new();
        run(&mut cloudlab::Cloud::new(), &steps, &mut out).unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    });
}

#[test]
fn replay_is_deterministic() {
    insta::glob!("replay/*.jsonl", |path| {
        let steps = parse_script(&std::fs::read_to_string(path).unwrap()).unwrap();
        let once = |seed| {
            let mut out = Vec::new();
            run(&mut cloudlab::Cloud::with_seed(seed), &steps, &mut out).unwrap();
            out
        };
        assert_eq!(once(7), once(7), "{}", path.display());
    });
}
