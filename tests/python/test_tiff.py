"""TIFF: decoding equals cv2.imdecode for every flag on files from cv2,
Pillow, libtiff's tools and ImageMagick (every sample layout, compression,
tiling, orientation); pages equal cv2.imreadmulti's; encoded bytes equal
cv2.imencode's / cv2.imwritemulti's; cv2 reads back what imc writes."""
import io
import os
import random
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import families as F
import variants as V
import variants_tiff as T
from helpers import (ALL_FLAGS, BUILD, ROOT, SWEEP_FLAGS, assert_same_decode, cv2, cv2_decode,
                     describe, imc, imc_decode, requires_codec)
from test_damage import corruptions, offsets

pytestmark = requires_codec("tiff")
CV2_MIRRORS_TILES = F.TIFF_CV2_MIRRORS_TILES   # the other files: test_families


@pytest.mark.parametrize("name", sorted(CV2_MIRRORS_TILES))
def test_mirrored_tiles_like_their_strips(name):
    """libtiff's RGBA reader mirrors each tile within itself; cv2 4.6 leaves
    the tiles in place, imc puts each where the mirror takes it. The same
    image in strips (tiffcp keeps the orientation tag), which cv2 reads
    right, is the reference for every flag; cv2 itself differs on the tiles."""
    data = T.variants()[name]
    strips = T.tiffcp(data, "-s", "-r", "8")
    assert first_ifd(strips)[274] == int(name.split("_")[1])
    for flags in ALL_FLAGS:
        want = cv2_decode(strips, flags)
        got = imc_decode(data, flags)
        assert describe(got) == describe(want) and np.array_equal(got, want), f"{name} {flags}"
    assert not np.array_equal(cv2_decode(data, -1), cv2_decode(strips, -1))


def test_4bit_palette_like_newer_cv2():
    data = T.variants()["im_palette_4bit"]
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is None   # cv2 4.6
    want = np.array(Image.open(io.BytesIO(data)).convert("RGB"))[:, :, ::-1]
    assert np.array_equal(imc.imdecode(data, cv2.IMREAD_UNCHANGED), want)
    assert np.array_equal(imc.imdecode(data, cv2.IMREAD_GRAYSCALE),
                          imc.imdecode(T.tiffcp(data, "-c", "none"), cv2.IMREAD_GRAYSCALE))


def first_ifd(data):
    """{tag: first value} of a little-endian TIFF's first directory."""
    import struct
    at = struct.unpack_from("<I", data, 4)[0]
    tags = {}
    for i in range(struct.unpack_from("<H", data, at)[0]):
        tag, typ, count, value = struct.unpack_from("<HHII", data, at + 2 + 12 * i)
        tags[tag] = value & 0xFFFF if typ == 3 else value
    return tags


def decode_back(data, flags=cv2.IMREAD_UNCHANGED):
    return cv2.imdecode(np.frombuffer(data, np.uint8), flags)


# ---- Encoding ----------------------------------------------------------------
def layouts():
    img, bgra = V.photo(), V.photo_alpha()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return {
        "bgr": img, "bgra": bgra, "gray": gray, "gray3d": gray[:, :, None],
        "u16": T.gradient16(), "u16a": T.gradient16(cn=4), "u16g": T.gradient16(cn=1),
        "f32": T.float_image(3), "f32a": T.float_image(4), "f32g": T.float_image(1),
        "s8g": (gray.astype(np.int16) - 128).astype(np.int8), "s16g": gray.astype(np.int16) * 100 - 9000,
        "s32g": gray.astype(np.int32) * 70000 - 10 ** 7, "f64g": T.float_image(1).astype(np.float64) / 7,
        "strided": img[::2, 1::3], "tiny": V.photo(1, 1), "column": gray[:, :1].copy(),
    }


C, P, RPS = cv2.IMWRITE_TIFF_COMPRESSION, cv2.IMWRITE_TIFF_PREDICTOR if hasattr(cv2, "IMWRITE_TIFF_PREDICTOR") else 317, 278
PARAMS = [[], [C, 1], [C, 5], [C, 8], [C, 32946], [C, 32773], [C, 5, P, 1], [RPS, 1], [RPS, 5],
          [RPS, 0], [RPS, -3], [RPS, 100000], [cv2.IMWRITE_TIFF_RESUNIT, 2, cv2.IMWRITE_TIFF_XDPI, 300],
          [cv2.IMWRITE_TIFF_RESUNIT, 3, cv2.IMWRITE_TIFF_YDPI, 72, cv2.IMWRITE_TIFF_XDPI, 0],
          [cv2.IMWRITE_TIFF_RESUNIT, 9, cv2.IMWRITE_TIFF_XDPI, -5], [C, 8, C, 1],
          [cv2.IMWRITE_JPEG_QUALITY, 10, C, 32773]]


