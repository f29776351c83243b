"""PBM / PGM / PPM (P1-P6): decoding equals cv2.imdecode for every flag on
files from cv2, Pillow, netpbm and ImageMagick, plain and raw, maxval 1 to
65535, with comments and whitespace in every place; damaged files fail (or
not) as in cv2; imc writes the bytes cv2 writes, and both read them back."""
import random

import numpy as np
import pytest

import variants as V
import variants_pxm as P
from helpers import SWEEP_FLAGS, assert_same_decode, cv2, imc, run, tool

EXTS = [".pgm", ".ppm", ".pnm", ".pbm"]


def test_variants_really_vary():
    """Guards the comparisons: the variants decode to what their tools say."""
    v = P.pnm_variants()
    assert v["netpbm_plain_P3"].startswith(b"P3") and v["netpbm_plain_P1"].startswith(b"P1")
    assert v["pil_P4"].startswith(b"P4") and v["im_plain_pgm16"].startswith(b"P2")
    assert b"\n1000\n" in v["netpbm_ppm_maxval1000"][:30]
    img = imc.imdecode(v["netpbm_pgm_maxval1000"], imc.IMREAD_UNCHANGED)
    assert img.dtype == np.uint16 and 500 < img.max() <= 1000
    # plain 8-bit samples are scaled through maxval, raw ones are not (cv2's rule)
    plain, raw = imc.imdecode(v["netpbm_plain_pgm_maxval15"], 0), imc.imdecode(v["netpbm_pgm_maxval15"], 0)
    assert raw.max() <= 15 and np.array_equal(plain, raw * 17)
    h = P.pnm_header_variants()
    assert imc.imdecode(h["P6_comments"], 1).shape == (157, 203, 3)
    assert imc.imdecode(h["plain_no_final_newline"], 0) is None   # cv2 reads one byte too many


SWEEP = ["cv2_ppm_raw", "cv2_pgm16_raw", "cv2_pbm_raw", "netpbm_plain_P3", "cv2_ppm16_plain",
         "netpbm_plain_P1", "tiny_pbm_13x5", "pil_P5_16"]


