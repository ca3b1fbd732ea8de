//! Lesson sources (MyST-style markdown) to blocks: prose, code cells,
//! admonitions, hints and exercises, each with the line it starts on.
//!
//! The format is the subset of MyST that jupytext (`md:myst`) and Jupyter Book
//! read: YAML front matter, ```` ```{code-cell} rust ```` fences with `:tags:`
//! options (or a `---` YAML option block), `+++` cell breaks, and the
//! directives `{note}`, `{warning}`, `{tip}`, `{hint}` and `{exercise}`.
//! Every problem is reported with its line; parsing goes on after one so an
//! author sees all of them at once.

use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::frontmatter::FrontMatter;

/// Tags a code cell may carry (MyST-NB's names).
pub const KNOWN_TAGS: &[&str] = &[
    "hide-input",
    "hide-output",
    "hide-cell",
    "remove-input",
    "remove-output",
    "remove-cell",
    "skip-execution",
    "raises-exception",
];

/// Directives the builder knows.
pub const KNOWN_DIRECTIVES: &[&str] = &["code-cell", "exercise", "hint", "note", "tip", "warning"];

/// The kind of an admonition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Admonition {
    /// `{note}`
    Note,
    /// `{tip}`
    Tip,
    /// `{warning}`
    Warning,
}

impl Admonition {
    /// The default title ("Note", "Tip", "Warning").
    pub fn label(self) -> &'static str {
        match self {
            Admonition::Note => "Note",
            Admonition::Tip => "Tip",
            Admonition::Warning => "Warning",
        }
    }

    /// The CSS class / directive name.
    pub fn name(self) -> &'static str {
        match self {
            Admonition::Note => "note",
            Admonition::Tip => "tip",
            Admonition::Warning => "warning",
        }
    }
}

/// One piece of a lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// CommonMark prose (may hold plain, non-executed code fences).
    Prose(String),
    /// A ```` ```{code-cell} rust ```` cell.
    Code {
        /// The Rust source.
        source: String,
        /// MyST-NB tags (`hide-input`, `skip-execution`, ...).
        tags: Vec<String>,
    },
    /// `{note}`, `{tip}` or `{warning}`.
    Admonition {
        /// Which one.
        kind: Admonition,
        /// A title other than the default.
        title: Option<String>,
        /// Markdown body.
        body: String,
    },
    /// `{hint}`: collapsed until opened.
    Hint {
        /// The summary line (default "Hint").
        title: Option<String>,
        /// Markdown body.
        body: String,
    },
    /// `{exercise} <id>`: expanded from `exercises/<id>/`.
    Exercise {
        /// The exercise id.
        id: String,
    },
}

/// A block and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// 1-based line of the block's first content line (for code cells, the
    /// first line of code), so errors point into the source.
    pub line: usize,
    /// What it is.
    pub kind: BlockKind,
}

/// A parsed lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// The file name without `.md`: `sqs` for `lessons/sqs.md`.
    pub slug: String,
    /// The source file.
    pub path: std::path::PathBuf,
    /// The front matter.
    pub meta: FrontMatter,
    /// The body, in order.
    pub blocks: Vec<Block>,
}

impl Lesson {
    /// File stem of the lesson's outputs: `02-sqs` (order, then slug).
    pub fn stem(&self) -> String {
        format!("{:02}-{}", self.meta.order, self.slug)
    }
}

struct Fence {
    ch: char,
    len: usize,
    info: String,
}

fn open_fence(line: &str) -> Option<Fence> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let ch = rest.chars().next()?;
    if ch != '`' && ch != '~' {
        return None;
    }
    let len = rest.chars().take_while(|&c| c == ch).count();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim().to_string();
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some(Fence { ch, len, info })
}

fn closes(line: &str, fence: &Fence) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return false;
    }
    let rest = &line[indent..];
    let len = rest.chars().take_while(|&c| c == fence.ch).count();
    len >= fence.len && rest[len * fence.ch.len_utf8()..].trim().is_empty()
}

