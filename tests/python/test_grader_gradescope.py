"""`cloudlab export gradescope`: the exported `run_autograder`, run against a
local fake `/autograder` layout (AUTOGRADER_ROOT), writes a results.json that
follows Gradescope's specification.

setup.sh installs Rust and builds a release binary on Gradescope; here it runs
with stand-ins for apt-get, curl and cargo (no network, no release build), and
CLOUDLAB_BIN stands in for the binary it would build.
"""

import json
import os
import pathlib
import stat
import subprocess
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "exercises"
GRADED = ["sqs-idempotent-consumer", "sns-fan-out"]

# https://gradescope-autograders.readthedocs.io/en/latest/specs/
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def solution_cell(exercise: str, wrong: str | None = None) -> dict:
    path = EXERCISES / exercise / (f"wrong/{wrong}.rs" if wrong else "solution.rs")
    return {
        "cell_type": "code",
        "id": f"{exercise}-{wrong or 'solution'}",
        "metadata": {},
        "execution_count": None,
        "outputs": [],
        "source": path.read_text(),
    }


def notebook(cells: list) -> str:
    return json.dumps({
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "cloudlab", "display_name": "Cloudlab (Rust)", "language": "rust"}},
        "cells": cells,
    })


@pytest.fixture(scope="module")
def autograder_zip(cloudlab_bin, tmp_path_factory) -> pathlib.Path:
    """The exported zip."""
    zpath = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    r = subprocess.run(
        [str(cloudlab_bin), "export", "gradescope", *GRADED, "-o", str(zpath)],
        capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return zpath


def unpack(zpath: pathlib.Path, source: pathlib.Path) -> pathlib.Path:
    with zipfile.ZipFile(zpath) as z:
        z.extractall(source)
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in z.infolist()}
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    return source


@pytest.fixture(scope="module")
def autograder(autograder_zip) -> pathlib.Path:
    """The exported zip, unpacked where Gradescope puts it (/autograder/source)."""
    return unpack(autograder_zip, autograder_zip.parent / "source")


