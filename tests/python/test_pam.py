"""PAM (P7): decoding equals cv2.imdecode for every flag on files from cv2,
netpbm and ImageMagick, every TUPLTYPE, 8 and 16 bits, and header variants.

cv2 4.6 converts PAM to another channel count by walking only the first
width/depth pixels of each row. What it writes there is compared exactly;
the rest of the row it leaves uninitialized (imc writes zeros), and for a
gray result from 2-channel (and some other) files it writes past the image,
corrupting its heap: those decodes run cv2 in a child process, and where cv2
crashes, imc is checked against a model of cv2's code instead.

cv2 (4.6 and the newest) reads the rows of a MAXVAL 1 file as packed bits,
but PAM samples are whole bytes at any maxval (netpbm writes them so):
imc reads those files as cv2 reads their 8-bit twins, MAXVAL 255 with
samples 0 and 1 as 0 and 255, and is compared with cv2 on the twin."""
import pickle
import random
import re
import subprocess
import sys

import numpy as np
import pytest

import variants as V
import variants_pxm as P
from helpers import ALL_FLAGS, SWEEP_FLAGS, cv2, cv2_decode, describe, imc, imc_decode, run, tool


def header(data):
    """WIDTH, DEPTH, MAXVAL and the last TUPLTYPE, as far as a regex sees."""
    head = data[:data.find(b"ENDHDR")]
    get = lambda key: re.findall(key + rb"[ \t]+([^\s]*)", head)  # noqa: E731
    tt = get(b"TUPLTYPE")
    return {"w": int(get(b"WIDTH")[-1]), "c": int(get(b"DEPTH")[-1]),
            "maxval": int(get(b"MAXVAL")[-1]), "tt": tt[-1].decode() if tt else None}


def scale_of(flags):
    if flags > 8:
        for bit, k in ((16, 2), (32, 4), (64, 8)):
            if flags & bit:
                return k
    return 1


