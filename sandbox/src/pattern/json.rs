//! A small pull reader for pattern JSON that knows where it is, so errors can
//! say "line 1, column 21" the way AWS's pattern compiler (Jackson) does.
//!
//! It reads one JSON document token by token, keeping the source text of
//! numbers (AWS compares `5` and `5.0` numerically but an account number such
//! as `123456789012` as text) and the location just after each token.

use std::fmt;

/// One JSON token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Token {
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    /// An object member's name (its colon already read).
    Name(String),
    Str(String),
    /// A number: its text as written.
    Num(String),
    True,
    False,
    Null,
}

impl Token {
    /// The token as Jackson's `getText()` shows it in messages.
    pub fn text(&self) -> String {
        match self {
            Token::StartObject => "{".into(),
            Token::EndObject => "}".into(),
            Token::StartArray => "[".into(),
            Token::EndArray => "]".into(),
            Token::Name(s) | Token::Str(s) | Token::Num(s) => s.clone(),
            Token::True => "true".into(),
            Token::False => "false".into(),
            Token::Null => "null".into(),
        }
    }
}

/// A syntax or pattern error at a place in the source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// What is wrong, in AWS's words.
    pub reason: String,
    /// 1-based line of the place the reader had reached.
    pub line: usize,
    /// 1-based column (in characters) of that place.
    pub column: usize,
    source: String,
}

impl Located {
    /// Jackson's location suffix: `[Source: (String)"..."; line: 1, column: 21]`.
    pub fn location(&self) -> String {
        const MAX: usize = 500;
        let count = self.source.chars().count();
        let shown: String = self.source.chars().take(MAX).collect();
        let truncated = if count > MAX {
            format!("[truncated {} chars]", count - MAX)
        } else {
            String::new()
        };
        format!(
            "[Source: (String)\"{shown}\"{truncated}; line: {}, column: {}]",
            self.line, self.column
        )
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n at {}", self.reason, self.location())
    }
}

/// Where the reader is inside a container, and what it expects next.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Frame {
    /// Expecting a member name (or `}` when `first`).
    ObjectName { first: bool },
    /// A name was read: expecting its value.
    ObjectValue,
    /// A member is complete: expecting `,` or `}`.
    ObjectNext,
    /// Expecting an element (or `]` when `first`).
    ArrayValue { first: bool },
    /// An element is complete: expecting `,` or `]`.
    ArrayNext,
}