/// Index of the line closing the fence opened at `open`, if any.
fn find_close(lines: &[&str], open: usize, fence: &Fence) -> Option<usize> {
    (open + 1..lines.len()).find(|&j| closes(lines[j], fence))
}

/// Parses one lesson source. `path` is used for the slug and in diagnostics.
pub fn parse_lesson(path: &Path, text: &str) -> Result<Lesson, Diagnostics> {
    match parse_lesson_partial(path, text) {
        (Some(lesson), diags) if diags.is_empty() => Ok(lesson),
        (_, diags) => Err(diags),
    }
}

/// Parses as far as possible: the lesson (whenever its front matter is
/// good, even if its body has problems, so later checks can still run) and
/// every problem found.
pub fn parse_lesson_partial(path: &Path, text: &str) -> (Option<Lesson>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let lines: Vec<&str> = text.lines().collect();
    let slug = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    if slug.is_empty()
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        diags.at(
            path,
            1,
            format!("lesson file name `{slug}` must be lowercase letters, digits and `-`"),
        );
    }

    // Front matter.
    let mut i = 0;
    let mut meta = None;
    if lines.first().map(|l| l.trim_end()) == Some("---") {
        match (1..lines.len()).find(|&j| matches!(lines[j].trim_end(), "---" | "...")) {
            None => diags.at(path, 1, "front matter opened with `---` is never closed"),
            Some(end) => {
                let yaml = lines[1..end].join("\n");
                match FrontMatter::parse(&yaml) {
                    Ok(fm) => meta = Some(fm),
                    Err(errs) => {
                        for e in errs {
                            diags.at(path, e.line.map(|l| l + 1).unwrap_or(1), e.message);
                        }
                    }
                }
                i = end + 1;
            }
        }
    } else {
        diags.at(
            path,
            1,
            "missing front matter: start the file with `---`, the YAML keys (title, summary, order, objectives, estimated_minutes), then `---`",
        );
    }

    let mut blocks = Vec::new();
    let mut prose: Vec<&str> = Vec::new();
    let mut prose_line = i + 1;
    let flush = |prose: &mut Vec<&str>, prose_line: usize, blocks: &mut Vec<Block>| {
        let leading = prose.iter().take_while(|l| l.trim().is_empty()).count();
        let text = prose[leading..].join("\n");
        let text = text.trim_end();
        if !text.is_empty() {
            blocks.push(Block {
                line: prose_line + leading,
                kind: BlockKind::Prose(text.to_string()),
            });
        }
        prose.clear();
    };

    while i < lines.len() {
        let line = lines[i];
        let lineno = i + 1;
        if line.trim_end() == "+++" || line.starts_with("+++ ") {
            flush(&mut prose, prose_line, &mut blocks);
            i += 1;
            prose_line = i + 1;
            continue;
        }
        if prose.is_empty() {
            prose_line = lineno;
        }
        if line.starts_with("# ") || line.trim_end() == "#" {
            diags.at(
                path,
                lineno,
                "a level-1 heading: the lesson's title comes from the front matter, start sections at `##`",
            );
        }
        let Some(fence) = open_fence(line) else {
            prose.push(line);
            i += 1;
            continue;
        };
        let close = find_close(&lines, i, &fence);
        let Some((name, arg)) = directive_name(&fence.info) else {
            // A plain code fence: part of the prose.
            match close {
                Some(end) => {
                    prose.extend_from_slice(&lines[i..=end]);
                    i = end + 1;
                }
                None => {
                    diags.at(
                        path,
                        lineno,
                        format!("unclosed code fence {}", fence_text(&fence)),
                    );
                    i = lines.len();
                }
            }
            continue;
        };
        let Some(end) = close else {
            diags.at(
                path,
                lineno,
                format!(
                    "unclosed fence {} (no closing {} line)",
                    fence_text(&fence),
                    fence.ch.to_string().repeat(fence.len)
                ),
            );
            break;
        };
        flush(&mut prose, prose_line, &mut blocks);
        directive(
            path,
            &name,
            &arg,
            &lines[i + 1..end],
            lineno,
            &mut blocks,
            &mut diags,
        );
        i = end + 1;
        prose_line = i + 1;
    }
    flush(&mut prose, prose_line, &mut blocks);

    diags.sort();
    let lesson = meta.map(|meta| Lesson {
        slug,
        path: path.to_path_buf(),
        meta,
        blocks,
    });
    (lesson, diags)
}

