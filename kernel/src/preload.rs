//! What runs before the learner's first cell: the sandbox as a dependency,
//! its prelude, a panic hook that reports panics to the kernel, and `?`
//! enabled in cells.

use std::collections::HashMap;
use std::path::Path;

/// Marks the start of a panic report on the runtime's stdout.
pub(crate) const PANIC_BEGIN: &str = "\u{1}cloudlab:panic-begin";
/// Marks the end of a panic report (followed by the location).
pub(crate) const PANIC_END: &str = "\u{1}cloudlab:panic-end";

/// Installs the panic hook in the current runtime process (after a restart too).
pub(crate) const INSTALL_PANIC_HOOK: &str = "__cloudlab_panic_hook();";

/// The evcxr configuration: offline cargo, cells built unoptimised (they
/// compile several times faster, and lessons' cells are small; the sandbox
/// itself is optimised, see [`POOL_CARGO_CONFIG`]).
pub(crate) const EVCXR_TOML: &str = "[evcxr]\noffline_mode = true\nopt_level = \"0\"\n";

/// Cargo's configuration in the pool folder, the parent of every build
/// folder, where cargo finds it for each cell: dependencies (the sandbox and
/// its crates) are built at opt-level 1, cells stay at 0. Optimised code is
/// smaller, so every cell links faster (measured here: later cells 0.35-0.50 s
/// at 0, 0.28-0.41 s at 1) and simulations run faster; level 1 still shares
/// generic instances with the cells (level 2 would not).
pub(crate) const POOL_CARGO_CONFIG: &str = "[profile.dev.package.\"*\"]\nopt-level = 1\n";

/// Crates every kernel loads next to the sandbox (name, version requirement):
/// `evcxr_input` for reading input, `serde_json` for the JSON that events
/// and messages carry (exercises parse bodies with `serde_json::from_str`).
pub(crate) const EXTRA_DEPS: &[(&str, &str)] = &[("evcxr_input", "1"), ("serde_json", "1")];

/// `EXTRA_DEPS` as Cargo.toml dependency lines (`name = "version"`).
pub(crate) fn extra_deps_toml() -> String {
    EXTRA_DEPS
        .iter()
        .map(|(name, version)| format!("{name} = \"{version}\"\n"))
        .collect()
}

