"""Hostile input at scale: every truncation offset and every single-byte
change of small real files, memory that stays flat over 100,000 calls, and
the C tests and CLI under valgrind."""
import ctypes
import gc
import os
import subprocess
import sys

import numpy as np
import pytest

import variants as V
from helpers import BUILD, RELEASE, assert_same_decode, cv2, imc, tool

# Small but real: every offset is affordable.
SMALL = {
    "jpeg_420": lambda: V.jpeg_variants()["tiny_9x9"],
    "jpeg_gray": lambda: V.jpeg_variants()["tiny_17x9_gray"],
    "jpeg_progressive": lambda: cv2.imencode(".jpg", V.photo(24, 16), [2, 1])[1].tobytes(),
    "jpeg_cmyk": lambda: V._pil_jpeg(V.photo(16, 16), mode="CMYK", quality=80),
    "jpeg_exif": lambda: V.jpeg_with_app1(V.jpeg_variants()["tiny_9x9"],
                                          [b"Exif\0\0" + V.orientation_block(6)]),
    "png_rgba": lambda: V.png_variants()["tiny_1x7_rgba"],
    "png_palette": lambda: V._pil_png(V.Image.fromarray(V.photo(12, 8)[:, :, ::-1]).quantize(16), bits=4),
    "png_interlaced": lambda: V.png_variants()["odd_5x3_interlace"],
    "png_gray16": lambda: V.png_variants()["tiny_7x1_gray16"],
}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_every_truncation(name):
    data = SMALL[name]()
    for off in range(1, len(data)):
        for flags in (-1, 1, 0):
            assert_same_decode(data[:off], flags, f"{name}[:{off}]", allow_uninitialized=True)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_every_byte_changed(name):
    data = SMALL[name]()
    for pos in range(len(data)):
        for value in (data[pos] ^ 0xFF, data[pos] ^ 0x01):
            buf = data[:pos] + bytes([value]) + data[pos + 1:]
            assert_same_decode(buf, -1, f"{name} byte {pos} = {value}", allow_uninitialized=True)


def rss():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS"))


def heap_in_use():
    """(bytes, what was measured). Under ASan, RSS follows the quarantine of
    freed blocks (up to 256 MB, filled or recycled depending on what ran
    before: a CI run once saw +31 MB with no leak), so the allocator's own
    count of live bytes is used there; it is exact."""
    try:
        live = ctypes.CDLL(None).__sanitizer_get_current_allocated_bytes
    except AttributeError:
        return rss(), "RSS", 4 << 20
    live.restype = ctypes.c_size_t
    return live(), "live heap", 256 << 10


def test_memory_stays_flat_over_100000_calls():
    jpg = V.jpeg_variants()["tiny_9x9"]
    png = V.png_variants()["tiny_1x7_rgba"]
    img = V.photo(9, 9)
    calls = [
        lambda: imc.imdecode(jpg, 1), lambda: imc.imdecode(png, -1),
        lambda: imc.imencode(".jpg", img), lambda: imc.imencode(".png", img, [16, 3]),
        lambda: imc.imdecode(b"junk", 1), lambda: imc.probe(jpg),
        lambda: imc.decode_batch([jpg, b"x"], 1, threads=1),
    ]

    def raising():
        try:
            imc.decode(jpg[:20])
        except imc.error:
            pass
        try:
            imc.encode(".png", np.zeros((3, 3, 2), np.uint8))
        except ValueError:
            pass
    calls.append(raising)
    for fn in calls:          # warm up pools and caches
        for _ in range(200):
            fn()
    gc.collect()
    before, measured, limit = heap_in_use()
    for i in range(100_000):
        calls[i % len(calls)]()
    gc.collect()
    grown = heap_in_use()[0] - before
    assert grown < limit, f"{measured} grew by {grown / 1e6:.2f} MB over 100,000 calls"


@pytest.mark.skipif(not (RELEASE / "imc").exists(), reason="no release build in build/")
def test_valgrind_memcheck(tmp_path):
    """No invalid access, uninitialised read or leak in the C tests and the
    CLI (the release build: valgrind cannot run sanitized code)."""
    base = [tool("valgrind"), "--error-exitcode=99", "--leak-check=full", "--show-leak-kinds=definite,indirect",
            "--errors-for-leak-kinds=definite,indirect", "--track-origins=yes", "-q"]
    src = tmp_path / "in.jpg"
    src.write_bytes(V.jpeg_exif_variants()["pil_exif_6"])
    (tmp_path / "bad.png").write_bytes(V.png_variants()["cv2_rgb8"][:200])
    cli = str(RELEASE / "imc")
    runs = [[str(RELEASE / "tests" / "c" / t)] for t in ("test_api", "test_internal", "test_options", "test_threads")]
    runs += [
        [cli, "convert", str(src), str(tmp_path / "out.png"), "-p", "PNG_COMPRESSION=6"],
        [cli, "convert", "--out", str(tmp_path / "o"), "--to", ".jpg", "-j", "2", str(tmp_path)],
        [cli, "info", "--json", str(src), str(tmp_path / "bad.png")],
    ]
    for cmd in runs:
        env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
        r = subprocess.run(base + cmd, capture_output=True, text=True, timeout=1800, env=env)
        assert r.returncode != 99, f"{cmd}: valgrind found errors:\n{r.stderr[-4000:]}"


READ_ONLY_CHILD = """
import mmap, sys
import imc
for path in sys.argv[1:]:
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        for flags in (-1, 0, 1, 17):
            try:
                imc.imdecode(m, flags)
            except imc.error:
                pass
print("ok", len(sys.argv) - 1)
"""


def test_decoders_never_write_their_input(tmp_path):
    """Every variant file of every format decoded from read-only memory (a
    PROT_READ mapping): a codec library writing into the caller's bytes
    would die of SIGSEGV (libtiff, for one, reads TIFF input in place)."""
    import test_second_oracle as S
    import variants_exr as E
    import variants_jpeg2000 as J
    import variants_modern as M
    import variants_tiff as T
    sets = [make() for make, _ in S.FORMATS.values()]
    sets += [T.multipage_variants(), V.png_damaged_variants(), J.jpeg2000_variants(),
             E.exr_variants(), M.gif_variants()]
    paths = []
    for i, data in enumerate(d for s in sets for d in s.values() if d):
        p = tmp_path / f"{i}.bin"
        p.write_bytes(data)
        paths.append(str(p))
    env = {k: v for k, v in os.environ.items()}
    env["PYTHONPATH"] = os.pathsep.join([str(BUILD / "python"), env.get("PYTHONPATH", "")])
    r = subprocess.run([sys.executable, "-c", READ_ONLY_CHILD, *paths], capture_output=True,
                       text=True, env=env, timeout=1200)
    assert r.returncode == 0 and r.stdout.split() == ["ok", str(len(paths))], r.stderr[-3000:]
