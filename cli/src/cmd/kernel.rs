//! `cloudlab kernel ...` (install, uninstall, run) and `cloudlab lab`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use cloudlab_kernel::KernelConfig;
use cloudlab_kernel::install::{self, Location};
use cloudlab_kernel::spare;

/// Arguments of `cloudlab kernel`.
#[derive(Args)]
pub struct KernelArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand)]
enum What {
    /// Write the `cloudlab` kernelspec and warm the build cache (first run: a minute or two).
    Install {
        #[command(flatten)]
        location: LocationArgs,
        /// Heap cap of the process that runs cells, in MiB (0: no cap).
        #[arg(long, value_name = "MIB", default_value_t = cloudlab_kernel::config::DEFAULT_MEMORY_MB)]
        memory_limit: u64,
        /// Only write the kernelspec; the first kernel start compiles the sandbox.
        #[arg(long)]
        no_warm: bool,
    },
    /// Remove the `cloudlab` kernelspec.
    Uninstall {
        #[command(flatten)]
        location: LocationArgs,
    },
    /// Start a warm spare kernel in this folder: the next kernel Jupyter starts
    /// here takes it over instead of starting evcxr (idle spares exit after 30 min).
    Spare {
        /// Stop the spare waiting in this folder instead.
        #[arg(long, conflicts_with = "wait")]
        stop: bool,
        /// Wait until the spare in this folder is warm (up to 10 minutes), then exit.
        #[arg(long)]
        wait: bool,
        /// Bind the socket now, start warming up this many seconds later.
        #[arg(long, value_name = "SECS", default_value_t = 0, hide = true)]
        delay_secs: u64,
    },
    /// Run the kernel (Jupyter starts this through the kernelspec).
    Run {
        /// The connection file Jupyter wrote.
        #[arg(long, value_name = "FILE")]
        connection_file: PathBuf,
        /// Benchmark baseline: plain evcxr (fresh build folder, no preload).
        #[arg(long, hide = true)]
        plain: bool,
    },
}

/// Where the kernelspec goes (default: the user's Jupyter folder).
#[derive(Args)]
#[group(multiple = false)]
struct LocationArgs {
    /// The user's Jupyter data folder (the default).
    #[arg(long)]
    user: bool,
    /// The active Python environment (virtualenv or conda).
    #[arg(long)]
    sys_prefix: bool,
    /// `<PREFIX>/share/jupyter/kernels`.
    #[arg(long, value_name = "PREFIX")]
    prefix: Option<PathBuf>,
}

impl LocationArgs {
    fn location(&self) -> Location {
        match (&self.prefix, self.sys_prefix) {
            (Some(p), _) => Location::Prefix(p.clone()),
            (None, true) => Location::SysPrefix,
            (None, false) => Location::User,
        }
    }
}

