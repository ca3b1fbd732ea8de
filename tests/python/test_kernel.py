"""The Cloudlab kernel driven by real Jupyter clients.

`jupyter_kernel_test` checks the protocol (kernel_info, streams, results,
display data, errors, completion, inspection, is_complete, history); then
`jupyter_client` scenarios: rich display of a queue, a panicking cell, an
interrupted endless loop, a crashed runtime and `:replay`, stdin, course
magics, warm spares (`cloudlab kernel spare`). The kernelspec is installed into a temporary Jupyter path, once; the
install warms the build cache, and one kernel serves each group of tests.
"""

import json
import os
import pathlib
import re
import subprocess
import time

import jupyter_kernel_test
import pytest
from jupyter_client.manager import start_new_kernel

ROOT = pathlib.Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module", autouse=True)
def kernelspec(tmp_path_factory, cloudlab_bin):
    """`cloudlab kernel install --prefix <tmp>`; JUPYTER_PATH points there."""
    prefix = tmp_path_factory.mktemp("jupyter")
    r = subprocess.run(
        [str(cloudlab_bin), "kernel", "install", "--prefix", str(prefix), "--memory-limit", "1024"],
        capture_output=True, text=True, timeout=1200,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    spec_dir = prefix / "share" / "jupyter" / "kernels" / "cloudlab"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"] == [
        str(cloudlab_bin.resolve()), "kernel", "run", "--connection-file", "{connection_file}",
    ]
    assert spec["display_name"] == "Cloudlab (Rust)"
    assert spec["language"] == "rust"
    assert spec["interrupt_mode"] == "message"
    assert spec["env"]["CLOUDLAB_KERNEL_MEMORY_MB"] == "1024"
    assert (spec_dir / "logo-64x64.png").read_bytes().startswith(b"\x89PNG")
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    yield prefix
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


def warm_up(kc):
    """The first cell waits for evcxr and the sandbox preload: allow for it."""
    reply = kc.execute_interactive("0", timeout=600)
    assert reply["content"]["status"] == "ok", reply["content"]


class TestCloudlabKernelProtocol(jupyter_kernel_test.KernelTests):
    """jupyter_kernel_test's checks, on one kernel."""

    kernel_name = "cloudlab"
    language_name = "rust"
    file_extension = ".rs"

    code_hello_world = 'println!("hello, world");'
    code_stderr = 'eprintln!("something went wrong");'
    code_execute_result = [
        {"code": "1 + 1", "result": "2"},
        {"code": '"cloud".len() * 2', "result": "10"},
        {"code": 'let mut c = Cloud::new(); c.sqs().create_queue("kt")?; 40 + 2', "result": "42"},
        # serde_json is loaded next to the sandbox (exercises parse bodies with it).
        {"code": 'serde_json::from_str::<Value>("[1, 2, 3]").unwrap().as_array().unwrap().len()',
         "result": "3"},
    ]
    code_display_data = [
        {
            # A queue's messages rendered mid-cell (evcxr_display), then a value.
            "code": 'let mut c = Cloud::new(); let q = c.sqs().create_queue("d")?; '
                    'c.sqs().send(&q, "hello")?; '
                    'c.sqs().receive(&q, Receive::max(1))?.evcxr_display(); 0',
            "mime": "text/html",
        },
    ]
    code_generate_error = 'let x: u32 = "not a number";'
    completion_samples = [{"text": "Cloud::ne"}, {"text": ":exer"}]
    complete_code_samples = ["1 + 1", "fn f() -> u32 { 1 }", ":vars", 'let s = "{";', "let c = '}';"]
    incomplete_code_samples = ["fn f() {", "let v = vec![1,", 'let s = "open', "/* comment"]
    invalid_code_samples = ["}", "let x = (1];"]
    code_inspect_sample = "Vec"
    code_page_something = "?Cloud"
    # "search" works when the request has every field; jupyter_client leaves out
    # `unique`, which jupyter-protocol 2 requires, so such a request cannot be read.
    supported_history_operations = ("tail", "range")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        warm_up(cls.kc)


# ---- scenarios ---------------------------------------------------------------


