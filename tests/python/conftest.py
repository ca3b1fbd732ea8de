"""Shared fixtures for the Python tests that drive Cloudlab with real clients."""

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cloudlab_bin() -> pathlib.Path:
    """The `cloudlab` binary scripts/test built (override with CLOUDLAB_BIN)."""
    path = pathlib.Path(os.environ.get("CLOUDLAB_BIN", ROOT / "target" / "debug" / "cloudlab"))
    assert path.exists(), f"{path} is missing: run `cargo build -p cloudlab-cli` first"
    return path
