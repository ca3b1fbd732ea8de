//! HTML building blocks for the sandbox's views, and the `evcxr_display`
//! hook that makes a value render as HTML when it ends a notebook cell.
//!
//! Views use inline styles only, so they survive notebook sanitisers and
//! static HTML export alike.

use std::fmt::Write;

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Shortens text to `n` characters with an ellipsis.
pub fn preview(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(n.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

const TABLE: &str = "border-collapse:collapse;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;margin:4px 0";
const TH: &str =
    "text-align:left;padding:3px 8px;border-bottom:2px solid #999;background:#f3f4f6;color:#111";
const TD: &str = "text-align:left;padding:3px 8px;border-bottom:1px solid #ddd;vertical-align:top";

/// A table of text cells, rendered with inline styles.
#[derive(Clone, Debug, Default)]
pub struct Table {
    caption: Option<String>,
    header: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

/// One table cell: escaped text, or trusted HTML from the sandbox itself.
#[derive(Clone, Debug)]
pub enum Cell {
    /// Plain text (escaped when rendered).
    Text(String),
    /// HTML made by the sandbox (not escaped).
    Html(String),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl Table {
    /// A table with these column headings.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        Table {
            caption: None,
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// A caption above the table.
    pub fn caption(mut self, caption: impl Into<String>) -> Table {
        self.caption = Some(caption.into());
        self
    }

    /// Adds a row.
    pub fn row<C: Into<Cell>>(&mut self, cells: impl IntoIterator<Item = C>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as HTML.
    pub fn to_html(&self) -> String {
        let mut h = format!("<table style=\"{TABLE}\">");
        if let Some(c) = &self.caption {
            let _ = write!(
                h,
                "<caption style=\"text-align:left;font-weight:bold;padding:2px 0\">{}</caption>",
                escape(c)
            );
        }
        h.push_str("<thead><tr>");
        for col in &self.header {
            let _ = write!(h, "<th style=\"{TH}\">{}</th>", escape(col));
        }
        h.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            h.push_str("<tr>");
            for cell in row {
                let inner = match cell {
                    Cell::Text(t) => escape(t),
                    Cell::Html(x) => x.clone(),
                };
                let _ = write!(h, "<td style=\"{TD}\">{inner}</td>");
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table>");
        h
    }

    /// The table as plain text, columns aligned (for terminals and `Display`).
    pub fn to_text(&self) -> String {
        let plain = |c: &Cell| match c {
            Cell::Text(t) => t.clone(),
            Cell::Html(x) => strip_tags(x),
        };
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(plain).collect())
            .collect();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(c.chars().count());
                }
            }
        }
        let mut out = String::new();
        if let Some(c) = &self.caption {
            let _ = writeln!(out, "{c}");
        }
        let line = |cells: &[String]| {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{:w$}", c, w = widths.get(i).copied().unwrap_or(0)))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        let _ = writeln!(out, "{}", line(&self.header));
        for r in &rows {
            let _ = writeln!(out, "{}", line(r));
        }
        out
    }
}

/// Removes tags from sandbox-made HTML (for text renderings).
pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A small coloured label, e.g. for message states.
pub fn badge(text: &str, colour: &str) -> String {
    format!(
        "<span style=\"background:{colour};color:#fff;border-radius:3px;padding:0 5px;font-size:11px\">{}</span>",
        escape(text)
    )
}

/// A heading and body wrapped as one block of view HTML.
pub fn section(title: &str, body: &str) -> String {
    format!(
        "<div style=\"font-family:system-ui,sans-serif;margin:6px 0\"><div style=\"font-weight:600;margin-bottom:2px\">{}</div>{body}</div>",
        escape(title)
    )
}

/// Prints HTML in the form evcxr turns into a `text/html` display.
pub fn evcxr_html(html: &str) {
    println!("EVCXR_BEGIN_CONTENT text/html\n{html}\nEVCXR_END_CONTENT");
}

/// Gives a type with a `to_html(&self) -> String` method the `evcxr_display`
/// hook, so the value renders as HTML when it ends a notebook cell.
#[macro_export]
#[doc(hidden)]
macro_rules! display_as_html {
    ($($t:ty),* $(,)?) => {$(
        impl $t {
            /// Renders in a Jupyter notebook (the evcxr display protocol).
            pub fn evcxr_display(&self) {
                $crate::render::evcxr_html(&self.to_html());
            }
        }
    )*};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_previews() {
        assert_eq!(
            escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(preview("abcdef", 4), "abc…");
        assert_eq!(preview("abc", 4), "abc");
    }

    #[test]
    fn tables_render_as_html_and_text() {
        let mut t = Table::new(["id", "body"]).caption("q");
        t.row(["1", "<b>hi</b>"]);
        t.row([Cell::Text("2".into()), Cell::Html(badge("ok", "#080"))]);
        let html = t.to_html();
        assert!(html.contains("&lt;b&gt;hi&lt;/b&gt;"));
        assert!(html.contains("<span"));
        let text = t.to_text();
        assert!(text.contains("id  body"), "{text}");
        assert!(text.contains("2   ok"), "{text}");
    }
}