def offsets(n):
    return sorted(set(range(0, min(n, 64))) | set(range(64, n, max(1, n // 60))) |
                  set(range(max(0, n - 8), n)))


@pytest.mark.parametrize("name", SWEEP)
def test_truncation(name):
    data = P.pnm_variants()[name]
    for off in offsets(len(data)):
        for flags in SWEEP_FLAGS:
            assert_same_decode(data[:off], flags, f"{name}[:{off}]")


@pytest.mark.parametrize("name", SWEEP)
def test_corruption(name):
    data = P.pnm_variants()[name]
    rng = random.Random(name)
    for trial in range(100):
        buf = bytearray(data)
        for _ in range(rng.choice((1, 2, 3))):
            pos = rng.randrange(min(len(buf), 24)) if rng.random() < 0.6 else rng.randrange(len(buf))
            buf[pos] = rng.choice((0x20, 0x23, 0x0A, 0x30 + rng.randrange(10), rng.randrange(256)))
        for flags in (-1, 1, 0):
            assert_same_decode(bytes(buf), flags, f"{name} trial {trial}")


# ---- encoding ----------------------------------------------------------------
def layouts():
    img = V.photo(61, 47)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return {
        "gray": gray, "bgr": img, "bgra": V.photo_alpha(61, 47), "gray3d": gray[:, :, None],
        "bilevel": (gray > 100).astype(np.uint8) * 255, "zeros_ones": (gray > 100).astype(np.uint8),
        "gray16": P.wide(gray), "bgr16": P.wide(img), "s16": img.astype(np.int16) * 3 - 200,
        "s8": (img.astype(np.int16) - 128).astype(np.int8), "f32": img.astype(np.float32) * 1.5 - 40.5,
        "f64_gray": gray.astype(np.float64) / 3 + 0.5, "s32_gray": gray.astype(np.int32) * 2 - 9,
        "u16_gray_big": (gray.astype(np.uint16) * 300), "one_pixel": img[:1, :1].copy(),
        "column": gray[:, :1].copy(), "width_9": gray[:, :9].copy(),
    }


def outcome(fn):
    try:
        return fn().tobytes()
    except (cv2.error, imc.error):
        return "raise"


@pytest.mark.parametrize("ext", EXTS)
@pytest.mark.parametrize("layout", sorted(layouts()))
def test_encode_bytes_equal_cv2(ext, layout):
    img = layouts()[layout]
    for params in ([], [cv2.IMWRITE_PXM_BINARY, 0], [cv2.IMWRITE_PXM_BINARY, 1],
                   [cv2.IMWRITE_PXM_BINARY, 7], [cv2.IMWRITE_PXM_BINARY, 0, 16, 9],
                   [cv2.IMWRITE_PXM_BINARY, 0, cv2.IMWRITE_PXM_BINARY, 1]):
        want = outcome(lambda: cv2.imencode(ext, img, params)[1])
        got = outcome(lambda: imc.imencode(ext, img, params)[1])
        assert got == want, (ext, layout, params)


@pytest.mark.parametrize("ext", EXTS)
def test_round_trip_both_ways(ext):
    """imc's files read back by cv2 (and cv2's by imc) to the same pixels."""
    for name, img in layouts().items():
        if img.dtype not in (np.uint8, np.uint16):
            continue
        for binary in (0, 1):
            params = [cv2.IMWRITE_PXM_BINARY, binary]
            try:
                mine = imc.imencode(ext, img, params)[1]
            except imc.error:
                continue
            theirs = cv2.imencode(ext, img, params)[1]
            for flags in (-1, 0, 1, 2):
                a = cv2.imdecode(mine, flags)
                assert np.array_equal(a, imc.imdecode(theirs, flags)), (ext, name, binary, flags)
            back = imc.imdecode(mine, -1)
            expect = img.reshape(back.shape)
            if ext == ".pbm":
                expect = np.where(img.reshape(back.shape) != 0, 255, 0).astype(np.uint8)
            assert np.array_equal(back, expect), (ext, name, binary)


def test_netpbm_reads_imc_output(tmp_path):
    """netpbm's own reader agrees on what imc wrote."""
    for ext, img in ((".ppm", V.photo(61, 47)), (".pgm", P.wide(P.gray(61, 47)))):
        for binary in (0, 1):
            f = tmp_path / ("x" + ext)
            f.write_bytes(imc.imencode(ext, img, [cv2.IMWRITE_PXM_BINARY, binary])[1].tobytes())
            png = run([tool("pnmtopng"), str(f)]).stdout
            assert np.array_equal(cv2.imdecode(np.frombuffer(png, np.uint8), -1), img)


def test_magic_number_follows_extension():
    g, c = P.gray(9, 5), V.photo(9, 5)
    magic = lambda ext, img, binary=1: imc.imencode(ext, img, [32, binary])[1].tobytes()[:2]  # noqa: E731
    assert [magic(".pnm", g), magic(".pnm", c), magic(".pgm", g), magic(".ppm", c)] == \
        [b"P5", b"P6", b"P5", b"P6"]
    assert [magic(".pnm", g, 0), magic(".pnm", c, 0), magic(".pbm", g), magic(".pbm", g, 0)] == \
        [b"P2", b"P3", b"P4", b"P1"]
    for ext, img in ((".pgm", c), (".ppm", g), (".pbm", c), (".pnm", V.photo_alpha(9, 5))):
        with pytest.raises(imc.error) as e:
            imc.imencode(ext, img)
        assert e.value.code == imc.ERR_ARG


def test_rgb_order():
    for data in (P.pnm_variants()["cv2_ppm16_raw"], P.pnm_variants()["netpbm_plain_P3"]):
        for flags in (-1, 1, 0, 2):
            bgr, rgb = imc.imdecode(data, flags), imc.decode(data, flags, rgb=True)
            if bgr.ndim == 3:
                bgr = bgr[:, :, ::-1]
            assert np.array_equal(bgr, rgb)
    img = P.wide(V.photo(13, 7))
    for binary in (0, 1):
        assert imc.encode(".ppm", img[:, :, ::-1].copy(), [32, binary], rgb=True) == \
            imc.imencode(".ppm", img, [32, binary])[1].tobytes()


def test_probe_and_readers(tmp_path):
    info = imc.probe(P.pnm_variants()["cv2_ppm16_raw"])
    assert (info.format, info.width, info.height, info.channels, info.dtype) == \
        ("pnm", 203, 157, 3, "uint16")
    assert imc.probe(P.pnm_variants()["netpbm_plain_P1"]).dtype == "uint8"
    for ext in EXTS:
        assert imc.haveImageWriter("x" + ext)
        f = tmp_path / ("a" + ext)
        assert imc.imwrite(str(f), V.photo(9, 5) if ext == ".ppm" else P.gray(9, 5))
        assert imc.haveImageReader(str(f))
        for flags in (-1, 0, 1):
            assert np.array_equal(imc.imread(str(f), flags), cv2.imread(str(f), flags))
