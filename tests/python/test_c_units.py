"""Runs the C unit tests (tests/c) so that one runner reports everything."""
import subprocess

import pytest

from helpers import BUILD, native_env


@pytest.mark.parametrize("name", ["test_api", "test_internal", "test_options", "test_threads",
                                  "test_metadata"])
def test_c_unit(name):
    exe = BUILD / "tests" / "c" / name
    assert exe.exists(), f"{exe} not built"
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=600, env=native_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert " 0 failed" in r.stdout