def cv2_encodes(img, params):
    """cv2 4.6 forces 32-bit samples uncompressed: only compare params it honours."""
    return not (img.dtype in (np.float32, np.int32) and C in params[::2])


@pytest.mark.parametrize("layout", sorted(layouts()))
def test_encode_bytes_equal_cv2(layout):
    img = layouts()[layout]
    for params in PARAMS:
        if not cv2_encodes(img, params):
            continue
        for ext in (".tiff", ".tif", "x.TIF"):
            ok, got = imc.imencode(ext, img, params)
            want = cv2.imencode(ext, img, params)[1].tobytes()
            assert ok and got.tobytes() == want, (layout, params, ext)


def test_imwrite_equals_cv2_file(tmp_path):
    for name, img in layouts().items():
        a, b = tmp_path / "imc.tif", tmp_path / "cv2.tiff"
        params = [C, 8] if cv2_encodes(img, [C, 8]) else []
        assert imc.imwrite(str(a), img, params)
        assert cv2.imwrite(str(b), img, params)
        assert a.read_bytes() == b.read_bytes(), name


def test_jpeg_compression():
    img = V.photo(96, 64)
    for params in ([C, 7, RPS, 16], [C, 7, RPS, 8]):
        data = imc.encode(".tiff", img, params)
        assert data == cv2.imencode(".tiff", img, params)[1].tobytes()
        assert cv2.PSNR(decode_back(data), img) > 30
    with pytest.raises(imc.error):      # libtiff: rows per strip must be a multiple of 8
        imc.encode(".tiff", img, [C, 7, RPS, 5])


def test_newer_compressions_read_back_by_cv2():
    """Schemes libtiff writes that cv2 4.6 has no constant for; lossless ones
    read back exactly."""
    img = V.photo_alpha()
    for c in (cv2.IMWRITE_TIFF_COMPRESSION_LZMA if hasattr(cv2, "IMWRITE_TIFF_COMPRESSION_LZMA") else 34925,
              50000, 32773, 1):
        data = imc.encode(".tiff", img, [C, c])
        assert np.array_equal(decode_back(data), img), c
    lossy = imc.encode(".tiff", V.photo(), [C, imc.IMWRITE_TIFF_COMPRESSION_WEBP])
    assert cv2.PSNR(decode_back(lossy), V.photo()) > 30


def test_unknown_compression_and_predictor_fall_back_like_newer_cv2():
    img = V.photo()
    default = imc.encode(".tiff", img)
    assert imc.encode(".tiff", img, [C, 12345]) == default            # -> LZW
    assert imc.encode(".tiff", img, [C, 5, P, 77]) == default          # -> horizontal
    assert imc.encode(".tiff", img, [C, 5, P, 2]) == default
    with pytest.raises(imc.error):       # a float predictor for integer samples: libtiff refuses
        imc.encode(".tiff", img, [C, 5, P, 3])


def test_float_compression_like_newer_cv2():
    """cv2 4.6 stores 32-bit samples uncompressed whatever is asked; imc
    compresses them when IMWRITE_TIFF_COMPRESSION says so, as newer cv2
    (floating-point predictor by default for floats)."""
    for img in (T.float_image(1), T.float_image(4), layouts()["s32g"]):
        plain = imc.encode(".tiff", img, [C, 1])
        assert plain == cv2.imencode(".tiff", img, [C, 1])[1].tobytes()
        for params in ([C, 5], [C, 8], [C, 8, P, 1], [C, 32773]):
            data = imc.encode(".tiff", img, params)
            tags = first_ifd(data)
            assert tags[259] == params[1] and tags.get(317, 1) == (
                params[3] if len(params) > 2 else 3 if img.dtype == np.float32 and params[1] != 32773
                else 2 if params[1] != 32773 else 1), params
            assert np.array_equal(decode_back(data), img), params
            assert np.array_equal(imc.imdecode(data, -1), img)


