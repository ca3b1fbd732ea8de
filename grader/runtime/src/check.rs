//! Assertions for scenarios. Each returns `Err(Fail)` carrying what was
//! checked, the expected value and the actual one, so reports can show a diff;
//! use `?` to stop the scenario at the first failure.
//!
//! Never use `assert!` in hidden scenarios: its message quotes the source.

use std::fmt::{Debug, Display};

use serde::Serialize;

use crate::protocol::{Failure, Shown};

/// A failed check (the scenario's `Err`).
#[derive(Clone, Debug, PartialEq)]
pub struct Fail(pub Box<Failure>);

impl Fail {
    /// A failure with a message only.
    pub fn new(what: impl Into<String>) -> Fail {
        Fail(Box::new(Failure {
            what: what.into(),
            expected: None,
            actual: None,
            notes: Vec::new(),
            panic: None,
        }))
    }

    /// Adds the expected value.
    pub fn expected(mut self, value: impl Into<Shown>) -> Fail {
        self.0.expected = Some(value.into());
        self
    }

    /// Adds the actual value.
    pub fn actual(mut self, value: impl Into<Shown>) -> Fail {
        self.0.actual = Some(value.into());
        self
    }
}

/// A shown value: JSON when it serializes, else its `Debug` text.
pub fn shown<T: Serialize + Debug>(value: &T) -> Shown {
    match serde_json::to_value(value) {
        Ok(v) => Shown::Json(v),
        Err(_) => Shown::Text(format!("{value:#?}")),
    }
}

/// `expected == actual`, else a failure showing both.
pub fn eq<T: PartialEq + Serialize + Debug>(
    what: &str,
    expected: T,
    actual: T,
) -> Result<(), Fail> {
    if expected == actual {
        Ok(())
    } else {
        Err(Fail::new(what)
            .expected(shown(&expected))
            .actual(shown(&actual)))
    }
}

/// Two texts are equal, else a failure with a line diff.
pub fn text_eq(what: &str, expected: &str, actual: &str) -> Result<(), Fail> {
    if expected == actual {
        Ok(())
    } else {
        Err(Fail::new(what)
            .expected(Shown::Text(expected.to_string()))
            .actual(Shown::Text(actual.to_string())))
    }
}

/// `condition` holds, else a failure with `what` as the message.
pub fn that(what: &str, condition: bool) -> Result<(), Fail> {
    if condition {
        Ok(())
    } else {
        Err(Fail::new(what))
    }
}

/// `actual` lies in `low..=high`, else a failure showing the range and the value.
pub fn within<T: PartialOrd + Display + Serialize + Debug>(
    what: &str,
    low: T,
    high: T,
    actual: T,
) -> Result<(), Fail> {
    if low <= actual && actual <= high {
        Ok(())
    } else {
        Err(Fail::new(what)
            .expected(Shown::Text(format!("between {low} and {high}")))
            .actual(shown(&actual)))
    }
}

/// The `Ok` value, else a failure showing the error.
pub fn ok<T, E: Debug>(what: &str, result: Result<T, E>) -> Result<T, Fail> {
    result.map_err(|e| {
        Fail::new(what)
            .expected(Shown::Text("Ok(..)".into()))
            .actual(Shown::Text(format!("Err({e:?})")))
    })
}

/// The `Some` value, else a failure.
pub fn some<T>(what: &str, option: Option<T>) -> Result<T, Fail> {
    option.ok_or_else(|| {
        Fail::new(what)
            .expected(Shown::Text("Some(..)".into()))
            .actual(Shown::Text("None".into()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn eq_failures_carry_both_values_as_json() {
        let f = eq("orders applied", vec![1, 2], vec![1, 2, 2]).unwrap_err();
        assert_eq!(f.0.what, "orders applied");
        assert_eq!(f.0.expected, Some(Shown::Json(json!([1, 2]))));
        assert_eq!(f.0.actual, Some(Shown::Json(json!([1, 2, 2]))));
        assert!(eq("same", "a", "a").is_ok());
    }

    #[test]
    fn ok_and_some_show_what_came_instead() {
        let f = ok::<(), _>("send", Err("QueueDoesNotExist")).unwrap_err();
        assert_eq!(
            f.0.actual,
            Some(Shown::Text("Err(\"QueueDoesNotExist\")".into()))
        );
        assert_eq!(some("first", Some(3)).unwrap(), 3);
        assert!(some::<u8>("first", None).is_err());
    }

    #[test]
    fn within_reports_the_range() {
        assert!(within("receives", 2, 5, 3).is_ok());
        let f = within("receives", 2, 5, 9).unwrap_err();
        assert_eq!(f.0.expected, Some(Shown::Text("between 2 and 5".into())));
        assert!(that("fine", true).is_ok());
        assert_eq!(that("broken", false).unwrap_err().0.what, "broken");
    }
}
