//! The event-pattern language of Amazon EventBridge, which SNS subscription
//! filter policies share: parse and check a pattern once (refusing bad ones
//! with AWS's own reasons), then match events against it fast.
//!
//! - exact values (`"source": ["shop"]`; a list means any of them), nested
//!   fields, `null` and `""`;
//! - `prefix` / `suffix` (also `{"equals-ignore-case": ...}` inside them),
//!   `equals-ignore-case`, `wildcard` (`*`, with `\*` for a literal star);
//! - `anything-but` (a value, a list of strings or of numbers, or a `prefix`,
//!   `suffix`, `equals-ignore-case` or `wildcard` to exclude);
//! - `numeric` (`["=", 5]`, `[">", 0, "<=", 100]`; numbers in [-5e9, 5e9],
//!   compared to six decimal places), `cidr`, `exists`;
//! - `$or` over objects.
//!
//! Arrays in events are flattened: a field matches when any element does, and
//! the fields of one nested pattern object must come from the same element.
//!
//! ```
//! use cloudlab::pattern::Pattern;
//! use serde_json::json;
//! let big_orders = Pattern::from_value(&json!({
//!     "source": ["shop"],
//!     "detail-type": ["OrderPlaced"],
//!     "detail": {"total": [{"numeric": [">=", 100]}], "region": [{"prefix": "eu-"}]}
//! })).unwrap();
//! let event = json!({"source": "shop", "detail-type": "OrderPlaced",
//!                    "detail": {"total": 250, "region": "eu-west-1"}});
//! assert!(big_orders.matches(&event));
//!
//! let err = Pattern::parse(r#"{"source": "shop"}"#).unwrap_err();
//! assert_eq!(err.reason(), "\"source\" must be an object or an array");
//! ```

mod json;
pub mod naive;
mod parse;
mod set;
mod tree;
mod values;

use std::fmt;

use serde_json::Value;

pub use set::PatternSet;
pub use values::{NUMERIC_LIMIT, comparable};

/// A checked, compiled event pattern.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub(crate) root: tree::Obj,
    value: Value,
    text: String,
}

/// Why a pattern was refused: AWS's reason and where in the text it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError(json::Located);

impl PatternError {
    /// The reason alone, e.g. `Unrecognized match type contains`.
    pub fn reason(&self) -> &str {
        &self.0.reason
    }

    /// 1-based line and column the pattern reader had reached.
    pub fn position(&self) -> (usize, usize) {
        (self.0.line, self.0.column)
    }

    /// The message EventBridge gives with `InvalidEventPatternException`.
    pub fn eventbridge_message(&self) -> String {
        format!("Event pattern is not valid. Reason: {}", self.0)
    }
}

impl fmt::Display for PatternError {
    /// The reason followed by Jackson's location, as AWS prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for PatternError {}

impl Pattern {
    /// Parses and checks pattern text.
    ///
    /// ```
    /// use cloudlab::pattern::Pattern;
    /// let e = Pattern::parse(r#"{"detail": {"n": [{"numeric": [">", 10, ">", 5]}]}}"#).unwrap_err();
    /// assert_eq!(e.reason(), "Bad numeric range operator: >");
    /// ```
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let parsed = parse::parse(text).map_err(PatternError)?;
        Ok(Pattern {
            root: parsed.root,
            value: parsed.value,
            text: text.to_string(),
        })
    }

    /// Parses and checks a pattern given as JSON.
    pub fn from_value(pattern: &Value) -> Result<Pattern, PatternError> {
        Pattern::parse(&pattern.to_string())
    }

    /// Whether `event` (a JSON object) matches.
    pub fn matches(&self, event: &Value) -> bool {
        self.root.matches(event)
    }

    /// The pattern as JSON.
    pub fn as_value(&self) -> &Value {
        &self.value
    }

    /// The pattern text as given.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests;
