//! The child side: evcxr re-executes the `cloudlab` binary as the process
//! that loads and runs compiled cells. Before evcxr takes over, this caps the
//! heap of that process.

use std::path::PathBuf;
use std::process::Command;

/// Set on the runtime process: its heap cap in MiB.
pub(crate) const RUNTIME_MEMORY_ENV: &str = "CLOUDLAB_RUNTIME_MEMORY_MB";
/// Set on the runtime process: copy each rich display to the kernel (see [`copy_displays`]).
pub(crate) const RUNTIME_DISPLAYS_ENV: &str = "CLOUDLAB_RUNTIME_DISPLAYS";
/// Starts the copy of one rich display on the runtime's stdout (then the mime type).
pub(crate) const DISPLAY_BEGIN: &str = "\u{1}cloudlab:display";
/// Ends the copy of one rich display.
pub(crate) const DISPLAY_END: &str = "\u{1}cloudlab:display-end";
/// Printed by the preload: copies start from here. (evcxr's own first
/// evaluation, before anyone reads the runtime's output, must not get any.)
pub(crate) const DISPLAYS_ON: &str = "\u{1}cloudlab:displays-on";

/// The command evcxr starts as its runtime process: this binary, with the
/// heap cap and the toolchain's `libstd` on the library path. (Cells are
/// linked against the shared `libstd`; the rpath rustc writes is relative to
/// `deps/`, which evcxr moves the library out of, so it breaks in deep folders
/// like the build cache.)
pub(crate) fn runtime_command(memory_limit_mb: u64, displays: bool) -> std::io::Result<Command> {
    let mut cmd = Command::new(std::env::current_exe()?);
    if displays {
        cmd.env(RUNTIME_DISPLAYS_ENV, "1");
    }
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
    if std::env::var_os("EVCXR_IS_RUNTIME").is_some() {
        if let Some(mb) = std::env::var(RUNTIME_MEMORY_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|mb| *mb > 0)
        {
            limit_heap(mb);
        }
        if std::env::var_os(RUNTIME_DISPLAYS_ENV).is_some()
            && let Err(e) = copy_displays()
        {
            eprintln!("cloudlab: rich displays will show as one result per cell: {e}");
        }
    }
    evcxr::runtime_hook();
}

/// evcxr keeps one rich output per mime type per cell (the last one wins).
/// So that every `evcxr_display` shows, the runtime's stdout goes through a
/// pipe to a thread that writes a marked copy of each display block before
/// the block itself; the kernel shows the copies as `display_data` (and the
/// cell's final value as `execute_result`).
fn copy_displays() -> std::io::Result<()> {
    use std::os::fd::{FromRawFd, IntoRawFd};
    let mut fds = [0; 2];
    // SAFETY: plain POSIX calls on descriptors this function owns; stdout
    // (fd 1) is replaced by the pipe's write end before any cell runs.
    let real_stdout = unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let real = libc::dup(1);
        if real < 0 || libc::dup2(fds[1], 1) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        libc::close(fds[1]);
        std::fs::File::from_raw_fd(real)
    };
    // SAFETY: fds[0] is the pipe's read end, owned by the File from here on.
    let pipe = unsafe { std::fs::File::from_raw_fd(fds[0]) };
    std::thread::Builder::new()
        .name("cloudlab-displays".into())
        .spawn(move || {
            let mut out = std::io::LineWriter::new(real_stdout);
            let _ = copy_with_display_marks(std::io::BufReader::new(pipe), &mut out);
            let _ = out.into_inner().map(IntoRawFd::into_raw_fd);
        })?;
    Ok(())
}

/// Copies `input` to `out`, writing before each `EVCXR_BEGIN_CONTENT` block
/// a copy framed by [`DISPLAY_BEGIN`] and [`DISPLAY_END`], once the line
/// [`DISPLAYS_ON`] (which is swallowed) has been seen.
pub(crate) fn copy_with_display_marks(
    mut input: impl std::io::BufRead,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let mut line = Vec::new();
    let mut block: Option<(String, Vec<u8>)> = None;
    let mut on = false;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        let trimmed = text.trim_end_matches(['\n', '\r']);
        match &mut block {
            None if trimmed == DISPLAYS_ON => on = true,
            None => match trimmed.strip_prefix("EVCXR_BEGIN_CONTENT ").filter(|_| on) {
                Some(mime) => block = Some((mime.trim().to_string(), line.clone())),
                None => out.write_all(&line)?,
            },
            Some((mime, raw)) => {
                raw.extend_from_slice(&line);
                if trimmed == "EVCXR_END_CONTENT" {
                    let body = &raw[raw.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1)..];
                    writeln!(out, "{DISPLAY_BEGIN} {mime}")?;
                    out.write_all(&body[..body.len() - line.len()])?;
                    writeln!(out, "{DISPLAY_END}")?;
                    out.write_all(raw)?;
                    out.flush()?;
                    block = None;
                } else if trimmed == "EVCXR_PANIC_NOTIFICATION" {
                    out.write_all(raw)?;
                    block = None;
                }
            }
        }
        if block.is_none() {
            out.flush()?;
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn copy(input: &str) -> String {
        let mut out = Vec::new();
        copy_with_display_marks(input.as_bytes(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn display_blocks_get_a_marked_copy_first() {
        let input = "\u{1}cloudlab:displays-on\nhi\nEVCXR_BEGIN_CONTENT text/html\n<b>q</b>\n<i>2</i>\nEVCXR_END_CONTENT\nbye\n";
        assert_eq!(
            copy(input),
            format!(
                "hi\n{DISPLAY_BEGIN} text/html\n<b>q</b>\n<i>2</i>\n{DISPLAY_END}\n\
                 EVCXR_BEGIN_CONTENT text/html\n<b>q</b>\n<i>2</i>\nEVCXR_END_CONTENT\nbye\n"
            )
        );
    }

    #[test]
    fn other_lines_pass_unchanged() {
        let input = "EVCXR_EXECUTION_COMPLETE\nplain \u{1} text\n";
        assert_eq!(copy(input), input);
    }

    #[test]
    fn a_panic_inside_a_block_passes_through() {
        let input = "EVCXR_BEGIN_CONTENT text/plain\nEVCXR_PANIC_NOTIFICATION\n";
        assert_eq!(copy(&format!("{DISPLAYS_ON}\n{input}")), input);
    }

    #[test]
    fn no_copies_before_the_preload_asks() {
        let input = "EVCXR_BEGIN_CONTENT text/plain\n42\nEVCXR_END_CONTENT\n";
        assert_eq!(copy(input), input);
    }
}