const EXPECTED_VALUE: &str = "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/// Reads tokens from JSON text.
pub(crate) struct Reader<'a> {
    text: &'a str,
    chars: Vec<char>,
    pos: usize,
    stack: Vec<Frame>,
    started: bool,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            chars: text.chars().collect(),
            pos: 0,
            stack: Vec::new(),
            started: false,
        }
    }

    /// An error at the reader's current place.
    pub fn error(&self, reason: impl Into<String>) -> Located {
        let before = &self.chars[..self.pos.min(self.chars.len())];
        let line = 1 + before.iter().filter(|&&c| c == '\n').count();
        let line_start = before.iter().rposition(|&c| c == '\n').map_or(0, |i| i + 1);
        Located {
            reason: reason.into(),
            line,
            column: self.pos - line_start + 1,
            source: self.text.to_string(),
        }
    }

    fn peek(&mut self) -> Option<char> {
        while self
            .chars
            .get(self.pos)
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            self.pos += 1;
        }
        self.chars.get(self.pos).copied()
    }

    fn unexpected(&self, c: char, expecting: &str) -> Located {
        self.error(format!(
            "Unexpected character ('{c}' (code {})): {expecting}",
            c as u32
        ))
    }

    fn eof(&self) -> Located {
        self.error(match self.stack.last() {
            None => "No content to map due to end-of-input",
            Some(Frame::ArrayValue { .. } | Frame::ArrayNext) => {
                "Unexpected end-of-input: expected close marker for Array"
            }
            Some(_) => "Unexpected end-of-input: expected close marker for Object",
        })
    }

    fn set_top(&mut self, frame: Frame) {
        if let Some(top) = self.stack.last_mut() {
            *top = frame;
        }
    }

    /// The frame to return to once a value in the current container is done.
    fn value_done(&mut self) {
        match self.stack.last() {
            Some(Frame::ObjectValue) => self.set_top(Frame::ObjectNext),
            Some(Frame::ArrayValue { .. }) => self.set_top(Frame::ArrayNext),
            _ => {}
        }
    }

    /// The next token, or `None` once the document is complete.
    pub fn next_token(&mut self) -> Result<Option<Token>, Located> {
        let Some(frame) = self.stack.last().copied() else {
            if self.started {
                return match self.peek() {
                    None => Ok(None),
                    Some(c) => Err(self.unexpected(c, "expected end-of-input")),
                };
            }
            self.started = true;
            return self.value().map(Some);
        };
        let Some(c) = self.peek() else {
            return Err(self.eof());
        };
        match frame {
            Frame::ObjectName { first } => {
                if c == '}' && first {
                    return Ok(Some(self.close(Token::EndObject)));
                }
                if c != '"' {
                    return Err(
                        self.unexpected(c, "was expecting double-quote to start field name")
                    );
                }
                self.pos += 1;
                let name = self.string()?;
                match self.peek() {
                    Some(':') => self.pos += 1,
                    Some(c) => {
                        return Err(self.unexpected(
                            c,
                            "was expecting a colon to separate field name and value",
                        ));
                    }
                    None => return Err(self.eof()),
                }
                self.set_top(Frame::ObjectValue);
                Ok(Some(Token::Name(name)))
            }
            Frame::ObjectValue | Frame::ArrayValue { first: false } => self.value().map(Some),
            Frame::ArrayValue { first: true } => {
                if c == ']' {
                    return Ok(Some(self.close(Token::EndArray)));
                }
                self.value().map(Some)
            }
            Frame::ObjectNext => match c {
                ',' => {
                    self.pos += 1;
                    self.set_top(Frame::ObjectName { first: false });
                    self.next_token()
                }
                '}' => Ok(Some(self.close(Token::EndObject))),
                c => Err(self.unexpected(c, "was expecting comma to separate Object entries")),
            },
            Frame::ArrayNext => match c {
                ',' => {
                    self.pos += 1;
                    self.set_top(Frame::ArrayValue { first: false });
                    self.next_token()
                }
                ']' => Ok(Some(self.close(Token::EndArray))),
                c => Err(self.unexpected(c, "was expecting comma to separate Array entries")),
            },
        }
    }

    /// Consumes a closing bracket and pops its container.
    fn close(&mut self, token: Token) -> Token {
        self.pos += 1;
        self.stack.pop();
        self.value_done();
        token
    }

    /// Reads a value at the current place (whitespace already skipped).
    fn value(&mut self) -> Result<Token, Located> {
        let Some(c) = self.peek() else {
            return Err(self.eof());
        };
        let token = match c {
            '{' => {
                self.pos += 1;
                self.value_done();
                self.stack.push(Frame::ObjectName { first: true });
                return Ok(Token::StartObject);
            }
            '[' => {
                self.pos += 1;
                self.value_done();
                self.stack.push(Frame::ArrayValue { first: true });
                return Ok(Token::StartArray);
            }
            '"' => {
                self.pos += 1;
                Token::Str(self.string()?)
            }
            '-' | '0'..='9' => Token::Num(self.number()?),
            c if c.is_alphabetic() => self.word()?,
            c => return Err(self.unexpected(c, EXPECTED_VALUE)),
        };
        self.value_done();
        Ok(token)
    }

    fn word(&mut self) -> Result<Token, Located> {
        let start = self.pos;
        while self
            .chars
            .get(self.pos)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        {
            self.pos += 1;
        }
        let word: String = self.chars[start..self.pos].iter().collect();
        match word.as_str() {
            "true" => Ok(Token::True),
            "false" => Ok(Token::False),
            "null" => Ok(Token::Null),
            _ => Err(self.error(format!(
                "Unrecognized token '{word}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
            ))),
        }
    }

    fn number(&mut self) -> Result<String, Located> {
        let start = self.pos;
        let at = |r: &Self, i: usize| r.chars.get(i).copied();
        if at(self, self.pos) == Some('-') {
            self.pos += 1;
        }
        let digits = |r: &mut Self| {
            let s = r.pos;
            while at(r, r.pos).is_some_and(|c| c.is_ascii_digit()) {
                r.pos += 1;
            }
            r.pos - s
        };
        let int_start = self.pos;
        let n = digits(self);
        if n == 0 {
            let c = at(self, self.pos).unwrap_or(' ');
            return Err(self.error(format!(
                "Unexpected character ('{c}' (code {})) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value",
                c as u32
            )));
        }
        if n > 1 && self.chars[int_start] == '0' {
            return Err(self.error("Invalid numeric value: Leading zeroes not allowed"));
        }
        if at(self, self.pos) == Some('.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error(
                    "Unexpected character in numeric value: Decimal point not followed by a digit",
                ));
            }
        }
        if matches!(at(self, self.pos), Some('e' | 'E')) {
            self.pos += 1;
            if matches!(at(self, self.pos), Some('+' | '-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error(
                    "Unexpected character in numeric value: Exponent indicator not followed by a digit",
                ));
            }
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        if !text.parse::<f64>().is_ok_and(f64::is_finite) {
            return Err(self.error(format!("Numeric value ({text}) out of range of double")));
        }
        Ok(text)
    }

    /// Reads a string body (the opening quote already consumed).
    fn string(&mut self) -> Result<String, Located> {
        let mut out = String::new();
        loop {
            let Some(c) = self.chars.get(self.pos).copied() else {
                return Err(self.error(
                    "Unexpected end-of-input: was expecting closing quote for a string value",
                ));
            };
            self.pos += 1;
            match c {
                '"' => return Ok(out),
                '\\' => out.push(self.escape()?),
                c if (c as u32) < 0x20 => {
                    return Err(self.error(format!(
                        "Illegal unquoted character ((CTRL-CHAR, code {})): has to be escaped using backslash to be included in string value",
                        c as u32
                    )));
                }
                c => out.push(c),
            }
        }
    }

    fn escape(&mut self) -> Result<char, Located> {
        let Some(c) = self.chars.get(self.pos).copied() else {
            return Err(self.error("Unexpected end-of-input in character escape sequence"));
        };
        self.pos += 1;
        Ok(match c {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi)
                    && self.chars.get(self.pos) == Some(&'\\')
                    && self.chars.get(self.pos + 1) == Some(&'u')
                {
                    self.pos += 2;
                    let lo = self.hex4()?;
                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                    char::from_u32(code).unwrap_or('\u{FFFD}')
                } else {
                    char::from_u32(hi).unwrap_or('\u{FFFD}')
                }
            }
            c => {
                return Err(self.error(format!(
                    "Unrecognized character escape '{c}' (code {})",
                    c as u32
                )));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, Located> {
        let mut v = 0;
        for _ in 0..4 {
            let Some(d) = self.chars.get(self.pos).and_then(|c| c.to_digit(16)) else {
                return Err(self.error(
                    "Unexpected character: expected a hex-digit for character escape sequence",
                ));
            };
            self.pos += 1;
            v = v * 16 + d;
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Result<Vec<Token>, Located> {
        let mut r = Reader::new(text);
        let mut out = Vec::new();
        while let Some(t) = r.next_token()? {
            out.push(t);
        }
        Ok(out)
    }

    #[test]
    fn reads_a_document() {
        use Token::*;
        let got = tokens(r#" {"a": [1, "x", true, null, {"b": -2.5e3}], "c": {}} "#).unwrap();
        assert_eq!(
            got,
            vec![
                StartObject,
                Name("a".into()),
                StartArray,
                Num("1".into()),
                Str("x".into()),
                True,
                Null,
                StartObject,
                Name("b".into()),
                Num("-2.5e3".into()),
                EndObject,
                EndArray,
                Name("c".into()),
                StartObject,
                EndObject,
                EndObject,
            ]
        );
    }

    #[test]
    fn escapes_decode() {
        let got = tokens(r#"["a\"b\\\u00e9\ud83d\ude00\n"]"#).unwrap();
        assert_eq!(got[1], Token::Str("a\"b\\é😀\n".into()));
    }

    #[test]
    fn syntax_errors_say_where() {
        let e = tokens(r#"{"a": [1,]}"#).unwrap_err();
        assert!(
            e.reason.starts_with("Unexpected character (']' (code 93))"),
            "{}",
            e.reason
        );
        assert_eq!((e.line, e.column), (1, 10));
        let e = tokens("{\n \"a\" 1}").unwrap_err();
        assert!(e.reason.contains("colon"), "{}", e.reason);
        assert_eq!(e.line, 2);
        let e = tokens(r#"{"a": nope}"#).unwrap_err();
        assert!(
            e.reason.starts_with("Unrecognized token 'nope'"),
            "{}",
            e.reason
        );
        let e = tokens(r#"{"a": [1"#).unwrap_err();
        assert!(e.reason.contains("close marker for Array"), "{}", e.reason);
        let e = tokens(r#"{"a": 01}"#).unwrap_err();
        assert!(e.reason.contains("Leading zeroes"), "{}", e.reason);
        assert!(tokens("{} x").is_err());
        assert!(tokens("").is_err());
    }

    #[test]
    fn location_shows_the_source() {
        let e = tokens(r#"{"a" 1}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value\n at [Source: (String)\"{\"a\" 1}\"; line: 1, column: 6]"
        );
    }
}
