//! Syntax highlighting for the site: syntect with its bundled grammars,
//! emitting CSS classes (the stylesheet comes from [`Highlighter::css`]).

use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::html::escape;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Highlights code by language name; load once, use for every page.
pub struct Highlighter {
    syntaxes: SyntaxSet,
}

impl Default for Highlighter {
    fn default() -> Self {
        Highlighter::new()
    }
}

impl Highlighter {
    /// Loads syntect's bundled grammars.
    pub fn new() -> Highlighter {
        Highlighter {
            syntaxes: SyntaxSet::load_defaults_newlines(),
        }
    }

    /// The code as HTML spans with `hl-` classes, without the surrounding
    /// `<pre>`. Unknown languages (and lines starting with `:`, evcxr magics)
    /// come out escaped but plain.
    pub fn highlight(&self, code: &str, language: &str) -> String {
        let lang = match language.trim().to_ascii_lowercase().as_str() {
            "" | "text" | "txt" | "plain" | "console" => None,
            "rs" => Some("rust".to_string()),
            "sh" | "shell" | "bash" => Some("bash".to_string()),
            "yml" => Some("yaml".to_string()),
            other => Some(other.to_string()),
        };
        let Some(syntax) = lang.and_then(|l| {
            self.syntaxes
                .find_syntax_by_token(&l)
                .or_else(|| self.syntaxes.find_syntax_by_extension(&l))
        }) else {
            return escape(code);
        };
        let mut out = String::new();
        let mut chunk = String::new();
        let flush = |chunk: &mut String, out: &mut String| {
            if chunk.is_empty() {
                return;
            }
            let mut generator =
                ClassedHTMLGenerator::new_with_class_style(syntax, &self.syntaxes, STYLE);
            let ok = LinesWithEndings::from(chunk).all(|line| {
                generator
                    .parse_html_for_line_which_includes_newline(line)
                    .is_ok()
            });
            if ok {
                out.push_str(&generator.finalize());
            } else {
                out.push_str(&escape(chunk));
            }
            chunk.clear();
        };
        for line in LinesWithEndings::from(code) {
            if line.starts_with(':') {
                flush(&mut chunk, &mut out);
                out.push_str(&format!("<span class=\"hl-magic\">{}</span>", escape(line)));
            } else {
                chunk.push_str(line);
            }
        }
        flush(&mut chunk, &mut out);
        out
    }

    /// The stylesheet for the highlighted spans (a light theme).
    pub fn css() -> String {
        let themes = syntect::highlighting::ThemeSet::load_defaults();
        themes
            .themes
            .get("InspiredGitHub")
            .and_then(|t| css_for_theme_with_class_style(t, STYLE).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_rust_and_escapes_everything_else() {
        let h = Highlighter::new();
        let html = h.highlight("let x = \"<b>\";\n", "rust");
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert_eq!(h.highlight("<x>", "nope-lang"), "&lt;x&gt;");
        let magic = h.highlight(":check ex\n", "rust");
        assert!(magic.contains("hl-magic"), "{magic}");
        assert!(Highlighter::css().contains(".hl-"));
    }
}