@pytest.fixture(scope="module")
def kernel(kernelspec):
    km, kc = start_new_kernel(kernel_name="cloudlab", startup_timeout=120)
    warm_up(kc)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def run(kc, code, timeout=120, stdin=None, **kwargs):
    """Executes `code`; returns (reply content, [(msg_type, content)])."""
    outputs = []

    def hook(msg):
        if msg["msg_type"] not in ("status", "execute_input"):
            outputs.append((msg["msg_type"], msg["content"]))

    reply = kc.execute_interactive(
        code, output_hook=hook, timeout=timeout, stdin_hook=stdin,
        allow_stdin=stdin is not None, **kwargs,
    )
    return reply["content"], outputs


def of_type(outputs, kind):
    return [content for t, content in outputs if t == kind]


def plain(text):
    return ANSI.sub("", text)


def test_a_queue_renders_as_html(kernel):
    _, kc = kernel
    reply, outputs = run(kc, 'let mut cloud = Cloud::new();\n'
                             'let orders = cloud.sqs().create_queue("orders")?;\n'
                             'cloud.sqs().send(&orders, "order #1")?;\n'
                             'cloud.sqs().send(&orders, "order #2")?;\n'
                             'let got = cloud.sqs().receive(&orders, Receive::max(10).wait(20.secs()))?;\n'
                             'got')
    assert reply["status"] == "ok", reply
    result = of_type(outputs, "execute_result")
    assert len(result) == 1, outputs
    html = result[0]["data"]["text/html"]
    assert "order #1" in html and "order #2" in html and "<table" in html
    # `:vars` lists the learner's variables, not the preload's own.
    reply, outputs = run(kc, ":vars")
    assert reply["status"] == "ok", reply
    data = of_type(outputs, "execute_result")[0]["data"]
    names = {line.split(":")[0] for line in data["text/plain"].splitlines()}
    assert names == {"cloud", "orders", "got"}, data
    assert "__cloudlab" not in data["text/html"] and "<td>orders</td>" in data["text/html"]


def test_several_displays_in_one_cell_arrive_in_order(kernel):
    _, kc = kernel
    reply, outputs = run(
        kc,
        'let a = cloud.sqs().create_queue("a")?; cloud.sqs().send(&a, "first")?;\n'
        'cloud.sqs().receive(&a, Receive::max(1))?.evcxr_display();\n'
        'println!("between");\n'
        'cloud.sqs().send(&a, "second")?;\n'
        'cloud.advance(31.secs());\n'
        'cloud.sqs().receive(&a, Receive::max(10))?.evcxr_display();\n'
        '"done"',
    )
    assert reply["status"] == "ok", reply
    kinds = [t for t, _ in outputs]
    assert kinds == ["display_data", "stream", "display_data", "execute_result"], outputs
    first, second = of_type(outputs, "display_data")
    assert "first" in first["data"]["text/html"]
    assert "second" in second["data"]["text/html"]
    assert of_type(outputs, "execute_result")[0]["data"]["text/plain"] == '"done"'


def test_a_panic_is_an_error_and_the_kernel_lives_on(kernel):
    _, kc = kernel
    reply, outputs = run(kc, 'let v: Vec<u32> = Vec::new();\nlet x = v[3];')
    assert reply["status"] == "error"
    errors = of_type(outputs, "error")
    assert len(errors) == 1, outputs
    assert errors[0]["ename"] == "panic"
    assert "index out of bounds" in errors[0]["evalue"]
    # Earlier variables are still there.
    reply, outputs = run(kc, "got.len()")
    assert reply["status"] == "ok", reply
    assert of_type(outputs, "execute_result")[0]["data"]["text/plain"] == "2"


def test_compile_errors_point_into_the_cell(kernel):
    _, kc = kernel
    reply, outputs = run(kc, "let a = 1;\nlet b = a + undefined_name;")
    assert reply["status"] == "error"
    (error,) = of_type(outputs, "error")
    assert error["ename"] == "CompilationError"
    text = plain("\n".join(error["traceback"]))
    assert "error[E0425]" in text
    assert re.search(r"--> In \[\d+\]:2:13", text), text
    assert "2 | let b = a + undefined_name;" in text
    assert "^^^^^^^^^^^^^^" in text


