//! Helpers shared by every service's AWS-shaped face (`<service>/api.rs`).

use serde_json::Value;

use crate::error::{CloudError, CloudResult};

/// An empty JSON object response, for actions that return nothing.
pub fn empty(result: CloudResult<()>) -> CloudResult<Value> {
    result.map(|()| Value::Object(Default::default()))
}

/// The error for an operation a service does not have, naming the closest one.
pub fn unknown_operation(service: &str, operation: &str, known: &[&str]) -> CloudError {
    let hint = closest(operation, known)
        .map(|c| format!(" Did you mean {c}?"))
        .unwrap_or_default();
    CloudError::new(
        "UnknownOperationException",
        format!("The {service} operation '{operation}' does not exist in this sandbox.{hint}"),
    )
}

/// The known name nearest to `word` (case-insensitive edit distance <= 3).
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (distance(&w, &k.to_ascii_lowercase()), *k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_operation() {
        let e = unknown_operation("sqs", "SendMesage", &["SendMessage", "DeleteQueue"]);
        assert_eq!(e.code, "UnknownOperationException");
        assert!(
            e.message.ends_with("Did you mean SendMessage?"),
            "{}",
            e.message
        );
        assert!(closest("Frobnicate", &["SendMessage"]).is_none());
    }
}
