//! `cloudlab kernel install` / `uninstall`: the kernelspec Jupyter finds, and
//! a warm build cache so the first cell does not compile the sandbox.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::KernelError;
use crate::config::{self, KernelConfig};
use crate::pool;
use crate::preload;

/// The kernelspec name front ends and notebooks use.
pub const KERNEL_NAME: &str = "cloudlab";
/// The name shown in kernel pickers.
pub const DISPLAY_NAME: &str = "Cloudlab (Rust)";

const LOGOS: &[(&str, &[u8])] = &[
    (
        "logo-32x32.png",
        include_bytes!("../resources/logo-32x32.png"),
    ),
    (
        "logo-64x64.png",
        include_bytes!("../resources/logo-64x64.png"),
    ),
    ("logo-svg.svg", include_bytes!("../resources/logo-svg.svg")),
];

/// Which Jupyter data folder the kernelspec goes into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The user's Jupyter data folder (`$JUPYTER_DATA_DIR` or `~/.local/share/jupyter`).
    User,
    /// The Python environment's (`$VIRTUAL_ENV`, `$CONDA_PREFIX` or `sys.prefix`)`/share/jupyter`.
    SysPrefix,
    /// `<prefix>/share/jupyter`.
    Prefix(PathBuf),
}

impl Location {
    /// The `kernels/cloudlab` folder for this location.
    pub fn kernel_dir(&self) -> Result<PathBuf, KernelError> {
        let data = match self {
            Location::User => match std::env::var_os("JUPYTER_DATA_DIR") {
                Some(dir) => PathBuf::from(dir),
                None => jupyter_zmq_client::user_data_dir().map_err(|e| KernelError::Install {
                    action: "finding the Jupyter data folder",
                    path: PathBuf::from("~"),
                    source: std::io::Error::other(e.to_string()),
                })?,
            },
            Location::SysPrefix => python_prefix()?.join("share").join("jupyter"),
            Location::Prefix(p) => p.join("share").join("jupyter"),
        };
        Ok(data.join("kernels").join(KERNEL_NAME))
    }
}

/// The active Python environment's prefix, as `jupyter --sys-prefix` means it.
fn python_prefix() -> Result<PathBuf, KernelError> {
    for var in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(p) = std::env::var_os(var) {
            return Ok(PathBuf::from(p));
        }
    }
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .map_err(|source| KernelError::Install {
            action: "running python3 to find sys.prefix for",
            path: PathBuf::from("--sys-prefix"),
            source,
        })?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// The `kernel.json` for a kernel run by `binary`.
///
/// ```
/// use cloudlab_kernel::install::kernel_json;
/// let json = kernel_json(std::path::Path::new("/opt/cloudlab"), std::path::Path::new("/repo"), 1024);
/// assert_eq!(json["argv"][0], "/opt/cloudlab");
/// assert_eq!(json["argv"][4], "{connection_file}");
/// assert_eq!(json["interrupt_mode"], "message");
/// ```
pub fn kernel_json(binary: &Path, root: &Path, memory_limit_mb: u64) -> serde_json::Value {
    serde_json::json!({
        "argv": [binary.display().to_string(), "kernel", "run", "--connection-file", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "rust",
        "interrupt_mode": "message",
        "env": {
            config::ROOT_ENV: root.display().to_string(),
            config::MEMORY_ENV: memory_limit_mb.to_string(),
        },
        "metadata": { "debugger": false },
    })
}

/// Writes the kernelspec; returns its folder.
pub fn install(
    location: &Location,
    binary: &Path,
    config: &KernelConfig,
) -> Result<PathBuf, KernelError> {
    let dir = location.kernel_dir()?;
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| KernelError::Install {
            action,
            path,
            source,
        }
    };
    std::fs::create_dir_all(&dir).map_err(io("creating", &dir))?;
    let binary = binary.canonicalize().map_err(io("finding", binary))?;
    let json = kernel_json(&binary, &config.root, config.memory_limit_mb);
    let text = serde_json::to_string_pretty(&json).unwrap_or_default();
    let file = dir.join("kernel.json");
    std::fs::write(&file, text + "\n").map_err(io("writing", &file))?;
    for (name, bytes) in LOGOS {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(io("writing", &path))?;
    }
    Ok(dir)
}

/// Removes the kernelspec; returns the folder removed, if there was one.
pub fn uninstall(location: &Location) -> Result<Option<PathBuf>, KernelError> {
    let dir = location.kernel_dir()?;
    if !dir.join("kernel.json").is_file() {
        return Ok(None);
    }
    std::fs::remove_dir_all(&dir).map_err(|source| KernelError::Install {
        action: "removing",
        path: dir.clone(),
        source,
    })?;
    Ok(Some(dir))
}