def test_stdin_reaches_the_cell(kernel):
    _, kc = kernel
    prompts = []

    def answer(msg):
        prompts.append(msg["content"]["prompt"])
        kc.input("Ana")

    reply, outputs = run(
        kc, 'let name = evcxr_input::get_string("Your name? ");\nprintln!("hello {name}");',
        stdin=answer,
    )
    assert reply["status"] == "ok", reply
    assert prompts == ["Your name? "]
    assert "hello Ana" in "".join(s["text"] for s in of_type(outputs, "stream"))


def test_interrupt_stops_an_endless_loop_then_replay_restores_state(kernel):
    km, kc = kernel
    run(kc, ":reset")
    reply, _ = run(kc, 'let mut cloud = Cloud::new();\n'
                       'let q = cloud.sqs().create_queue("jobs")?;\n'
                       'for i in 0..3 { cloud.sqs().send(&q, format!("job {i}"))?; }')
    assert reply["status"] == "ok", reply
    msg_id = kc.execute("loop { std::hint::spin_loop(); }")
    time.sleep(3)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=60)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=60)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "Interrupted"
    assert ":replay" in "\n".join(reply["content"]["traceback"])
    # The runtime restarted: the queue variable is gone ...
    reply, _ = run(kc, "q")
    assert reply["status"] == "error"
    # ... and :replay brings it back, deterministically.
    reply, outputs = run(kc, ":replay")
    assert reply["status"] == "ok", reply
    assert "Replayed" in of_type(outputs, "display_data")[0]["data"]["text/plain"]
    reply, outputs = run(kc, "cloud.sqs().receive(&q, Receive::max(10))?.len()")
    assert reply["status"] == "ok", reply
    assert of_type(outputs, "execute_result")[0]["data"]["text/plain"] == "3"


def test_a_crashed_runtime_is_reported_and_replayed(kernel):
    _, kc = kernel
    reply, outputs = run(kc, "let big: Vec<u8> = vec![1u8; 4 << 30]; big.len()")
    assert reply["status"] == "error"
    (error,) = of_type(outputs, "error")
    assert error["ename"] == "RuntimeDied"
    assert "out of memory" in error["evalue"] and "1024 MiB" in error["evalue"]
    reply, _ = run(kc, ":replay")
    assert reply["status"] == "ok", reply
    reply, outputs = run(kc, "cloud.now()")
    assert reply["status"] == "ok", reply


def test_course_magics(kernel):
    _, kc = kernel
    reply, outputs = run(kc, ":help")
    assert reply["status"] == "ok"
    md = of_type(outputs, "display_data")[0]["data"]["text/markdown"]
    for magic in (":exercise", ":hint", ":check", ":endpoint", ":reset", ":replay", ":dep"):
        assert magic in md

    reply, outputs = run(kc, ":exercise sqs-idempotent-consumer")
    assert reply["status"] == "ok", reply
    assert "idempotent" in of_type(outputs, "display_data")[0]["data"]["text/markdown"].lower()
    (payload,) = reply["payload"]
    assert payload["source"] == "set_next_input"
    assert payload["text"].startswith("// exercise: sqs-idempotent-consumer")

    reply, outputs = run(kc, ":hint sqs-idempotent-consumer")
    assert "Hint 1 of" in of_type(outputs, "display_data")[0]["data"]["text/plain"]
    reply, outputs = run(kc, ":hint sqs-idempotent-consumer")
    assert "Hint 2 of" in of_type(outputs, "display_data")[0]["data"]["text/plain"]

    for bad, ename in [(":hint no-such-exercise", "UnknownExercise"), (":exercise", "MagicError"),
                       (":frobnicate", "CompilationError")]:
        reply, outputs = run(kc, bad, stop_on_error=False)
        assert reply["status"] == "error", bad
        assert of_type(outputs, "error")[0]["ename"] == ename, (bad, outputs)
    reply, _ = run(kc, "1 + 1")
    assert reply["status"] == "ok", "the kernel stays up after bad magics"


