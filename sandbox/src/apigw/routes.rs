//! Path templates (`/orders/{id}`, `/files/{path+}`) and route matching with
//! API Gateway's precedence: a literal segment beats a variable, a variable
//! beats a greedy `{proxy+}`, a method beats `ANY`, and `$default` (HTTP
//! APIs) catches what nothing else does.

use std::collections::BTreeMap;

use crate::error::{CloudError, CloudResult};

/// One segment of a path template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Must equal this text.
    Literal(String),
    /// `{name}`: one segment, captured.
    Var(String),
    /// `{name+}`: one or more segments, captured (last only).
    Greedy(String),
}

/// A parsed path template such as `/orders/{id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// The template as written.
    pub text: String,
    /// Its segments (`/` has none).
    pub segments: Vec<Segment>,
}

fn bad(message: String) -> CloudError {
    CloudError::new("BadRequestException", message)
}

impl Template {
    /// Parses `/a/{b}/{c+}`; errors name what is wrong.
    ///
    /// ```
    /// use cloudlab::apigw::routes::Template;
    /// let t = Template::parse("/orders/{id}").unwrap();
    /// let p = t.matches("/orders/42").unwrap();
    /// assert_eq!(p["id"], "42");
    /// assert!(Template::parse("/a/{rest+}/b").is_err());
    /// ```
    pub fn parse(text: &str) -> CloudResult<Template> {
        if !text.starts_with('/') {
            return Err(bad(format!("The path {text:?} must start with '/'.")));
        }
        let mut segments = Vec::new();
        let parts: Vec<&str> = text[1..].split('/').collect();
        if text == "/" {
            return Ok(Template {
                text: text.to_string(),
                segments,
            });
        }
        let mut names = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if part.is_empty() {
                return Err(bad(format!("The path {text:?} has an empty segment.")));
            }
            let seg = match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(inner) => {
                    let (name, greedy) = match inner.strip_suffix('+') {
                        Some(n) => (n, true),
                        None => (inner, false),
                    };
                    if name.is_empty()
                        || !name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
                    {
                        return Err(bad(format!("Invalid path parameter {part:?} in {text:?}.")));
                    }
                    if names.contains(&name) {
                        return Err(bad(format!(
                            "The path {text:?} uses the parameter {{{name}}} twice."
                        )));
                    }
                    names.push(name);
                    if greedy {
                        if i + 1 != parts.len() {
                            return Err(bad(format!(
                                "A greedy path variable ({{{name}+}}) must be the last segment of {text:?}."
                            )));
                        }
                        Segment::Greedy(name.to_string())
                    } else {
                        Segment::Var(name.to_string())
                    }
                }
                None => {
                    if part.contains('{') || part.contains('}') {
                        return Err(bad(format!(
                            "Invalid segment {part:?} in {text:?}: a path variable must be a whole segment."
                        )));
                    }
                    Segment::Literal(part.to_string())
                }
            };
            segments.push(seg);
        }
        Ok(Template {
            text: text.to_string(),
            segments,
        })
    }

    /// The captured parameters when `path` (without query) fits this template.
    pub fn matches(&self, path: &str) -> Option<BTreeMap<String, String>> {
        let parts: Vec<&str> = if path == "/" || path.is_empty() {
            Vec::new()
        } else {
            path.trim_start_matches('/').split('/').collect()
        };
        let mut params = BTreeMap::new();
        for (i, seg) in self.segments.iter().enumerate() {
            match seg {
                Segment::Literal(l) => {
                    if parts.get(i).map(|p| decode(p)) != Some(l.clone()) {
                        return None;
                    }
                }
                Segment::Var(name) => {
                    let p = parts.get(i).filter(|p| !p.is_empty())?;
                    params.insert(name.clone(), decode(p));
                }
                Segment::Greedy(name) => {
                    let rest = &parts[i.min(parts.len())..];
                    if rest.is_empty() || rest.iter().all(|p| p.is_empty()) {
                        return None;
                    }
                    params.insert(name.clone(), decode(&rest.join("/")));
                    return Some(params);
                }
            }
        }
        (parts.len() == self.segments.len()).then_some(params)
    }

    /// Precedence: per segment, literal (2) > variable (1) > greedy (0).
    pub fn rank(&self) -> Vec<u8> {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(_) => 2,
                Segment::Var(_) => 1,
                Segment::Greedy(_) => 0,
            })
            .collect()
    }
}

/// Decodes `%XX` escapes (invalid ones are kept as they are).
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// HTTP methods a route or method may name (`ANY` matches all).
pub const METHODS: &[&str] = &[
    "ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT",
];