fn fence_text(f: &Fence) -> String {
    format!("{}{}", f.ch.to_string().repeat(f.len), f.info)
}

/// `{name}` at the start of an info string, and the argument after it.
fn directive_name(info: &str) -> Option<(String, String)> {
    let rest = info.strip_prefix('{')?;
    let end = rest.find('}')?;
    Some((
        rest[..end].trim().to_string(),
        rest[end + 1..].trim().to_string(),
    ))
}

/// Options at the top of a directive body, then its content.
struct Parsed {
    options: Vec<(String, serde_json::Value, usize)>,
    content: String,
    content_line: usize,
}

fn split_options(path: &Path, body: &[&str], first_line: usize, diags: &mut Diagnostics) -> Parsed {
    let mut options = Vec::new();
    let mut k = 0;
    if body.first().map(|l| l.trim_end()) == Some("---") {
        match (1..body.len()).find(|&j| body[j].trim_end() == "---") {
            None => diags.at(
                path,
                first_line,
                "directive option block opened with `---` is never closed",
            ),
            Some(end) => {
                let yaml = body[1..end].join("\n");
                match serde_norway::from_str::<serde_json::Map<String, serde_json::Value>>(&yaml) {
                    Ok(map) => {
                        for (key, value) in map {
                            options.push((key, value, first_line + 1));
                        }
                    }
                    Err(e) => {
                        let line = first_line + e.location().map(|l| l.line()).unwrap_or(0);
                        diags.at(
                            path,
                            line,
                            format!("directive options are not valid YAML: {e}"),
                        );
                    }
                }
                k = end + 1;
            }
        }
    } else {
        while k < body.len() {
            let l = body[k].trim_start();
            let Some(rest) = l.strip_prefix(':') else {
                break;
            };
            let Some(close) = rest.find(':') else { break };
            let key = &rest[..close];
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                break;
            }
            let raw = rest[close + 1..].trim();
            let value = if raw.is_empty() {
                serde_json::Value::Bool(true)
            } else {
                serde_norway::from_str::<serde_json::Value>(raw)
                    .unwrap_or_else(|_| serde_json::Value::String(raw.to_string()))
            };
            options.push((key.to_string(), value, first_line + k));
            k += 1;
        }
    }
    while k < body.len() && body[k].trim().is_empty() {
        k += 1;
    }
    let mut content = body[k..].to_vec();
    while content.last().is_some_and(|l| l.trim().is_empty()) {
        content.pop();
    }
    Parsed {
        options,
        content: content.join("\n"),
        content_line: first_line + k,
    }
}