/// A path as the inside of a TOML basic string.
fn toml_string(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// Prefix of the names the preload defines for the kernel's own use.
const OWN_PREFIX: &str = "__cloudlab_";

/// Typical first-cell calls, so that rust-analyzer loads the sandbox's
/// methods and `?` conversions during the preload rather than in the
/// learner's first cell. evcxr asks the analyzer only for the types of a
/// cell's top-level `let`s, so the calls sit in one (its value is `()`;
/// `hide_own_vars` keeps it out of `:vars`).
const WARM_UP: &str = "let __cloudlab_warm = { let mut c = Cloud::new(); \
     let q = c.sqs().create_queue(\"warm\")?; c.sqs().send(&q, \"warm\")?; };";

/// Drops the preload's own variables from the output of evcxr's `:vars`
/// (text lines and HTML table rows), so learners see only theirs.
pub(crate) fn hide_own_vars(code: &str, mime: &mut HashMap<String, String>) {
    if code.split_whitespace().next() != Some(":vars") {
        return;
    }
    if let Some(text) = mime.get_mut("text/plain") {
        *text = text
            .split_inclusive('\n')
            .filter(|line| !line.starts_with(OWN_PREFIX))
            .collect();
    }
    if let Some(html) = mime.get_mut("text/html") {
        let row = "<tr><td>";
        let mut parts = html.split(row);
        let mut kept = parts.next().unwrap_or_default().to_string();
        for part in parts {
            if part.starts_with(OWN_PREFIX) {
                // Keep what follows the row (`</table>` after the last one);
                // evcxr ends rows with `<tr>` where `</tr>` was meant.
                let end = ["</tr>", "<tr>"]
                    .iter()
                    .filter_map(|m| part.find(m).map(|i| i + m.len()))
                    .min()
                    .unwrap_or(part.len());
                kept.push_str(&part[end..]);
            } else {
                kept.push_str(row);
                kept.push_str(part);
            }
        }
        *html = kept;
    }
}

/// The preload cell for a kernel whose sandbox lives in `sandbox`.
pub(crate) fn preload_code(sandbox: &Path) -> String {
    let path = toml_string(sandbox);
    let extra: String = extra_deps_toml()
        .lines()
        .map(|line| format!(":dep {line}\n"))
        .collect();
    format!(
        ":dep cloudlab = {{ path = \"{path}\" }}\n\
         {extra}\
         use cloudlab::prelude::*;\n\
         {hook}\n\
         {INSTALL_PANIC_HOOK}\n\
         {WARM_UP}\n\
         Ok::<(), CloudError>(())?;\n",
        hook = panic_hook_fn(),
    )
}

/// The `:endpoint` cell for the endpoint crate in `dir`.
pub(crate) fn endpoint_code(dir: &Path) -> String {
    let path = toml_string(dir);
    format!(
        ":dep cloudlab-endpoint = {{ path = \"{path}\" }}\n\
         use cloudlab_endpoint::{{ServeExt, SharedCloud, lock, shared}};\n"
    )
}

/// A panic hook that prints the message between markers the kernel reads,
/// instead of the default message and backtrace on stderr; it also turns on
/// the runtime's copies of rich displays.
fn panic_hook_fn() -> String {
    format!(
        r#"fn __cloudlab_panic_hook() {{
    std::panic::set_hook(Box::new(|info| {{
        let message = info.payload_as_str().unwrap_or("Box<dyn Any>");
        let at = info.location().map(|l| format!("{{}}:{{}}:{{}}", l.file(), l.line(), l.column())).unwrap_or_default();
        let thread = std::thread::current().name().unwrap_or("<unnamed>").to_string();
        println!("{PANIC_BEGIN} {{thread}}\n{{message}}\n{PANIC_END} {{at}}");
    }}));
    println!("{DISPLAYS_ON}");
}}"#,
        PANIC_BEGIN = PANIC_BEGIN.escape_default(),
        PANIC_END = PANIC_END.escape_default(),
        DISPLAYS_ON = crate::runtime::DISPLAYS_ON.escape_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preload_depends_on_the_sandbox_by_path() {
        let code = preload_code(Path::new("/repo/sandbox"));
        assert!(code.starts_with(":dep cloudlab = { path = \"/repo/sandbox\" }\n"));
        assert!(code.contains("use cloudlab::prelude::*;"));
        assert!(code.contains(":dep serde_json = \"1\"\n"), "{code}");
        assert!(code.contains("fn __cloudlab_panic_hook()"));
        assert!(code.contains("\\u{1}cloudlab:panic-begin"), "{code}");
        assert!(code.contains("let __cloudlab_warm = {"), "{code}");
    }

    #[test]
    fn vars_output_hides_the_preloads_variables() {
        let mut mime = HashMap::from([
            (
                "text/plain".to_string(),
                "cloud: Cloud\n__cloudlab_warm: ()\nq: Queue\n".to_string(),
            ),
            (
                "text/html".to_string(),
                "<table><tr><th>Variable</th><th>Type</th></tr>\
                 <tr><td>cloud</td><td>Cloud</td><tr>\
                 <tr><td>__cloudlab_warm</td><td>()</td><tr></table>"
                    .to_string(),
            ),
        ]);
        hide_own_vars(":vars", &mut mime);
        assert_eq!(mime["text/plain"], "cloud: Cloud\nq: Queue\n");
        assert_eq!(
            mime["text/html"],
            "<table><tr><th>Variable</th><th>Type</th></tr>\
             <tr><td>cloud</td><td>Cloud</td><tr></table>"
        );
        let mut other = HashMap::from([("text/plain".to_string(), "__cloudlab_x".to_string())]);
        hide_own_vars("__cloudlab_x", &mut other);
        assert_eq!(
            other["text/plain"], "__cloudlab_x",
            "only :vars is filtered"
        );
    }

    #[test]
    fn endpoint_code_loads_the_crate_by_path() {
        let code = endpoint_code(Path::new("/repo/endpoint"));
        assert!(code.starts_with(":dep cloudlab-endpoint = { path = \"/repo/endpoint\" }\n"));
        assert!(code.contains("use cloudlab_endpoint::{ServeExt, SharedCloud, lock, shared};"));
    }
}
