//! A lesson's YAML front matter: title, summary, order, objectives,
//! prerequisites and estimated minutes (plus the `jupytext` and `kernelspec`
//! keys that jupytext and Jupyter Book read, passed through untouched).

use serde::Deserialize;

/// What a lesson says about itself between the `---` lines at its top.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The lesson's title (the notebook's first heading and the page title).
    pub title: String,
    /// One or two sentences for the index.
    pub summary: String,
    /// Position in the course, unique across lessons.
    pub order: u32,
    /// What a learner can do after the lesson.
    pub objectives: Vec<String>,
    /// Slugs of lessons to read first.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// Minutes the lesson takes, exercises included.
    pub estimated_minutes: u32,
    /// jupytext's own settings (read by jupytext, ignored here).
    #[serde(default)]
    pub jupytext: Option<serde_json::Value>,
    /// The kernelspec jupytext and Jupyter Book use (the builder always writes Cloudlab's).
    #[serde(default)]
    pub kernelspec: Option<serde_json::Value>,
}

/// A front matter problem, with the line inside the YAML (1-based) when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontMatterError {
    /// Line within the YAML text, 1-based.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl FrontMatter {
    /// Parses and checks the YAML between the `---` lines.
    pub fn parse(yaml: &str) -> Result<FrontMatter, Vec<FrontMatterError>> {
        let fm: FrontMatter = serde_norway::from_str(yaml).map_err(|e| {
            let mut message = e.to_string();
            if let Some(at) = message.find(" at line ") {
                message.truncate(at);
            }
            vec![FrontMatterError {
                line: e.location().map(|l| l.line()),
                message: format!("front matter: {message}"),
            }]
        })?;
        let mut errors = Vec::new();
        let mut bad = |message: &str| {
            errors.push(FrontMatterError {
                line: None,
                message: format!("front matter: {message}"),
            })
        };
        if fm.title.trim().is_empty() {
            bad("`title` is empty");
        }
        if fm.summary.trim().is_empty() {
            bad("`summary` is empty");
        }
        if fm.objectives.is_empty() || fm.objectives.iter().any(|o| o.trim().is_empty()) {
            bad("`objectives` needs at least one non-empty item");
        }
        if fm.estimated_minutes == 0 {
            bad("`estimated_minutes` must be more than 0");
        }
        if errors.is_empty() {
            Ok(fm)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str =
        "title: SQS\nsummary: Queues.\norder: 2\nobjectives: [send]\nestimated_minutes: 30\n";

    #[test]
    fn reads_every_field() {
        let fm = FrontMatter::parse(GOOD).unwrap();
        assert_eq!(fm.title, "SQS");
        assert_eq!(fm.order, 2);
        assert_eq!(fm.objectives, vec!["send"]);
        assert!(fm.prerequisites.is_empty());
    }

    #[test]
    fn unknown_and_missing_keys_have_lines() {
        let errs = FrontMatter::parse("title: x\ntitel: y\n").unwrap_err();
        assert_eq!(errs[0].line, Some(2));
        assert!(errs[0].message.contains("titel"), "{:?}", errs);
        let errs = FrontMatter::parse("title: x\n").unwrap_err();
        assert!(errs[0].message.contains("missing field"), "{:?}", errs);
    }

    #[test]
    fn empty_values_are_reported_together() {
        let errs = FrontMatter::parse(
            "title: ''\nsummary: ''\norder: 1\nobjectives: []\nestimated_minutes: 0\n",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
    }
}