def test_check_runs_the_public_scenarios_on_the_solution_cell(kernel):
    _, kc = kernel
    reply, _ = run(kc, ":check sqs-idempotent-consumer", stop_on_error=False)
    assert reply["status"] == "error" and reply["ename"] == "NoSolution"
    starter = (ROOT / "exercises" / "sqs-idempotent-consumer" / "starter.rs").read_text()
    reply, _ = run(kc, starter)
    assert reply["status"] == "ok", reply
    reply, outputs = run(kc, ":check", timeout=900)
    assert reply["status"] == "ok", reply
    data = of_type(outputs, "display_data")[0]["data"]
    assert "<" in data["text/html"]
    assert "sqs-idempotent-consumer" in data["text/plain"] or "idempotent" in data["text/plain"].lower()


def test_endpoint_magic_serves_the_notebooks_cloud_to_boto3(kernel):
    """`:endpoint` loads cloudlab-endpoint; a shared Cloud served from a cell
    and boto3 outside the kernel see one account."""
    import boto3

    _, kc = kernel
    reply, outputs = run(kc, ":endpoint", timeout=900)
    assert reply["status"] == "ok", (reply, outputs)
    assert "cloud.serve(4566)" in of_type(outputs, "display_data")[0]["data"]["text/plain"]
    reply, outputs = run(kc, 'let ep_cloud = shared(Cloud::new());\n'
                             'let ep_server = ep_cloud.serve(0)?;\n'
                             'ep_cloud.lock().unwrap().sqs().create_queue("from-the-notebook")?;\n'
                             'ep_server.url()', timeout=300)
    assert reply["status"] == "ok", (reply, outputs)
    url = of_type(outputs, "execute_result")[0]["data"]["text/plain"].strip('"')
    assert url.startswith("http://127.0.0.1:")
    sqs = boto3.client("sqs", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    assert [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]] == ["from-the-notebook"]
    sqs.create_queue(QueueName="from-boto3")
    reply, outputs = run(kc, 'ep_cloud.lock().unwrap().sqs().list_queues().len()')
    assert of_type(outputs, "execute_result")[0]["data"]["text/plain"] == "2"
    reply, outputs = run(kc, ":endpoint now", stop_on_error=False)
    assert reply["status"] == "error" and of_type(outputs, "error")[0]["ename"] == "MagicError"


def test_shutdown_with_restart(kernel):
    km, kc = kernel
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=120)
    reply, outputs = run(kc, "1 + 2", timeout=600)
    assert reply["status"] == "ok"
    assert reply["execution_count"] == 1
    assert of_type(outputs, "execute_result")[0]["data"]["text/plain"] == "3"


def spare_env(kernelspec, **extra):
    """The environment Jupyter gives the kernel (the kernelspec's `env`), so a
    spare started with it has the same configuration."""
    spec = json.loads((kernelspec / "share" / "jupyter" / "kernels" / "cloudlab" / "kernel.json").read_text())
    return {**os.environ, **spec["env"], **extra}


