"""Debian packages: `dpkg-buildpackage -us -uc -b` on a copy of the tree
builds libimc0, libimc-dev, imc-tools and python3-imc, lintian finds no
error or warning in them, and unpacked into a scratch root they work: a C
program builds with pkg-config and runs, the command runs, the Python
package imports and decodes."""
import os
import subprocess
import sys

import pytest

from helpers import ROOT, SAMPLES, run, tool, tool_env
from test_install import export_tree, program_output

PACKAGES = ("libimc0", "libimc-dev", "imc-tools", "python3-imc")


@pytest.fixture(scope="module")
def debs(tmp_path_factory):
    top = tmp_path_factory.mktemp("deb")
    src = export_tree(top / "src")
    (src / "debian" / "rules").chmod(0o755)
    r = subprocess.run([tool("dpkg-buildpackage"), "-us", "-uc", "-b"], cwd=src,
                       capture_output=True, text=True, env=tool_env())
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    version = (ROOT / "VERSION").read_text().strip()
    files = {p: top / f"{p}_{version}_amd64.deb" for p in PACKAGES}
    assert all(f.exists() for f in files.values()), sorted(os.listdir(top))
    return top, files


def test_lintian_is_clean(debs):
    top, _ = debs
    changes, = top.glob("*.changes")
    r = subprocess.run([tool("lintian"), "--tag-display-limit", "0", str(changes)],
                       capture_output=True, text=True, env=tool_env())
    tags = [line for line in r.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert not tags, "\n".join(tags)


def test_the_changelog_version_is_versions():
    first = (ROOT / "debian" / "changelog").read_text().split("\n", 1)[0]
    assert first.split()[1] == f"({(ROOT / 'VERSION').read_text().strip()})", first


def test_unpacked_packages_work(debs, tmp_path):
    _, files = debs
    root = tmp_path / "root"
    for deb in files.values():
        run([tool("dpkg-deb"), "-x", str(deb), str(root)])
    libdir = root / "usr" / "lib" / "x86_64-linux-gnu"
    env = tool_env()
    env.update(PKG_CONFIG_PATH=str(libdir / "pkgconfig"), PKG_CONFIG_SYSROOT_DIR=str(root))
    assert program_output(env, tmp_path) == ["512", "480", "3"]
    env["LD_LIBRARY_PATH"] = str(libdir)  # for the command below
    fruits = str(SAMPLES / "fruits.jpg")
    version = (ROOT / "VERSION").read_text().strip()
    assert run([str(root / "usr" / "bin" / "imc"), "--version"], env=env,
               text=True).stdout.split()[1] == version
    assert (root / "usr" / "share" / "man" / "man1" / "imc.1.gz").exists()
    env["PYTHONPATH"] = str(root / "usr" / "lib" / "python3" / "dist-packages")
    code = "import imc, sys; print(imc.__file__, imc.decode(open(sys.argv[1], 'rb')).shape)"
    out = run([sys.executable, "-c", code, fruits], env=env, text=True, cwd=tmp_path).stdout
    assert out.startswith(str(root)) and out.split()[1:] == ["(480,", "512,", "3)"], out