def test_logluv():
    img = T.float_image(3) + 0.3    # LogLuv stores no negative values
    data = imc.encode(".tiff", img)
    assert data == cv2.imencode(".tiff", img)[1].tobytes()
    assert data == cv2.imencode(".tiff", img, [C, 34676])[1].tobytes()
    assert imc.encode(".tiff", img[:, :, ::-1].copy(), rgb=True) == data
    back = imc.imdecode(data, -1)
    assert np.array_equal(back, decode_back(data))
    # LogLuv keeps luminance to ~0.3% and chroma in 8-bit u', v': errors scale with the pixel
    assert (np.abs(back - img) <= 0.03 * img.max(axis=2, keepdims=True)).all()
    # newer cv2: SGILOG for one channel, SGILOG24 for three
    gray = T.float_image(1)
    for im, c in ((gray, 34676), (img, 34677)):
        data = imc.encode(".tiff", im, [C, c])
        for flags in (-1, 0, 1, 2, 3):
            assert_same_decode(data, flags, f"sgilog {c}")
    with pytest.raises(imc.error):
        imc.encode(".tiff", V.photo(), [C, 34676])
    with pytest.raises(imc.error):
        imc.encode(".tiff", gray, [C, 34677])


def test_wide_samples_in_colour_like_newer_cv2():
    """cv2 4.6 cannot write 3/4-channel 8S/16S/32S/64F TIFFs (cvtColor refuses
    them) and cannot read 3/4-channel 32S/64F ones; newer cv2 and imc do both."""
    img = V.photo_alpha()
    for arr in ((img.astype(np.int16) - 128).astype(np.int8), img.astype(np.int16) * 200 - 20000,
                img.astype(np.int32) * 99999 - 7, img.astype(np.float64) / 3):
        for cn in (3, 4):
            a = np.ascontiguousarray(arr[:, :, :cn])
            with pytest.raises(cv2.error):
                cv2.imencode(".tiff", a)
            data = imc.encode(".tiff", a)
            assert np.array_equal(imc.imdecode(data, -1), a), (a.dtype, cn)
            assert np.array_equal(imc.decode(data, -1, rgb=True)[:, :, 2::-1], a[:, :, :3])
            if a.dtype.itemsize <= 2:
                assert np.array_equal(decode_back(data), a)


def test_encode_rgb_order():
    for name, img in layouts().items():
        if img.ndim == 3 and img.shape[2] >= 3:
            swapped = img.copy()
            swapped[:, :, :3] = img[:, :, 2::-1]
            assert imc.encode(".tiff", swapped, rgb=True) == imc.encode(".tiff", img), name


def test_resolution_tags():
    data = imc.encode(".tiff", V.photo(), [cv2.IMWRITE_TIFF_RESUNIT, 3, cv2.IMWRITE_TIFF_XDPI, 118,
                                           cv2.IMWRITE_TIFF_YDPI, 59])
    tags = Image.open(io.BytesIO(data)).tag_v2
    assert tags[296] == 3 and float(tags[282]) == 118 and float(tags[283]) == 59


def test_decode_rgb_order():
    for name in ("cv2_bgra", "orient_6_rgb", "orient_3_rgb16", "cv2_float_bgr_logluv", "im_cmyk",
                 "tiffcp_t_w_32_l_48", "im_depth12", "cv2_float_bgra"):
        data = T.variants()[name]
        for flags in (-1, 1, 3):
            bgr = imc.imdecode(data, flags)
            if bgr is None:
                continue
            rgb = imc.decode(data, flags, rgb=True)
            assert np.array_equal(bgr[:, :, [2, 1, 0]], rgb[:, :, :3]), (name, flags)
            assert np.array_equal(bgr[:, :, 3:], rgb[:, :, 3:])


def test_reduced_8s_32s_even_sizes_like_odd():
    """cv2 4.6 raises for REDUCED_*_2 of even-sized 8S/32S images (its
    INTER_AREA shortcut has no such depth); imc reduces them like odd sizes."""
    for img in ((V.photo(64, 48)[:, :, 0].astype(np.int16) - 128).astype(np.int8),
                V.photo(64, 48)[:, :, 0].astype(np.int32) * 1000 - 5):
        data = imc.encode(".tiff", img)
        with pytest.raises(cv2.error):
            cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_2 | 2)
        got = imc.imdecode(data, cv2.IMREAD_REDUCED_GRAYSCALE_2 | 2)
        want = (img[0::2, 0::2].astype(np.int64) + img[1::2, 0::2] + img[0::2, 1::2] + img[1::2, 1::2] + 2) // 4
        assert got.dtype == img.dtype and np.array_equal(got, want)


