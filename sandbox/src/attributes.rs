//! Message attributes, as SQS and SNS share them: typed name/value pairs sent
//! beside a message body, their validation rules and the MD5 digest SQS
//! returns for them.

use std::collections::BTreeMap;

use base64::Engine;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::error::{CloudError, CloudResult};
use crate::rng::HEX;

/// One message attribute value (`DataType` is `String`, `Number` or `Binary`,
/// optionally with a custom suffix such as `String.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValue {
    /// `String`, `Number`, `Binary` (or `String.<custom>` ...).
    pub data_type: String,
    /// The value of a String or Number attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
    /// The value of a Binary attribute, base64 in JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_value: Option<String>,
}

impl AttributeValue {
    /// A `String` attribute.
    pub fn string(v: impl Into<String>) -> AttributeValue {
        AttributeValue {
            data_type: "String".into(),
            string_value: Some(v.into()),
            binary_value: None,
        }
    }

    /// A `Number` attribute.
    pub fn number(v: impl ToString) -> AttributeValue {
        AttributeValue {
            data_type: "Number".into(),
            string_value: Some(v.to_string()),
            binary_value: None,
        }
    }

    /// A `Binary` attribute (stored base64-encoded, as the JSON protocol carries it).
    pub fn binary(bytes: &[u8]) -> AttributeValue {
        AttributeValue {
            data_type: "Binary".into(),
            string_value: None,
            binary_value: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
        }
    }

    /// The base type: `String`, `Number` or `Binary`.
    pub fn base_type(&self) -> &str {
        self.data_type.split('.').next().unwrap_or("")
    }

    /// The value as text (binary values as their base64).
    pub fn as_str(&self) -> &str {
        self.string_value
            .as_deref()
            .or(self.binary_value.as_deref())
            .unwrap_or("")
    }

    fn binary_bytes(&self) -> Vec<u8> {
        self.binary_value
            .as_deref()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .unwrap_or_default()
    }

    /// Bytes this attribute counts toward the message size (name + type + value).
    pub fn size(&self, name: &str) -> usize {
        let value = match self.base_type() {
            "Binary" => self.binary_bytes().len(),
            _ => self.string_value.as_deref().map_or(0, str::len),
        };
        name.len() + self.data_type.len() + value
    }
}

/// Attributes by name (sorted, which is also the order their MD5 uses).
pub type Attributes = BTreeMap<String, AttributeValue>;

/// Checks attribute names, types and values as SQS does. `max` is the most
/// attributes allowed (10 for SQS and SNS).
pub fn validate(attrs: &Attributes, max: usize, code: &'static str) -> CloudResult<()> {
    if attrs.len() > max {
        return Err(CloudError::new(
            code,
            format!(
                "Number of message attributes [{}] exceeds the allowed maximum [{max}].",
                attrs.len()
            ),
        ));
    }
    for (name, value) in attrs {
        validate_name(name, code)?;
        validate_value(name, value, code)?;
    }
    Ok(())
}