/// Runs `cloudlab kernel ...`.
pub fn run(args: KernelArgs) -> anyhow::Result<ExitCode> {
    match args.what {
        What::Install {
            location,
            memory_limit,
            no_warm,
        } => {
            let mut config = KernelConfig::from_env();
            config.memory_limit_mb = memory_limit;
            install_kernel(&location.location(), &config, !no_warm)?;
        }
        What::Uninstall { location } => match install::uninstall(&location.location())? {
            Some(dir) => println!(
                "removed the {} kernel from {}",
                install::KERNEL_NAME,
                dir.display()
            ),
            None => println!("no {} kernel installed there", install::KERNEL_NAME),
        },
        What::Spare {
            stop,
            wait,
            delay_secs,
        } => return spare_command(stop, wait, delay_secs),
        What::Run {
            connection_file,
            plain,
        } => {
            let mut config = KernelConfig::from_env();
            config.plain = plain;
            cloudlab_kernel::run(&connection_file, config)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `cloudlab kernel spare [--stop | --wait]`.
fn spare_command(stop: bool, wait: bool, delay_secs: u64) -> anyhow::Result<ExitCode> {
    let config = KernelConfig::from_env();
    let cwd = std::env::current_dir().context("finding the current folder")?;
    let here = cwd.display();
    if stop {
        if spare::stop(&config, &cwd) {
            println!("stopped the spare kernel waiting in {here}");
        } else {
            println!("no spare kernel waiting in {here}");
        }
    } else if wait {
        if !spare::wait_ready(&config, &cwd, std::time::Duration::from_secs(600)) {
            eprintln!(
                "no warm spare kernel in {here} (none started, or not warm after 10 minutes)"
            );
            return Ok(ExitCode::from(1));
        }
        println!("the spare kernel in {here} is warm");
    } else {
        spare::serve(config, std::time::Duration::from_secs(delay_secs))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn install_kernel(location: &Location, config: &KernelConfig, warm: bool) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("finding the cloudlab binary")?;
    let dir = install::install(location, &exe, config)?;
    println!(
        "installed the {} kernel in {}",
        install::DISPLAY_NAME,
        dir.display()
    );
    if warm {
        println!("warming the build cache (compiles the sandbox once)...");
        let warmed = install::warm(config)?;
        if let Some(w) = &warmed.warning {
            eprintln!("warning: {w}");
        }
        println!(
            "build cache ready in {:.0} s ({})",
            warmed.elapsed.as_secs_f64(),
            warmed.dir.display()
        );
    }
    Ok(())
}

/// Arguments of `cloudlab lab`.
#[derive(Args)]
pub struct LabArgs {
    /// Start JupyterLab without opening a browser.
    #[arg(long)]
    no_browser: bool,
    /// Print what would be done and do nothing.
    #[arg(long)]
    dry_run: bool,
    /// The Python environment with JupyterLab (created when missing).
    #[arg(long, default_value = ".venv")]
    venv: PathBuf,
    /// Where `cloudlab build` writes the course.
    #[arg(long, default_value = "dist")]
    out: PathBuf,
}

/// Runs `cloudlab lab`: build the course, install the kernel into the venv,
/// make sure JupyterLab is there, open it on the lessons.
pub fn lab(args: LabArgs) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("finding the cloudlab binary")?;
    let config = KernelConfig::from_env();
    let notebooks = args.out.join("student");
    let steps = plan(&args, &config);
    if args.dry_run {
        for step in &steps {
            println!("{step}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let status = Command::new(&exe)
        .args(["build", "--out"])
        .arg(&args.out)
        .status()
        .context("running cloudlab build")?;
    if !status.success() {
        bail!("cloudlab build failed ({status}); fix the lessons and run cloudlab lab again");
    }
    let python = args.venv.join("bin").join("python");
    if !has_jupyterlab(&python) {
        if !python.exists() {
            run_step(Command::new("python3").args(["-m", "venv"]).arg(&args.venv))?;
        }
        run_step(Command::new(&python).args(["-m", "pip", "install", "--quiet", "jupyterlab"]))?;
    }
    install_kernel(&Location::Prefix(args.venv.clone()), &config, true)?;
    // Kernels run in the notebook's folder: a spare there makes the first
    // notebook's kernel start in about a second instead of about nine.
    let notebooks_dir = notebooks
        .canonicalize()
        .with_context(|| format!("finding {}", notebooks.display()))?;
    let spare = start_spare(&config, &exe, &notebooks_dir);
    let mut jupyter = Command::new(args.venv.join("bin").join("jupyter"));
    // Spares that JupyterLab's kernels start exit with this process too.
    jupyter.env(spare::OWNER_ENV, std::process::id().to_string());
    jupyter.arg("lab").arg(&notebooks);
    if args.no_browser {
        jupyter.arg("--no-browser");
    }
    let status = jupyter.status().context("starting JupyterLab");
    if spare {
        spare::stop(&config, &notebooks_dir);
    }
    Ok(if status?.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Starts a warm spare kernel in `dir` that exits with this process if
/// nobody claims it; whether one started (a warning, not an error, if it
/// cannot; none when `CLOUDLAB_KERNEL_SPARES=0`).
fn start_spare(config: &KernelConfig, exe: &Path, dir: &Path) -> bool {
    if spare::Mode::from_env() == spare::Mode::Off {
        return false;
    }
    let owner = Some(std::process::id());
    match spare::spawn_detached(config, exe, dir, std::time::Duration::ZERO, owner) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("warning: no warm spare kernel ({e}); the first kernel start takes longer");
            false
        }
    }
}

/// The steps `cloudlab lab` takes, as lines for `--dry-run`.
fn plan(args: &LabArgs, config: &KernelConfig) -> Vec<String> {
    let python = args.venv.join("bin").join("python");
    let mut steps = vec![format!(
        "build the course: cloudlab build --out {}",
        args.out.display()
    )];
    if has_jupyterlab(&python) {
        steps.push(format!("JupyterLab: already in {}", args.venv.display()));
    } else {
        steps.push(format!(
            "JupyterLab: create {} if missing, pip install jupyterlab",
            args.venv.display()
        ));
    }
    let dir = Location::Prefix(args.venv.clone())
        .kernel_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    steps.push(format!(
        "install the kernel: {dir} (sandbox {}), warm the build cache in {}",
        config.sandbox_dir().display(),
        config.cache_dir.display()
    ));
    steps.push(format!(
        "start a warm spare kernel in {} (stopped when JupyterLab exits)",
        args.out.join("student").display()
    ));
    steps.push(format!(
        "open JupyterLab: {} lab {}{}",
        args.venv.join("bin").join("jupyter").display(),
        args.out.join("student").display(),
        if args.no_browser { " --no-browser" } else { "" }
    ));
    steps
}

fn has_jupyterlab(python: &Path) -> bool {
    python.exists()
        && Command::new(python)
            .args(["-c", "import jupyterlab"])
            .output()
            .is_ok_and(|o| o.status.success())
}

fn run_step(cmd: &mut Command) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed ({status})");
    }
    Ok(())
}
