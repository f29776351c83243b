"""Radiance HDR (.hdr, .pic): decoding equals cv2.imdecode for every flag on
files from cv2 (RLE and flat) and ImageMagick, header variants read as cv2's
fgets-based reader reads them, damaged RLE data fails as in cv2; imc writes
cv2's bytes, with IMWRITE_HDR_COMPRESSION as newer cv2 defines it."""
import random

import numpy as np
import pytest

import variants as V
import variants_pxm as P
from helpers import SWEEP_FLAGS, assert_same_decode, cv2, imc, run, tool

HDR_COMPRESSION, NONE, RLE = 80, 0, 1


def test_variants_really_vary():
    v, h = P.hdr_variants(), P.hdr_header_variants()
    assert len(v["cv2_flat"]) > 1.1 * len(v["cv2_rle"])                # cv2 4.6's flat writer
    assert b"\x02\x02" in v["im_from_png"][:200]                       # ImageMagick: RLE
    flat, rle = imc.imdecode(v["cv2_flat"], -1), imc.imdecode(v["cv2_rle"], -1)
    assert flat.dtype == np.float32 and np.array_equal(flat, rle)
    assert imc.imdecode(h["rle_then_flat"], -1).shape == (24, 64, 3)
    assert imc.imdecode(h["run_past_row"], -1) is None
    assert imc.imdecode(h["line_127_then_newline"], -1) is None       # fgets' 128-byte buffer
    assert imc.imdecode(v["cv2_gray"], imc.IMREAD_GRAYSCALE).shape == (157, 203, 3)


SWEEP = ["cv2_rle", "cv2_flat", "im_from_png", "size_9x5", "size_7x3"]


