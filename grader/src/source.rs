//! Checks on a solution's source before it is compiled: it must parse, hold
//! items only, stay inside its contract at compile time and define what the
//! contract asks for.
//!
//! Refused (each with its line): `include!`, `include_str!`, `include_bytes!`,
//! `env!`, `option_env!`, `global_asm!`, `#[path]`, `#[link]`,
//! `#[link_section]`, `#[no_mangle]`, `#[export_name]`, `extern` blocks and
//! `extern crate`, `unsafe` anywhere, and out-of-line `mod name;`. The check
//! walks every token, macro bodies included, so a `macro_rules!` cannot
//! smuggle one in. The compiled module also carries `#![forbid(unsafe_code)]`.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use crate::contract::Contract;

/// One problem in a solution's source, at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceProblem {
    /// Line in the solution (1-based), when known.
    pub line: Option<usize>,
    /// Column (1-based), when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for SourceProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}:{c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

/// How a source failed its checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It does not parse as a file of Rust items.
    Syntax(SourceProblem),
    /// It reaches outside the contract at compile time.
    Forbidden(Vec<SourceProblem>),
    /// It does not define what the contract asks for.
    Contract(Vec<SourceProblem>),
}

impl Refusal {
    /// The problems, in source order.
    pub fn problems(&self) -> Vec<SourceProblem> {
        match self {
            Refusal::Syntax(p) => vec![p.clone()],
            Refusal::Forbidden(ps) | Refusal::Contract(ps) => ps.clone(),
        }
    }

    /// A one-line summary for reports.
    pub fn summary(&self) -> &'static str {
        match self {
            Refusal::Syntax(_) => "syntax error",
            Refusal::Forbidden(_) => "uses something the grader does not allow",
            Refusal::Contract(_) => "does not match the exercise's contract",
        }
    }
}

/// Macros that read the grader's machine at compile time, or emit raw code.
const FORBIDDEN_MACROS: &[&str] = &[
    "include",
    "include_str",
    "include_bytes",
    "env",
    "option_env",
    "global_asm",
    "asm",
    "naked_asm",
];

/// Attributes that change where code comes from or how it links.
const FORBIDDEN_ATTRS: &[&str] = &[
    "path",
    "link",
    "link_name",
    "link_section",
    "no_mangle",
    "export_name",
    "used",
    "global_allocator",
];

/// Runs every check on `source`.
pub fn check(source: &str, contract: &Contract) -> Result<syn::File, Refusal> {
    let file = parse(source)?;
    let forbidden = forbidden_uses(source);
    if !forbidden.is_empty() {
        return Err(Refusal::Forbidden(forbidden));
    }
    let mut problems = items_only(&file);
    problems.extend(contract.check(&file).into_iter().map(|m| SourceProblem {
        line: m.line,
        column: None,
        message: m.message,
    }));
    if problems.is_empty() {
        Ok(file)
    } else {
        Err(Refusal::Contract(problems))
    }
}

/// Parses `source` as a file of items.
pub fn parse(source: &str) -> Result<syn::File, Refusal> {
    syn::parse_file(source).map_err(|e| {
        let start = e.span().start();
        let message = if e.to_string() == "expected item" || e.to_string().starts_with("expected one of") {
            format!(
                "{e}: a solution cell holds items only (fn, struct, enum, impl, const, use ...), no statements"
            )
        } else {
            e.to_string()
        };
        Refusal::Syntax(SourceProblem {
            line: Some(start.line),
            column: Some(start.column + 1),
            message,
        })
    })
}

fn items_only(file: &syn::File) -> Vec<SourceProblem> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.content.is_none() => Some(problem_at(
                m.ident.span(),
                format!("`mod {};` reads another file; write the module inline: `mod {} {{ ... }}`", m.ident, m.ident),
            )),
            syn::Item::ExternCrate(e) => Some(problem_at(
                e.ident.span(),
                "`extern crate` is not allowed: use the crates the exercise provides".into(),
            )),
            syn::Item::Macro(m) if m.ident.is_none() => {
                let name = m.mac.path.segments.last().map(|s| s.ident.to_string());
                (name.as_deref() != Some("macro_rules")).then(|| {
                    problem_at(
                        m.mac.path.segments[0].ident.span(),
                        format!(
                            "a macro call at the top level (`{}!`) is not an item the grader can check; write the items out",
                            name.unwrap_or_default()
                        ),
                    )
                })
            }
            _ => None,
        })
        .collect()
}

fn problem_at(span: proc_macro2::Span, message: String) -> SourceProblem {
    let start = span.start();
    SourceProblem {
        line: Some(start.line),
        column: Some(start.column + 1),
        message,
    }
}

