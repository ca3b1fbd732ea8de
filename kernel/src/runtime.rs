//! The child side: evcxr re-executes the `cloudlab` binary as the process
//! that loads and runs compiled cells. Before evcxr takes over, this caps the
//! heap of that process.

use std::path::PathBuf;
use std::process::Command;

/// Set on the runtime process: its heap cap in MiB.
pub(crate) const RUNTIME_MEMORY_ENV: &str = "CLOUDLAB_RUNTIME_MEMORY_MB";

/// The command evcxr starts as its runtime process: this binary, with the
/// heap cap and the toolchain's `libstd` on the library path. (Cells are
/// linked against the shared `libstd`; the rpath rustc writes is relative to
/// `deps/`, which evcxr moves the library out of, so it breaks in deep folders
/// like the build cache.)
pub(crate) fn runtime_command(memory_limit_mb: u64) -> std::io::Result<Command> {
    let mut cmd = Command::new(std::env::current_exe()?);
    if memory_limit_mb > 0 {
        cmd.env(RUNTIME_MEMORY_ENV, memory_limit_mb.to_string());
    }
    if let Some(lib) = rust_std_lib_dir() {
        let var = if cfg!(target_os = "macos") {
            "DYLD_LIBRARY_PATH"
        } else {
            "LD_LIBRARY_PATH"
        };
        let mut paths = vec![lib];
        if let Some(old) = std::env::var_os(var) {
            paths.extend(std::env::split_paths(&old));
        }
        if let Ok(joined) = std::env::join_paths(paths) {
            cmd.env(var, joined);
        }
    }
    Ok(cmd)
}

/// `<sysroot>/lib/rustlib/<host>/lib`, where the shared `libstd` lives.
fn rust_std_lib_dir() -> Option<PathBuf> {
    let rustc = |args: &[&str]| {
        let out = Command::new("rustc").args(args).output().ok()?;
        String::from_utf8(out.stdout).ok()
    };
    let sysroot = rustc(&["--print", "sysroot"])?;
    let info = rustc(&["-vV"])?;
    let host = info.lines().find_map(|l| l.strip_prefix("host: "))?;
    let dir = PathBuf::from(sysroot.trim())
        .join("lib")
        .join("rustlib")
        .join(host.trim())
        .join("lib");
    dir.is_dir().then_some(dir)
}

/// Must be the first call in `main` of the binary embedding the kernel: when
/// evcxr re-executes the binary as its runtime process (or as its rustc
/// wrapper), this takes over and never returns.
pub fn runtime_hook() {
    if std::env::var_os("EVCXR_IS_RUNTIME").is_some()
        && let Some(mb) = std::env::var(RUNTIME_MEMORY_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|mb| *mb > 0)
    {
        limit_heap(mb);
    }
    evcxr::runtime_hook();
}

/// Caps the data segment (heap, including large `mmap` allocations) at `mb`
/// MiB. Code mapped from the compiled cells does not count, so a long session
/// does not run into the cap; a cell that allocates too much gets an
/// allocation failure, which aborts the runtime process (the kernel survives).
fn limit_heap(mb: u64) {
    let bytes = mb.saturating_mul(1024 * 1024) as libc::rlim_t;
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: bytes,
    };
    // SAFETY: setrlimit only reads the struct we pass; it affects this process only.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_DATA, &limit) };
    if rc != 0 {
        eprintln!(
            "cloudlab: could not cap runtime memory at {mb} MiB: {}",
            std::io::Error::last_os_error()
        );
    }
}