/// What warming the build cache did.
#[derive(Debug)]
pub struct Warmed {
    /// The template folder new kernels copy.
    pub dir: PathBuf,
    /// How long it took.
    pub elapsed: Duration,
    /// A problem that did not stop the warm-up (e.g. no network for `cargo fetch`).
    pub warning: Option<String>,
}

/// Compiles the sandbox (and a first cell) in the pool's template folder, so
/// kernels start without compiling it. Also downloads, once, the crates
/// `cargo metadata` wants for every platform, so kernels work offline.
///
/// Call it from `main` before any other thread starts: it sets environment
/// variables and runs evcxr in this process (which must call
/// [`crate::runtime_hook`] first).
pub fn warm(config: &KernelConfig) -> Result<Warmed, KernelError> {
    let started = Instant::now();
    let template = pool::lock_template(&config.cache_dir)?;
    crate::server::write_build_files(config, &template.dir)?;
    let warning = fetch_crates(config, &template.dir).err();
    // SAFETY: documented precondition: no other threads exist yet.
    unsafe {
        std::env::set_var("EVCXR_TMPDIR", &template.dir);
        std::env::set_var("EVCXR_CONFIG_DIR", template.dir.join(".evcxr-config"));
    }
    let runtime = crate::runtime::runtime_command(config.memory_limit_mb, true)?;
    let (eval, outputs) = evcxr::EvalContext::with_subprocess_command(runtime)
        .map_err(|e| KernelError::Runtime(e.to_string()))?;
    // Drain the runtime's output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in outputs.stdout.iter() {});
    let mut ctx = evcxr::CommandContext::with_eval_context(eval);
    let run = |ctx: &mut evcxr::CommandContext, code: &str| {
        ctx.execute(code)
            .map(|_| ())
            .map_err(|e| KernelError::Runtime(format!("warming the build cache failed:\n{e}")))
    };
    run(&mut ctx, &preload::preload_code(&config.sandbox_dir()))?;
    run(
        &mut ctx,
        "let mut cloud = Cloud::new(); let q = cloud.sqs().create_queue(\"warm\")?; \
         cloud.sqs().send(&q, \"hello\")?;",
    )?;
    drop(ctx);
    refresh_idle_slots(&config.cache_dir);
    Ok(Warmed {
        dir: template.dir.clone(),
        elapsed: started.elapsed(),
        warning,
    })
}

/// `cargo fetch` for the cell crate's dependencies: evcxr runs `cargo
/// metadata`, which wants the sources of every platform's crates.
fn fetch_crates(config: &KernelConfig, dir: &Path) -> Result<(), String> {
    let extra = crate::preload::extra_deps_toml();
    let manifest = format!(
        "[package]\nname = \"ctx\"\nversion = \"1.0.0\"\nedition = \"2024\"\n\n\
         [lib]\npath = \"src/lib.rs\"\n\n[dependencies]\n\
         cloudlab = {{ path = \"{}\" }}\n{extra}",
        config.sandbox_dir().display()
    );
    let src = dir.join("src");
    std::fs::create_dir_all(&src).map_err(|e| e.to_string())?;
    if !src.join("lib.rs").exists() {
        std::fs::write(src.join("lib.rs"), "").map_err(|e| e.to_string())?;
    }
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    let out = Command::new("cargo")
        .arg("fetch")
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run cargo fetch: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo fetch failed (offline?); kernels may not be able to add the sandbox:\n{}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Drops idle slots, so they are copied again from the fresh template.
fn refresh_idle_slots(pool_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(pool_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(n) = name.strip_prefix("slot-").filter(|n| !n.ends_with(".lock")) else {
            continue;
        };
        let lock_path = pool_dir.join(format!("slot-{n}.lock"));
        if let Ok(lock) = std::fs::File::create(&lock_path)
            && lock.try_lock().is_ok()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_location() {
        let dir = Location::Prefix(PathBuf::from("/p")).kernel_dir().unwrap();
        assert_eq!(dir, PathBuf::from("/p/share/jupyter/kernels/cloudlab"));
    }

    #[test]
    fn install_then_uninstall() {
        let prefix = std::env::temp_dir().join(format!("cl-install-{}", std::process::id()));
        let loc = Location::Prefix(prefix.clone());
        let config = KernelConfig::from_env();
        let exe = std::env::current_exe().unwrap();
        let dir = install(&loc, &exe, &config).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("kernel.json")).unwrap())
                .unwrap();
        assert_eq!(json["display_name"], DISPLAY_NAME);
        assert_eq!(json["language"], "rust");
        assert_eq!(json["argv"][1], "kernel");
        assert!(dir.join("logo-64x64.png").is_file());
        assert_eq!(uninstall(&loc).unwrap(), Some(dir.clone()));
        assert!(!dir.exists());
        assert_eq!(uninstall(&loc).unwrap(), None);
        let _ = std::fs::remove_dir_all(prefix);
    }
}
