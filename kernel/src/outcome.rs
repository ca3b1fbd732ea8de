//! Turning what evcxr returns into Jupyter outputs: rich data, and errors a
//! learner can read (compile errors, panics, a runtime that died).

use std::collections::HashMap;

use jupyter_protocol::{ErrorOutput, Media};

use crate::diagnostics::{self, Diagnostic};
use crate::streams::PanicReport;

/// A mime bundle from evcxr's `content_by_mime_type` (`text/html`, `image/svg+xml` ...).
/// A unit value alone (a cell ending in a `for` loop or an `if` without
/// `else`) is no result, as IPython shows nothing for `None`.
pub(crate) fn media(content: &HashMap<String, String>) -> Option<Media> {
    if content.is_empty() || is_unit(content) {
        return None;
    }
    let mut map = serde_json::Map::new();
    let mut mimes: Vec<&String> = content.keys().collect();
    mimes.sort();
    for mime in mimes {
        let value = &content[mime];
        let json = if mime.contains("json") {
            serde_json::from_str(value).unwrap_or_else(|_| value.clone().into())
        } else {
            value.clone().into()
        };
        map.insert(mime.clone(), json);
    }
    serde_json::from_value(map.into()).ok()
}

fn is_unit(content: &HashMap<String, String>) -> bool {
    content.len() == 1 && content.get("text/plain").is_some_and(|t| t.trim() == "()")
}

/// A one-output bundle with plain text and markdown.
pub(crate) fn markdown(plain: &str, markdown: &str) -> Media {
    let map = serde_json::json!({ "text/plain": plain, "text/markdown": markdown });
    serde_json::from_value(map).unwrap_or_default()
}

/// Builds an `error` output.
pub(crate) fn error(ename: &str, evalue: &str, traceback: Vec<String>) -> ErrorOutput {
    ErrorOutput {
        ename: ename.to_string(),
        evalue: evalue.to_string(),
        traceback,
    }
}

/// An `error` output whose traceback is the message's lines.
pub(crate) fn text_error(ename: &str, message: &str) -> ErrorOutput {
    error(
        ename,
        message,
        message.lines().map(str::to_string).collect(),
    )
}

/// Compile errors in cell `origin`, as one `error` output.
pub(crate) fn compile_errors(
    errors: &[evcxr::CompilationError],
    source: &str,
    origin: &str,
) -> ErrorOutput {
    let diags: Vec<Diagnostic> = errors.iter().map(Diagnostic::from).collect();
    let evalue = diags
        .first()
        .map(|d| d.message.clone())
        .unwrap_or_else(|| "the cell does not compile".into());
    let mut traceback = diagnostics::render(&diags, source, origin);
    if traceback.is_empty() {
        traceback.push(evalue.clone());
    }
    error("CompilationError", &evalue, traceback)
}

/// A panic in the cell: the message, and where, when that is not generated code.
pub(crate) fn panic(report: &PanicReport, origin: &str) -> ErrorOutput {
    let mut traceback = vec![format!("\x1b[1;31mpanicked\x1b[0m in {origin}:")];
    traceback.extend(report.message.lines().map(str::to_string));
    if !report.location.is_empty() && !report.location.starts_with("src/lib.rs") {
        traceback.push(format!("at {}", report.location));
    }
    traceback.push(
        "Variables the cell created are gone; earlier ones are kept. \
         (A panic is an error, not a crash: the kernel is fine.)"
            .into(),
    );
    error("panic", &report.message, traceback)
}

/// Why the runtime process died, in words, from what we know.
pub(crate) fn death_reason(interrupted: bool, stderr: &str, status: &str, cap_mb: u64) -> String {
    let status_line = status
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if interrupted {
        "you interrupted it".into()
    } else if stderr.contains("memory allocation of") {
        if cap_mb > 0 {
            format!("it ran out of memory (the cap is {cap_mb} MiB)")
        } else {
            "it ran out of memory".into()
        }
    } else if stderr.contains("has overflowed its stack") {
        "its stack overflowed (endless or very deep recursion?)".into()
    } else if status_line.contains("SIGSEGV") {
        "it crashed with a segmentation fault".into()
    } else if status_line.contains("SIGABRT") {
        "it aborted (std::process::abort, or a panic inside a panic)".into()
    } else if status_line.contains("SIGKILL") {
        "it was killed (out of memory?)".into()
    } else if let Some(code) = status_line.split("exit status: ").nth(1) {
        format!("the cell ended the process (exit status {})", code.trim())
    } else {
        format!("it stopped ({status_line})")
    }
}

