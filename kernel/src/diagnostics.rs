//! Compile errors as a readable traceback that points into the cell, in the
//! shape rustc prints (`error[E0308]: ...`, `--> cell:2:14`, the line, carets).

use std::fmt::Write as _;

const RED_BOLD: &str = "\x1b[1;31m";
const BLUE_BOLD: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// One compiler message about the cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// `error`, `warning` ...
    pub level: String,
    /// `E0308`, when rustc gives one.
    pub code: Option<String>,
    /// The headline.
    pub message: String,
    /// Places in the cell, primary first.
    pub labels: Vec<Label>,
    /// `help:` / `note:` lines that have no place.
    pub notes: Vec<String>,
}

/// A place in the cell (1-based lines and columns, end column exclusive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// First line.
    pub line: usize,
    /// First column.
    pub column: usize,
    /// Last line.
    pub end_line: usize,
    /// Column after the last character (on `end_line`).
    pub end_column: usize,
    /// What the compiler says about this place.
    pub text: String,
    /// Whether this is the main place of the error.
    pub primary: bool,
}

impl From<&evcxr::CompilationError> for Diagnostic {
    fn from(error: &evcxr::CompilationError) -> Self {
        let mut labels = Vec::new();
        let mut notes = Vec::new();
        for spanned in error.spanned_messages().iter().chain(error.help_spanned()) {
            match &spanned.span {
                Some(span) => labels.push(Label {
                    line: span.start_line,
                    column: span.start_column,
                    end_line: span.end_line,
                    end_column: span.end_column,
                    text: spanned.label.clone(),
                    primary: spanned.is_primary,
                }),
                None if !spanned.label.is_empty() => notes.push(spanned.label.clone()),
                None => {}
            }
        }
        labels.sort_by_key(|l| !l.primary);
        notes.extend(error.help().into_iter().map(|h| format!("help: {h}")));
        if let Some(hint) = error.evcxr_extra_hint() {
            notes.push(format!("note: {hint}"));
        }
        notes.dedup();
        Diagnostic {
            level: error.level().to_string(),
            code: error.code().map(str::to_string),
            message: error.message(),
            labels,
            notes,
        }
    }
}

/// Renders diagnostics as traceback lines; `origin` names the cell (`In [3]`).
///
/// ```
/// use cloudlab_kernel::diagnostics::{render, strip_ansi, Diagnostic, Label};
/// let d = Diagnostic {
///     level: "error".into(), code: Some("E0308".into()), message: "mismatched types".into(),
///     labels: vec![Label { line: 1, column: 14, end_line: 1, end_column: 17,
///                          text: "expected `u32`, found `&str`".into(), primary: true }],
///     notes: vec![],
/// };
/// let text = strip_ansi(&render(&[d], "let x: u32 = \"a\";", "In [1]").join("\n"));
/// assert!(text.contains("error[E0308]"));
/// assert!(text.contains("--> In [1]:1:14"));
/// assert!(text.contains("^^^ expected `u32`"));
/// ```
pub fn render(diagnostics: &[Diagnostic], source: &str, origin: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        render_one(d, &lines, origin, &mut out);
    }
    out
}

fn render_one(d: &Diagnostic, lines: &[&str], origin: &str, out: &mut Vec<String>) {
    let code = d
        .code
        .as_deref()
        .map(|c| format!("[{c}]"))
        .unwrap_or_default();
    let colour = if d.level == "error" { RED_BOLD } else { BOLD };
    out.push(format!(
        "{colour}{}{code}{RESET}{BOLD}: {}{RESET}",
        d.level, d.message
    ));
    let width = d
        .labels
        .iter()
        .map(|l| l.end_line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(width);
    if let Some(first) = d.labels.first() {
        out.push(format!(
            "{pad}{BLUE_BOLD}-->{RESET} {origin}:{}:{}",
            first.line, first.column
        ));
        out.push(format!("{pad} {BLUE_BOLD}|{RESET}"));
    }
    for label in &d.labels {
        for line_no in label.line..=label.end_line.max(label.line) {
            let text = lines.get(line_no.wrapping_sub(1)).copied().unwrap_or("");
            out.push(format!("{BLUE_BOLD}{line_no:>width$} |{RESET} {text}"));
        }
        out.push(format!(
            "{pad} {BLUE_BOLD}|{RESET} {}",
            underline(label, lines)
        ));
    }
    for note in &d.notes {
        out.push(format!("{pad} {BLUE_BOLD}={RESET} {note}"));
    }
}

/// Carets under a single-line label; for a label over several lines, a
/// marker under the last line's end.
fn underline(label: &Label, lines: &[&str]) -> String {
    let marker = if label.primary { '^' } else { '-' };
    let colour = if label.primary { RED_BOLD } else { BLUE_BOLD };
    let mut s = String::new();
    let (start, end) = if label.end_line > label.line {
        let last = lines
            .get(label.end_line - 1)
            .map_or(0, |l| l.chars().count());
        (1, label.end_column.clamp(2, last + 1))
    } else {
        (label.column.max(1), label.end_column.max(label.column + 1))
    };
    let _ = write!(
        s,
        "{}{colour}{}{}{RESET}",
        " ".repeat(start - 1),
        marker.to_string().repeat(end - start),
        if label.text.is_empty() {
            String::new()
        } else {
            format!(" {}", label.text)
        }
    );
    s
}

/// Removes ANSI colour codes (for plain-text views and tests).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(line: usize, column: usize, end_column: usize, text: &str) -> Label {
        Label {
            line,
            column,
            end_line: line,
            end_column,
            text: text.into(),
            primary: true,
        }
    }

    #[test]
    fn points_at_the_cell_line_with_carets() {
        let d = Diagnostic {
            level: "error".into(),
            code: Some("E0425".into()),
            message: "cannot find value `y` in this scope".into(),
            labels: vec![label(2, 9, 10, "not found in this scope")],
            notes: vec!["help: a local variable with a similar name exists: `x`".into()],
        };
        let text = strip_ansi(&render(&[d], "let x = 1;\nlet z = y + 1;", "In [4]").join("\n"));
        assert_eq!(
            text,
            "error[E0425]: cannot find value `y` in this scope\n \
             --> In [4]:2:9\n  |\n\
             2 | let z = y + 1;\n  \
             |         ^ not found in this scope\n  \
             = help: a local variable with a similar name exists: `x`"
        );
    }

    #[test]
    fn several_errors_are_separated_and_spanless_ones_still_show() {
        let a = Diagnostic {
            level: "error".into(),
            code: None,
            message: "first".into(),
            labels: vec![],
            notes: vec![],
        };
        let b = Diagnostic {
            message: "second".into(),
            ..a.clone()
        };
        let out: Vec<String> = render(&[a, b], "x", "cell")
            .iter()
            .map(|l| strip_ansi(l))
            .collect();
        assert_eq!(out, vec!["error: first", "", "error: second"]);
    }

    #[test]
    fn multi_line_labels_show_every_line() {
        let d = Diagnostic {
            level: "error".into(),
            code: None,
            message: "m".into(),
            labels: vec![Label {
                line: 1,
                column: 1,
                end_line: 2,
                end_column: 3,
                text: "here".into(),
                primary: true,
            }],
            notes: vec![],
        };
        let text = strip_ansi(&render(&[d], "ab\ncd", "c").join("\n"));
        assert!(text.contains("1 | ab\n2 | cd\n  | ^^ here"), "{text}");
    }

    #[test]
    fn strip_ansi_keeps_text() {
        assert_eq!(strip_ansi("\x1b[1;31merror\x1b[0m: x"), "error: x");
    }
}
