//! The kernel's Rust client against the real `cloudlab kernel run` (in the
//! `--plain` mode the benchmark uses as its baseline, so no sandbox compile).

use cloudlab_kernel::client::{ExecuteOptions, KernelClient, KernelCommand, Output};
use std::path::Path;
use std::time::Duration;

#[test]
fn shuts_down_even_while_evcxr_starts() {
    let cmd = KernelCommand::cloudlab(Path::new(env!("CARGO_BIN_EXE_cloudlab"))).arg("--plain");
    let kernel = KernelClient::start(&cmd).expect("kernel starts");
    kernel.shutdown().expect("exits");
}

#[test]
fn runs_cells_and_collects_outputs() {
    let cmd = KernelCommand::cloudlab(Path::new(env!("CARGO_BIN_EXE_cloudlab"))).arg("--plain");
    let mut kernel = KernelClient::start(&cmd).expect("kernel starts");

    let run = kernel.execute("1 + 1").unwrap();
    assert!(run.is_ok(), "{run:?}");
    assert_eq!(run.execution_count, 1);
    assert_eq!(run.result_text().as_deref(), Some("2"));

    let run = kernel
        .execute("println!(\"hi\"); eprintln!(\"oops\");")
        .unwrap();
    assert!(run.is_ok());
    assert_eq!(run.stream("stdout"), "hi\n");
    assert_eq!(run.stream("stderr"), "oops\n");

    let run = kernel.execute("let x: u32 = \"a\";").unwrap();
    assert_eq!(run.status, "error");
    match run.error() {
        Some(Output::Error { ename, .. }) => assert_eq!(ename, "CompilationError"),
        other => panic!("expected an error output, got {other:?}"),
    }
    assert_eq!(run.outputs[0].to_nbformat()["output_type"], "error");

    let options = ExecuteOptions {
        interrupt_after: Some(Duration::from_secs(2)),
        ..ExecuteOptions::default()
    };
    let run = kernel.execute_with("loop {}", &options).unwrap();
    assert_eq!(run.status, "error");
    match run.error() {
        Some(Output::Error { ename, .. }) => assert_eq!(ename, "Interrupted"),
        other => panic!("expected Interrupted, got {other:?}"),
    }
    kernel
        .shutdown()
        .expect("the kernel exits on shutdown_request");
}
