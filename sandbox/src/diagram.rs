//! Architecture diagrams: resources as boxes, connections as arrows, laid out
//! left to right in layers (producers on the left, consumers on the right),
//! rendered as self-contained SVG.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::render::escape;

/// What a box stands for (sets its colour and tag).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    /// An SNS topic.
    Topic,
    /// An SQS queue.
    Queue,
    /// A Lambda function.
    Function,
    /// Something outside the account (URL, inbox, phone).
    External,
    /// Any other resource (services added later use this with their own tag).
    Other(&'static str),
}

impl NodeKind {
    fn style(&self) -> (&'static str, &'static str) {
        match self {
            NodeKind::Topic => ("#e7157b", "SNS"),
            NodeKind::Queue => ("#8c4fff", "SQS"),
            NodeKind::Function => ("#ed7100", "Lambda"),
            NodeKind::External => ("#6b7280", "external"),
            NodeKind::Other(tag) => ("#0f766e", tag),
        }
    }
}

/// One box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Unique id (an ARN or URL).
    pub id: String,
    /// Text in the box.
    pub label: String,
    /// Kind.
    pub kind: NodeKind,
}

/// One arrow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// From node id.
    pub from: String,
    /// To node id.
    pub to: String,
    /// Small text on the arrow.
    pub label: String,
    /// Dashed (pending, failure paths).
    pub dashed: bool,
}

/// A diagram under construction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagram {
    /// Boxes.
    pub nodes: Vec<Node>,
    /// Arrows.
    pub edges: Vec<Edge>,
}

const W: i64 = 170;
const H: i64 = 44;
const GAP_X: i64 = 90;
const GAP_Y: i64 = 26;

impl Diagram {
    /// Adds a box (ignored if the id exists).
    pub fn node(&mut self, id: &str, label: &str, kind: NodeKind) {
        if !self.nodes.iter().any(|n| n.id == id) {
            self.nodes.push(Node {
                id: id.to_string(),
                label: label.to_string(),
                kind,
            });
        }
    }

    /// Adds an arrow (both ends must be boxes by render time).
    pub fn edge(&mut self, from: &str, to: &str, label: &str, dashed: bool) {
        self.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            label: label.to_string(),
            dashed,
        });
    }

    /// Layer of each node: the longest chain of arrows leading to it (cycles cut).
    fn layers(&self) -> BTreeMap<&str, usize> {
        let mut layer: BTreeMap<&str, usize> =
            self.nodes.iter().map(|n| (n.id.as_str(), 0)).collect();
        for _ in 0..self.nodes.len() {
            let mut changed = false;
            for e in &self.edges {
                let (Some(&a), Some(&b)) = (layer.get(e.from.as_str()), layer.get(e.to.as_str()))
                else {
                    continue;
                };
                if b <= a && a + 1 < self.nodes.len() {
                    layer.insert(e.to.as_str(), a + 1);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        layer
    }

    /// The diagram as SVG.
    pub fn to_svg(&self) -> String {
        if self.nodes.is_empty() {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\" height=\"40\"><text x=\"8\" y=\"24\" font-family=\"sans-serif\" font-size=\"13\" fill=\"#666\">No resources yet</text></svg>".to_string();
        }
        let layers = self.layers();
        let mut columns: BTreeMap<usize, Vec<&Node>> = BTreeMap::new();
        for n in &self.nodes {
            columns.entry(layers[n.id.as_str()]).or_default().push(n);
        }
        let mut pos: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
        for (col, nodes) in &columns {
            for (row, n) in nodes.iter().enumerate() {
                let x = 10 + *col as i64 * (W + GAP_X);
                let y = 10 + row as i64 * (H + GAP_Y);
                pos.insert(n.id.as_str(), (x, y));
            }
        }
        let width = 20 + columns.len() as i64 * (W + GAP_X) - GAP_X;
        let rows = columns.values().map(Vec::len).max().unwrap_or(1) as i64;
        let height = 20 + rows * (H + GAP_Y) - GAP_Y;
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"system-ui,sans-serif\">\
<defs><marker id=\"cl-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>"
        );
        for e in &self.edges {
            let (Some(&(x1, y1)), Some(&(x2, y2))) =
                (pos.get(e.from.as_str()), pos.get(e.to.as_str()))
            else {
                continue;
            };
            let (sx, sy, ex, ey) = if x2 > x1 {
                (x1 + W, y1 + H / 2, x2, y2 + H / 2)
            } else {
                (x1 + W / 2, y1 + H, x2 + W / 2, y2)
            };
            let dash = if e.dashed {
                " stroke-dasharray=\"5,4\""
            } else {
                ""
            };
            let _ = write!(
                s,
                "<path d=\"M{sx},{sy} C{},{sy} {},{ey} {ex},{ey}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.4\"{dash} marker-end=\"url(#cl-arrow)\"/>",
                (sx + ex) / 2,
                (sx + ex) / 2
            );
            if !e.label.is_empty() {
                let _ = write!(
                    s,
                    "<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#333\" text-anchor=\"middle\">{}</text>",
                    (sx + ex) / 2,
                    (sy + ey) / 2 - 4,
                    escape(&e.label)
                );
            }
        }
        for n in &self.nodes {
            let (x, y) = pos[n.id.as_str()];
            let (colour, tag) = n.kind.style();
            let label = crate::render::preview(&n.label, 22);
            let _ = write!(
                s,
                "<g><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"6\" fill=\"#fff\" stroke=\"{colour}\" stroke-width=\"2\"/>\
<rect x=\"{x}\" y=\"{y}\" width=\"6\" height=\"{H}\" rx=\"2\" fill=\"{colour}\"/>\
<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"{colour}\" font-weight=\"600\">{}</text>\
<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#111\">{}</text></g>",
                escape(&n.id),
                x + 12,
                y + 15,
                escape(tag),
                x + 12,
                y + 33,
                escape(&label)
            );
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_follow_arrows() {
        let mut d = Diagram::default();
        d.node("t", "orders", NodeKind::Topic);
        d.node("q", "billing", NodeKind::Queue);
        d.node("f", "bill", NodeKind::Function);
        d.edge("t", "q", "sqs", false);
        d.edge("q", "f", "poll", false);
        let l = d.layers();
        assert_eq!((l["t"], l["q"], l["f"]), (0, 1, 2));
        let svg = d.to_svg();
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<rect").count(), 6);
        assert!(svg.contains(">billing<"));
    }

    #[test]
    fn cycles_terminate() {
        let mut d = Diagram::default();
        d.node("a", "a", NodeKind::Function);
        d.node("b", "b", NodeKind::Queue);
        d.edge("a", "b", "", false);
        d.edge("b", "a", "", false);
        assert!(d.to_svg().contains("</svg>"));
    }
}
