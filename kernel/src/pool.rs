//! A pool of persistent evcxr build folders. Each running kernel locks one
//! slot, so compiled sandbox artifacts survive between kernel starts and two
//! kernels never build in the same folder. A new slot starts as a copy of the
//! template that `cloudlab kernel install` warms.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::KernelError;

/// Slots tried before giving up (each running kernel holds one).
const MAX_SLOTS: usize = 64;

/// A build folder this process holds until it exits.
#[derive(Debug)]
pub(crate) struct Slot {
    /// The folder evcxr builds in (`EVCXR_TMPDIR`).
    pub dir: PathBuf,
    _lock: File,
}

/// Locks a free slot under `pool`, seeding it from `pool/template` when new.
pub(crate) fn acquire(pool: &Path) -> Result<Slot, KernelError> {
    create_dir(pool)?;
    for i in 0..MAX_SLOTS {
        let lock = open_lock(&pool.join(format!("slot-{i}.lock")))?;
        if lock.try_lock().is_err() {
            continue;
        }
        let dir = pool.join(format!("slot-{i}"));
        if !dir.join("target").is_dir() {
            seed(&pool.join("template"), &dir)?;
        }
        create_dir(&dir)?;
        return Ok(Slot { dir, _lock: lock });
    }
    Err(KernelError::Cache {
        path: pool.to_path_buf(),
        message: format!("all {MAX_SLOTS} build slots are in use"),
    })
}

/// Locks the template folder for warming (waits for another warm-up).
pub(crate) fn lock_template(pool: &Path) -> Result<Slot, KernelError> {
    create_dir(pool)?;
    let lock = open_lock(&pool.join("template.lock"))?;
    lock.lock().map_err(|e| cache_error(pool, e))?;
    let dir = pool.join("template");
    create_dir(&dir)?;
    Ok(Slot { dir, _lock: lock })
}

/// Copies the template's compiled artifacts into a new slot. Cargo keeps
/// them fresh after the copy (`cp -a` keeps timestamps), so the sandbox is
/// not compiled again.
fn seed(template: &Path, dir: &Path) -> Result<(), KernelError> {
    if !template.join("target").is_dir() {
        return Ok(());
    }
    let _guard = lock_template_shared(template)?;
    let _ = std::fs::remove_dir_all(dir);
    let status = Command::new("cp")
        .arg("-a")
        .arg(template)
        .arg(dir)
        .status()
        .map_err(|e| cache_error(dir, e))?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(dir);
        return Err(KernelError::Cache {
            path: dir.to_path_buf(),
            message: format!("copying the warm template failed ({status})"),
        });
    }
    Ok(())
}

/// Waits while `cloudlab kernel install` is still warming the template.
fn lock_template_shared(template: &Path) -> Result<File, KernelError> {
    let lock_path = template.with_extension("lock");
    let lock = open_lock(&lock_path)?;
    lock.lock_shared().map_err(|e| cache_error(&lock_path, e))?;
    Ok(lock)
}

fn open_lock(path: &Path) -> Result<File, KernelError> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| cache_error(path, e))
}

fn create_dir(dir: &Path) -> Result<(), KernelError> {
    std::fs::create_dir_all(dir).map_err(|e| cache_error(dir, e))
}

fn cache_error(path: &Path, e: std::io::Error) -> KernelError {
    KernelError::Cache {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_pool(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cl-pool-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn running_kernels_get_different_slots() {
        let pool = temp_pool("slots");
        let a = acquire(&pool).unwrap();
        let b = acquire(&pool).unwrap();
        assert_ne!(a.dir, b.dir);
        let a_dir = a.dir.clone();
        drop(a);
        // A process another test spawns holds a copy of the lock's descriptor
        // for an instant (between fork and exec), so the slot can look busy:
        // try again briefly.
        let reused = (0..100).any(|_| {
            let c = acquire(&pool).unwrap();
            let same = c.dir == a_dir;
            if !same {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            same
        });
        assert!(reused, "a released slot is reused");
        let _ = std::fs::remove_dir_all(&pool);
    }

    #[test]
    fn new_slots_copy_the_warm_template() {
        let pool = temp_pool("seed");
        {
            let t = lock_template(&pool).unwrap();
            std::fs::create_dir_all(t.dir.join("target/debug")).unwrap();
            std::fs::write(t.dir.join("target/debug/libcloudlab.rlib"), b"x").unwrap();
        }
        let slot = acquire(&pool).unwrap();
        assert!(slot.dir.join("target/debug/libcloudlab.rlib").is_file());
        let _ = std::fs::remove_dir_all(&pool);
    }
}