/// Every forbidden token pattern in `source`, macro bodies included.
pub fn forbidden_uses(source: &str) -> Vec<SourceProblem> {
    let Ok(tokens) = source.parse::<TokenStream>() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    scan(tokens, &mut found);
    found.sort_by_key(|p| (p.line, p.column));
    found.dedup();
    found
}

fn scan(tokens: TokenStream, found: &mut Vec<SourceProblem>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                let bang =
                    matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                if name == "unsafe" {
                    found.push(problem_at(
                        ident.span(),
                        "`unsafe` is not allowed in solutions".into(),
                    ));
                } else if name == "extern" {
                    found.push(problem_at(
                        ident.span(),
                        "`extern` (blocks, crates, ABIs) is not allowed in solutions".into(),
                    ));
                } else if bang && FORBIDDEN_MACROS.contains(&name.as_str()) {
                    found.push(problem_at(
                        ident.span(),
                        format!("`{name}!` reads outside the solution at compile time; it is not allowed"),
                    ));
                }
            }
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(problem) = forbidden_attribute(&trees[i + 1..]) {
                    found.push(problem);
                }
            }
            TokenTree::Group(g) => scan(g.stream(), found),
            _ => {}
        }
    }
}

/// `#[name ...]` or `#![name ...]` (also inside `unsafe(...)`), forbidden names only.
fn forbidden_attribute(rest: &[TokenTree]) -> Option<SourceProblem> {
    let group = match rest {
        [TokenTree::Punct(p), TokenTree::Group(g), ..] if p.as_char() == '!' => g,
        [TokenTree::Group(g), ..] => g,
        _ => return None,
    };
    if group.delimiter() != Delimiter::Bracket {
        return None;
    }
    let mut inner = group.stream().into_iter().peekable();
    let mut first = inner.next()?;
    if let TokenTree::Ident(id) = &first
        && id == "unsafe"
        && let Some(TokenTree::Group(g)) = inner.next()
    {
        first = g.stream().into_iter().next()?;
    }
    let TokenTree::Ident(name) = first else {
        return None;
    };
    let text = name.to_string();
    FORBIDDEN_ATTRS.contains(&text.as_str()).then(|| {
        problem_at(
            name.span(),
            format!("the attribute `#[{text}]` is not allowed in solutions"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(src: &str) -> Vec<String> {
        forbidden_uses(src)
            .into_iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn every_escape_hatch_is_refused_with_its_line() {
        let src = r#"const A: &str = include_str!("/etc/passwd");
const B: &[u8] = include_bytes!("x");
include!("other.rs");
const C: &str = env!("HOME");
const D: Option<&str> = option_env!("HOME");
#[path = "x.rs"] mod m;
unsafe extern "C" { fn getpid() -> i32; }
#[link(name = "c")] extern "C" {}
#[unsafe(no_mangle)] pub fn f() {}
#[export_name = "g"] pub fn g() {}
pub fn h() { unsafe { } }
macro_rules! sneaky { () => { include_str!("/etc/shadow") } }
"#;
        let got = messages(src);
        let lines: Vec<&str> = got.iter().map(|m| m.split(':').next().unwrap()).collect();
        for line in 1..=12 {
            assert!(
                lines.contains(&format!("line {line}").as_str()),
                "line {line} not flagged: {got:#?}"
            );
        }
        assert!(got.iter().any(|m| m.contains("`include_str!`")));
        assert!(got.iter().any(|m| m.contains("`#[no_mangle]`")));
        assert!(got.iter().any(|m| m.contains("`#[path]`")));
    }

    #[test]
    fn ordinary_code_passes_even_with_lookalike_names() {
        let src = r#"use std::env as environment;
pub fn env(path: &str) -> String { let include = 1; format!("{path}{include}") }
#[derive(Debug)] pub struct Unsafe;
"#;
        assert_eq!(messages(src), Vec::<String>::new());
    }

    #[test]
    fn statements_at_the_top_level_are_a_syntax_error_that_says_why() {
        let err = parse("use cloudlab::prelude::*;\nlet x = 5;\n").unwrap_err();
        let Refusal::Syntax(p) = err else {
            panic!("{err:?}")
        };
        assert_eq!(p.line, Some(2));
        assert!(p.message.contains("items only"), "{}", p.message);
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let err = parse("fn f() {\n    let x = ;\n}\n").unwrap_err();
        assert_eq!(err.problems()[0].line, Some(2), "{:?}", err.problems());
    }

    #[test]
    fn out_of_line_modules_and_top_level_macro_calls_are_refused() {
        let file = parse("mod helpers;\nprintln!(\"hi\");\nmacro_rules! m { () => {} }\n").unwrap();
        let got = items_only(&file);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].line, Some(1));
        assert_eq!(got[1].line, Some(2));
    }
}