def run_autograder(cloudlab_bin, source: pathlib.Path, root: pathlib.Path) -> dict:
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), CLOUDLAB_BIN=str(cloudlab_bin), NO_COLOR="1")
    r = subprocess.run(
        ["bash", str(source / "run_autograder")],
        capture_output=True, text=True, timeout=600, env=env,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    results = root / "results" / "results.json"
    assert results.exists(), r.stderr
    return json.loads(results.read_text())


def check_spec(results: dict) -> None:
    """The fields and types Gradescope's results.json specification asks for."""
    assert isinstance(results["tests"], list)
    assert isinstance(results["score"], (int, float))
    assert results.get("visibility", "visible") in VISIBILITIES
    assert results.get("stdout_visibility", "hidden") in VISIBILITIES
    for t in results["tests"]:
        assert isinstance(t["name"], str) and t["name"]
        assert isinstance(t["score"], (int, float))
        assert isinstance(t["max_score"], (int, float))
        assert 0 <= t["score"] <= t["max_score"]
        assert t["status"] in {"passed", "failed"}
        assert isinstance(t["output"], str)
        assert t["visibility"] in VISIBILITIES
        assert (t["status"] == "passed") == (t["score"] == t["max_score"]), t


def test_zip_holds_the_scripts_the_workspace_and_only_the_chosen_exercises(autograder):
    members = ROOT.joinpath("Cargo.toml").read_text().split("members = [", 1)[1].split("]", 1)[0]
    for member in (m.strip().strip('"') for m in members.split(",") if m.strip()):
        assert (autograder / "cloudlab" / member / "Cargo.toml").exists(), member
    assert sorted(p.name for p in (autograder / "cloudlab" / "exercises").iterdir()) == sorted(GRADED)
    assert not list(autograder.rglob("target")), "build output must not be exported"
    for script in ["setup.sh", "run_autograder"]:
        r = subprocess.run(["bash", "-n", str(autograder / script)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    assert "--exercise sqs-idempotent-consumer --exercise sns-fan-out" in (autograder / "run_autograder").read_text()


def test_results_json_for_a_notebook_with_a_right_and_a_wrong_solution(cloudlab_bin, autograder, tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    cells = [
        {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": "# My work"},
        # An older attempt at sns-fan-out: the last matching cell wins.
        solution_cell("sns-fan-out"),
        solution_cell("sqs-idempotent-consumer"),
        solution_cell("sns-fan-out", wrong="raw_everywhere"),
    ]
    (root / "submission" / "lesson.ipynb").write_text(notebook(cells))
    results = run_autograder(cloudlab_bin, autograder, root)
    check_spec(results)

    by_name = {t["name"]: t for t in results["tests"]}
    ours = [n for n in by_name if n.startswith("sqs-idempotent-consumer: ")]
    fan = [n for n in by_name if n.startswith("sns-fan-out: ")]
    assert len(ours) == 6 and len(fan) == 6, list(by_name)
    assert all(by_name[n]["status"] == "passed" for n in ours)
    assert sum(by_name[n]["max_score"] for n in ours) == 20
    assert sum(by_name[n]["max_score"] for n in fan) == 20

    wrong = by_name["sns-fan-out: billing gets the SNS notification, shipping the order itself"]
    assert wrong["status"] == "failed" and wrong["score"] == 0
    assert wrong["visibility"] == "after_published", "hidden scenarios show after publishing"
    assert "Raw delivery is a setting of each subscription" in wrong["output"], "feedback"
    assert "Notification" in wrong["output"], "expected vs actual"
    public = by_name["sns-fan-out: every order reaches billing"]
    assert public["visibility"] == "visible" and public["status"] == "passed"

    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    assert results["score"] == 36

    text = json.dumps(results)
    for ex in GRADED:
        hidden = (EXERCISES / ex / "hidden.rs").read_text()
        for line in hidden.splitlines():
            line = line.strip()
            if line.startswith(("let ", "check::", "fn ")) and len(line) > 30:
                assert line not in text, f"hidden source leaked: {line}"


def test_a_missing_cell_scores_zero_with_a_message(cloudlab_bin, autograder, tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "work.ipynb").write_text(notebook([solution_cell("sqs-idempotent-consumer")]))
    results = run_autograder(cloudlab_bin, autograder, root)
    check_spec(results)
    missing = [t for t in results["tests"] if t["name"].startswith("sns-fan-out")]
    assert len(missing) == 1 and missing[0]["score"] == 0 and missing[0]["max_score"] == 20
    assert "sns-fan-out" in missing[0]["output"]
    assert results["score"] == 20


def test_no_submitted_notebook_gives_a_zero_with_an_explanation(cloudlab_bin, autograder, tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "notes.txt").write_text("forgot the notebook")
    results = run_autograder(cloudlab_bin, autograder, root)
    assert results["score"] == 0 and results["tests"] == []
    assert "No notebook" in results["output"]


def test_a_corrupt_notebook_scores_zero_per_exercise(cloudlab_bin, autograder, tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "broken.ipynb").write_text('{"cells": [')
    results = run_autograder(cloudlab_bin, autograder, root)
    check_spec(results)
    assert results["score"] == 0
    assert len(results["tests"]) == 2
    assert all(t["status"] == "failed" and t["output"] for t in results["tests"])


STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "$STUB_LOG"
{body}
"""


def stub(bin_dir: pathlib.Path, name: str, body: str = "") -> None:
    path = bin_dir / name
    path.write_text(STUB.format(body=body))
    path.chmod(0o755)


def test_setup_sh_builds_and_prepares_without_the_network_when_tools_exist(autograder_zip, tmp_path):
    source = unpack(autograder_zip, tmp_path / "source")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for net in ["apt-get", "curl"]:
        stub(bin_dir, net, 'echo "setup.sh needed the network" >&2; exit 1')
    stub(bin_dir, "cc")
    # cargo "builds" a cloudlab that records how setup.sh calls it.
    fake_cloudlab = 'echo "cloudlab $* CLOUDLAB_EXERCISES=$CLOUDLAB_EXERCISES" >> "$STUB_LOG"'
    stub(bin_dir, "cargo", f"""echo "  in $(pwd)" >> "$STUB_LOG"
mkdir -p target/release
printf '#!/bin/sh\n%s\n' '{fake_cloudlab}' > target/release/cloudlab
chmod +x target/release/cloudlab""")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path / "home"), "STUB_LOG": str(log)}
    r = subprocess.run(["bash", str(source / "setup.sh")], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    calls = log.read_text().splitlines()
    assert not [c for c in calls if c.startswith(("apt-get", "curl"))], calls
    assert calls[0] == "cargo build --release --locked -p cloudlab-cli"
    assert calls[1] == f"  in {source / 'cloudlab'}"
    assert calls[2] == f"cloudlab grade --prepare CLOUDLAB_EXERCISES={source / 'cloudlab' / 'exercises'}"
