//! Markdown to HTML for the site (pulldown-cmark, code blocks highlighted),
//! and the local files (images) prose refers to.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd, html};

use crate::highlight::Highlighter;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
}

/// Renders CommonMark (with tables) to HTML; fenced code is highlighted.
pub fn to_html(markdown: &str, hl: &Highlighter) -> String {
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    for ev in Parser::new_ext(markdown, options()) {
        match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Text(t) if code.is_some() => {
                if let Some((_, buf)) = code.as_mut() {
                    buf.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, buf)) = code.take() {
                    let body = hl.highlight(&buf, &lang);
                    events.push(Event::Html(CowStr::from(format!(
                        "<pre class=\"code\"><code>{body}</code></pre>\n"
                    ))));
                }
            }
            other => events.push(other),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

/// A local file that prose refers to (an image), with its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalRef {
    /// The path as written (relative to the lesson).
    pub path: String,
    /// 1-based line offset within the markdown.
    pub line: usize,
}

/// Images with relative paths (not `http:`, `data:`, `#...`, `attachment:`).
pub fn local_images(markdown: &str) -> Vec<LocalRef> {
    let mut refs = Vec::new();
    for (ev, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        if let Event::Start(Tag::Image { dest_url, .. }) = ev {
            let url = dest_url.to_string();
            if url.contains(':') || url.starts_with('#') || url.starts_with('/') {
                continue;
            }
            let line = markdown[..range.start].matches('\n').count() + 1;
            refs.push(LocalRef { path: url, line });
        }
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_tables_and_highlighted_code() {
        let hl = Highlighter::new();
        let html = to_html(
            "| a | b |\n|-|-|\n| 1 | 2 |\n\n```rust\nfn f() {}\n```\n",
            &hl,
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(
            html.contains("<pre class=\"code\"><code><span class=\"hl-"),
            "{html}"
        );
    }

    #[test]
    fn finds_local_images_with_lines() {
        let refs = local_images("x\n\n![a](img/a.svg)\n![b](https://x/y.png)\n");
        assert_eq!(
            refs,
            vec![LocalRef {
                path: "img/a.svg".into(),
                line: 3
            }]
        );
    }
}