/// Checks an HTTP method name.
pub fn check_method(m: &str) -> CloudResult<String> {
    let up = m.to_ascii_uppercase();
    if METHODS.contains(&up.as_str()) {
        Ok(up)
    } else {
        Err(bad(format!(
            "Invalid HTTP method {m:?}: use one of {}.",
            METHODS.join(", ")
        )))
    }
}

/// A parsed HTTP API route key: `$default` or `METHOD /path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteKey {
    /// `$default`.
    Default,
    /// A method and a path template.
    Route(String, Template),
}

impl RouteKey {
    /// Parses `GET /orders/{id}`, `ANY /{proxy+}` or `$default`.
    pub fn parse(key: &str) -> CloudResult<RouteKey> {
        if key == "$default" {
            return Ok(RouteKey::Default);
        }
        let Some((method, path)) = key.split_once(' ') else {
            return Err(bad(format!(
                "Invalid route key {key:?}: use \"$default\" or \"METHOD /path\", e.g. \"GET /orders/{{id}}\"."
            )));
        };
        Ok(RouteKey::Route(
            check_method(method)?,
            Template::parse(path)?,
        ))
    }
}

/// A candidate with its precedence score and captured parameters.
type Scored<T> = ((Vec<u8>, bool), T, BTreeMap<String, String>);

/// Picks the best of `candidates` (method, template, value) for a request:
/// the most specific template, an exact method over `ANY`.
pub fn best<'a, T>(
    method: &str,
    path: &str,
    candidates: impl Iterator<Item = (&'a str, &'a Template, T)>,
) -> Option<(T, BTreeMap<String, String>)> {
    let mut best: Option<Scored<T>> = None;
    for (m, t, v) in candidates {
        if m != "ANY" && m != method {
            continue;
        }
        let Some(params) = t.matches(path) else {
            continue;
        };
        let score = (t.rank(), m != "ANY");
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, v, params));
        }
    }
    best.map(|(_, v, p)| (v, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> Template {
        Template::parse(s).unwrap()
    }

    #[test]
    fn greedy_captures_the_rest_but_not_nothing() {
        let g = t("/files/{path+}");
        assert_eq!(
            g.matches("/files/a/b c/d.txt").unwrap()["path"],
            "a/b c/d.txt"
        );
        assert_eq!(g.matches("/files/a%20b").unwrap()["path"], "a b");
        assert!(g.matches("/files").is_none());
        assert!(g.matches("/files/").is_none());
        assert!(t("/{proxy+}").matches("/").is_none());
        assert!(t("/").matches("/").is_some());
    }

    #[test]
    fn literal_beats_variable_beats_greedy_and_method_beats_any() {
        let routes = [
            ("GET", t("/orders/{id}"), "var"),
            ("GET", t("/orders/latest"), "literal"),
            ("ANY", t("/{proxy+}"), "greedy"),
            ("ANY", t("/orders/{id}"), "any-var"),
        ];
        let pick = |m: &str, p: &str| {
            best(m, p, routes.iter().map(|(m, t, v)| (*m, t, *v))).map(|(v, _)| v)
        };
        assert_eq!(pick("GET", "/orders/latest"), Some("literal"));
        assert_eq!(pick("GET", "/orders/7"), Some("var"));
        assert_eq!(pick("POST", "/orders/7"), Some("any-var"));
        assert_eq!(pick("DELETE", "/x/y"), Some("greedy"));
        assert_eq!(pick("GET", "/"), None);
    }

    #[test]
    fn bad_templates_and_keys_are_refused() {
        for bad in ["orders", "/a//b", "/a/{b+}/c", "/a/x{b}", "/{a}/{a}", "/{}"] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
        assert!(RouteKey::parse("GET/orders").is_err());
        assert!(RouteKey::parse("FETCH /orders").is_err());
        assert_eq!(RouteKey::parse("$default").unwrap(), RouteKey::Default);
    }

    proptest! {
        #[test]
        fn a_variable_template_captures_any_segment(seg in "[a-zA-Z0-9._~-]{1,20}") {
            let p = t("/items/{id}").matches(&format!("/items/{seg}")).unwrap();
            prop_assert_eq!(&p["id"], &seg);
        }

        #[test]
        fn parsing_and_matching_never_panic(tpl in "[/a-z{}+]{0,20}", path in "[/a-z%0-9]{0,20}") {
            if let Ok(t) = Template::parse(&tpl) {
                let _ = t.matches(&path);
            }
        }
    }
}
