//! Compiling submissions: each (solution, scenarios) unit becomes a module
//! `s<k>` of a generated crate; a batch packs many units into one crate and,
//! when some do not compile, drops them (their errors are theirs alone) and
//! builds the rest again, falling back to one crate per unit at the end.
//!
//! Compile errors are mapped to the learner's file (`solution.rs:LINE:COL`,
//! lines are the cell's lines). An error inside the hidden scenarios is
//! reported without its source: only the error's message and code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::toolchain::{Toolchain, hex};

/// One thing to compile: a solution with the scenarios that test it.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The learner's solution source (becomes `solution.rs`, verbatim).
    pub solution: String,
    /// `public.rs`.
    pub public: String,
    /// `hidden.rs` (never echoed: errors in it are summarised).
    pub hidden: String,
}

/// A built unit: its binary and the `--sub` index inside it.
#[derive(Clone, Debug)]
pub struct BuiltUnit {
    /// The binary.
    pub binary: Arc<PathBuf>,
    /// Which suite in the binary.
    pub sub: usize,
}

/// What compiling one unit gave.
#[derive(Clone, Debug)]
pub enum Compiled {
    /// Ready to run.
    Built(BuiltUnit),
    /// Did not compile: the errors, mapped and cleaned for the learner.
    Failed(Vec<String>),
}

