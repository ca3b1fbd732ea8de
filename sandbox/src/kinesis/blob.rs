//! `Blob`: the bytes of a record. The JSON face carries them as base64, as
//! the AWS API does; the typed face takes text, bytes or JSON values.

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A record's data: immutable bytes, cheap to clone.
///
/// ```
/// use cloudlab::kinesis::Blob;
/// use serde_json::json;
/// let b = Blob::from(json!({"click": 1}));
/// assert_eq!(b.text(), r#"{"click":1}"#);
/// assert_eq!(b.json().unwrap()["click"], 1);
/// assert_eq!(serde_json::to_value(&Blob::from("hi")).unwrap(), json!("aGk="));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Blob(pub(crate) Arc<[u8]>);

impl Blob {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for zero bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The bytes as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// The bytes parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.0)
    }

    /// The bytes as base64, as the API carries them.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.0)
    }

    /// Decodes base64 text.
    pub fn from_base64(text: &str) -> Option<Blob> {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()
            .map(Blob::from)
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(s) => write!(f, "Blob({s:?})"),
            Err(_) => write!(f, "Blob({} bytes)", self.0.len()),
        }
    }
}

impl From<&str> for Blob {
    fn from(s: &str) -> Blob {
        Blob(Arc::from(s.as_bytes()))
    }
}

impl From<String> for Blob {
    fn from(s: String) -> Blob {
        Blob(Arc::from(s.into_bytes()))
    }
}

impl From<&String> for Blob {
    fn from(s: &String) -> Blob {
        Blob::from(s.as_str())
    }
}

impl From<Vec<u8>> for Blob {
    fn from(b: Vec<u8>) -> Blob {
        Blob(Arc::from(b))
    }
}

impl From<&[u8]> for Blob {
    fn from(b: &[u8]) -> Blob {
        Blob(Arc::from(b))
    }
}

impl From<serde_json::Value> for Blob {
    /// A string as its text; anything else as its JSON text.
    fn from(v: serde_json::Value) -> Blob {
        match v {
            serde_json::Value::String(s) => Blob::from(s),
            other => Blob::from(other.to_string()),
        }
    }
}

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Blob, D::Error> {
        struct B64;
        impl Visitor<'_> for B64 {
            type Value = Blob;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64-encoded string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Blob, E> {
                Blob::from_base64(v).ok_or_else(|| E::custom("the data is not valid base64"))
            }
        }
        d.deserialize_str(B64)
    }
}
