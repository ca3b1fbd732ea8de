"""Every instructor notebook runs top to bottom, with no error, under
`nbclient` with the Cloudlab kernel (one installed kernelspec, one pytest
process for all notebooks)."""

import os
import pathlib
import subprocess

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def instructor_notebooks(cloudlab_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("exec-dist")
    r = subprocess.run([str(cloudlab_bin), "build", "--out", str(out)], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    found = sorted((out / "instructor").glob("*.ipynb"))
    assert found
    return found


@pytest.fixture(scope="module")
def kernelspec(cloudlab_bin, tmp_path_factory):
    """Installs the kernelspec once, into a prefix only these tests see."""
    prefix = tmp_path_factory.mktemp("jupyter-prefix")
    r = subprocess.run([str(cloudlab_bin), "kernel", "install", "--prefix", str(prefix)],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    yield "cloudlab"
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


def test_every_instructor_notebook_runs_without_error(instructor_notebooks, kernelspec):
    failures = []
    for path in instructor_notebooks:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, kernel_name=kernelspec, timeout=600, allow_errors=False,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except CellExecutionError as e:
            failures.append(f"{path.name}: {e}")
            continue
        code = [c for c in nb.cells if c.cell_type == "code"]
        ran = [c for c in code if "skip-execution" not in c.metadata.get("tags", [])]
        assert all(c.execution_count for c in ran), path.name
        outputs = [o for c in ran for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], path.name
        # The sandbox's pictures came through as rich output.
        assert any("text/html" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
                   for o in outputs), path.name
    assert not failures, "\n\n".join(failures)
