//! nbformat outputs (what an executed cell produced) to HTML for the site.

use serde_json::Value;

use crate::html::{escape, strip_ansi};

/// Text of a multiline nbformat string (a string or a list of strings).
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

/// One output as HTML. Rich HTML and SVG from the kernel are included as
/// they are (they come from the sandbox's own views); PNG and JPEG become
/// data URIs so the page needs no other file.
pub fn to_html(output: &Value) -> String {
    match output.get("output_type").and_then(Value::as_str) {
        Some("stream") => {
            let name = output
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("stdout");
            let class = if name == "stderr" { "stderr" } else { "stdout" };
            let text = output.get("text").map(text_of).unwrap_or_default();
            format!(
                "<pre class=\"output {class}\">{}</pre>",
                escape(&strip_ansi(&text))
            )
        }
        Some("display_data") | Some("execute_result") => {
            let Some(data) = output.get("data") else {
                return String::new();
            };
            if let Some(h) = data.get("text/html") {
                format!("<div class=\"output rich\">{}</div>", text_of(h))
            } else if let Some(svg) = data.get("image/svg+xml") {
                format!("<div class=\"output rich\">{}</div>", text_of(svg))
            } else if let Some(png) = data.get("image/png") {
                format!(
                    "<div class=\"output\"><img alt=\"output\" src=\"data:image/png;base64,{}\"></div>",
                    text_of(png).trim()
                )
            } else if let Some(jpeg) = data.get("image/jpeg") {
                format!(
                    "<div class=\"output\"><img alt=\"output\" src=\"data:image/jpeg;base64,{}\"></div>",
                    text_of(jpeg).trim()
                )
            } else if let Some(t) = data.get("text/plain") {
                format!(
                    "<pre class=\"output\">{}</pre>",
                    escape(&strip_ansi(&text_of(t)))
                )
            } else {
                String::new()
            }
        }
        Some("error") => {
            let name = output
                .get("ename")
                .and_then(Value::as_str)
                .unwrap_or("Error");
            let value = output.get("evalue").and_then(Value::as_str).unwrap_or("");
            let tb = output
                .get("traceback")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            let body = if tb.trim().is_empty() {
                format!("{name}: {value}")
            } else {
                tb
            };
            format!(
                "<pre class=\"output error\">{}</pre>",
                escape(&strip_ansi(&body))
            )
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefers_rich_output() {
        let html = to_html(&json!({"output_type": "display_data", "metadata": {},
            "data": {"text/html": ["<b>", "hi</b>"], "text/plain": "hi"}}));
        assert_eq!(html, "<div class=\"output rich\"><b>hi</b></div>");
        let svg = to_html(
            &json!({"output_type": "execute_result", "execution_count": 1, "metadata": {},
            "data": {"image/svg+xml": "<svg></svg>", "text/plain": "x"}}),
        );
        assert!(svg.contains("<svg></svg>"));
        let s = to_html(&json!({"output_type": "stream", "name": "stderr", "text": "<oops>"}));
        assert_eq!(s, "<pre class=\"output stderr\">&lt;oops&gt;</pre>");
        let e = to_html(
            &json!({"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["\u{1b}[31mboom\u{1b}[0m"]}),
        );
        assert_eq!(e, "<pre class=\"output error\">boom</pre>");
    }
}
