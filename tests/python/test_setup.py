"""The two-command set-up stays true: every program, Python module and file
that the tests, variant generators, fuzz corpus script, bench and examples use
is listed in external.py with its Debian package, that package is in ./dev's
PACKAGES (or Debian's essential set), and dpkg agrees that the package is
what provides it here. Nothing missing is skipped: it fails, naming the
package to add. The last test of the run checks that the suite wrote
nothing into the checkout (conftest.py runs it last)."""
import ast
import functools
import glob
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import external
from external import FILES, MODULES, PROGRAMS

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ["tests/python", "fuzz", "bench", "examples", "python/imc"]
SUBPROCESS_CALLS = {"run", "Popen", "check_output", "check_call", "call"}


def dev_packages():
    text = (ROOT / "dev").read_text()
    body = re.search(r"^PACKAGES=\((.*?)^\)", text, re.S | re.M)
    assert body, "no PACKAGES=( ... ) list in ./dev"
    return {w for line in body.group(1).splitlines() for w in line.split("#")[0].split()}


PACKAGES = dev_packages()


@functools.lru_cache(None)
def dpkg_database():
    """{package: (installed, essential, [dependencies])} in one dpkg-query."""
    r = subprocess.run([external.program_path("dpkg-query"), "-W",
                        "-f=${Package}\t${Status}\t${Essential}\t${Depends},${Pre-Depends}\n"],
                       capture_output=True, text=True, check=True)
    db = {}
    for line in r.stdout.splitlines():
        name, status, essential, deps = line.split("\t")
        names = [n.split("(")[0].split(":")[0].strip() for n in re.split(r"[,|]", deps)]
        db[name] = ("install ok installed" in status, essential == "yes", [n for n in names if n])
    return db


def installed(package):
    return dpkg_database().get(package, (False,))[0]


def essential(package):
    return dpkg_database().get(package, (False, False))[1]


def depends(package):
    """The installed packages `package` pulls in: its dependencies (every
    alternative), theirs, and so on (pkg-config is a transitional package:
    pkg-config -> pkgconf -> pkgconf-bin, which has the program)."""
    db, seen, todo = dpkg_database(), set(), [package]
    while todo:
        for n in db.get(todo.pop(), (False, False, []))[2]:
            if n not in seen and installed(n):
                seen.add(n)
                todo.append(n)
    return seen


def owners(path):
    """The packages dpkg says installed `path` (also under its /usr-less name:
    Debian 12 merges /bin into /usr/bin, dpkg still records /bin)."""
    path = os.path.realpath(path)
    for cand in (path, path[4:] if path.startswith("/usr/") else None):
        if cand:
            r = subprocess.run([external.program_path("dpkg-query"), "-S", cand], capture_output=True,
                               text=True)
            if r.returncode == 0:
                return {p.strip().split(":")[0] for line in r.stdout.splitlines()
                        for p in line.rsplit(": ", 1)[0].split(",")}
    return set()


def check_provided(what, path, package):
    """`package` is installed by ./dev and is what put `path` there (itself or,
    for a metapackage such as imagemagick, a package it pulls in)."""
    assert package in PACKAGES or essential(package), \
        f"{what} comes with {package}, which is not in ./dev's PACKAGES: add it there"
    assert installed(package), f"{package} (for {what}) is not installed: run ./dev deps"
    found = owners(path)
    assert found, f"{what} at {path} belongs to no Debian package: it was installed by hand"
    assert found & ({package} | depends(package)), \
        f"{what} at {path} comes with {sorted(found)}, not with {package} as external.py says"


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_comes_from_dev_packages(name):
    try:
        path = external.program_path(name)
    except external.MissingDependency as e:
        pytest.fail(str(e))
    check_provided(f"the program {name}", path, PROGRAMS[name])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_python_module_comes_from_dev_packages(name):
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        pytest.fail(str(external.missing(f"the Python module {name}", MODULES[name])))
    check_provided(f"the Python module {name}", spec.origin, MODULES[name])


@pytest.mark.parametrize("pattern", sorted(FILES))
def test_file_comes_from_dev_packages(pattern):
    found = sorted(glob.glob(pattern))
    if not found:
        pytest.fail(str(external.missing(pattern, FILES[pattern])))
    check_provided(pattern, found[0], FILES[pattern])


