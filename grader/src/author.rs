//! Author checks (`cloudlab check`): an exercise is sound when its reference
//! solution passes every scenario, its starter fails at least one hidden
//! scenario, every `wrong/*.rs` fails at least one hidden scenario, every
//! hidden scenario fails at least one wrong solution (a scenario that never
//! fails proves nothing), starter and solution fit the contract, the points
//! add up and hidden scenarios do not use `assert!` (its message quotes source).

use crate::exercise::Exercise;
use crate::grade::Grader;
use crate::report::{ExerciseReport, ExerciseStatus, ScenarioStatus};
use crate::source;
use crate::submission::Submission;

/// The verdict on one exercise.
#[derive(Clone, Debug)]
pub struct ExerciseCheck {
    /// The exercise id.
    pub id: String,
    /// The reference solution's score, of the maximum.
    pub reference: (f64, f64),
    /// Whether the starter fails a hidden scenario.
    pub starter_fails: bool,
    /// Wrong solutions that fail a hidden scenario, of all.
    pub wrong_caught: (usize, usize),
    /// Hidden scenarios failed by some wrong solution, of all.
    pub hidden_useful: (usize, usize),
    /// Everything that is wrong; empty when the exercise is sound.
    pub misses: Vec<String>,
}

impl ExerciseCheck {
    /// True when nothing is wrong.
    pub fn ok(&self) -> bool {
        self.misses.is_empty()
    }
}

/// `assert!`-family macros in `hidden.rs` (their panic messages quote the source).
fn assert_macros(hidden: &str) -> Vec<String> {
    let Ok(tokens) = hidden.parse::<proc_macro2::TokenStream>() else {
        return vec!["hidden.rs does not parse".into()];
    };
    let mut found = Vec::new();
    fn walk(ts: proc_macro2::TokenStream, found: &mut Vec<String>) {
        let trees: Vec<_> = ts.into_iter().collect();
        for (i, t) in trees.iter().enumerate() {
            match t {
                proc_macro2::TokenTree::Ident(id) => {
                    let name = id.to_string();
                    let bang = matches!(trees.get(i + 1), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '!');
                    if bang && name.contains("assert") {
                        found.push(format!(
                            "hidden.rs:{}: `{name}!` would quote hidden source in its panic message; use `check::`",
                            id.span().start().line
                        ));
                    }
                }
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), found),
                _ => {}
            }
        }
    }
    walk(tokens, &mut found);
    found
}

fn hidden_failures(r: &ExerciseReport) -> Vec<usize> {
    r.scenarios
        .iter()
        .enumerate()
        .filter(|(_, s)| s.hidden && s.status != ScenarioStatus::Passed)
        .map(|(i, _)| i)
        .collect()
}

fn describe(r: &ExerciseReport) -> String {
    match r.status {
        ExerciseStatus::Graded => {
            let failed: Vec<&str> = r
                .scenarios
                .iter()
                .filter(|s| s.status != ScenarioStatus::Passed)
                .map(|s| s.name.as_str())
                .collect();
            format!("fails: {}", failed.join("; "))
        }
        _ => format!(
            "{} {}",
            r.message.clone().unwrap_or_default(),
            r.problems.join(" ")
        ),
    }
}

/// Checks one exercise (compiles and runs reference, starter and wrong solutions).
pub fn check(grader: &Grader, ex: &Exercise) -> ExerciseCheck {
    let mut misses = Vec::new();
    for (name, src) in [("starter.rs", &ex.starter), ("solution.rs", &ex.solution)] {
        if let Err(refusal) = source::check(src, &ex.meta.contract) {
            for p in refusal.problems() {
                misses.push(format!("{name}: {p}"));
            }
        }
    }
    misses.extend(assert_macros(ex.hidden_source()));
    if ex.wrong.len() < 2 {
        misses.push(format!(
            "only {} wrong solution(s); write at least 2",
            ex.wrong.len()
        ));
    }
    let mut subs = vec![
        Submission::from_source("solution", &ex.solution),
        Submission::from_source("starter", &ex.starter),
    ];
    subs.extend(
        ex.wrong
            .iter()
            .map(|w| Submission::from_source(&w.name, &w.source)),
    );
    let report = grader.grade(&subs, std::slice::from_ref(ex));
    let reports: Vec<&ExerciseReport> =
        report.submissions.iter().map(|s| &s.exercises[0]).collect();
    let reference = reports[0];
    if !reference.passed() {
        misses.push(format!("the reference solution {}", describe(reference)));
    }
    if reference.status == ExerciseStatus::Graded && reference.max_score != ex.meta.points as f64 {
        misses.push(format!(
            "the scenarios' points add up to {}, exercise.toml says {}",
            reference.max_score, ex.meta.points
        ));
    }
    let starter_fails =
        reports[1].status != ExerciseStatus::Graded || !hidden_failures(reports[1]).is_empty();
    if !starter_fails {
        misses.push("the starter passes every hidden scenario".into());
    }
    let hidden_count = reference.scenarios.iter().filter(|s| s.hidden).count();
    let mut useful = vec![false; reference.scenarios.len()];
    let mut caught = 0;
    for (w, r) in ex.wrong.iter().zip(&reports[2..]) {
        if r.status != ExerciseStatus::Graded {
            misses.push(format!("wrong/{}.rs does not run: {}", w.name, describe(r)));
            continue;
        }
        let fails = hidden_failures(r);
        if fails.is_empty() {
            misses.push(format!("wrong/{}.rs passes every hidden scenario", w.name));
        } else {
            caught += 1;
        }
        for i in fails {
            if let Some(u) = useful.get_mut(i) {
                *u = true;
            }
        }
    }
    for (s, u) in reference.scenarios.iter().zip(&useful) {
        if s.hidden && !u {
            misses.push(format!(
                "hidden scenario \"{}\" fails no wrong solution",
                s.name
            ));
        }
    }
    ExerciseCheck {
        id: ex.meta.id.clone(),
        reference: (reference.score, reference.max_score),
        starter_fails,
        wrong_caught: (caught, ex.wrong.len()),
        hidden_useful: (useful.iter().filter(|u| **u).count(), hidden_count),
        misses,
    }
}

/// The table `cloudlab check` prints.
pub fn table(checks: &[ExerciseCheck]) -> String {
    let mut out = format!(
        "{:<32} {:>9} {:>8} {:>7} {:>7}  {}\n",
        "exercise", "reference", "starter", "wrong", "hidden", "result"
    );
    for c in checks {
        out.push_str(&format!(
            "{:<32} {:>9} {:>8} {:>7} {:>7}  {}\n",
            c.id,
            format!("{}/{}", c.reference.0, c.reference.1),
            if c.starter_fails { "fails" } else { "PASSES" },
            format!("{}/{}", c.wrong_caught.0, c.wrong_caught.1),
            format!("{}/{}", c.hidden_useful.0, c.hidden_useful.1),
            if c.ok() { "ok" } else { "MISS" }
        ));
        for m in &c.misses {
            out.push_str(&format!("    - {m}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asserts_in_hidden_scenarios_are_flagged_with_their_line() {
        let got =
            assert_macros("fn a() {\n    assert_eq!(1, 2);\n    check::eq(\"x\", 1, 1);\n}\n");
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("hidden.rs:2: `assert_eq!`"), "{got:?}");
    }
}
