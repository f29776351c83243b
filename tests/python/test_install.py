"""What a C project gets from an installed imc: `pkg-config --cflags imc`
names imc's own include directory and nothing else (imc.h needs nothing of
the codec libraries), and a program built with `pkg-config --cflags --libs`
against an installed copy in a scratch prefix runs (the release build:
sanitized code would need the sanitizer runtime)."""
import os
import subprocess

import pytest

from helpers import RELEASE, ROOT, SAMPLES, run, tool, tool_env

PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <imc.h>
int main(int argc, char **argv)
{
    FILE *f = fopen(argv[1], "rb");
    static unsigned char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    imc_image img;
    int rc = imc_decode(buf, n, IMC_IMREAD_COLOR, &img);
    if (rc != IMC_OK)
        return printf("error %d\n", rc), 1;
    printf("%d %d %d\n", img.cols, img.rows, img.channels);
    imc_image_free(&img);
    return 0;
}
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    if not (RELEASE / "build.ninja").exists():
        pytest.fail(f"no release build in {RELEASE}: ./dev test builds it")
    root = tmp_path_factory.mktemp("destdir")
    run([tool("meson"), "install", "-C", str(RELEASE), "--destdir", str(root), "--quiet"])
    pcs = list(root.rglob("imc.pc"))
    assert len(pcs) == 1, pcs
    env = tool_env()
    env.update(PKG_CONFIG_PATH=str(pcs[0].parent), PKG_CONFIG_SYSROOT_DIR=str(root))
    return root, env


def pkg_config(env, *args):
    return run([tool("pkg-config"), *args, "imc"], env=env, text=True).stdout.split()


def test_cflags_name_only_imcs_headers(installed):
    root, env = installed
    cflags = pkg_config(env, "--cflags")
    assert len(cflags) == 1 and cflags[0].startswith("-I" + str(root)), cflags
    assert (root / cflags[0][2 + len(str(root)) + 1:] / "imc.h").exists() or \
        os.path.exists(os.path.join(cflags[0][2:], "imc.h"))
    libs = pkg_config(env, "--libs")
    assert [f for f in libs if f.startswith("-l")] == ["-limc"], libs
    static = pkg_config(env, "--libs", "--static")
    assert {"-ljpeg", "-lpng16", "-ldeflate"} <= set(static)


def program_output(env, tmp_path):
    """PROGRAM built with `pkg-config --cflags --libs imc` (as env finds imc)
    and run on fruits.jpg against the library directory pkg-config names."""
    src, exe = tmp_path / "prog.c", tmp_path / "prog"
    src.write_text(PROGRAM)
    run([tool("gcc"), "-std=c11", "-Wall", "-Werror", str(src), "-o", str(exe),
         *pkg_config(env, "--cflags", "--libs")], env=env)
    libdir = [f[2:] for f in pkg_config(env, "--libs-only-L")]
    env = dict(env, LD_LIBRARY_PATH=os.pathsep.join(libdir))
    r = subprocess.run([str(exe), str(SAMPLES / "fruits.jpg")], capture_output=True, text=True,
                       env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.split()


def test_a_program_builds_and_runs_against_the_installed_library(installed, tmp_path):
    _, env = installed
    assert program_output(env, tmp_path) == ["512", "480", "3"]


def export_tree(dst):
    """The checkout's files as git sees them (tracked and new), copied:
    meson-python writes into the source tree it builds."""
    import shutil
    files = run([tool("git"), "-C", str(ROOT), "ls-files", "-co", "--exclude-standard", "-z"]).stdout
    for name in filter(None, files.decode().split("\0")):
        if (ROOT / name).is_file():
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dst / name)
    return dst


def test_pip_wheel_installs_and_imports_from_anywhere(tmp_path):
    """pip wheel --no-build-isolation works offline on Debian 12; the wheel
    holds the extension and the Python files; installed with --target it
    imports from another directory, at VERSION's version."""
    import sys
    import zipfile
    src = export_tree(tmp_path / "src")
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index",
         "-w", str(wheels), str(src)])
    wheel, = wheels.glob("imc-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for want in ("imc/_imc.cpython", "imc/__init__.py", "imc/dask.py", "scripts/imc"):
        assert any(want in n for n in names), (want, names)
    target = tmp_path / "site"
    run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target),
         str(wheel)])
    env = {k: v for k, v in tool_env().items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)
    code = ("import imc, sys; img = imc.decode(open(sys.argv[1], 'rb')); "
            "print(imc.__file__, imc.__version__, img.shape)")
    out = run([sys.executable, "-c", code, str(SAMPLES / "fruits.jpg")], env=env, text=True,
              cwd=tmp_path).stdout.split()
    assert out[0].startswith(str(target)) and out[2:] == ["(480,", "512,", "3)"], out
    assert out[1] == (ROOT / "VERSION").read_text().strip()


def test_install_has_the_man_page_completion_and_cli(installed):
    root, _ = installed
    for pattern in ("**/man1/imc.1", "**/bash-completion/completions/imc", "**/bin/imc",
                    "**/include/imc.h", "**/libimc.a", "**/libimc.so.0"):
        assert list(root.glob(pattern)), pattern


def test_pip_install_into_a_venv(tmp_path):
    """The install a Python user types, in a venv over Debian's packages
    (Debian's own Python refuses pip installs into the system)."""
    import sys
    src = export_tree(tmp_path / "src")
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    py = venv / "bin" / "python"
    run([str(py), "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--no-index", str(src)],
        cwd=tmp_path)
    env = {k: v for k, v in tool_env().items() if k != "PYTHONPATH"}
    out = run([str(py), "-c", "import imc; print(imc.__file__, imc.formats()[0]['name'])"],
              env=env, text=True, cwd=tmp_path).stdout.split()
    assert out[0].startswith(str(venv)), out
    assert (venv / "bin" / "imc").exists()