fn directive(
    path: &Path,
    name: &str,
    arg: &str,
    body: &[&str],
    line: usize,
    blocks: &mut Vec<Block>,
    diags: &mut Diagnostics,
) {
    let parsed = split_options(path, body, line + 1, diags);
    let mut allow = |allowed: &[&str]| {
        for (key, _, l) in &parsed.options {
            if !allowed.contains(&key.as_str()) {
                let known = if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                };
                diags.at(
                    path,
                    *l,
                    format!("unknown option `{key}` for `{{{name}}}` (known: {known})"),
                );
            }
        }
    };
    let kind = match name {
        "code-cell" => {
            allow(&["tags"]);
            if arg != "rust" {
                diags.at(
                    path,
                    line,
                    format!("`{{code-cell}}` needs the language `rust` (the Cloudlab kernel runs Rust), got `{arg}`"),
                );
            }
            let mut tags = Vec::new();
            for (key, value, l) in &parsed.options {
                if key != "tags" {
                    continue;
                }
                let list = match value {
                    serde_json::Value::Array(items) => items
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>(),
                    serde_json::Value::String(s) => Some(vec![s.clone()]),
                    _ => None,
                };
                match list {
                    None => diags.at(
                        path,
                        *l,
                        "`:tags:` must be a list, e.g. `:tags: [hide-input]`",
                    ),
                    Some(list) => {
                        for t in list {
                            if KNOWN_TAGS.contains(&t.as_str()) {
                                tags.push(t);
                            } else {
                                diags.at(
                                    path,
                                    *l,
                                    format!("unknown tag `{t}` (known: {})", KNOWN_TAGS.join(", ")),
                                );
                            }
                        }
                    }
                }
            }
            if parsed.content.trim().is_empty() {
                diags.at(path, line, "empty `{code-cell}`");
            }
            BlockKind::Code {
                source: parsed.content,
                tags,
            }
        }
        "exercise" => {
            allow(&[]);
            let id = arg.trim();
            if id.is_empty() {
                diags.at(
                    path,
                    line,
                    "`{exercise}` needs an exercise id: ```{exercise} sqs-worker",
                );
            }
            if !parsed.content.trim().is_empty() {
                diags.at(
                    path,
                    parsed.content_line,
                    "`{exercise}` takes no body: the prompt comes from exercises/<id>/prompt.md",
                );
            }
            BlockKind::Exercise { id: id.to_string() }
        }
        "hint" => {
            allow(&["class"]);
            if parsed.content.trim().is_empty() {
                diags.at(path, line, "empty `{hint}`");
            }
            BlockKind::Hint {
                title: (!arg.is_empty()).then(|| arg.to_string()),
                body: parsed.content,
            }
        }
        "note" | "tip" | "warning" => {
            allow(&["class"]);
            let kind = match name {
                "note" => Admonition::Note,
                "tip" => Admonition::Tip,
                _ => Admonition::Warning,
            };
            BlockKind::Admonition {
                kind,
                title: (!arg.is_empty()).then(|| arg.to_string()),
                body: parsed.content,
            }
        }
        other => {
            diags.at(
                path,
                line,
                format!(
                    "unknown directive `{{{other}}}` (known: {})",
                    KNOWN_DIRECTIVES.join(", ")
                ),
            );
            return;
        }
    };
    let block_line = match kind {
        BlockKind::Exercise { .. } => line,
        _ => parsed.content_line,
    };
    blocks.push(Block {
        line: block_line,
        kind,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const FM: &str =
        "---\ntitle: T\nsummary: S\norder: 1\nobjectives: [o]\nestimated_minutes: 20\n---\n";

    fn parse(body: &str) -> Result<Lesson, Diagnostics> {
        parse_lesson(Path::new("lessons/t.md"), &format!("{FM}{body}"))
    }

    #[test]
    fn splits_prose_code_and_directives_with_lines() {
        let l = parse(
            "\nIntro.\n\n```{code-cell} rust\n:tags: [hide-input]\n\nlet x = 1;\n```\n\nMore.\n\n```{hint} Answer\nYes.\n```\n+++\nAfter.\n",
        )
        .unwrap();
        assert_eq!(l.slug, "t");
        let kinds: Vec<_> = l.blocks.iter().map(|b| (b.line, &b.kind)).collect();
        assert_eq!(kinds[0], (9, &BlockKind::Prose("Intro.".into())));
        assert_eq!(
            kinds[1],
            (
                14,
                &BlockKind::Code {
                    source: "let x = 1;".into(),
                    tags: vec!["hide-input".into()]
                }
            )
        );
        assert_eq!(kinds[2], (17, &BlockKind::Prose("More.".into())));
        assert_eq!(
            kinds[3],
            (
                20,
                &BlockKind::Hint {
                    title: Some("Answer".into()),
                    body: "Yes.".into()
                }
            )
        );
        assert_eq!(kinds[4], (23, &BlockKind::Prose("After.".into())));
    }

    #[test]
    fn yaml_option_block_and_longer_fences() {
        let l = parse("````{note}\nUse:\n```rust\nlet a = 1;\n```\n````\n```{code-cell} rust\n---\ntags: [skip-execution, raises-exception]\n---\npanic!()\n```\n").unwrap();
        assert_eq!(
            l.blocks[0].kind,
            BlockKind::Admonition {
                kind: Admonition::Note,
                title: None,
                body: "Use:\n```rust\nlet a = 1;\n```".into()
            }
        );
        assert_eq!(
            l.blocks[1].kind,
            BlockKind::Code {
                source: "panic!()".into(),
                tags: vec!["skip-execution".into(), "raises-exception".into()]
            }
        );
    }

    #[test]
    fn plain_code_fences_hide_directives() {
        let l = parse("```md\n```{bogus}\n```\n").unwrap();
        assert_eq!(l.blocks.len(), 1);
        assert!(matches!(&l.blocks[0].kind, BlockKind::Prose(p) if p.contains("{bogus}")));
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let err = parse(
            "# Title\n```{bogus}\nx\n```\n```{code-cell} python\nx\n```\n```{code-cell} rust\n:tags: [shiny]\n:speed: fast\nx\n```\n```{exercise}\n```\n```{note}\nnever closed\n",
        )
        .unwrap_err();
        let got: Vec<String> = err
            .0
            .iter()
            .map(|d| format!("{}: {}", d.line, d.message))
            .collect();
        assert_eq!(got.len(), 7, "{got:#?}");
        assert!(got[0].starts_with("8: a level-1 heading"), "{got:#?}");
        assert!(
            got[1].starts_with("9: unknown directive `{bogus}`"),
            "{got:#?}"
        );
        assert!(
            got[2].starts_with("12: `{code-cell}` needs the language `rust`"),
            "{got:#?}"
        );
        assert!(got[3].starts_with("16: unknown tag `shiny`"), "{got:#?}");
        assert!(got[4].starts_with("17: unknown option `speed`"), "{got:#?}");
        assert!(
            got[5].starts_with("20: `{exercise}` needs an exercise id"),
            "{got:#?}"
        );
        assert_eq!(got[6], "22: unclosed fence ```{note} (no closing ``` line)");
    }

    #[test]
    fn front_matter_problems_point_into_the_yaml() {
        let err =
            parse_lesson(Path::new("x.md"), "---\ntitle: T\nsumary: S\n---\nbody\n").unwrap_err();
        assert_eq!(err.0[0].line, 3, "{err:?}");
        let err = parse_lesson(Path::new("x.md"), "---\ntitle: T\n").unwrap_err();
        assert!(err.0[0].message.contains("never closed"));
        let err = parse_lesson(Path::new("x.md"), "no front matter\n").unwrap_err();
        assert!(err.0[0].message.contains("missing front matter"));
        let err = parse_lesson(Path::new("Bad Name.md"), &format!("{FM}x\n")).unwrap_err();
        assert!(err.0[0].message.contains("lowercase"));
    }

    #[test]
    fn spaced_directive_names_and_odd_text_do_not_panic() {
        let l = parse("```{ note }  Été\nbody\n```\n").unwrap();
        assert!(
            matches!(&l.blocks[0].kind, BlockKind::Admonition { title: Some(t), .. } if t == "Été")
        );
        proptest::proptest!(|(body in "(```|~~~|\\{|\\}|:tags:|---|\\+\\+\\+|# |é|\n| |[a-z{}:-]){0,60}")| {
            let _ = parse_lesson(Path::new("x.md"), &format!("{FM}{body}"));
            let _ = parse_lesson(Path::new("x.md"), &body);
        });
    }

    #[test]
    fn unclosed_plain_fence_is_an_error() {
        let err = parse("text\n```rust\nlet a = 1;\n").unwrap_err();
        assert_eq!(err.0[0].line, 9);
        assert!(err.0[0].message.contains("unclosed code fence"));
    }
}
