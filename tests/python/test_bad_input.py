"""Bad input gets a clear error, never a crash: empty, tiny, random, huge
declared dimensions, and wrong argument types."""
import os
import struct
import zlib

import numpy as np
import pytest

import variants as V
from helpers import assert_same_decode, cv2, imc


def png_with_ihdr(width, height, depth=8, color=2, idat=b""):
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    chunks = [(b"IHDR", ihdr)] + ([(b"IDAT", idat)] if idat else []) + [(b"IEND", b"")]
    return V.png_build(chunks)


def jpeg_with_size(width, height):
    data = bytearray(V.jpeg_variants()["cv2_baseline_q95"])
    at = 2
    while data[at + 1] not in (0xC0, 0xC2):
        at += 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
    data[at + 5:at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_empty_raises_like_cv2():
    for empty in (b"", bytearray(), np.zeros(0, np.uint8)):
        with pytest.raises(imc.error) as e:
            imc.imdecode(empty, 1)
        assert e.value.code == imc.ERR_ARG
        with pytest.raises(cv2.error):
            cv2.imdecode(np.frombuffer(bytes(empty), np.uint8), 1)


@pytest.mark.parametrize("data", [b"x", b"\xff", b"\xff\xd8", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n",
                                  b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", b"GIF89a", b"\0" * 100,
                                  b"\xff\xd8\xff\xd9", b"\xff\xd8\xff\xe0\xff\xff"])
def test_tiny_inputs(data):
    for flags in (-1, 0, 1):
        assert_same_decode(data, flags, repr(data))
    assert imc.imdecode(data, 1) is None
    with pytest.raises(imc.error):
        imc.decode(data)


def test_random_bytes():
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 7, 64, 1000, 100000):
        for prefix in (b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"):
            data = prefix + rng.integers(0, 256, n, dtype=np.uint8).tobytes()
            for flags in (1, -1):
                assert_same_decode(data, flags, f"random {n} {prefix!r}", allow_uninitialized=True)


@pytest.mark.parametrize("size", [(100000, 100000), (1 << 20, 2), (2, 999999), (40000, 40000)])
def test_png_huge_declared_size_is_refused_without_allocating(size):
    data = png_with_ihdr(*size, idat=zlib.compress(b"\0" * 1000))
    assert len(data) < 1100
    assert_same_decode(data, 1, f"png {size}")      # cv2 raises or returns None; so do we
    with pytest.raises(imc.error) as e:
        imc.decode(data)
    assert e.value.code in (imc.ERR_LIMITS, imc.ERR_TRUNCATED, imc.ERR_CORRUPT)


@pytest.mark.parametrize("chunk", [b"sPLT", b"tEXt", b"zTXt", b"iTXt"])
def test_png_chunk_declaring_gigabytes_is_not_allocated(chunk):
    """fuzz_png: an sPLT declaring 1.9 GB in a 201-byte file had libpng
    allocate and clear all of it (1 s; 15 s under ASan) before finding the
    data missing. imc has libpng skip the chunks it never reads, unread."""
    import time
    ihdr = struct.pack(">IIBBBBB", 5, 3, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" + b"\x7f" * 15 + b"\0" + b"\x10" * 15 + b"\0" + b"\xee" * 15)
    forged = V.png_build([(b"IHDR", ihdr)]) + struct.pack(">I", 1936946035) + chunk + b"s" * 100
    start = time.perf_counter()
    for call in (imc.probe, imc.count, imc.decode):
        with pytest.raises(imc.error) as e:
            call(forged)
        assert e.value.code == imc.ERR_TRUNCATED
    assert time.perf_counter() - start < 0.5
    assert_same_decode(forged, 1, chunk.decode())          # None, as cv2 (after its 1 s)
    intact = V.png_build([(b"IHDR", ihdr), (chunk, b"key\0value"), (b"IDAT", idat), (b"IEND", b"")])
    for flags in (-1, 1, 0):
        assert_same_decode(intact, flags, chunk.decode() + " intact")


def test_png_header_larger_than_libpng_allows():
    assert_same_decode(png_with_ihdr(2_000_000, 10), 1, "width over libpng's limit")


@pytest.mark.parametrize("size", [(65500, 65500), (60000, 30000)])
def test_jpeg_huge_declared_size(size):
    data = jpeg_with_size(*size)
    assert_same_decode(data, 1, f"jpeg {size}")
    with pytest.raises(imc.error) as e:
        imc.decode(data)
    assert e.value.code == imc.ERR_LIMITS


def test_limits_are_checked_before_decoding():
    data = V.jpeg_variants()["cv2_big"]                       # 512 x 384
    with pytest.raises(imc.error) as e:
        imc.decode(data, max_width=511)
    assert e.value.code == imc.ERR_LIMITS and "width" in str(e.value)
    with pytest.raises(imc.error):
        imc.decode(data, max_height=383)
    with pytest.raises(imc.error):
        imc.decode(data, max_pixels=512 * 384 - 1)
    with pytest.raises(imc.error) as e:
        imc.decode(data, max_bytes=512 * 384 * 3 - 1)
    assert "bytes" in str(e.value)
    assert imc.decode(data, max_width=512, max_height=384, max_pixels=512 * 384,
                      max_bytes=512 * 384 * 3).shape == (384, 512, 3)
    # The gray output needs a third of the memory and passes the same budget.
    assert imc.decode(data, imc.IMREAD_GRAYSCALE, max_bytes=512 * 384).shape == (384, 512)


def test_env_limits_like_opencv(tmp_path):
    import subprocess
    import sys
    from helpers import BUILD
    code = ("import sys; sys.path.insert(0, %r); import imc; "
            "print(imc.imdecode(open(%r, 'rb').read(), 1).shape)") % (
        str(BUILD / "python"), str(tmp_path / "x.jpg"))
    (tmp_path / "x.jpg").write_bytes(V.jpeg_variants()["cv2_big"])
    env = dict(os.environ, OPENCV_IO_MAX_IMAGE_PIXELS="1000")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "exceed" in r.stderr
    env = dict(os.environ, OPENCV_IO_MAX_IMAGE_WIDTH="1KB")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "(384, 512, 3)" in r.stdout


@pytest.mark.parametrize("bad", [None, 12, 3.5, "a string", ["list"], object()])
def test_decode_wrong_types(bad):
    with pytest.raises(TypeError):
        imc.imdecode(bad, 1)
    with pytest.raises(TypeError):
        imc.decode(bad)


def test_flags_must_be_int():
    with pytest.raises(TypeError):
        imc.imdecode(b"\xff\xd8\xff", "1")
    with pytest.raises(TypeError):
        imc.imdecode(b"\xff\xd8\xff")


@pytest.mark.parametrize("img,exc", [
    (np.zeros((4, 4, 2), np.uint8), ValueError), (np.zeros((4, 4, 5), np.uint8), ValueError),
    (np.zeros((2, 4, 4, 3), np.uint8), ValueError), (np.zeros((), np.uint8), ValueError),
    (np.zeros((0, 4), np.uint8), ValueError), (np.zeros((4, 4), bool), TypeError),
    (np.zeros((4, 4), np.uint32), TypeError), (np.zeros((4, 4), np.float16), TypeError),
    (np.zeros((4, 4), np.complex64), TypeError), (np.array([["a"]]), TypeError),
    (None, TypeError), ("img", TypeError), (5, TypeError)])
def test_encode_bad_images(img, exc):
    with pytest.raises(exc):
        imc.imencode(".png", img)
    with pytest.raises(exc):
        imc.encode(".jpg", img)


@pytest.mark.parametrize("params,exc", [
    ([1], imc.error), ([1, 2, 3], imc.error), ([1, 2 ** 40], OverflowError),
    ([1, -2 ** 40], OverflowError), (["a", 1], TypeError), ([1.5, 2], TypeError),
    (5, TypeError), ([1, 2] * 51, imc.error)])
def test_encode_bad_params(params, exc):
    with pytest.raises(exc):
        imc.imencode(".jpg", V.photo(), params)


def test_inputs_are_not_modified():
    data = bytearray(V.jpeg_exif_variants()["pil_exif_6"])
    before = bytes(data)
    imc.imdecode(data, 1)
    imc.imdecode(data, -1)
    assert bytes(data) == before
    img = V.photo_alpha()
    copy = img.copy()
    for ext in (".jpg", ".png"):
        imc.imencode(ext, img)
        imc.imencode(ext, img, [imc.IMWRITE_PNG_BILEVEL, 0])
    assert np.array_equal(img, copy)
