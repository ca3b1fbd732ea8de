//! A tiny XML writer: just what the query and REST-XML responses need
//! (elements, escaped text, one namespace attribute).

use serde_json::Value;

/// Escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// Builds an XML document element by element.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    /// A document with the XML declaration.
    pub fn new() -> Writer {
        Writer {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        }
    }

    /// `<name xmlns="ns">`.
    pub fn open_ns(&mut self, name: &str, ns: &str) -> &mut Writer {
        self.out
            .push_str(&format!("<{name} xmlns=\"{}\">", escape(ns)));
        self
    }

    /// `<name>`.
    pub fn open(&mut self, name: &str) -> &mut Writer {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `</name>`.
    pub fn close(&mut self, name: &str) -> &mut Writer {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `<name>text</name>`, escaped.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Writer {
        self.open(name);
        self.out.push_str(&escape(text));
        self.close(name)
    }

    /// The document so far.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A JSON scalar as XML text (`true`, `42`, the string itself).
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn writes_nested_elements() {
        let mut w = Writer::new();
        w.open_ns("R", "urn:x").leaf("Id", "1<2").close("R");
        assert!(
            w.finish()
                .ends_with("<R xmlns=\"urn:x\"><Id>1&lt;2</Id></R>")
        );
    }
}