fn validate_name(name: &str, code: &'static str) -> CloudResult<()> {
    let bad = |why: &str| {
        Err(CloudError::new(
            code,
            format!("Message attribute name '{name}' is invalid. {why}"),
        ))
    };
    if name.is_empty() || name.len() > 256 {
        return bad("Names must be 1 to 256 characters long.");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return bad(
            "Names can contain only A-Z, a-z, 0-9, underscore (_), hyphen (-) and period (.).",
        );
    }
    if name.starts_with('.') || name.ends_with('.') || name.contains("..") {
        return bad("Names can't start or end with a period or contain two periods in a row.");
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("aws.") || lower.starts_with("amazon.") {
        return bad("The prefixes 'AWS.' and 'Amazon.' are reserved.");
    }
    Ok(())
}

fn validate_value(name: &str, v: &AttributeValue, code: &'static str) -> CloudResult<()> {
    let err = |why: String| Err(CloudError::new(code, why));
    match v.base_type() {
        "String" | "Number" => {
            let Some(s) = &v.string_value else {
                return err(format!(
                    "The message attribute '{name}' with type '{}' must use field 'String'.",
                    v.data_type
                ));
            };
            if v.base_type() == "Number" && !is_number(s) {
                return err(format!(
                    "Can't cast the value of message attribute '{name}' to a number."
                ));
            }
            if s.is_empty() {
                return err(format!(
                    "Message attribute '{name}' must contain a non-empty message attribute value."
                ));
            }
        }
        "Binary" => {
            let ok = v
                .binary_value
                .as_deref()
                .is_some_and(|b| base64::engine::general_purpose::STANDARD.decode(b).is_ok());
            if !ok {
                return err(format!(
                    "The message attribute '{name}' with type 'Binary' must use field 'Binary' with a base64 value."
                ));
            }
        }
        other => {
            return err(format!(
                "The type of message attribute '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String. Got '{other}'."
            ));
        }
    }
    Ok(())
}

/// True for the numbers SQS accepts: optional sign, digits, optional fraction
/// and exponent, at most 38 significant digits.
pub fn is_number(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() || t.parse::<f64>().is_err() || t.contains(['i', 'I', 'n', 'N']) {
        return false;
    }
    t.chars().filter(char::is_ascii_digit).count() <= 38
}

/// MD5 of message attributes, hex, computed as SQS does: attributes sorted by
/// name, each encoded as length-prefixed name, length-prefixed data type, a
/// transport byte (1 string/number, 2 binary) and the length-prefixed value.
pub fn md5_of_attributes(attrs: &Attributes) -> Option<String> {
    if attrs.is_empty() {
        return None;
    }
    let mut h = Md5::new();
    let put = |h: &mut Md5, bytes: &[u8]| {
        h.update((bytes.len() as u32).to_be_bytes());
        h.update(bytes);
    };
    for (name, v) in attrs {
        put(&mut h, name.as_bytes());
        put(&mut h, v.data_type.as_bytes());
        if v.base_type() == "Binary" {
            h.update([2u8]);
            put(&mut h, &v.binary_bytes());
        } else {
            h.update([1u8]);
            put(&mut h, v.string_value.as_deref().unwrap_or("").as_bytes());
        }
    }
    Some(hex(&h.finalize()))
}

/// MD5 of a body, hex (SQS's `MD5OfMessageBody`).
pub fn md5_hex(body: &str) -> String {
    hex(&md5(body))
}

/// MD5 of a body as its 16 raw bytes (stored compactly; [`hex`] renders it).
pub fn md5(body: &str) -> [u8; 16] {
    Md5::digest(body.as_bytes()).into()
}

/// Bytes as lower-case hex, two digits each (every SQS send and receive
/// renders an MD5 this way, so the digits go into one buffer sized up front).
pub fn hex(bytes: &[u8]) -> String {
    let mut digits = Vec::with_capacity(bytes.len() * 2);
    for b in bytes {
        digits.extend_from_slice(&[HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
    }
    String::from_utf8(digits).expect("hex digits are ASCII")
}

/// Total bytes attributes add to a message's size.
pub fn size(attrs: &Attributes) -> usize {
    attrs.iter().map(|(n, v)| v.size(n)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_of_body_matches_known_digest() {
        assert_eq!(md5_hex("hello"), "5d41402abc4b2a76b9719d911017c592");
    }

    #[test]
    fn md5_of_attributes_matches_the_documented_algorithm() {
        // Reference computed by hand from the encoding SQS documents:
        // len("k")|"k"|len("String")|"String"|0x01|len("v")|"v".
        let mut attrs = Attributes::new();
        attrs.insert("k".into(), AttributeValue::string("v"));
        let mut bytes = Vec::new();
        for part in [&b"k"[..], b"String"] {
            bytes.extend((part.len() as u32).to_be_bytes());
            bytes.extend(part);
        }
        bytes.push(1);
        bytes.extend(1u32.to_be_bytes());
        bytes.extend(b"v");
        assert_eq!(
            md5_of_attributes(&attrs).unwrap(),
            hex(&Md5::digest(&bytes))
        );
        assert!(md5_of_attributes(&Attributes::new()).is_none());
    }

    #[test]
    fn validates_names_types_and_numbers() {
        let ok = |n: &str, v: AttributeValue| {
            let mut a = Attributes::new();
            a.insert(n.into(), v);
            validate(&a, 10, "InvalidParameterValue")
        };
        assert!(ok("order.kind", AttributeValue::string("x")).is_ok());
        assert!(ok("AWS.thing", AttributeValue::string("x")).is_err());
        assert!(ok("a..b", AttributeValue::string("x")).is_err());
        assert!(ok("sp ace", AttributeValue::string("x")).is_err());
        assert!(ok("n", AttributeValue::number(12.5)).is_ok());
        assert!(ok("n", AttributeValue::number("twelve")).is_err());
        assert!(ok("b", AttributeValue::binary(b"\x00\x01")).is_ok());
        let mut bad = AttributeValue::string("x");
        bad.data_type = "Blob".into();
        assert!(ok("t", bad).is_err());
        let many: Attributes = (0..11)
            .map(|i| (format!("a{i}"), AttributeValue::string("x")))
            .collect();
        assert!(
            validate(&many, 10, "X")
                .unwrap_err()
                .message
                .contains("[11]")
        );
    }
}
