//! `is_complete_request`: is a cell ready to run, or does it need more lines?
//!
//! A small Rust lexer that tracks brackets, strings (including raw and byte
//! strings), char literals versus lifetimes, and nested block comments. It
//! never compiles anything, so console front ends get an answer at once.

/// The verdict for one piece of code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completeness {
    /// Balanced: ready to run.
    Complete,
    /// Something is still open; the next line should be indented like this.
    Incomplete(String),
    /// A closing bracket that matches nothing: running it can only fail.
    Invalid,
}

/// Decides whether `code` is complete.
///
/// ```
/// use cloudlab_kernel::is_complete::{check, Completeness};
/// assert_eq!(check("let x = 1;"), Completeness::Complete);
/// assert_eq!(check("fn f() {"), Completeness::Incomplete("    ".into()));
/// assert_eq!(check("let s = \"open"), Completeness::Incomplete(String::new()));
/// assert_eq!(check("}"), Completeness::Invalid);
/// ```
pub fn check(code: &str) -> Completeness {
    let mut lexer = Lexer::new(code);
    lexer.run();
    if lexer.mismatched {
        Completeness::Invalid
    } else if lexer.in_literal {
        Completeness::Incomplete(String::new())
    } else if !lexer.stack.is_empty() {
        Completeness::Incomplete("    ".repeat(lexer.stack.len()))
    } else {
        Completeness::Complete
    }
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    src: &'a str,
    stack: Vec<char>,
    mismatched: bool,
    in_literal: bool,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Self {
        Lexer {
            chars: src.char_indices().peekable(),
            src,
            stack: Vec::new(),
            mismatched: false,
            in_literal: false,
        }
    }

    fn run(&mut self) {
        while let Some((i, c)) = self.chars.next() {
            match c {
                '(' | '[' | '{' => self.stack.push(c),
                ')' | ']' | '}' => {
                    let open = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    if self.stack.pop() != Some(open) {
                        self.mismatched = true;
                        return;
                    }
                }
                '/' => self.slash(),
                '"' => self.string(),
                '\'' => self.quote(),
                'r' | 'b' | 'c' if self.starts_ident(i) => self.prefixed(c),
                _ if c.is_alphanumeric() || c == '_' => self.skip_ident(),
                _ => {}
            }
            if self.in_literal {
                return;
            }
        }
    }

    /// Whether the character at byte `i` begins an identifier (not inside one).
    fn starts_ident(&self, i: usize) -> bool {
        !self.src[..i]
            .chars()
            .next_back()
            .is_some_and(|p| p.is_alphanumeric() || p == '_')
    }

    fn skip_ident(&mut self) {
        while self
            .chars
            .next_if(|(_, c)| c.is_alphanumeric() || *c == '_')
            .is_some()
        {}
    }

    fn slash(&mut self) {
        match self.chars.peek().map(|(_, c)| *c) {
            Some('/') => while self.chars.next_if(|(_, c)| *c != '\n').is_some() {},
            Some('*') => {
                self.chars.next();
                let mut depth = 1;
                while depth > 0 {
                    match self.chars.next().map(|(_, c)| c) {
                        Some('*') if self.chars.next_if(|(_, c)| *c == '/').is_some() => depth -= 1,
                        Some('/') if self.chars.next_if(|(_, c)| *c == '*').is_some() => depth += 1,
                        Some(_) => {}
                        None => {
                            self.in_literal = true;
                            return;
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// A `"..."` string with escapes; the opening quote is consumed.
    fn string(&mut self) {
        loop {
            match self.chars.next().map(|(_, c)| c) {
                Some('\\') => {
                    self.chars.next();
                }
                Some('"') => return,
                Some(_) => {}
                None => {
                    self.in_literal = true;
                    return;
                }
            }
        }
    }

    /// `'x'`, `'\n'`, `'\u{1F600}'` or a lifetime `'a`; the quote is consumed.
    fn quote(&mut self) {
        let rest: String = self.chars.clone().take(12).map(|(_, c)| c).collect();
        let mut it = rest.chars();
        match it.next() {
            Some('\\') => {
                // An escaped char literal: skip the escape, then to the closing quote.
                self.chars.next();
                self.chars.next();
                for (_, c) in self.chars.by_ref() {
                    if c == '\'' || c == '\n' {
                        return;
                    }
                }
            }
            Some(_) if it.next() == Some('\'') => {
                self.chars.next();
                self.chars.next();
            }
            _ => {} // a lifetime or label: nothing to skip
        }
    }

    /// `r"..."`, `r#"..."#`, `b"..."`, `br"..."`, `b'x'`, `c"..."`, or just an identifier.
    fn prefixed(&mut self, first: char) {
        let mut raw = first == 'r';
        if first != 'r' && self.chars.next_if(|(_, c)| *c == 'r').is_some() {
            raw = true;
        }
        if raw {
            let mut hashes = 0;
            while self.chars.next_if(|(_, c)| *c == '#').is_some() {
                hashes += 1;
            }
            if self.chars.next_if(|(_, c)| *c == '"').is_some() {
                self.raw_string(hashes);
            } else {
                self.skip_ident();
            }
        } else if self.chars.next_if(|(_, c)| *c == '"').is_some() {
            self.string();
        } else if first == 'b' && self.chars.next_if(|(_, c)| *c == '\'').is_some() {
            self.quote();
        } else {
            self.skip_ident();
        }
    }

    fn raw_string(&mut self, hashes: usize) {
        while let Some((_, c)) = self.chars.next() {
            if c == '"' {
                let mut closing = 0;
                while closing < hashes && self.chars.next_if(|(_, c)| *c == '#').is_some() {
                    closing += 1;
                }
                if closing == hashes {
                    return;
                }
            }
        }
        self.in_literal = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Completeness::*;

    #[test]
    fn balanced_code_is_complete() {
        for code in [
            "",
            "1 + 1",
            "fn f() -> u32 { 1 }",
            "let v = vec![(1, 2), (3, 4)];",
            ":dep serde",
            "let s = \"a { b\";",
            "let c = '{';",
            "let c = '\\'';",
            "let c = b'[';",
            "fn f<'a>(x: &'a str) -> &'a str { x }",
            "let r = r#\"a \" } \"#;",
            "let r = br\"{\";",
            "// a comment with {\nlet x = 1;",
            "/* nested /* { */ */ let y = 2;",
            "'outer: loop { break 'outer; }",
            "let bar = 1; let br = 2; let rb = 3;",
        ] {
            assert_eq!(check(code), Complete, "{code:?}");
        }
    }

    #[test]
    fn open_brackets_ask_for_more_with_indent() {
        assert_eq!(check("fn f() {"), Incomplete("    ".into()));
        assert_eq!(check("let v = vec![\n  (1,"), Incomplete("        ".into()));
        assert_eq!(check("if x {\n  match y {"), Incomplete("        ".into()));
    }

    #[test]
    fn open_literals_and_comments_ask_for_more() {
        assert_eq!(check("let s = \"abc"), Incomplete(String::new()));
        assert_eq!(check("let s = r#\"abc\""), Incomplete(String::new()));
        assert_eq!(check("/* comment"), Incomplete(String::new()));
        assert_eq!(check("let s = \"esc \\\""), Incomplete(String::new()));
    }

    #[test]
    fn stray_closers_are_invalid() {
        assert_eq!(check("}"), Invalid);
        assert_eq!(check("let x = (1];"), Invalid);
        assert_eq!(check("fn f() { ) }"), Invalid);
    }
}
