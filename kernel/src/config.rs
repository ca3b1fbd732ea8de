//! Where the kernel finds the sandbox, where it keeps its build cache, and
//! how much memory the runtime may use.

use std::path::{Path, PathBuf};

/// Environment variable naming the Cloudlab repository root (the folder with
/// `sandbox/`, `exercises/` and `Cargo.lock`). `cloudlab kernel install`
/// records it in `kernel.json`.
pub const ROOT_ENV: &str = "CLOUDLAB_ROOT";
/// Environment variable overriding where compiled sandbox artifacts are kept.
pub const CACHE_ENV: &str = "CLOUDLAB_KERNEL_CACHE";
/// Environment variable overriding the runtime memory cap, in MiB.
pub const MEMORY_ENV: &str = "CLOUDLAB_KERNEL_MEMORY_MB";
/// Environment variable overriding where exercises are loaded from.
pub const EXERCISES_ENV: &str = "CLOUDLAB_EXERCISES";

/// The runtime memory cap when nothing else is said: 2 GiB of heap.
pub const DEFAULT_MEMORY_MB: u64 = 2048;

/// How one kernel process is set up.
#[derive(Clone, Debug)]
pub struct KernelConfig {
    /// The repository root: `sandbox/` and `Cargo.lock` are read from here.
    pub root: PathBuf,
    /// The build cache: a pool of evcxr build folders, one per running kernel.
    pub cache_dir: PathBuf,
    /// Heap cap of the process that runs cells, in MiB (0 = no cap).
    pub memory_limit_mb: u64,
    /// Where `:exercise` and `:hint` look for `exercises/<id>/`.
    pub exercises_dir: PathBuf,
    /// Baseline mode for `cloudlab bench kernel`: plain evcxr (fresh build
    /// folder, evcxr's defaults, no preload). Not for learners.
    pub plain: bool,
}

impl KernelConfig {
    /// The configuration from the environment, falling back to the
    /// repository this binary was built from.
    pub fn from_env() -> KernelConfig {
        let root = std::env::var_os(ROOT_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(built_root);
        let cache_dir = std::env::var_os(CACHE_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| default_cache_dir(&root));
        let memory_limit_mb = std::env::var(MEMORY_ENV)
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_MEMORY_MB);
        let exercises_dir = std::env::var_os(EXERCISES_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("exercises"));
        KernelConfig {
            root,
            cache_dir,
            memory_limit_mb,
            exercises_dir,
            plain: false,
        }
    }

    /// The sandbox crate (`cloudlab`) that cells depend on.
    pub fn sandbox_dir(&self) -> PathBuf {
        self.root.join("sandbox")
    }

    /// The workspace lock file: its versions are the ones already on disk.
    pub fn lock_file(&self) -> PathBuf {
        self.root.join("Cargo.lock")
    }
}

/// The repository root this crate was compiled in.
fn built_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.parent().unwrap_or(manifest);
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// `$XDG_CACHE_HOME/cloudlab/kernel/<hash of root>` (or `~/.cache/...`), so
/// two checkouts never share compiled artifacts of different sandboxes.
fn default_cache_dir(root: &Path) -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("cloudlab")
        .join("kernel")
        .join(format!("{:016x}", fnv1a(root.to_string_lossy().as_bytes())))
}

/// FNV-1a: a stable hash (std's `DefaultHasher` may change between releases).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_dir_depends_on_root() {
        let a = default_cache_dir(Path::new("/a/cloudlab"));
        let b = default_cache_dir(Path::new("/b/cloudlab"));
        assert_ne!(a, b);
        assert_eq!(a, default_cache_dir(Path::new("/a/cloudlab")));
    }

    #[test]
    fn built_root_holds_the_sandbox() {
        assert!(built_root().join("sandbox").join("Cargo.toml").is_file());
    }
}
