"""PFM: decoding equals cv2.imdecode for every flag (32F, or cv2's rounding
to 8 bits; ANYDEPTH | REDUCED_* through cv2's float resize) on files from
cv2, netpbm and ImageMagick, both byte orders, any scale factor, special
float values; header quirks as cv2 has them; imc writes cv2's bytes."""
import random

import numpy as np
import pytest

import variants as V
import variants_pxm as P
from helpers import SWEEP_FLAGS, assert_same_decode, cv2, imc, run, tool


def test_variants_really_vary():
    v, h = P.pfm_variants(), P.pfm_header_variants()
    assert v["netpbm_big_endian"].split(b"\n")[2].decode()[0] != "-"
    assert v["im_color"].split(b"\n")[2] == b"1.0"                     # ImageMagick: big-endian
    a = imc.imdecode(h["le_scale_-2.5"], -1)
    b = imc.imdecode(h["le_scale_-1"], -1)
    assert a.dtype == np.float32 and a.shape == (47, 61, 3)
    assert np.array_equal(a, b * np.float32(1 / 2.5))
    assert np.array_equal(imc.imdecode(h["be_scale_1"], -1), b)         # same data, big-endian
    # The file's channel count whatever the flags (cv2 converts with convertTo).
    assert imc.imdecode(v["cv2_gray"], imc.IMREAD_COLOR).ndim == 2
    assert imc.imdecode(v["cv2_color"], imc.IMREAD_GRAYSCALE).shape[2] == 3


SWEEP = ["cv2_color", "cv2_gray", "netpbm_big_scale", "im_color", "tiny_7x3"]


@pytest.mark.parametrize("name", SWEEP)
def test_truncation(name):
    data = P.pfm_variants()[name]
    n = len(data)
    for off in sorted(set(range(0, 40)) | set(range(40, n, max(1, n // 40))) | {n - 1}):
        for flags in SWEEP_FLAGS:
            assert_same_decode(data[:off], flags, f"{name}[:{off}]")


@pytest.mark.parametrize("name", SWEEP)
def test_corruption(name):
    data = P.pfm_variants()[name]
    rng = random.Random(name)
    for trial in range(100):
        buf = bytearray(data)
        for _ in range(rng.choice((1, 2, 6))):
            pos = rng.randrange(min(len(buf), 20)) if rng.random() < 0.5 else rng.randrange(len(buf))
            buf[pos] = rng.choice((0x20, 0x0A, 0x2D, 0x30 + rng.randrange(10), rng.randrange(256)))
        for flags in (-1, 1, 2, 18):
            assert_same_decode(bytes(buf), flags, f"{name} trial {trial}")


# ---- encoding ----------------------------------------------------------------
def layouts():
    img = V.photo(61, 47)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    f = P.hdr_image(61, 47)
    return {"f32": f, "f32_gray": np.ascontiguousarray(f[:, :, 0]), "u8": img, "gray": gray,
            "u16": P.wide(img), "s8": (img.astype(np.int16) - 128).astype(np.int8),
            "s16": img.astype(np.int16) * 3 - 300, "s32": img.astype(np.int32) * 99999 - 7,
            "f64": img.astype(np.float64) / 7 + 1e-9, "f64_huge": np.full((3, 4), 1e300),
            "bgra": V.photo_alpha(61, 47), "gray3d": gray[:, :, None],
            "specials": np.array([[np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4e38]], np.float32)}


@pytest.mark.parametrize("layout", sorted(layouts()))
def test_encode_bytes_equal_cv2(layout):
    img = layouts()[layout]
    for params in ([], [cv2.IMWRITE_PXM_BINARY, 0], [80, 0]):
        try:
            want = cv2.imencode(".pfm", img, params)[1].tobytes()
        except cv2.error:
            with pytest.raises(imc.error) as e:
                imc.imencode(".pfm", img, params)
            assert e.value.code == imc.ERR_ARG
            continue
        assert imc.imencode(".pfm", img, params)[1].tobytes() == want, (layout, params)


def test_round_trip_exact():
    """Float pixels survive imc's file in cv2, and cv2's file in imc, bit for bit."""
    for name in ("f32", "f32_gray", "specials"):
        img = layouts()[name]
        mine, theirs = imc.imencode(".pfm", img)[1], cv2.imencode(".pfm", img)[1]
        for got in (cv2.imdecode(mine, -1), imc.imdecode(theirs, -1), imc.imdecode(mine, -1)):
            assert got.dtype == np.float32
            assert np.array_equal(got.view(np.uint32), img.view(np.uint32).reshape(got.shape)) or \
                np.array_equal(got, img.reshape(got.shape), equal_nan=True)


def test_netpbm_reads_imc_output(tmp_path):
    img = V.photo(61, 47)
    f = tmp_path / "x.pfm"
    f.write_bytes(imc.encode(".pfm", img.astype(np.float32) / 255))
    # maxval 255 is pfmtopam's default; netpbm 11.01's -maxval option fails at
    # random ("Maximum allowed -maxval is 65535. You specified 255")
    pam = run([tool("pfmtopam"), str(f)]).stdout
    back = imc.imdecode(run([tool("pamtopnm")], input=pam).stdout, -1)
    assert np.abs(back.astype(int) - img.astype(int)).max() <= 1


def test_rgb_order():
    data = P.pfm_variants()["netpbm_big_scale"]
    for flags in (-1, 1, 0, 2):
        bgr, rgb = imc.imdecode(data, flags), imc.decode(data, flags, rgb=True)
        assert np.array_equal(bgr[:, :, ::-1], rgb)
    img = P.hdr_image(13, 7)
    assert imc.encode(".pfm", img[:, :, ::-1].copy(), rgb=True) == \
        imc.imencode(".pfm", img)[1].tobytes()


def test_probe():
    info = imc.probe(P.pfm_variants()["netpbm_gray"])
    assert (info.format, info.width, info.height, info.channels, info.dtype) == \
        ("pfm", 203, 157, 1, "float32")