@pytest.mark.parametrize("name", SWEEP)
def test_truncation(name):
    data = P.hdr_variants()[name]
    n = len(data)
    for off in sorted(set(range(0, 60)) | set(range(60, n, max(1, n // 50))) | {n - 1}):
        for flags in SWEEP_FLAGS:
            assert_same_decode(data[:off], flags, f"{name}[:{off}]")


@pytest.mark.parametrize("name", SWEEP)
def test_corruption(name):
    data = P.hdr_variants()[name]
    head = len(P.hdr_split(data)[0])
    rng = random.Random(name)
    for trial in range(100):
        buf = bytearray(data)
        for _ in range(rng.choice((1, 2, 5))):
            pos = rng.randrange(head + 40) if rng.random() < 0.5 else rng.randrange(len(buf))
            pos = min(pos, len(buf) - 1)
            buf[pos] = rng.choice((0, 2, 0x80, 0xFF, 0x0A, rng.randrange(256)))
        for flags in (-1, 1, 18):
            assert_same_decode(bytes(buf), flags, f"{name} trial {trial}")


# ---- encoding ----------------------------------------------------------------
def layouts():
    img = V.photo(61, 47)
    f = P.hdr_image(61, 47)
    return {"f32": f, "f32_gray": np.ascontiguousarray(f[:, :, 1]), "u8": img,
            "gray": cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), "u16": P.wide(img),
            "s8": (img.astype(np.int16) - 128).astype(np.int8), "s16": img.astype(np.int16) - 99,
            "s32": img.astype(np.int32) * 77777 - 5, "f64": f.astype(np.float64) * 300,
            "narrow_7": np.ascontiguousarray(f[:, :7]), "width_8": np.ascontiguousarray(f[:, :8]),
            "flat_areas": np.kron(P.hdr_image(8, 6), np.ones((3, 40, 1), np.float32)),
            "negative": f - 1.0, "tiny_values": f * 1e-30, "huge_values": f * 1e30,
            "specials": np.array([[[np.nan, 1, 2], [np.inf, 0, 0], [-1, -2, 5], [0, 0, 0],
                                   [1e-40, 0, 0], [3e38, 3e38, 1], [-0.0, 1e-32, 2e-32],
                                   [np.nan, np.nan, np.nan], [5, -np.inf, 1]]], np.float32),
            "bgra": V.photo_alpha(61, 47)}


@pytest.mark.parametrize("layout", sorted(layouts()))
def test_encode_bytes_equal_cv2(layout):
    """cv2 4.6 writes RLE without params and flat with params [0, x] (its
    check reads params[0]); imc writes the same bytes for no params or
    HDR_COMPRESSION=RLE, and for HDR_COMPRESSION=NONE respectively."""
    img = layouts()[layout]
    cases = [([], []), ([HDR_COMPRESSION, RLE], []), ([HDR_COMPRESSION, NONE], [0, 0]),
             ([cv2.IMWRITE_PXM_BINARY, 0, HDR_COMPRESSION, NONE], [0, 0])]
    for ext in (".hdr", ".pic"):
        for mine, theirs in cases:
            try:
                want = cv2.imencode(ext, img, theirs)[1].tobytes()
            except cv2.error:
                with pytest.raises(imc.error) as e:
                    imc.imencode(ext, img, mine)
                assert e.value.code == imc.ERR_ARG
                continue
            assert imc.imencode(ext, img, mine)[1].tobytes() == want, (layout, mine)


def test_compression_param_validated():
    img = P.hdr_image(16, 4)
    for bad in (2, -1, 100):
        with pytest.raises(imc.error) as e:
            imc.imencode(".hdr", img, [HDR_COMPRESSION, bad])
        assert e.value.code == imc.ERR_PARAM and "HDR_COMPRESSION" in str(e.value)
    assert imc.IMWRITE_HDR_COMPRESSION == 80
    assert (imc.IMWRITE_HDR_COMPRESSION_NONE, imc.IMWRITE_HDR_COMPRESSION_RLE) == (0, 1)


def test_round_trip_both_ways():
    """cv2 reads imc's files (RLE and flat) to the pixels imc reads, and imc
    reads cv2's; RGBE keeps 8 mantissa bits, so re-encoding is stable."""
    for name, img in layouts().items():
        if img.ndim == 3 and img.shape[2] == 4:
            continue
        for params in ([], [HDR_COMPRESSION, NONE]):
            mine = imc.imencode(".hdr", img, params)[1]
            for flags in (-1, 1, 0):
                a, b = cv2.imdecode(mine, flags), imc.imdecode(mine, flags)
                assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), (name, params, flags)
            if name not in ("specials", "negative"):
                decoded = imc.imdecode(mine, -1)
                again = imc.imencode(".hdr", decoded, params)[1]
                assert again.tobytes() == mine.tobytes(), (name, params)


def test_imagemagick_reads_imc_output(tmp_path):
    img = P.hdr_image(61, 47)
    for params in ([], [HDR_COMPRESSION, NONE]):
        f = tmp_path / "x.hdr"
        f.write_bytes(imc.encode(".hdr", img, params))
        pfm = run([tool("convert"), f"hdr:{f}", "-strip", "pfm:-"]).stdout
        theirs = imc.imdecode(pfm, -1)
        ours = imc.imdecode(f.read_bytes(), -1)
        # ImageMagick's Q16 build clamps to [0, 1]
        assert np.allclose(theirs, np.minimum(ours, 1), rtol=1e-3, atol=1e-4)


def test_rgb_order():
    data = P.hdr_variants()["im_from_png"]
    for flags in (-1, 1, 0, 2):
        bgr, rgb = imc.imdecode(data, flags), imc.decode(data, flags, rgb=True)
        assert np.array_equal(bgr[:, :, ::-1], rgb)
    img = P.hdr_image(13, 7)
    assert imc.encode(".hdr", img[:, :, ::-1].copy(), rgb=True) == \
        imc.imencode(".hdr", img)[1].tobytes()


def test_probe():
    info = imc.probe(P.hdr_variants()["im_from_png"])
    assert (info.format, info.width, info.height, info.channels, info.dtype) == \
        ("hdr", 203, 157, 3, "float32")
