//! Many patterns matched at once. Each pattern whose top level requires one
//! field to equal one of a few exact values (`"source": ["shop"]`) is filed
//! under those values; an event then only tries the patterns filed under its
//! own values, plus the few that have no such field.

use std::collections::HashMap;

use serde_json::Value;

use super::Pattern;
use super::tree::{Node, ValueKey, any_scalar, get};

/// Patterns under keys, matched together: what a bus does with its rules.
///
/// ```
/// use cloudlab::pattern::{Pattern, PatternSet};
/// use serde_json::json;
/// let mut rules = PatternSet::new();
/// rules.insert("orders", Pattern::from_value(&json!({"source": ["shop"]})).unwrap());
/// rules.insert("big", Pattern::from_value(&json!({"detail": {"total": [{"numeric": [">", 100]}]}})).unwrap());
/// let hits = rules.matches(&json!({"source": "shop", "detail": {"total": 250}}));
/// assert_eq!(hits, vec![&"orders", &"big"]);
/// ```
#[derive(Clone, Debug)]
pub struct PatternSet<K> {
    entries: Vec<(K, Pattern)>,
    index: Index,
}

impl<K> Default for PatternSet<K> {
    fn default() -> Self {
        PatternSet {
            entries: Vec::new(),
            index: Index::default(),
        }
    }
}

/// Entry positions by the exact values of one top-level field.
#[derive(Clone, Debug, Default)]
struct Anchor {
    field: Box<str>,
    strings: HashMap<Box<str>, Vec<u32>>,
    others: HashMap<ValueKey, Vec<u32>>,
}

#[derive(Clone, Debug, Default)]
struct Index {
    anchors: Vec<Anchor>,
    /// Entries no anchor covers: always tried.
    always: Vec<u32>,
}

/// The fields a pattern could be filed under: top-level lists of exact values
/// only (no exists, no operators).
fn anchors_of(p: &Pattern) -> Vec<(&str, Vec<ValueKey>)> {
    p.root
        .fields
        .iter()
        .filter_map(|(k, node)| match node {
            Node::Leaf(l) if !l.exists_true && !l.exists_false && !l.matchers.is_empty() => l
                .matchers
                .iter()
                .map(|m| m.exact_key())
                .collect::<Option<Vec<_>>>()
                .map(|keys| (&**k, keys)),
            _ => None,
        })
        .collect()
}

impl<K: PartialEq> PatternSet<K> {
    /// An empty set.
    pub fn new() -> PatternSet<K> {
        PatternSet::default()
    }

    /// Adds a pattern under `key` (replacing the one already there).
    pub fn insert(&mut self, key: K, pattern: Pattern) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = pattern,
            None => self.entries.push((key, pattern)),
        }
        self.reindex();
    }

    /// Removes the pattern under `key`.
    pub fn remove(&mut self, key: &K) -> Option<Pattern> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        let (_, p) = self.entries.remove(i);
        self.reindex();
        Some(p)
    }

    /// The pattern under `key`.
    pub fn get(&self, key: &K) -> Option<&Pattern> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, p)| p)
    }
}

impl<K> PatternSet<K> {
    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keys and patterns in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &Pattern)> {
        self.entries.iter().map(|(k, p)| (k, p))
    }

    /// Files each pattern under its most selective anchor: the one whose
    /// values the fewest other patterns are filed under too.
    fn reindex(&mut self) {
        let options: Vec<_> = self.entries.iter().map(|(_, p)| anchors_of(p)).collect();
        let mut popularity: HashMap<(&str, &ValueKey), usize> = HashMap::new();
        for (field, keys) in options.iter().flatten() {
            for key in keys {
                *popularity.entry((*field, key)).or_default() += 1;
            }
        }
        let mut index = Index::default();
        for (i, choices) in options.iter().enumerate() {
            let i = i as u32;
            let cost = |f: &str, keys: &[ValueKey]| -> usize {
                keys.iter().map(|k| popularity[&(f, k)]).sum()
            };
            let best = choices
                .iter()
                .min_by(|(fa, ka), (fb, kb)| cost(fa, ka).cmp(&cost(fb, kb)).then(fa.cmp(fb)));
            let Some((field, keys)) = best else {
                index.always.push(i);
                continue;
            };
            let a = match index.anchors.iter().position(|a| *a.field == **field) {
                Some(n) => &mut index.anchors[n],
                None => {
                    index.anchors.push(Anchor {
                        field: (*field).into(),
                        ..Default::default()
                    });
                    index.anchors.last_mut().expect("just pushed")
                }
            };
            for key in keys {
                let list = match key {
                    ValueKey::Str(s) => a.strings.entry(s.as_str().into()).or_default(),
                    other => a.others.entry(other.clone()).or_default(),
                };
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        self.index = index;
    }

    /// Positions of the matching entries, ascending, into `out` (cleared first).
    pub(crate) fn matching_positions(&self, event: &Value, out: &mut Vec<u32>) {
        out.clear();
        let map = event.as_object();
        for &i in &self.index.always {
            if self.entries[i as usize].1.matches(event) {
                out.push(i);
            }
        }
        let mut sorted = true;
        for a in &self.index.anchors {
            let Some(field) = map.and_then(|m| get(m, &a.field)) else {
                continue;
            };
            any_scalar(field, &mut |s| {
                let hits = match s {
                    Value::String(text) => a.strings.get(text.as_str()),
                    other => ValueKey::of(other).and_then(|k| a.others.get(&k)),
                };
                for &i in hits.map(Vec::as_slice).unwrap_or(&[]) {
                    if self.entries[i as usize].1.matches(event) {
                        sorted &= out.last().is_none_or(|&l| l < i);
                        out.push(i);
                    }
                }
                false
            });
        }
        if !sorted {
            out.sort_unstable();
            out.dedup();
        }
    }

    /// The keys of every pattern `event` matches, in insertion order.
    pub fn matches(&self, event: &Value) -> Vec<&K> {
        let mut positions = Vec::new();
        self.matching_positions(event, &mut positions);
        positions
            .into_iter()
            .map(|i| &self.entries[i as usize].0)
            .collect()
    }

    /// How many patterns `event` matches.
    pub fn count_matches(&self, event: &Value, scratch: &mut Vec<u32>) -> usize {
        self.matching_positions(event, scratch);
        scratch.len()
    }
}
