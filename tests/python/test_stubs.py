"""The type stubs (python/imc/__init__.pyi) say what the module has: every
public name and no other, the parameters of the Python-level functions, and
mypy (Debian's) accepts a typed example and rejects a wrong one."""
import ast
import inspect
import subprocess

import pytest

from helpers import BUILD, ROOT, imc, tool, tool_env

STUB = ROOT / "python" / "imc" / "__init__.pyi"


def stub_names():
    tree = ast.parse(STUB.read_text())
    names = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                names[t.id] = node
    return names


ALIASES = {"Image", "Buffer", "Source", "Path", "Params", "MetadataBlobs"}  # the stub's own type names


def test_every_public_name_is_in_the_stub_and_no_other():
    public = {n for n in dir(imc) if not n.startswith("_") and not inspect.ismodule(getattr(imc, n))}
    declared = set(stub_names()) - ALIASES - {"__version__"}
    assert public - declared == set(), f"missing from {STUB.name}: {sorted(public - declared)}"
    assert declared - public == set(), f"in {STUB.name} but not in imc: {sorted(declared - public)}"
    assert (BUILD / "python" / "imc" / "py.typed").exists()


def test_python_functions_have_the_stubs_parameters():
    stubs = stub_names()
    checked = 0
    for name, node in stubs.items():
        obj = getattr(imc, name, None)
        if not isinstance(node, ast.FunctionDef) or not inspect.isfunction(obj):
            continue
        try:
            sig = inspect.signature(obj)
        except ValueError:
            continue
        a = node.args
        want = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
        want += [a.vararg.arg] if a.vararg else []
        want += [a.kwarg.arg] if a.kwarg else []
        got = list(sig.parameters)
        if getattr(obj, "__wrapped__", None) is not None:
            continue  # a wrapper around a C function: (source, *args, **kw)
        assert sorted(got) == sorted(want), f"{name}: {got} vs the stub's {want}"
        checked += 1
    assert checked >= 15


GOOD = '''
import io
from typing import Any
import numpy.typing as npt
import imc

img: npt.NDArray[Any] = imc.decode(b"...", imc.IMREAD_COLOR, rgb=True)
img2 = imc.decode(io.BytesIO(b"..."))
ok, buf = imc.imencode(".jpg", img, [imc.IMWRITE_JPEG_QUALITY, 90])
flag: bool = ok
n: int = buf.size
maybe = imc.imdecode(buf, imc.IMREAD_UNCHANGED)
if maybe is not None:
    h, w = maybe.shape[:2]
info = imc.probe(b"...")
width: int = info.width
data: bytes = imc.encode(".png", img)
anim = imc.Animation(0)
anim.frames.append(img)
items = imc.decode_batch([b"a", b"b"], imc.IMREAD_COLOR, threads=2)
key: int = imc.waitKey(1)
try:
    imc.read("x.png")
except imc.error as e:
    code: int = e.code
'''

BAD = '''
import numpy as np
import imc
img = np.zeros((2, 2), np.uint8)
text: str = imc.encode(".png", img)
imc.waitKey("soon")
imc.decode(b"", flags="COLOR")
'''


@pytest.mark.parametrize("example,passes", [(GOOD, True), (BAD, False)], ids=["good", "bad"])
def test_mypy_on_examples(example, passes, tmp_path):
    f = tmp_path / "example.py"
    f.write_text(example)
    env = tool_env()
    env["MYPYPATH"] = str(ROOT / "python")
    r = subprocess.run([tool("mypy"), "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "c"),
                        "--follow-imports=silent", str(f)], capture_output=True, text=True,
                       cwd=tmp_path, env=env)
    if passes:
        assert r.returncode == 0, r.stdout + r.stderr
    else:  # bytes is not str, and the two str arguments are not int
        lines = {int(line.split(":")[1]) for line in r.stdout.splitlines() if ": error:" in line}
        assert r.returncode == 1 and lines == {5, 6, 7}, r.stdout + r.stderr