def test_probe_and_formats():
    info = imc.probe(T.variants()["cv2_int16_gray"])
    assert (info.format, info.channels, info.dtype) == ("tiff", 1, "int16")
    assert imc.probe(T.variants()["cv2_double_gray"]).dtype == "float64"
    assert imc.probe(T.variants()["pil_P"]).channels == 3
    assert imc.probe(T.variants()["cv2_float_bgr_logluv"]).dtype == "float32"
    f = {x["name"]: x for x in imc.formats()}
    assert f["tiff"]["multi_page"] and f["tiff"]["encode"] and "tif" in f["tiff"]["extensions"]
    assert imc.haveImageWriter("a.tif") == cv2.haveImageWriter("a.tif") is True
    for data in (T.variants()["cv2_bgr"], T.variants()["tiffcp_8"], T.variants()["tiffcp_B"]):
        assert imc.have_image_reader(data)
        assert imc.have_image_reader(data[:4]) and not imc.have_image_reader(data[:3])


# ---- Pages -------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(T.multipage_variants()))
def test_pages_equal_imreadmulti(name, tmp_path):
    data = T.multipage_variants()[name]
    p = tmp_path / "pages.tif"
    p.write_bytes(data)
    assert imc.imcount(str(p)) == cv2.imcount(str(p)) == imc.count(data)
    for flags in (-1, 0, 1, 2, 3, 4, 6, 17, 129):
        ok_cv, want = cv2.imreadmulti(str(p), flags=flags)
        ok, got = imc.imreadmulti(str(p), flags=flags)
        assert ok == ok_cv and len(got) == len(want), (flags, len(got), len(want))
        for i, (g, w) in enumerate(zip(got, want)):
            assert g.dtype == w.dtype and np.array_equal(g, w), (flags, i)
        ok, mem = imc.imdecodemulti(data, flags)
        assert ok == ok_cv and all(np.array_equal(a, b) for a, b in zip(mem, want))
    n = cv2.imcount(str(p))
    for start, count in ((0, 1), (1, 1), (1, n - 1), (n - 1, 1), (0, n), (2, 2)):
        ok_cv, want = cv2.imreadmulti(str(p), start, count, flags=cv2.IMREAD_ANYCOLOR)
        ok, got = imc.imreadmulti(str(p), start, count, flags=cv2.IMREAD_ANYCOLOR)
        assert ok == ok_cv and len(got) == len(want), (start, count)
        assert all(np.array_equal(a, b) for a, b in zip(got, want))


def test_first_page_is_imdecode():
    for data in T.multipage_variants().values():
        for flags in (-1, 1, 0, 17):
            assert_same_decode(data, flags, "multipage")


PAGES = [V.photo(), V.photo_alpha(), T.gradient16(), T.gradient16(cn=1), V.photo(31, 17),
         cv2.cvtColor(V.photo(), cv2.COLOR_BGR2GRAY)]


def test_encode_pages_equal_imwritemulti(tmp_path):
    p = tmp_path / "cv2.tif"
    for pages, params in ((PAGES, []), (PAGES, [C, 8]), (PAGES[:2], [C, 32773, RPS, 3]),
                          (PAGES + [T.float_image(3), T.float_image(1)], []),
                          (PAGES[2:4], [C, 1, cv2.IMWRITE_TIFF_RESUNIT, 2, cv2.IMWRITE_TIFF_XDPI, 96])):
        assert cv2.imwritemulti(str(p), pages, params)
        ok, buf = imc.imencodemulti(".tiff", pages, params)
        assert ok and buf.tobytes() == p.read_bytes(), params
        assert imc.imwritemulti(str(tmp_path / "imc.tiff"), pages, params)
        assert (tmp_path / "imc.tiff").read_bytes() == p.read_bytes()
        ok, back = cv2.imreadmulti(str(p), flags=cv2.IMREAD_UNCHANGED)
        assert len(back) == len(pages)
        assert all(np.array_equal(a, b) for a, b in zip(imc.decode_all(buf.tobytes(), -1), back))
    tags = Image.open(io.BytesIO(imc.encode_all(".tif", PAGES))).tag_v2
    assert tags[254] == 2 and tags[297] == (0, len(PAGES))


# ---- Damage ------------------------------------------------------------------
DAMAGE = ["cv2_bgr", "cv2_bgra16", "cv2_float_bgr_logluv", "cv2_jpeg", "pil_1_group4", "pil_P",
          "tiffcp_t_w_32_l_48", "tiffcp_c_zip2", "tiffcp_p_separate", "im_depth12", "pil_YCbCr_jpeg",
          "orient_6_rgb16", "cv2_tiny_9x1_bgra"]


