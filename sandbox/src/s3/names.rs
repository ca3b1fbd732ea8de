//! AWS's naming rules for general purpose buckets and object keys.

use super::quotas::{BUCKET_NAME_MAX, BUCKET_NAME_MIN, MAX_KEY_BYTES};
use crate::error::{CloudError, CloudResult};

/// Prefixes AWS reserves for its own bucket names.
const RESERVED_PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];
/// Suffixes AWS reserves (access point aliases, Multi-Region Access Points,
/// directory and table buckets).
const RESERVED_SUFFIXES: &[&str] = &["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/// Why a bucket name breaks the rules, or `None` when it follows them.
///
/// ```
/// use cloudlab::s3::names::bucket_name_problem;
/// assert!(bucket_name_problem("my-photos.2026").is_none());
/// assert!(bucket_name_problem("My_Photos").is_some());
/// assert!(bucket_name_problem("192.168.5.4").is_some());
/// ```
pub fn bucket_name_problem(name: &str) -> Option<String> {
    let len = name.len();
    if !(BUCKET_NAME_MIN..=BUCKET_NAME_MAX).contains(&len) {
        return Some(format!(
            "a bucket name must be {BUCKET_NAME_MIN} to {BUCKET_NAME_MAX} characters long (got {len})"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Some(format!(
            "a bucket name may hold only lowercase letters, digits, dots and hyphens (found {c:?})"
        ));
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        return Some("a bucket name must begin and end with a letter or digit".into());
    }
    if name.contains("..") {
        return Some("a bucket name must not contain two adjacent periods".into());
    }
    if looks_like_ip(name) {
        return Some("a bucket name must not be formatted as an IP address".into());
    }
    if let Some(p) = RESERVED_PREFIXES.iter().find(|p| name.starts_with(**p)) {
        return Some(format!("the prefix {p} is reserved"));
    }
    if let Some(s) = RESERVED_SUFFIXES.iter().find(|s| name.ends_with(**s)) {
        return Some(format!("the suffix {s} is reserved"));
    }
    None
}

fn looks_like_ip(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks a bucket name; `InvalidBucketName` says which rule it breaks.
pub fn check_bucket_name(name: &str) -> CloudResult<()> {
    match bucket_name_problem(name) {
        None => Ok(()),
        Some(why) => Err(CloudError::new(
            "InvalidBucketName",
            format!("The specified bucket is not valid: '{name}': {why}."),
        )),
    }
}

/// Checks an object key: 1 to 1,024 bytes.
pub fn check_key(key: &str) -> CloudResult<()> {
    if key.is_empty() {
        return Err(CloudError::new(
            "InvalidArgument",
            "An object key must be at least 1 character long (Key).",
        ));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(CloudError::new(
            "KeyTooLongError",
            format!(
                "Your key is too long: {} bytes; the maximum is {MAX_KEY_BYTES}.",
                key.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rules_from_the_user_guide() {
        for ok in [
            "abc",
            "my-bucket",
            "docexamplebucket1",
            "log.archive.2026",
            "a1b",
        ] {
            assert!(bucket_name_problem(ok).is_none(), "{ok}");
        }
        for bad in [
            "ab",
            "doc_example_bucket",
            "DocExampleBucket",
            "-leading",
            "trailing-",
            "two..dots",
            "192.168.5.4",
            "xn--bucket",
            "sthree-bucket",
            "amzn-s3-demo-bucket",
            "bucket-s3alias",
            "bucket--ol-s3",
            "b.mrap",
        ] {
            assert!(bucket_name_problem(bad).is_some(), "{bad}");
        }
        assert!(bucket_name_problem(&"a".repeat(63)).is_none());
        assert!(bucket_name_problem(&"a".repeat(64)).is_some());
    }

    #[test]
    fn errors_carry_the_code_and_the_rule() {
        let e = check_bucket_name("Bad_Name").unwrap_err();
        assert_eq!(e.code, "InvalidBucketName");
        assert!(e.message.contains("lowercase"), "{}", e.message);
        assert_eq!(check_key("").unwrap_err().code, "InvalidArgument");
        assert_eq!(
            check_key(&"k".repeat(1025)).unwrap_err().code,
            "KeyTooLongError"
        );
        assert!(check_key(&"k".repeat(1024)).is_ok());
    }

    proptest! {
        #[test]
        fn valid_names_are_lowercase_dns_labels(name in "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]") {
            let problem = bucket_name_problem(&name);
            let expect_bad = name.contains("..")
                || looks_like_ip(&name)
                || RESERVED_PREFIXES.iter().any(|p| name.starts_with(p))
                || RESERVED_SUFFIXES.iter().any(|s| name.ends_with(s));
            prop_assert_eq!(problem.is_some(), expect_bad, "{}", name);
        }

        #[test]
        fn never_panics(name in ".{0,80}") {
            let _ = bucket_name_problem(&name);
        }
    }
}