/// The error shown when the runtime died; `replayable` earlier cells can be re-run.
pub(crate) fn runtime_died(reason: &str, replayable: usize) -> ErrorOutput {
    let ename = if reason.starts_with("you interrupted") {
        "Interrupted"
    } else {
        "RuntimeDied"
    };
    let evalue = format!("The Rust runtime stopped: {reason}.");
    let mut traceback = vec![
        format!("\x1b[1;31m{evalue}\x1b[0m"),
        "Variables from earlier cells are gone; definitions (fn, struct, use) are kept.".into(),
    ];
    if replayable > 0 {
        traceback.push(format!(
            "Run :replay to rebuild the state by re-running the {replayable} earlier successful \
             cell{} (the sandbox is deterministic: you get the same state back).",
            if replayable == 1 { "" } else { "s" }
        ));
    }
    error(ename, &evalue, traceback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_keeps_every_mime() {
        let mut content = HashMap::new();
        content.insert("text/html".to_string(), "<b>q</b>".to_string());
        content.insert("text/plain".to_string(), "q".to_string());
        let json = serde_json::to_value(media(&content).unwrap()).unwrap();
        assert_eq!(json["text/html"], "<b>q</b>");
        assert_eq!(json["text/plain"], "q");
        assert!(media(&HashMap::new()).is_none());
    }

    #[test]
    fn a_unit_value_is_no_result() {
        let unit = HashMap::from([("text/plain".to_string(), "()".to_string())]);
        assert!(media(&unit).is_none());
        let tuple = HashMap::from([("text/plain".to_string(), "((), 1)".to_string())]);
        assert!(media(&tuple).is_some());
    }

    #[test]
    fn death_reasons() {
        let r = |i, e, s| death_reason(i, e, s, 512);
        assert_eq!(r(true, "", "signal: 9 (SIGKILL)"), "you interrupted it");
        assert!(
            r(
                false,
                "memory allocation of 8 bytes failed\n",
                "signal: 6 (SIGABRT)"
            )
            .contains("512 MiB")
        );
        assert!(r(false, "thread 'main' has overflowed its stack", "x").contains("stack"));
        assert!(
            r(
                false,
                "",
                "Subprocess terminated with status: signal: 6 (SIGABRT) (core dumped)"
            )
            .contains("aborted")
        );
        assert_eq!(
            r(
                false,
                "",
                "Subprocess terminated with status: exit status: 3"
            ),
            "the cell ended the process (exit status 3)"
        );
    }

    #[test]
    fn runtime_died_offers_replay() {
        let e = runtime_died("you interrupted it", 3);
        assert_eq!(e.ename, "Interrupted");
        assert!(e.traceback.join("\n").contains(":replay"));
        assert!(
            e.traceback
                .join("\n")
                .contains("3 earlier successful cells")
        );
        let e = runtime_died("it aborted", 0);
        assert_eq!(e.ename, "RuntimeDied");
        assert!(!e.traceback.join("\n").contains(":replay"));
    }

    #[test]
    fn panics_hide_generated_locations() {
        let p = PanicReport {
            thread: "main".into(),
            message: "boom".into(),
            location: "src/lib.rs:10:3".into(),
        };
        let e = panic(&p, "In [2]");
        assert_eq!(e.ename, "panic");
        assert_eq!(e.evalue, "boom");
        assert!(!e.traceback.join("\n").contains("src/lib.rs"));
        let p = PanicReport {
            location: "/repo/sandbox/src/sqs/mod.rs:5:1".into(),
            ..p
        };
        assert!(
            panic(&p, "In [2]")
                .traceback
                .join("\n")
                .contains("sqs/mod.rs")
        );
    }
}