# ---- what the sources use --------------------------------------------------------
def source_files():
    for d in SOURCE_DIRS:
        yield from sorted((ROOT / d).rglob("*.py"))


def _str(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _func_name(call):
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def tool_wrappers(tree):
    """{function: index of its parameter} for each function that passes a
    parameter to tool(), e.g. def _netpbm(prog, ...): run([tool(prog), ...]).
    Names that reach tool() other ways (data tables, tuples of stages) are
    held by tool() itself at run time: it refuses a name not in PROGRAMS."""
    found, grew = {"tool": 0}, True
    while grew:  # wrappers of wrappers too
        grew = False
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef) or fn.name in found:
                continue
            params = [a.arg for a in fn.args.args]
            for node in ast.walk(fn):
                at = found.get(_func_name(node)) if isinstance(node, ast.Call) else None
                if at is not None and len(node.args) > at and isinstance(node.args[at], ast.Name) \
                        and node.args[at].id in params:
                    found[fn.name] = params.index(node.args[at].id)
                    grew = True
                    break
    return found


def uses(tree, where):
    """(kind, name, where) for each program and top-level module `tree` uses:
    tool("x") calls and calls of functions that hand a parameter to tool(),
    subprocess calls whose argv starts with a literal, imports, and the imports
    of code strings given to `python -c`."""
    wrappers = tool_wrappers(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = _func_name(node)
            first = node.args[0] if node.args else None
            at = wrappers.get(func)
            if at is not None and len(node.args) > at and _str(node.args[at]):
                yield "program", _str(node.args[at]), f"{where}:{node.lineno}"
            elif func in SUBPROCESS_CALLS and isinstance(first, (ast.List, ast.Tuple)) and first.elts \
                    and _str(first.elts[0]):
                yield "program", _str(first.elts[0]), f"{where}:{node.lineno}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield "module", a.name.split(".")[0], f"{where}:{node.lineno}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield "module", node.module.split(".")[0], f"{where}:{node.lineno}"
        elif _str(node) and "import " in node.value:
            try:
                code = ast.parse(node.value)
            except SyntaxError:
                continue
            yield from uses(code, f"{where}:{node.lineno} (code string)")


def all_uses():
    found = []
    for f in source_files():
        found += uses(ast.parse(f.read_text(), str(f)), str(f.relative_to(ROOT)))
    return found


LOCAL_MODULES = {f.stem for f in source_files()} | {"imc", "_imc"}


def test_sources_use_only_listed_programs():
    unknown = sorted({f"{name} ({where})" for kind, name, where in all_uses()
                      if kind == "program" and name not in PROGRAMS})
    assert not unknown, ("programs used but not in tests/python/external.py's PROGRAMS (add each "
                         f"with its Debian package, and the package to ./dev's PACKAGES): {unknown}")


def test_sources_use_only_listed_modules():
    third_party = {(name, where) for kind, name, where in all_uses() if kind == "module"
                   and name not in sys.stdlib_module_names and name not in LOCAL_MODULES}
    unknown = sorted(f"{name} ({where})" for name, where in third_party if name not in MODULES)
    assert not unknown, ("Python modules imported but not in tests/python/external.py's MODULES "
                         f"(add each with its Debian package, and that to ./dev's PACKAGES): {unknown}")


def test_the_scan_sees_the_suites_dependencies():
    """The scan is not blind: it finds what these sources are known to use."""
    used = {(kind, name) for kind, name, _ in all_uses()}
    for want in [("program", "cwebp"), ("program", "tiffcp"), ("program", "convert"),
                 ("program", "valgrind"), ("program", "pnmtopng"), ("program", "sh"),
                 ("program", "ppmtobmp"), ("program", "exrmaketiled"), ("program", "pnmtorast"),
                 ("module", "cv2"), ("module", "PIL"), ("module", "dask")]:
        assert want in used, want


# ---- the checkout ----------------------------------------------------------------
def test_suite_wrote_nothing_into_the_checkout(checkout_at_start):
    """Runs last (conftest.py): what git shows now that it did not show when
    the run began was written by the suite."""
    new = sorted(external.git_status() - checkout_at_start)
    assert not new, f"the test suite wrote into the checkout: {new}"
