"""Shared test helpers: where the build is, the cv2 oracle, comparisons."""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from external import MODULES, missing, program_path

try:
    import numpy as np
except ImportError:
    raise missing("the Python module numpy", MODULES["numpy"]) from None

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("IMC_BUILD_DIR", ROOT / "build")).resolve()
sys.path.insert(0, str(BUILD / "python"))

# cv2 decodes and encodes OpenEXR only when this is set before its first use.
os.environ.setdefault("OPENCV_IO_ENABLE_OPENEXR", "1")
try:
    import cv2  # noqa: E402  the oracle: Debian's OpenCV 4.6
except ImportError:
    raise missing("the Python module cv2", MODULES["cv2"]) from None

try:
    import imc  # noqa: E402
except ImportError:  # variants.py also serves fuzz/make_corpus.py, without a build
    imc = None

SAMPLES = Path("/usr/share/doc/opencv-doc/examples/data")
CLI = BUILD / "imc"
RELEASE = ROOT / "build"  # the plain build, for tools that cannot run sanitized code (valgrind)


def native_env():
    """Environment for imc's own executables. Under ASan (./dev test) they
    also run LeakSanitizer, which the Python process cannot."""
    env = dict(os.environ)
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] = env["ASAN_OPTIONS"].replace("detect_leaks=0", "detect_leaks=1")
    return env

# Every IMREAD flag the issue lists, plus combinations whose bit logic cv2
# applies literally (ANYDEPTH with REDUCED, LOAD_GDAL, other negatives).
ALL_FLAGS = [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 18, 19, 32, 33, 34, 35, 64, 65, 66, 67,
             128, 129, 130, 132, 134, 144, 145, 161, 193, -2]
# A shorter list for the sweeps that multiply by many inputs.
SWEEP_FLAGS = [-1, 0, 1, 17, 65, 130]


def codec_built(name):
    return imc is not None and any(f["name"] == name for f in imc.formats())


def requires_codec(name):
    """The one rule for a codec this build may lack (the optional ones of
    src/codecs/meson.build): its tests are skipped, saying so. ./dev test
    builds every codec and sets IMC_ALL_CODECS=1: there they run, and fail."""
    import pytest
    missing = not codec_built(name) and os.environ.get("IMC_ALL_CODECS") != "1"
    return pytest.mark.skipif(missing, reason=f"imc was built without the {name} codec")


def sample_files(*exts):
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in exts)
    assert files, f"no {exts} samples in {SAMPLES}: install opencv-doc"
    return files


def cv2_decode(data, flags):
    """cv2.imdecode, with an exception reported as the string 'raise'."""
    try:
        return cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    except cv2.error:
        return "raise"


def imc_decode(data, flags):
    try:
        return imc.imdecode(data, flags)
    except imc.error:
        return "raise"


def describe(x):
    if x is None or isinstance(x, str):
        return repr(x)
    return f"{x.dtype}{list(x.shape)}"


def assert_same_decode(data, flags, label="", allow_uninitialized=False, reference=None):
    """imc.imdecode(data, flags) must equal cv2.imdecode exactly: the same
    None/raise outcome, shape, dtype and every sample.

    allow_uninitialized: cv2 returns rows it never wrote (uninitialized
    memory) for a truncated JPEG with no complete row; imc returns zeros
    there, so only the shape can be compared when imc's image is all zero.
    reference: what cv2 decodes instead of data, where cv2 is wrong on data
    and right on this equivalent file."""
    want = cv2_decode(data if reference is None else reference, flags)
    got = imc_decode(data, flags)
    where = f"{label} flags={flags}"
    if want is None or isinstance(want, str) or got is None or isinstance(got, str):
        assert describe(got) == describe(want), f"{where}: imc {describe(got)} vs cv2 {describe(want)}"
        return want
    assert got.shape == want.shape and got.dtype == want.dtype, \
        f"{where}: imc {describe(got)} vs cv2 {describe(want)}"
    with np.errstate(invalid="ignore"):   # NaN samples of a damaged PFM / HDR
        blank = not got.any()
    if allow_uninitialized and blank:
        return want
    floats = got.dtype.kind == "f"   # PFM, HDR: NaN samples are equal when both are NaN
    if not np.array_equal(got, want, equal_nan=floats):
        diff = np.argwhere((got != want) & ~(np.isnan(got) & np.isnan(want)) if floats else got != want)
        raise AssertionError(f"{where}: {len(diff)} samples differ, first at {diff[0].tolist()}: "
                             f"imc {got[tuple(diff[0])]} vs cv2 {want[tuple(diff[0])]}")
    return want


def assert_same_file(ext, got, want, label=""):
    """imc's encoding of an image equals cv2's: JPEG byte for byte (same
    libjpeg calls); PNG by the pixels cv2 decodes from each (imc's PNG coder
    differs from zlib, never the pixels)."""
    got = bytes(got.tobytes() if hasattr(got, "tobytes") else got)
    want = bytes(want.tobytes() if hasattr(want, "tobytes") else want)
    if "png" not in ext.lower():
        assert got == want, f"{label}: {ext} bytes differ"
        return
    a = cv2.imdecode(np.frombuffer(got, np.uint8), cv2.IMREAD_UNCHANGED)
    b = cv2.imdecode(np.frombuffer(want, np.uint8), cv2.IMREAD_UNCHANGED)
    assert a is not None and b is not None, label
    assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), f"{label}: pixels differ"


def tool(name):
    """Path of an external program; each is listed in external.PROGRAMS with
    its package, and a missing one fails naming the package."""
    return program_path(name)


# External programs run here, outside the checkout: whatever one writes to a
# relative path (ImageMagick without a coder writes "exr:-" as a file name)
# must not land in the repository.
SCRATCH = Path(tempfile.mkdtemp(prefix="imc-tools-"))


def tool_env(env=None):
    """The environment for other people's programs: without the ASan runtime
    ./dev test preloads for Python (X and terminal tools misbehave under it,
    and it is not theirs to carry)."""
    env = dict(env or os.environ)
    for var in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
        env.pop(var, None)
    return env


def run(cmd, **kw):
    kw.setdefault("cwd", SCRATCH)
    kw.setdefault("env", tool_env())
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def run_cli(*args, **kw):
    """The imc command, with LeakSanitizer on when sanitized."""
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          env=native_env(), **kw)