/// Compiles `units` on up to `jobs` threads; returns one result per unit, in order.
pub fn compile_all(tc: &Toolchain, units: &[Unit], jobs: usize) -> Vec<Compiled> {
    if units.is_empty() {
        return Vec::new();
    }
    let chunk = units.len().div_ceil(jobs.max(1)).max(1);
    let indices: Vec<usize> = (0..units.len()).collect();
    let groups: Vec<&[usize]> = indices.chunks(chunk).collect();
    let mut results: Vec<Option<Compiled>> = vec![None; units.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = groups
            .iter()
            .map(|group| scope.spawn(|| compile_group(tc, units, group)))
            .collect();
        for handle in handles {
            if let Ok(done) = handle.join() {
                for (i, c) in done {
                    results[i] = Some(c);
                }
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Compiled::Failed(vec!["the compiler thread failed".into()])))
        .collect()
}

/// Rounds of "build the group, drop the units with errors" before one crate each.
const GROUP_ROUNDS: usize = 3;

fn compile_group(tc: &Toolchain, units: &[Unit], group: &[usize]) -> Vec<(usize, Compiled)> {
    let mut done = Vec::new();
    let mut pending: Vec<usize> = group.to_vec();
    for _ in 0..GROUP_ROUNDS {
        if pending.is_empty() {
            return done;
        }
        let members: Vec<&Unit> = pending.iter().map(|&i| &units[i]).collect();
        match build_crate(tc, &members) {
            Ok(binary) => {
                done.extend(pending.iter().enumerate().map(|(sub, &i)| {
                    (
                        i,
                        Compiled::Built(BuiltUnit {
                            binary: binary.clone(),
                            sub,
                        }),
                    )
                }));
                return done;
            }
            Err(errors) => {
                let failing: BTreeSet<usize> = errors.by_member.keys().copied().collect();
                if failing.is_empty() || pending.len() == 1 {
                    break;
                }
                for (&member, messages) in &errors.by_member {
                    done.push((pending[member], Compiled::Failed(messages.clone())));
                }
                pending = pending
                    .iter()
                    .enumerate()
                    .filter(|(m, _)| !failing.contains(m))
                    .map(|(_, &i)| i)
                    .collect();
            }
        }
    }
    for i in pending {
        let c = match build_crate(tc, &[&units[i]]) {
            Ok(binary) => Compiled::Built(BuiltUnit { binary, sub: 0 }),
            Err(errors) => Compiled::Failed(errors.all()),
        };
        done.push((i, c));
    }
    done
}

/// Errors of one crate build, by member.
struct CrateErrors {
    by_member: BTreeMap<usize, Vec<String>>,
    other: Vec<String>,
}

impl CrateErrors {
    fn all(self) -> Vec<String> {
        let mut all: Vec<String> = self.by_member.into_values().flatten().collect();
        all.extend(self.other);
        if all.is_empty() {
            all.push("the compiler failed without a message".into());
        }
        all
    }
}

fn cache_key(tc: &Toolchain, members: &[&Unit]) -> String {
    let mut h = Sha256::new();
    h.update(tc.fingerprint.as_bytes());
    for u in members {
        for part in [&u.solution, &u.public, &u.hidden] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    hex(&h.finalize())[..24].to_string()
}

fn main_rs(count: usize) -> String {
    let mut text = String::from("// Generated by cloudlab-grader.\n");
    for k in 0..count {
        text.push_str(&format!(
            "#[path = \"s{k}\"]\nmod s{k} {{\n    #[forbid(unsafe_code)]\n    pub mod solution;\n    pub mod public;\n    pub mod hidden;\n}}\n"
        ));
    }
    text.push_str("fn main() {\n    grading::harness::main(&[\n");
    for k in 0..count {
        text.push_str(&format!(
            "        grading::harness::Suite {{ public: s{k}::public::scenarios, hidden: s{k}::hidden::scenarios }},\n"
        ));
    }
    text.push_str("    ])\n}\n");
    text
}

/// Writes the generated crate for `members` into `dir`; returns its `main.rs`.
pub(crate) fn write_crate(dir: &Path, members: &[&Unit]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    for (k, u) in members.iter().enumerate() {
        let sub = dir.join(format!("s{k}"));
        std::fs::create_dir_all(&sub)?;
        std::fs::write(sub.join("solution.rs"), &u.solution)?;
        std::fs::write(sub.join("public.rs"), &u.public)?;
        std::fs::write(sub.join("hidden.rs"), &u.hidden)?;
    }
    let main = dir.join("main.rs");
    std::fs::write(&main, main_rs(members.len()))?;
    Ok(main)
}

/// Built binaries kept in `<cache>/bin` beyond which the least recently used
/// go (each is several MB; `:check` builds one per check).
pub const KEEP_BINARIES: usize = 128;

/// Binaries used within this long are never pruned (a batch may still be
/// running them).
pub const PRUNE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Deletes the least recently used binaries of `bin_dir` beyond `keep`,
/// sparing any used within `recent`. Returns how many were deleted.
pub fn prune_binaries(bin_dir: &Path, keep: usize, recent: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(bin_dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut bins: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().contains('.'))
        .filter_map(|e| {
            let modified = e.metadata().ok()?.modified().ok()?;
            Some((modified, e.path()))
        })
        .collect();
    bins.sort_by_key(|b| std::cmp::Reverse(b.0));
    bins.into_iter()
        .skip(keep)
        .filter(|(t, _)| now.duration_since(*t).unwrap_or_default() > recent)
        .filter(|(_, p)| std::fs::remove_file(p).is_ok())
        .count()
}

/// Marks a cached binary as just used (for [`prune_binaries`]). Opened
/// read-only: a binary another grader is running cannot be opened for writing.
fn touch(path: &Path) {
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
}

fn build_crate(tc: &Toolchain, members: &[&Unit]) -> Result<Arc<PathBuf>, CrateErrors> {
    let key = cache_key(tc, members);
    let bin_dir = tc.cache.join("bin");
    let binary = bin_dir.join(&key);
    if binary.is_file() {
        touch(&binary);
        return Ok(Arc::new(binary));
    }
    let fail = |msg: String| CrateErrors {
        by_member: BTreeMap::new(),
        other: vec![msg],
    };
    let job = tc.cache.join("jobs").join(&key);
    let main =
        write_crate(&job, members).map_err(|e| fail(format!("writing {}: {e}", job.display())))?;
    std::fs::create_dir_all(&bin_dir).map_err(|e| fail(format!("{}: {e}", bin_dir.display())))?;
    let partial = bin_dir.join(format!("{key}.{}.partial", std::process::id()));
    let out = tc.rustc(&main, &partial).output();
    let result = match out {
        Err(e) => Err(fail(format!("could not run rustc: {e}"))),
        Ok(out) if out.status.success() => {
            prune_binaries(&bin_dir, KEEP_BINARIES, PRUNE_AFTER);
            std::fs::rename(&partial, &binary)
                .map(|_| Arc::new(binary))
                .map_err(|e| fail(format!("{}: {e}", bin_dir.display())))
        }
        Ok(out) => Err(diagnostics(&String::from_utf8_lossy(&out.stderr), &job)),
    };
    let _ = std::fs::remove_dir_all(&job);
    let _ = std::fs::remove_file(&partial);
    result
}

/// Which member and file a path in the generated crate belongs to.
fn locate(path: &str, job: &Path) -> Option<(usize, String)> {
    let rel = Path::new(path).strip_prefix(job).unwrap_or(Path::new(path));
    let mut parts = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string());
    let member = parts.next()?.strip_prefix('s')?.parse().ok()?;
    Some((member, parts.next()?))
}

fn spans_of(d: &serde_json::Value, out: &mut Vec<String>) {
    for span in d["spans"].as_array().into_iter().flatten() {
        if let Some(f) = span["file_name"].as_str() {
            out.push(f.to_string());
        }
        let mut exp = &span["expansion"];
        while let Some(site) = exp["span"]["file_name"].as_str() {
            out.push(site.to_string());
            exp = &exp["span"]["expansion"];
        }
    }
    for child in d["children"].as_array().into_iter().flatten() {
        spans_of(child, out);
    }
}

/// Parses rustc's JSON diagnostics into learner-facing messages by member.
fn diagnostics(stderr: &str, job: &Path) -> CrateErrors {
    let mut errors = CrateErrors {
        by_member: BTreeMap::new(),
        other: Vec::new(),
    };
    for line in stderr.lines() {
        let Ok(d) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if d["level"] != "error" || d["spans"].as_array().is_none_or(|s| s.is_empty()) {
            continue;
        }
        let mut files = Vec::new();
        spans_of(&d, &mut files);
        let primary = d["spans"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["is_primary"] == true)
            .and_then(|s| s["file_name"].as_str())
            .and_then(|f| locate(f, job));
        let Some((member, _)) = primary
            .clone()
            .or_else(|| files.iter().find_map(|f| locate(f, job)))
        else {
            errors.other.push(clean(&d, job, false));
            continue;
        };
        let touches_hidden = files
            .iter()
            .any(|f| locate(f, job).is_some_and(|(_, file)| file == "hidden.rs"))
            || d["rendered"].as_str().unwrap_or("").contains("hidden.rs");
        errors
            .by_member
            .entry(member)
            .or_default()
            .push(clean(&d, job, touches_hidden));
    }
    errors
}

/// The learner-facing text of one diagnostic.
fn clean(d: &serde_json::Value, job: &Path, touches_hidden: bool) -> String {
    let message = d["message"].as_str().unwrap_or("error");
    let code = d["code"]["code"]
        .as_str()
        .map(|c| format!("[{c}]"))
        .unwrap_or_default();
    if touches_hidden {
        return format!(
            "error{code}: {message}\n  (in the grader's hidden scenarios, whose source is not shown: \
             they use the contract's items, so check their names, types and signatures)"
        );
    }
    let rendered = d["rendered"].as_str().unwrap_or(message);
    let mut text = rendered.to_string();
    for k in 0..64 {
        for file in ["solution.rs", "public.rs"] {
            let full = job.join(format!("s{k}")).join(file);
            text = text.replace(&full.display().to_string(), file);
        }
    }
    text.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_drops_the_least_recently_used_binaries_but_spares_recent_ones() {
        let dir = std::env::temp_dir().join(format!("cloudlab-prune-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let now = std::time::SystemTime::now();
        let hours = |h: u64| now - std::time::Duration::from_secs(h * 3600);
        for (name, age) in [("a", 5), ("b", 4), ("c", 3), ("d", 0), ("e.123.partial", 9)] {
            let p = dir.join(name);
            std::fs::write(&p, name).unwrap();
            let f = std::fs::File::options().append(true).open(&p).unwrap();
            f.set_modified(hours(age)).unwrap();
        }
        touch(&dir.join("a"));
        let deleted = prune_binaries(&dir, 1, std::time::Duration::from_secs(3600));
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        left.sort();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(deleted, 2);
        assert_eq!(
            left,
            ["a", "d", "e.123.partial"],
            "a was just used, d is recent"
        );
    }

    #[test]
    fn generated_main_declares_each_member_with_unsafe_forbidden() {
        let text = main_rs(2);
        assert!(text.contains(
            "#[path = \"s1\"]\nmod s1 {\n    #[forbid(unsafe_code)]\n    pub mod solution;"
        ));
        assert!(
            text.contains("Suite { public: s0::public::scenarios, hidden: s0::hidden::scenarios }")
        );
    }

    #[test]
    fn errors_in_hidden_scenarios_never_show_their_source() {
        let job = Path::new("/c/jobs/k");
        let d = serde_json::json!({
            "level": "error",
            "message": "mismatched types",
            "code": {"code": "E0308"},
            "spans": [{"file_name": "/c/jobs/k/s1/hidden.rs", "is_primary": true}],
            "children": [],
            "rendered": "error[E0308]: mismatched types\n --> /c/jobs/k/s1/hidden.rs:9:5\n  |\n9 |     let secret = drain(&mut cloud);\n"
        });
        let errs = diagnostics(&d.to_string(), job);
        let msgs = &errs.by_member[&1];
        assert!(msgs[0].starts_with("error[E0308]: mismatched types"));
        assert!(!msgs[0].contains("secret"), "{}", msgs[0]);
    }

    #[test]
    fn learner_errors_keep_their_snippet_with_paths_made_relative() {
        let job = Path::new("/c/jobs/k");
        let d = serde_json::json!({
            "level": "error",
            "message": "cannot find value `x` in this scope",
            "code": {"code": "E0425"},
            "spans": [{"file_name": "/c/jobs/k/s0/solution.rs", "is_primary": true}],
            "children": [],
            "rendered": "error[E0425]: cannot find value `x`\n --> /c/jobs/k/s0/solution.rs:3:5\n  |\n3 |     x\n"
        });
        let errs = diagnostics(&d.to_string(), job);
        assert!(
            errs.by_member[&0][0].contains("--> solution.rs:3:5"),
            "{:?}",
            errs.by_member
        );
        assert!(errs.by_member[&0][0].contains("3 |     x"));
    }
}
