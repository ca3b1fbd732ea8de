//! Cells to nbformat 4.5 notebooks (JSON), with the Cloudlab kernelspec.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::cells::{Cell, CellKind, Variant};
use crate::parse::Lesson;

/// The kernelspec every notebook names.
pub fn kernelspec() -> Value {
    json!({"display_name": "Cloudlab (Rust)", "language": "rust", "name": "cloudlab"})
}

/// The language_info every notebook carries (what the kernel reports).
pub fn language_info() -> Value {
    json!({
        "codemirror_mode": "rust",
        "file_extension": ".rs",
        "mimetype": "text/rust",
        "name": "rust",
        "nbconvert_exporter": "rust",
        "pygments_lexer": "rust",
    })
}

/// What running a cell produced: nbformat output objects and the count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CellOutputs {
    /// `execution_count` of the cell.
    pub execution_count: Option<u64>,
    /// nbformat output objects (`stream`, `display_data`, `execute_result`, `error`).
    pub outputs: Vec<Value>,
}

/// Outputs by cell id.
pub type Outputs = BTreeMap<String, CellOutputs>;

/// Splits text into nbformat's list-of-lines form (each line keeps its `\n`).
pub fn lines(text: &str) -> Value {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('\n') {
        out.push(Value::String(rest[..=i].to_string()));
        rest = &rest[i + 1..];
    }
    if !rest.is_empty() {
        out.push(Value::String(rest.to_string()));
    }
    Value::Array(out)
}

fn cell_json(cell: &Cell, outputs: Option<&CellOutputs>) -> Value {
    let mut meta = Map::new();
    let tags = cell.kind.tags();
    let source_hidden = cell.kind.has_tag("hide-input") || cell.kind.has_tag("hide-cell");
    let outputs_hidden = cell.kind.has_tag("hide-output") || cell.kind.has_tag("hide-cell");
    if source_hidden || outputs_hidden {
        let mut jupyter = Map::new();
        if source_hidden {
            jupyter.insert("source_hidden".into(), json!(true));
        }
        if outputs_hidden {
            jupyter.insert("outputs_hidden".into(), json!(true));
        }
        meta.insert("jupyter".into(), Value::Object(jupyter));
    }
    match &cell.kind {
        CellKind::ExerciseSolution { id, points } => {
            meta.insert(
                "nbgrader".into(),
                json!({
                    "grade": true,
                    "grade_id": id,
                    "locked": false,
                    "points": points,
                    "schema_version": 3,
                    "solution": true,
                    "task": false,
                }),
            );
            meta.insert("cloudlab".into(), json!({"exercise": id}));
        }
        CellKind::ExerciseCheck { id } => {
            meta.insert(
                "nbgrader".into(),
                json!({
                    "grade": false,
                    "grade_id": format!("{id}-check"),
                    "locked": true,
                    "schema_version": 3,
                    "solution": false,
                    "task": false,
                }),
            );
            meta.insert("editable".into(), json!(false));
            meta.insert("deletable".into(), json!(false));
        }
        CellKind::ExercisePrompt { id } => {
            meta.insert("cloudlab".into(), json!({"exercise_prompt": id}));
        }
        _ => {}
    }
    if !tags.is_empty() {
        meta.insert("tags".into(), json!(tags));
    }
    if cell.kind.is_code() {
        let (count, outs) = match outputs {
            Some(o) => (
                o.execution_count.map(Value::from).unwrap_or(Value::Null),
                o.outputs.clone(),
            ),
            None => (Value::Null, Vec::new()),
        };
        json!({
            "cell_type": "code",
            "execution_count": count,
            "id": cell.id,
            "metadata": meta,
            "outputs": outs,
            "source": lines(&cell.source),
        })
    } else {
        json!({
            "cell_type": "markdown",
            "id": cell.id,
            "metadata": meta,
            "source": lines(&cell.source),
        })
    }
}

/// The notebook for one lesson and audience, as JSON.
pub fn notebook(lesson: &Lesson, cells: &[Cell], variant: Variant, outputs: &Outputs) -> Value {
    let cells: Vec<Value> = cells
        .iter()
        .map(|c| cell_json(c, outputs.get(&c.id)))
        .collect();
    json!({
        "cells": cells,
        "metadata": {
            "cloudlab": {
                "lesson": lesson.slug,
                "order": lesson.meta.order,
                "title": lesson.meta.title,
                "variant": variant.name(),
            },
            "kernelspec": kernelspec(),
            "language_info": language_info(),
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    })
}

/// Serialises a notebook the way Jupyter does: one-space indent, final newline.
pub fn to_string(nb: &Value) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    // Serialising a Value into a Vec cannot fail.
    let _ = nb.serialize(&mut ser);
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_newlines() {
        assert_eq!(lines("a\nb"), json!(["a\n", "b"]));
        assert_eq!(lines("a\n"), json!(["a\n"]));
        assert_eq!(lines(""), json!([]));
    }
}