def start_spare(cloudlab_bin, folder, env):
    """`cloudlab kernel spare` in `folder`, then `--wait` until it is warm."""
    spare = subprocess.Popen([str(cloudlab_bin), "kernel", "spare"], cwd=folder, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    r = subprocess.run([str(cloudlab_bin), "kernel", "spare", "--wait"], cwd=folder, env=env,
                       capture_output=True, text=True, timeout=700)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "is warm" in r.stdout
    return spare


def stop_spare(cloudlab_bin, folder, env):
    """`cloudlab kernel spare --stop` in `folder`; what it printed."""
    return subprocess.run([str(cloudlab_bin), "kernel", "spare", "--stop"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=60).stdout


def one_cell_kernel(folder, env, code, kill=False):
    """Starts a kernel in `folder`, runs `code`, then shuts the kernel down
    (or kills its process); returns (reply content, outputs)."""
    km, kc = start_new_kernel(kernel_name="cloudlab", startup_timeout=120, cwd=str(folder), env=env)
    try:
        return run(kc, code, timeout=600)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=kill)  # now: kill the process, no shutdown request


def test_a_warm_spare_becomes_the_next_kernel_and_a_new_one_follows(kernelspec, tmp_path, cloudlab_bin):
    folder = tmp_path / "lessons"
    folder.mkdir()
    env = spare_env(kernelspec)
    spare = start_spare(cloudlab_bin, folder, env)
    reply, outputs = one_cell_kernel(folder, env, 'let mut cloud = Cloud::new();\n'
                                                  'let q = cloud.sqs().create_queue("spare")?;\n'
                                                  'cloud.sqs().send(&q, "hi")?;\n'
                                                  'std::env::current_dir().unwrap().ends_with("lessons")')
    assert reply["status"] == "ok", reply
    assert reply["execution_count"] == 1
    assert of_type(outputs, "execute_result")[0]["data"]["text/plain"] == "true"
    try:
        # The spare was the kernel: it ends with it.
        assert spare.wait(timeout=60) == 0, spare.stderr.read()
    finally:
        # The kernel that claimed it started the next spare; stop it.
        deadline = time.time() + 90
        said = stop_spare(cloudlab_bin, folder, env)
        while not said.startswith("stopped") and time.time() < deadline:
            time.sleep(1)
            said = stop_spare(cloudlab_bin, folder, env)
    assert said.startswith("stopped"), said


def test_killing_the_kernel_that_claimed_a_spare_ends_the_spare(kernelspec, tmp_path, cloudlab_bin):
    folder = tmp_path / "lessons"
    folder.mkdir()
    env = spare_env(kernelspec, CLOUDLAB_KERNEL_SPARES="claim")
    spare = start_spare(cloudlab_bin, folder, env)
    reply, _ = one_cell_kernel(folder, env, "6 * 7", kill=True)
    assert reply["status"] == "ok"
    assert spare.wait(timeout=60) == 0
    # `claim` starts no next spare.
    assert stop_spare(cloudlab_bin, folder, env).startswith("no spare kernel waiting")


def test_a_kernel_started_elsewhere_does_not_take_the_spare(kernelspec, tmp_path, cloudlab_bin):
    folder, other = tmp_path / "lessons", tmp_path / "other"
    folder.mkdir()
    other.mkdir()
    env = spare_env(kernelspec, CLOUDLAB_KERNEL_SPARES="claim")
    spare = start_spare(cloudlab_bin, folder, env)
    try:
        reply, _ = one_cell_kernel(other, env, "1 + 1")
        assert reply["status"] == "ok"
        assert spare.poll() is None, "the spare in another folder was taken"
    finally:
        assert stop_spare(cloudlab_bin, folder, env).startswith("stopped")
        assert spare.wait(timeout=60) == 0


def test_an_unclaimed_spare_exits_with_its_owner(kernelspec, tmp_path, cloudlab_bin):
    owner = subprocess.Popen(["sleep", "2"])
    env = spare_env(kernelspec, CLOUDLAB_KERNEL_SPARE_OWNER=str(owner.pid))
    # --delay-secs keeps it from warming up: the owner check runs while it waits.
    spare = subprocess.Popen([str(cloudlab_bin), "kernel", "spare", "--delay-secs", "600"],
                             cwd=tmp_path, env=env)
    try:
        owner.wait()
        assert spare.wait(timeout=30) == 0
    finally:
        spare.kill()
    assert stop_spare(cloudlab_bin, tmp_path, env).startswith("no spare kernel waiting")


def test_a_malformed_connection_file_is_a_clear_exit(tmp_path, cloudlab_bin):
    bad = tmp_path / "conn.json"
    bad.write_text("{not json")
    r = subprocess.run([str(cloudlab_bin), "kernel", "run", "--connection-file", str(bad)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "conn.json" in r.stderr and "not a Jupyter connection file" in r.stderr


def test_uninstall(tmp_path, cloudlab_bin):
    r = subprocess.run([str(cloudlab_bin), "kernel", "install", "--prefix", str(tmp_path), "--no-warm"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    spec = tmp_path / "share" / "jupyter" / "kernels" / "cloudlab" / "kernel.json"
    assert spec.is_file()
    r = subprocess.run([str(cloudlab_bin), "kernel", "uninstall", "--prefix", str(tmp_path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not spec.exists()


def test_lab_dry_run_lists_the_steps(tmp_path, cloudlab_bin):
    r = subprocess.run([str(cloudlab_bin), "lab", "--dry-run", "--no-browser", "--venv", str(tmp_path / "venv")],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "cloudlab build" in out
    assert "pip install jupyterlab" in out
    assert "kernels/cloudlab" in out
    assert "start a warm spare kernel in dist/student" in out
    assert "lab dist/student --no-browser" in out
