//! What runs before the learner's first cell: the sandbox as a dependency,
//! its prelude, a panic hook that reports panics to the kernel, and `?`
//! enabled in cells.

use std::path::Path;

/// Marks the start of a panic report on the runtime's stdout.
pub(crate) const PANIC_BEGIN: &str = "\u{1}cloudlab:panic-begin";
/// Marks the end of a panic report (followed by the location).
pub(crate) const PANIC_END: &str = "\u{1}cloudlab:panic-end";

/// Installs the panic hook in the current runtime process (after a restart too).
pub(crate) const INSTALL_PANIC_HOOK: &str = "__cloudlab_panic_hook();";

/// The evcxr configuration: offline cargo, everything built unoptimised
/// (cells compile several times faster; the sandbox compiles in a fraction of
/// the time at install and whenever its source changes, and lessons' cells
/// are small).
pub(crate) const EVCXR_TOML: &str = "[evcxr]\noffline_mode = true\nopt_level = \"0\"\n";

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
    }

    #[test]
    fn endpoint_code_loads_the_crate_by_path() {
        let code = endpoint_code(Path::new("/repo/endpoint"));
        assert!(code.starts_with(":dep cloudlab-endpoint = { path = \"/repo/endpoint\" }\n"));
        assert!(code.contains("use cloudlab_endpoint::{ServeExt, SharedCloud, lock, shared};"));
    }
}
