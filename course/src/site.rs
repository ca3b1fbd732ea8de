//! The static site: an index and one page per lesson, rendered through the
//! tera templates in `templates/site/`. Pages link only to files beside them
//! (style sheet, images, notebooks), so the site works opened from disk.

use serde::Serialize;
use tera::{Context, Tera};

use crate::cells::{Cell, CellKind};
use crate::error::BuildError;
use crate::highlight::Highlighter;
use crate::notebook::Outputs;
use crate::parse::Lesson;
use crate::{markdown, outputs};

/// The course's name on every page.
pub const COURSE_TITLE: &str = "Cloudlab";

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/site/base.html")),
    (
        "index.html",
        include_str!("../../templates/site/index.html"),
    ),
    (
        "lesson.html",
        include_str!("../../templates/site/lesson.html"),
    ),
];

/// The site's stylesheet: the template CSS plus the highlighting classes.
pub fn stylesheet() -> String {
    format!(
        "{}\n/* Highlighting (syntect, InspiredGitHub) */\n{}",
        include_str!("../../templates/site/style.css"),
        Highlighter::css()
    )
}

/// Renders pages; build once per site.
pub struct Site {
    tera: Tera,
    hl: Highlighter,
}

#[derive(Serialize)]
struct NavItem {
    title: String,
    href: String,
    summary: String,
    minutes: u32,
    notebook: String,
    current: bool,
}

#[derive(Serialize)]
struct Link {
    title: String,
    href: String,
}

#[derive(Serialize, Default)]
struct CellView {
    id: String,
    kind: &'static str,
    html: String,
    title: String,
    class: String,
    outputs: String,
    show_input: bool,
    hide_input: bool,
    hide_output: bool,
}

/// Name of a lesson's page.
pub fn page_name(lesson: &Lesson) -> String {
    format!("{}.html", lesson.stem())
}

impl Site {
    /// Loads the templates.
    pub fn new() -> Result<Site, BuildError> {
        let mut tera = Tera::default();
        tera.add_raw_templates(TEMPLATES.iter().copied())
            .map_err(|e| BuildError::Template(format!("{e:?}")))?;
        tera.autoescape_on(vec![".html"]);
        Ok(Site {
            tera,
            hl: Highlighter::new(),
        })
    }

    fn nav(&self, lessons: &[&Lesson], current: Option<&str>) -> Vec<NavItem> {
        lessons
            .iter()
            .map(|l| NavItem {
                title: l.meta.title.clone(),
                href: page_name(l),
                summary: l.meta.summary.clone(),
                minutes: l.meta.estimated_minutes,
                notebook: format!("../student/{}.ipynb", l.stem()),
                current: Some(l.slug.as_str()) == current,
            })
            .collect()
    }

    fn render(&self, name: &str, ctx: &Context) -> Result<String, BuildError> {
        self.tera.render(name, ctx).map_err(|e| {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                src = s.source();
            }
            BuildError::Template(msg)
        })
    }

    /// The index page: lessons in order.
    pub fn index(&self, lessons: &[&Lesson], executed: bool) -> Result<String, BuildError> {
        let mut ctx = Context::new();
        ctx.insert("course_title", COURSE_TITLE);
        ctx.insert("lessons", &self.nav(lessons, None));
        ctx.insert("executed", &executed);
        self.render("index.html", &ctx)
    }

    /// One lesson's page, from its student cells (starter code, never
    /// solutions) and the outputs of its executed cells, if any.
    pub fn lesson(
        &self,
        lessons: &[&Lesson],
        index: usize,
        cells: &[Cell],
        outs: &Outputs,
        executed: bool,
    ) -> Result<String, BuildError> {
        let lesson = lessons[index];
        let link = |l: &Lesson| Link {
            title: l.meta.title.clone(),
            href: page_name(l),
        };
        let prerequisites: Vec<Link> = lesson
            .meta
            .prerequisites
            .iter()
            .filter_map(|slug| lessons.iter().find(|l| &l.slug == slug).map(|l| link(l)))
            .collect();
        let views: Vec<CellView> = cells.iter().filter_map(|c| self.cell(c, outs)).collect();
        let mut ctx = Context::new();
        ctx.insert("course_title", COURSE_TITLE);
        ctx.insert("lessons", &self.nav(lessons, Some(&lesson.slug)));
        ctx.insert("executed", &executed);
        ctx.insert(
            "lesson",
            &serde_json::json!({
                "title": lesson.meta.title,
                "summary": lesson.meta.summary,
                "minutes": lesson.meta.estimated_minutes,
                "objectives": lesson.meta.objectives,
                "prerequisites": prerequisites,
                "notebook": format!("../student/{}.ipynb", lesson.stem()),
            }),
        );
        ctx.insert("cells", &views);
        ctx.insert("prev", &index.checked_sub(1).map(|i| link(lessons[i])));
        ctx.insert("next", &lessons.get(index + 1).map(|l| link(l)));
        self.render("lesson.html", &ctx)
    }

    fn cell(&self, c: &Cell, outs: &Outputs) -> Option<CellView> {
        let base = CellView {
            id: c.id.clone(),
            ..Default::default()
        };
        Some(match &c.kind {
            CellKind::Header => return None,
            CellKind::Prose(md) => CellView {
                kind: "prose",
                html: markdown::to_html(md, &self.hl),
                ..base
            },
            CellKind::Admonition { kind, title, body } => CellView {
                kind: "admonition",
                html: markdown::to_html(body, &self.hl),
                title: title.clone(),
                class: kind.name().to_string(),
                ..base
            },
            CellKind::Hint { title, body } => CellView {
                kind: "hint",
                html: markdown::to_html(body, &self.hl),
                title: title.clone(),
                ..base
            },
            CellKind::ExercisePrompt { .. } => CellView {
                kind: "exercise-prompt",
                html: markdown::to_html(&c.source, &self.hl),
                ..base
            },
            CellKind::Code { .. } if c.kind.has_tag("remove-cell") => return None,
            CellKind::Code { .. } => {
                let remove_output = c.kind.has_tag("remove-output");
                let outputs = match outs.get(&c.id) {
                    Some(o) if !remove_output => o.outputs.iter().map(outputs::to_html).collect(),
                    _ => String::new(),
                };
                CellView {
                    kind: "code",
                    html: self.hl.highlight(&c.source, "rust"),
                    outputs,
                    show_input: !c.kind.has_tag("remove-input"),
                    hide_input: c.kind.has_tag("hide-input") || c.kind.has_tag("hide-cell"),
                    hide_output: c.kind.has_tag("hide-output") || c.kind.has_tag("hide-cell"),
                    ..base
                }
            }
            CellKind::ExerciseSolution { .. } => CellView {
                kind: "exercise-solution",
                html: self.hl.highlight(&c.source, "rust"),
                show_input: true,
                ..base
            },
            CellKind::ExerciseCheck { .. } => CellView {
                kind: "exercise-check",
                html: self.hl.highlight(&c.source, "rust"),
                show_input: true,
                ..base
            },
        })
    }
}