ZEROED_CV2 = """
import sys, numpy as np, cv2
a = cv2.imdecode(np.frombuffer(sys.stdin.buffer.read(), np.uint8), int(sys.argv[1]))
np.save(sys.stdout.buffer, np.zeros(0) if a is None else a)
"""


def cv2_zeroed(data, flags):
    """cv2.imdecode in a process whose malloc returns zeroed memory (glibc's
    MALLOC_PERTURB_=255), so that what cv2 leaves uninitialized reads 0."""
    out = subprocess.run([sys.executable, "-c", ZEROED_CV2, str(flags)], input=data, check=True,
                         capture_output=True, env=dict(os.environ, MALLOC_PERTURB_="255")).stdout
    return np.load(io.BytesIO(out))


def assert_same_or_uninitialized(data, flags, label):
    """assert_same_decode, except where a strip decodes only in part: cv2 then
    returns whatever its strip buffer held before, imc zeros. Those cases
    must match cv2 run with zero-filled memory."""
    want, got = cv2_decode(data, flags), imc_decode(data, flags)
    if isinstance(want, np.ndarray) and isinstance(got, np.ndarray) and \
            want.shape == got.shape and want.dtype == got.dtype:
        if not np.array_equal(want, got):
            assert np.array_equal(cv2_zeroed(data, flags), got), f"{label} flags={flags}"
        return
    assert describe(got) == describe(want), f"{label} flags={flags}: imc {describe(got)} vs cv2 {describe(want)}"


@pytest.mark.parametrize("name", DAMAGE)
def test_truncation_sweep(name):
    data = T.variants()[name]
    for off in offsets(len(data)):
        for flags in SWEEP_FLAGS:
            assert_same_or_uninitialized(data[:off], flags, f"{name}[:{off}]")


@pytest.mark.parametrize("name", DAMAGE)
def test_corruption_sweep(name):
    data = T.variants()[name]
    for trial, buf in enumerate(corruptions(data, 150, name, head=300, aim=0.5)):
        for flags in (1, -1, 0):
            assert_same_or_uninitialized(bytes(buf), flags, f"{name} trial {trial}")


def test_damaged_pages_fail_cleanly():
    data = T.multipage_variants()["cv2_mixed"]
    rng = random.Random(7)
    cases = [data[:off] for off in offsets(len(data))[::4]]
    for _ in range(200):
        buf = bytearray(data)
        for _ in range(3):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        cases.append(bytes(buf))
    for buf in cases:
        for call in (lambda: imc.decode_all(buf, -1), lambda: imc.count(buf)):
            try:
                call()
            except imc.error:
                pass


def test_huge_tiles_refused():
    """A tile far larger than its image: cv2 allocates it, imc refuses."""
    data = T.tiffcp(imc.encode(".tiff", V.photo(16, 16)), "-t", "-w", "2048", "-l", "2048")
    assert decode_back(data, 1) is not None
    with pytest.raises(imc.error) as e:
        imc.decode(data, 1)
    assert e.value.code == imc.ERR_LIMITS


def test_size_limits_from_environment():
    """OPENCV_IO_MAX_IMAGE_PIXELS applies to TIFF as in cv2 (read at cv2's
    start-up, hence a fresh interpreter)."""
    data = imc.encode(".tiff", np.zeros((3000, 2000), np.uint8), [C, 8])
    code = ("import sys, numpy as np, cv2, imc\n"
            "data = sys.stdin.buffer.read()\n"
            "for mod in (cv2, imc):\n"
            "    try:\n"
            "        r = mod.imdecode(np.frombuffer(data, np.uint8), 0)\n"
            "        print('ok' if r is not None else 'none')\n"
            "    except Exception:\n"
            "        print('raise')\n")
    env = dict(os.environ, PYTHONPATH=str(BUILD / "python"), OPENCV_IO_MAX_IMAGE_PIXELS="5000000")
    out = subprocess.run([sys.executable, "-c", code], input=data, env=env, capture_output=True,
                         check=True, cwd=ROOT).stdout.split()
    assert out == [b"raise", b"raise"]
    env["OPENCV_IO_MAX_IMAGE_PIXELS"] = "6000000"
    out = subprocess.run([sys.executable, "-c", code], input=data, env=env, capture_output=True,
                         check=True, cwd=ROOT).stdout.split()
    assert out == [b"ok", b"ok"]
