//! Report renderers: terminal text (colours unless `NO_COLOR`), JSON (stable,
//! see [`crate::report`]), Gradescope `results.json`, JUnit XML, a CSV
//! gradebook and HTML (what `:check` shows in the notebook).
//!
//! None of them can show hidden scenario source: reports never hold it.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::report::{ExerciseReport, ExerciseStatus, GradeReport, ScenarioReport, ScenarioStatus};

/// Terminal styling.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// ANSI colours on.
    pub color: bool,
}

impl Style {
    /// Colours unless `NO_COLOR` is set (to anything) or `is_terminal` is false.
    pub fn detect(is_terminal: bool) -> Style {
        Style {
            color: is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

fn status_word(s: ScenarioStatus) -> (&'static str, &'static str) {
    match s {
        ScenarioStatus::Passed => ("PASS", "32"),
        ScenarioStatus::Partial => ("PART", "33"),
        ScenarioStatus::Failed => ("FAIL", "31"),
        ScenarioStatus::TimedOut => ("TIME", "31"),
        ScenarioStatus::Crashed => ("CRASH", "31"),
        ScenarioStatus::NotRun => ("SKIP", "90"),
    }
}

fn points(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// The terminal report of a whole grading run.
pub fn text(report: &GradeReport, style: Style) -> String {
    let mut out = String::new();
    for sub in &report.submissions {
        let _ = writeln!(
            out,
            "{}  {}/{}",
            style.paint("1", &sub.name),
            points(sub.score),
            points(sub.max_score)
        );
        for ex in &sub.exercises {
            out.push_str(&exercise_text(ex, style));
        }
        out.push('\n');
    }
    out
}

/// The terminal report of one exercise.
pub fn exercise_text(ex: &ExerciseReport, style: Style) -> String {
    let mut out = String::new();
    let origin = ex
        .origin
        .as_deref()
        .map(|o| format!(" ({o})"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  {} {}{origin}  {}/{}",
        style.paint("1", &ex.id),
        ex.title,
        points(ex.score),
        points(ex.max_score)
    );
    if let Some(msg) = &ex.message {
        let _ = writeln!(out, "    {}", style.paint("31", msg));
    }
    for p in &ex.problems {
        for line in p.lines() {
            let _ = writeln!(out, "      {line}");
        }
    }
    for s in &ex.scenarios {
        out.push_str(&scenario_text(s, style));
    }
    if let Some(p) = &ex.protections
        && !p.all_active()
    {
        let _ = writeln!(
            out,
            "    {}",
            style.paint(
                "33",
                &format!(
                    "isolation: rlimits {}, landlock {}, seccomp {}",
                    p.rlimits, p.landlock, p.seccomp
                )
            )
        );
    }
    if ex.ignored_result_lines > 0 {
        let _ = writeln!(
            out,
            "    note: {} line(s) on the result channel did not come from the grader's harness and were ignored",
            ex.ignored_result_lines
        );
    }
    if !ex.output.trim().is_empty() {
        let _ = writeln!(out, "    output:");
        for line in ex.output.lines().take(40) {
            let _ = writeln!(out, "      | {line}");
        }
        if ex.output_dropped > 0 {
            let _ = writeln!(out, "      | ... ({} more bytes)", ex.output_dropped);
        }
    }
    out
}

fn scenario_text(s: &ScenarioReport, style: Style) -> String {
    let mut out = String::new();
    let (word, colour) = status_word(s.status);
    let seeds = if s.seeds_total > 1 {
        format!("  [{}/{} seeds]", s.seeds_passed, s.seeds_total)
    } else {
        String::new()
    };
    let hidden = if s.hidden { " (hidden)" } else { "" };
    let _ = writeln!(
        out,
        "    {:<5} {:>5}/{:<3} {}{hidden}{seeds}",
        style.paint(colour, word),
        points(s.score),
        points(s.max_score),
        s.name
    );
    if let Some(m) = &s.message {
        let _ = writeln!(out, "          {m}");
    }
    if let Some(f) = &s.failure {
        let seed = if s.seeds_total > 1 {
            format!(" (seed {})", f.seed)
        } else {
            String::new()
        };
        let _ = writeln!(out, "          {}{seed}", f.what);
        if let Some(p) = &f.panic {
            let at = p
                .location
                .as_deref()
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            let _ = writeln!(out, "          panicked{at}: {}", p.message);
        }
        match (&f.diff, &f.expected, &f.actual) {
            (Some(diff), _, _) => {
                let _ = writeln!(out, "          diff (- expected, + actual):");
                for line in diff.lines() {
                    let painted = match line.chars().next() {
                        Some('-') => style.paint("32", line),
                        Some('+') => style.paint("31", line),
                        _ => line.to_string(),
                    };
                    let _ = writeln!(out, "            {painted}");
                }
            }
            (None, e, a) => {
                if let Some(e) = e {
                    let _ = writeln!(out, "          expected: {}", style.paint("32", e));
                }
                if let Some(a) = a {
                    let _ = writeln!(out, "          actual:   {}", style.paint("31", a));
                }
            }
        }
        for n in &f.notes {
            let _ = writeln!(out, "          note: {n}");
        }
    }
    if let Some(fb) = &s.feedback {
        let _ = writeln!(out, "          hint: {fb}");
    }
    out
}

/// The stable JSON report.
pub fn json(report: &GradeReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default()
}

/// Gradescope's `results.json` for one submission (the first in `report`):
/// one test per scenario, or one per exercise that was not graded.
pub fn gradescope(report: &GradeReport) -> String {
    let Some(sub) = report.submissions.first() else {
        return json!({"score": 0, "output": "no submission was graded", "tests": []}).to_string();
    };
    let mut tests = Vec::new();
    for ex in &sub.exercises {
        if ex.status != ExerciseStatus::Graded {
            let mut output = ex.message.clone().unwrap_or_default();
            for p in &ex.problems {
                output.push_str("\n\n");
                output.push_str(p);
            }
            tests.push(json!({
                "name": format!("{}: {}", ex.id, ex.title),
                "score": 0.0,
                "max_score": ex.max_score,
                "status": "failed",
                "output": output,
                "visibility": "visible",
            }));
            continue;
        }
        for s in &ex.scenarios {
            let mut text = String::new();
            text.push_str(&scenario_text(s, Style { color: false }));
            tests.push(json!({
                "name": format!("{}: {}", ex.id, s.name),
                "score": s.score,
                "max_score": s.max_score,
                "status": if s.status == ScenarioStatus::Passed { "passed" } else { "failed" },
                "output": text.trim_end(),
                "visibility": if s.hidden { "after_published" } else { "visible" },
            }));
        }
    }
    serde_json::to_string_pretty(&json!({
        "score": sub.score,
        "output": format!("{}/{} points", points(sub.score), points(sub.max_score)),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }))
    .unwrap_or_default()
}

fn xml_escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// JUnit XML: a testsuite per (submission, exercise), a testcase per scenario.
pub fn junit(report: &GradeReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for sub in &report.submissions {
        for ex in &sub.exercises {
            let cases: Vec<(String, Option<String>)> = if ex.status == ExerciseStatus::Graded {
                ex.scenarios
                    .iter()
                    .map(|s| {
                        let failed = (s.status != ScenarioStatus::Passed)
                            .then(|| scenario_text(s, Style { color: false }));
                        (s.name.clone(), failed)
                    })
                    .collect()
            } else {
                let mut msg = ex.message.clone().unwrap_or_default();
                for p in &ex.problems {
                    msg.push('\n');
                    msg.push_str(p);
                }
                vec![(ex.id.clone(), Some(msg))]
            };
            let failures = cases.iter().filter(|c| c.1.is_some()).count();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
                xml_escape(&format!("{}/{}", sub.name, ex.id)),
                cases.len()
            );
            for (name, failure) in cases {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\"",
                    xml_escape(&ex.id),
                    xml_escape(&name)
                );
                match failure {
                    None => out.push_str("/>\n"),
                    Some(text) => {
                        let _ = writeln!(
                            out,
                            ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                            xml_escape(text.lines().next().unwrap_or("failed").trim()),
                            xml_escape(&text)
                        );
                    }
                }
            }
            out.push_str("  </testsuite>\n");
        }
    }
    out.push_str("</testsuites>\n");
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The gradebook: one row per submission, one column per exercise, a total.
pub fn csv(report: &GradeReport) -> String {
    let mut out = String::from("submission");
    for ex in &report.exercises {
        out.push(',');
        out.push_str(&csv_field(&ex.id));
    }
    out.push_str(",total,max\n");
    for sub in &report.submissions {
        out.push_str(&csv_field(&sub.name));
        for info in &report.exercises {
            let score = sub
                .exercises
                .iter()
                .find(|e| e.id == info.id)
                .map_or(0.0, |e| e.score);
            let _ = write!(out, ",{}", points(score));
        }
        let _ = writeln!(out, ",{},{}", points(sub.score), points(sub.max_score));
    }
    out
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One exercise's report as a self-contained HTML fragment (for notebooks).
pub fn exercise_html(ex: &ExerciseReport) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<div class=\"cloudlab-check\" style=\"font-family:sans-serif\"><h4 style=\"margin:0.2em 0\">{} &mdash; {}/{}</h4>",
        html_escape(&ex.title),
        points(ex.score),
        points(ex.max_score)
    );
    if let Some(m) = &ex.message {
        let _ = write!(out, "<p style=\"color:#b00\">{}</p>", html_escape(m));
    }
    for p in &ex.problems {
        let _ = write!(
            out,
            "<pre style=\"background:#fee;padding:0.5em\">{}</pre>",
            html_escape(p)
        );
    }
    if !ex.scenarios.is_empty() {
        out.push_str("<table><tr><th></th><th>scenario</th><th>points</th><th>details</th></tr>");
        for s in &ex.scenarios {
            out.push_str(&scenario_html(s));
        }
        out.push_str("</table>");
    }
    if !ex.output.trim().is_empty() {
        let _ = write!(
            out,
            "<details><summary>output</summary><pre>{}</pre></details>",
            html_escape(&ex.output)
        );
    }
    out.push_str("</div>");
    out
}

fn scenario_html(s: &ScenarioReport) -> String {
    let (word, _) = status_word(s.status);
    let colour = match s.status {
        ScenarioStatus::Passed => "#080",
        ScenarioStatus::Partial => "#a60",
        _ => "#b00",
    };
    let mut details = String::new();
    if let Some(m) = &s.message {
        let _ = write!(details, "<div>{}</div>", html_escape(m));
    }
    if let Some(f) = &s.failure {
        let _ = write!(details, "<div>{}</div>", html_escape(&f.what));
        if let Some(p) = &f.panic {
            let at = p
                .location
                .as_deref()
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            let _ = write!(
                details,
                "<div>panicked{}: {}</div>",
                html_escape(&at),
                html_escape(&p.message)
            );
        }
        if let Some(d) = &f.diff {
            let _ = write!(details, "<pre>{}</pre>", html_escape(d));
        } else {
            if let Some(e) = &f.expected {
                let _ = write!(
                    details,
                    "<div>expected: <code>{}</code></div>",
                    html_escape(e)
                );
            }
            if let Some(a) = &f.actual {
                let _ = write!(
                    details,
                    "<div>actual: <code>{}</code></div>",
                    html_escape(a)
                );
            }
        }
        for n in &f.notes {
            let _ = write!(details, "<div><i>{}</i></div>", html_escape(n));
        }
    }
    if let Some(fb) = &s.feedback {
        let _ = write!(details, "<div>hint: {}</div>", html_escape(fb));
    }
    format!(
        "<tr><td style=\"color:{colour};font-weight:bold\">{word}</td><td>{}</td><td>{}/{}</td><td>{details}</td></tr>",
        html_escape(&s.name),
        points(s.score),
        points(s.max_score)
    )
}

/// A JSON value of one exercise report (for the kernel's display data).
pub fn exercise_json(ex: &ExerciseReport) -> Value {
    serde_json::to_value(ex).unwrap_or(Value::Null)
}