def defined_columns(h, out, flags):
    """Leading output columns cv2 fills (the rest it leaves uninitialized)."""
    cn = 1 if out.ndim == 2 else out.shape[2]
    w, c, maxval, tt = h["w"], h["c"], h["maxval"], h["tt"] or ("RGB" if h["c"] == 3 else "")
    if maxval == 1 or cn == c:
        return out.shape[1]
    if tt == "RGB":     # cv2 reads 3 samples a pixel from its row buffer
        filled = w * c * (2 if maxval > 255 else 1)
        cols = min(w, filled // (3 * out.itemsize))
    else:               # basic_conversion: ceil(w / c) pixels
        n = -(-w // c)
        cols = n if cn == 3 else min(3 * n, w)
    k = scale_of(flags)
    return cols if k == 1 or cols == w else max(0, cols // k - 1)


def overflows_in_cv2(h, out):
    """cv2 writes past its image: gray from basic_conversion with a spill."""
    w, c, tt = h["w"], h["c"], h["tt"] or ("RGB" if h["c"] == 3 else "")
    return (out.ndim == 2 and h["maxval"] != 1 and c >= 2 and tt != "RGB"
            and 3 * -(-w // c) > w)


CHILD = """
import pickle, sys
import cv2, numpy as np
data, flags = pickle.loads(sys.stdin.buffer.read())
try:
    r = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
except cv2.error:
    r = "raise"
sys.stdout.buffer.write(pickle.dumps(r))
"""


ISOLATED_FLAGS = (0, 18, 130)


def cv2_isolated(data, flags):
    """cv2.imdecode in a child process: its result, or 'crash'."""
    p = subprocess.run([sys.executable, "-c", CHILD], input=pickle.dumps((data, flags)),
                       capture_output=True)
    return pickle.loads(p.stdout) if p.returncode == 0 else "crash"


def model_gray(data, h, out):
    """cv2's basic_conversion to gray, on the file's samples: pixel i's first
    channel for i < ceil(w / c), each written 3 times."""
    raster = data[data.index(b"ENDHDR\n") + 7:]
    wide = h["maxval"] > 255
    s = np.frombuffer(raster, ">u2" if wide else np.uint8)[:out.shape[0] * h["w"] * h["c"]]
    s = s.reshape(out.shape[0], h["w"] * h["c"])
    if wide and out.dtype == np.uint8:
        s = s >> 8
    n = -(-h["w"] // h["c"])
    return np.repeat(s[:, ::h["c"]][:, :n], 3, axis=1)[:, :h["w"]].astype(out.dtype)


def eight_bit_twin(data):
    """A MAXVAL 1 file as MAXVAL 255, its samples 0 / 1 (nonzero) as 0 / 255."""
    end = data.index(b"ENDHDR\n") + 7
    head = re.sub(rb"MAXVAL([ \t]+)1(\s)", rb"MAXVAL\g<1>255\g<2>", data[:end])
    raster = np.frombuffer(data, np.uint8, offset=end)
    return head + np.where(raster > 0, 255, 0).astype(np.uint8).tobytes()


def assert_same_pam(data, flags, label="", isolate=True):
    got = imc_decode(data, flags)
    if b"ENDHDR\n" in data and re.search(rb"MAXVAL[ \t]+1\s", data[:data.index(b"ENDHDR\n")]):
        data = eight_bit_twin(data)  # what cv2 is compared on (see the docstring)
    if not isinstance(got, np.ndarray):
        want = cv2_decode(data, flags)
        assert describe(got) == describe(want), f"{label} flags={flags}"
        return
    h = header(data)
    where = f"{label} flags={flags}"
    if overflows_in_cv2(h, got):
        # A child process per decode is slow: a few flags ask cv2, the rest the model.
        want = cv2_isolated(data, flags) if isolate and flags in ISOLATED_FLAGS else "crash"
    else:
        want = cv2_decode(data, flags)
    if isinstance(want, str) and want == "crash":
        if scale_of(flags) == 1:
            cols = defined_columns(h, got, flags)
            assert np.array_equal(got[:, :cols], model_gray(data, h, got)[:, :cols]), where
        return
    assert describe(got) == describe(want), f"{where}: imc {describe(got)} vs cv2 {describe(want)}"
    cols = defined_columns(h, got, flags)
    if scale_of(flags) == 1 and h["tt"] != "RGB":
        assert not got[:, cols:].any(), f"{where}: imc leaves zeros where cv2 has no data"
    a, b = got[:, :cols], want[:, :cols]
    if not np.array_equal(a, b):
        d = np.argwhere(a != b)[0]
        raise AssertionError(f"{where}: first difference at {d.tolist()} (defined columns {cols})")


@pytest.mark.parametrize("name", sorted(P.pam_variants()))
def test_variants_every_flag(name):
    data = P.pam_variants()[name]
    for flags in ALL_FLAGS:
        assert_same_pam(data, flags, name)


@pytest.mark.parametrize("name", sorted(P.pam_header_variants()))
def test_header_variants_every_flag(name):
    data = P.pam_header_variants()[name]
    for flags in ALL_FLAGS:
        assert_same_pam(data, flags, name)


def test_layouts_as_cv2_returns_them():
    """Guards the comparisons: what cv2 4.6 does with each TUPLTYPE."""
    v = P.pam_variants()
    rgb = imc.imdecode(v["netpbm_rgb"], -1)
    assert np.array_equal(rgb, V.photo()[:, :, ::-1])            # file order, not BGR
    assert imc.imdecode(v["netpbm_gray_alpha"], -1).shape == (157, 203, 2)
    assert imc.imdecode(v["cv2_bgra_no_tt"], -1) is None         # no TUPLTYPE: 1 or 3 only
    assert imc.imdecode(v["cv2_gray16_no_tt"], -1) is None       # ... and 8-bit only
    bw = imc.imdecode(v["netpbm_bw"], 0)
    assert bw.dtype == np.uint8 and set(np.unique(bw)) <= {0, 255}
    part = imc.imdecode(v["netpbm_gray_alpha"], 1)                # only ceil(w/2) pixels
    assert part[:, :102].any() and not part[:, 102:].any()
    with pytest.raises(imc.error):                               # cv2 raises too
        imc.decode(P.pam_header_variants()["width_0"], -1)


SWEEP = ["netpbm_rgb", "cv2_rgb16_tt", "netpbm_bw", "netpbm_gray_alpha", "im_rgba",
         "tiny_rgb_9x3"]


def offsets(n, head):
    return sorted(set(range(0, head + 2)) | set(range(head, n, max(1, n // 50))) |
                  set(range(max(0, n - 4), n)))


@pytest.mark.parametrize("name", SWEEP)
def test_truncation(name):
    data = P.pam_variants()[name]
    head = len(P.pam_split(data)[0])
    for off in offsets(len(data), head):
        for flags in SWEEP_FLAGS if off < head else (-1, 1):
            assert_same_pam(data[:off], flags, f"{name}[:{off}]")


@pytest.mark.parametrize("name", SWEEP)
def test_raster_corruption(name):
    data = P.pam_variants()[name]
    head = len(P.pam_split(data)[0])
    rng = random.Random(name)
    for trial in range(40):
        buf = bytearray(data)
        for _ in range(rng.choice((1, 4, 16))):
            buf[rng.randrange(head, len(buf))] = rng.randrange(256)
        for flags in (-1, 1, 0):
            assert_same_pam(bytes(buf), flags, f"{name} trial {trial}", isolate=False)


# ---- encoding ----------------------------------------------------------------
def layouts():
    img = V.photo(61, 47)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return {"gray": gray, "bgr": img, "bgra": V.photo_alpha(61, 47), "gray16": P.wide(gray),
            "bgr16": P.wide(img), "bgra16": P.wide(V.photo_alpha(61, 47)),
            "f32": img.astype(np.float32) * 2.5 - 30, "s16": img.astype(np.int16) - 99,
            "one": img[:1, :1].copy()}


@pytest.mark.parametrize("layout", sorted(layouts()))
def test_encode_bytes_equal_cv2(layout):
    img = layouts()[layout]
    tt = cv2.IMWRITE_PAM_TUPLETYPE
    for params in ([], [tt, 0], [tt, 1], [tt, 2], [tt, 3], [tt, 4], [tt, 5], [tt, 6], [tt, -1],
                   [tt, 4, tt, 9], [tt, 2, tt, 5], [32, 0, tt, 4]):
        want = cv2.imencode(".pam", img, params)[1].tobytes()
        assert imc.imencode(".pam", img, params)[1].tobytes() == want, (layout, params)


def test_round_trip_both_ways():
    """imc's files read back by cv2 (and cv2's by imc) to the same pixels;
    with a TUPLTYPE, cv2 reads its own 16-bit and 4-channel files too."""
    for name, img in layouts().items():
        if img.dtype not in (np.uint8, np.uint16):
            continue
        tt = {1: 2, 3: 4, 4: 5}[1 if img.ndim == 2 else img.shape[2]]
        mine = imc.imencode(".pam", img, [cv2.IMWRITE_PAM_TUPLETYPE, tt])[1]
        theirs = cv2.imencode(".pam", img, [cv2.IMWRITE_PAM_TUPLETYPE, tt])[1]
        assert np.array_equal(cv2.imdecode(mine, -1), img), name
        assert np.array_equal(imc.imdecode(theirs, -1), img), name
        for flags in (0, 1, 6):
            assert_same_pam(mine.tobytes(), flags, name)


def test_non_contiguous_input():
    """cv2 writes `rows * row bytes` from the first row on, ignoring the
    step of a cropped image (docs/compat.md); imc writes the rows."""
    crop = V.photo(100, 80)[10:50, 20:70]
    got = imc.imencode(".pam", crop)[1]
    assert np.array_equal(imc.imdecode(got, -1), crop)
    assert got.tobytes() == cv2.imencode(".pam", np.ascontiguousarray(crop))[1].tobytes()


def test_netpbm_reads_imc_output(tmp_path):
    """netpbm takes imc's RGB_ALPHA file as R, G, B, A: cv2's memory order
    (B, G, R, A) lands in those slots, as with cv2's own file."""
    img = V.photo_alpha(61, 47)
    f = tmp_path / "x.pam"
    f.write_bytes(imc.encode(".pam", img, [cv2.IMWRITE_PAM_TUPLETYPE, 5]))
    png = run([tool("pamrgbatopng"), str(f)]).stdout
    back = cv2.imdecode(np.frombuffer(png, np.uint8), -1)
    assert np.array_equal(back[:, :, [2, 1, 0, 3]], img)


def test_rgb_order():
    for data in (P.pam_variants()["netpbm_rgb"], P.pam_variants()["im_rgba"]):
        for flags in (-1, 1, 0):
            bgr, rgb = imc.imdecode(data, flags), imc.decode(data, flags, rgb=True)
            if bgr.ndim == 3:
                bgr[:, :, :3] = bgr[:, :, 2::-1].copy()
            assert np.array_equal(bgr, rgb)
    img = V.photo_alpha(13, 7)
    for src in (img, P.wide(img)):
        swapped = src[:, :, [2, 1, 0, 3]].copy()
        assert imc.encode(".pam", swapped, rgb=True) == imc.imencode(".pam", src)[1].tobytes()


def test_probe():
    info = imc.probe(P.pam_variants()["netpbm_gray_alpha16"])
    assert (info.format, info.width, info.height, info.channels, info.dtype) == \
        ("pam", 203, 157, 2, "uint16")
