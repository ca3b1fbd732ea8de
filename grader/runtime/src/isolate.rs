//! The child's isolation, applied by the harness before any learner code runs:
//! resource limits, a landlock ruleset (no file access outside the scratch
//! dir, no TCP, no signals or abstract sockets outside the sandbox) and a
//! seccomp filter (no new processes, no sockets, no namespace or tracing
//! tricks). Each reports whether it is active; the grader shows that.

use std::collections::BTreeMap;
use std::path::Path;

use crate::protocol::Protections;

/// The limits the grader asked for.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Address-space cap, MiB.
    pub memory_mb: u64,
    /// CPU-time cap per scenario, milliseconds (see [`cpu_budget`]).
    pub cpu_ms: u64,
    /// Largest file the child may write, bytes.
    pub file_bytes: u64,
}

/// Applies every protection and says which are active.
pub fn apply(limits: &Limits, scratch: &Path) -> Protections {
    Protections {
        rlimits: status(rlimits(limits)),
        landlock: landlock(scratch),
        seccomp: status(seccomp()),
    }
}

fn status(r: Result<(), String>) -> String {
    match r {
        Ok(()) => "active".to_string(),
        Err(e) => format!("not active: {e}"),
    }
}

fn set_limit(resource: libc::__rlimit_resource_t, soft: u64, hard: u64) -> Result<(), String> {
    let lim = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: setrlimit reads a valid rlimit struct; no memory is shared.
    let rc = unsafe { libc::setrlimit(resource, &lim) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error().to_string())
    }
}

fn rlimits(limits: &Limits) -> Result<(), String> {
    let bytes = limits.memory_mb.saturating_mul(1024 * 1024);
    set_limit(libc::RLIMIT_AS, bytes, bytes)?;
    cpu_budget(limits.cpu_ms)?;
    set_limit(libc::RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes)?;
    set_limit(libc::RLIMIT_CORE, 0, 0)?;
    set_limit(libc::RLIMIT_NOFILE, 64, 64)?;
    Ok(())
}

/// Lets the process use `ms` more CPU time from now (the soft `RLIMIT_CPU`,
/// whose SIGXCPU ends the process). The harness calls it before each
/// scenario; learner code cannot (no `unsafe`, no libc).
pub fn cpu_budget(ms: u64) -> Result<(), String> {
    // SAFETY: getrusage writes into the zeroed struct we own.
    let used = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) as u64
    };
    let soft = used + ms.div_ceil(1000).max(1) + 1;
    set_limit(libc::RLIMIT_CPU, soft, libc::RLIM_INFINITY)
}

fn landlock(scratch: &Path) -> String {
    use landlock::{
        ABI, Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus,
        Scope, path_beneath_rules,
    };
    let abi = ABI::V6;
    let result = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
        .and_then(|r| r.scope(Scope::from_all(abi)))
        .and_then(|r| r.create())
        .and_then(|r| r.add_rules(path_beneath_rules([scratch], AccessFs::from_all(abi))))
        .and_then(|r| r.restrict_self());
    match result {
        Ok(s) => match s.ruleset {
            RulesetStatus::FullyEnforced => "active".to_string(),
            RulesetStatus::PartiallyEnforced => {
                "partly active (the kernel lacks some landlock features)".to_string()
            }
            RulesetStatus::NotEnforced => "not active: the kernel has no landlock".to_string(),
        },
        Err(e) => format!("not active: {e}"),
    }
}

/// System calls that would leave the sandbox: new processes (and threads),
/// sockets, namespaces, tracing, kernel objects.
fn denied_syscalls() -> Vec<i64> {
    let mut calls = vec![
        libc::SYS_clone,
        libc::SYS_clone3,
        libc::SYS_execve,
        libc::SYS_execveat,
        libc::SYS_socket,
        libc::SYS_socketpair,
        libc::SYS_connect,
        libc::SYS_bind,
        libc::SYS_listen,
        libc::SYS_accept,
        libc::SYS_accept4,
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_unshare,
        libc::SYS_setns,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_chroot,
        libc::SYS_pivot_root,
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_userfaultfd,
        libc::SYS_io_uring_setup,
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_personality,
    ];
    #[cfg(target_arch = "x86_64")]
    calls.extend([libc::SYS_fork, libc::SYS_vfork]);
    calls
}

fn seccomp() -> Result<(), String> {
    use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};
    let arch = if cfg!(target_arch = "x86_64") {
        TargetArch::x86_64
    } else if cfg!(target_arch = "aarch64") {
        TargetArch::aarch64
    } else {
        return Err("no seccomp filter for this CPU architecture".into());
    };
    let rules: BTreeMap<i64, Vec<seccompiler::SeccompRule>> = denied_syscalls()
        .into_iter()
        .map(|call| (call, Vec::new()))
        .collect();
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )
    .map_err(|e| e.to_string())?;
    let program: BpfProgram = filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| e.to_string())?;
    seccompiler::apply_filter(&program).map_err(|e| e.to_string())
}
