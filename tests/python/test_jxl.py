"""JPEG XL: decoding with newest cv2's semantics, against djxl (the same
libjxl 0.7 that imc links), and encoding read back by djxl.

cv2 4.6 has no JPEG XL. Newest cv2 asks libjxl for the output type (8U, 16U,
or 32F for float files) and channel count; gray from color uses imgcodecs'
14-bit arithmetic (cv2 4.6 applies the same one when its PPM decoder makes
gray, which serves as the oracle here; newest cv2 feeds it RGB as if it were
BGR, a bug imc does not copy: see docs/compat.md)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import variants_modern as M
from helpers import ALL_FLAGS, BUILD, SWEEP_FLAGS, cv2, imc, imc_decode, requires_codec
from test_damage import assert_fails_cleanly, corruptions, offsets

pytestmark = requires_codec("jxl")

ALL = list(M.jxl_variants())


def ppm_gray(bgr):
    """cv2 4.6's imgcodecs gray (its PPM decoder's icvCvt_BGR2Gray)."""
    return cv2.imdecode(cv2.imencode(".ppm", np.ascontiguousarray(bgr[..., :3]))[1],
                        cv2.IMREAD_GRAYSCALE | cv2.IMREAD_ANYDEPTH)


def float_gray(bgr):
    """Newest cv2's float gray for JPEG XL, in its order of operations."""
    r, g = np.float32(0.299), np.float32(0.587)
    b = np.float32(1.0) - r - g
    return bgr[..., 2] * r + bgr[..., 1] * g + bgr[..., 0] * b


def reference(data):
    """djxl's decoding, as imc's IMREAD_UNCHANGED must give it."""
    return M.djxl(data, ext="pfm" if imc.probe(data).dtype == "float32" else "png")


def expected(native8, native, flags):
    """What imdecode returns: libjxl converts the depth (native8 is its 8-bit
    result), then the channel conversion, then the REDUCED_* resize."""
    base = native if M.keeps_depth(flags) else native8
    cn = 1 if base.ndim == 2 else base.shape[2]
    want = M.wanted_channels(cn, flags)
    if want == 1 and cn > 1:
        base = float_gray(base) if base.dtype == np.float32 else ppm_gray(base)
    else:
        base = M.convert_channels(base, want)
    return M.resize_reduced(base, flags)


@pytest.mark.parametrize("name", ALL)
def test_unchanged_equals_djxl(name):
    data = M.jxl_variants()[name]
    M.assert_image(imc.imdecode(data, cv2.IMREAD_UNCHANGED), reference(data), name)


@pytest.mark.parametrize("name", ALL)
def test_every_flag(name):
    data = M.jxl_variants()[name]
    native = reference(data)
    native8 = native
    if native.dtype != np.uint8:  # libjxl converts to 8 bits itself: within rounding
        native8 = imc.imdecode(data, cv2.IMREAD_COLOR)
        unit = native[..., :3].astype(np.float64) / (65535 if native.dtype == np.uint16 else 1)
        assert np.abs(native8 - np.clip(unit, 0, 1) * 255).max() <= 0.5 + 1e-3
    for flags in ALL_FLAGS:
        want = expected(native8, native, flags)
        M.assert_image(imc_decode(data, flags), want, f"{name} flags={flags}")


def test_animation_frames_and_timing():
    data = M.jxl_variants()["cjxl_anim"]
    ref = M.djxl_frames(data)
    anim = imc.decode_animation(data)
    assert len(anim.frames) == len(ref) == imc.count(data) == 4
    assert anim.durations == [50, 60, 70, 80] and anim.loop_count == 0
    for got, want in zip(anim.frames, ref):
        assert np.array_equal(got, want[..., [2, 1, 0, 3]])
    for k in range(4):
        assert np.array_equal(imc.decode_all(data, -1, start=k, count=1)[0], anim.frames[k])


def test_probe():
    info = imc.probe(M.jxl_variants()["cjxl_16bit"])
    assert (info.format, info.width, info.height, info.channels, info.dtype) == \
        ("jxl", 61, 47, 3, "uint16")
    assert imc.probe(M.jxl_variants()["cjxl_float"]).dtype == "float32"
    assert imc.probe(M.jxl_variants()["cjxl_gray_alpha"]).channels == 4  # newest cv2: 2


# ---- encoding ---------------------------------------------------------------------
LOSSLESS = [imc.IMWRITE_JPEGXL_DISTANCE, 0]


@pytest.mark.parametrize("kind", ["bgr", "bgra", "gray", "u16", "u16_bgra", "f32"])
def test_lossless_round_trip_through_djxl(kind):
    img = {"bgr": M.photo(61, 47), "bgra": M.photo_alpha(61, 47),
           "gray": cv2.cvtColor(M.photo(61, 47), cv2.COLOR_BGR2GRAY),
           "u16": M.photo(61, 47).astype(np.uint16) * 257 + 11,
           "u16_bgra": M.photo_alpha(61, 47).astype(np.uint16) * 255,
           "f32": M.photo(61, 47).astype(np.float32) / 255}[kind]
    data = imc.encode(".jxl", img, LOSSLESS)
    assert np.array_equal(reference(data), img)
    assert np.array_equal(imc.decode(data, -1), img)
    if kind == "bgr":
        assert np.array_equal(imc.decode(imc.encode(".jxl", img[..., ::-1].copy(), LOSSLESS,
                                                     rgb=True)), img)
        assert imc.encode(".jxl", img, [imc.IMWRITE_JPEGXL_QUALITY, 100]) == data


def test_lossy_quality_distance_effort():
    img = M.photo()
    default = imc.encode(".jxl", img)
    assert imc.PSNR(reference(default), img) > 30
    sizes = [len(imc.encode(".jxl", img, [imc.IMWRITE_JPEGXL_QUALITY, q])) for q in (30, 60, 90)]
    assert sizes[0] < sizes[1] < sizes[2]
    far = imc.encode(".jxl", img, [imc.IMWRITE_JPEGXL_DISTANCE, 25])   # clamped to 15
    assert len(far) < sizes[0] and imc.PSNR(reference(far), img) > 15
    for params in ([imc.IMWRITE_JPEGXL_EFFORT, 1], [imc.IMWRITE_JPEGXL_EFFORT, 10],
                   [imc.IMWRITE_JPEGXL_DECODING_SPEED, 4]):
        assert imc.PSNR(reference(imc.encode(".jxl", img, params)), img) > 28


def test_animation_through_djxl():
    frames = M.moving_frames(3, alpha=True)
    anim = imc.Animation(2)
    anim.frames, anim.durations = frames, [100, 250, 1000]
    ok, buf = imc.imencodeanimation(".jxl", anim, LOSSLESS)
    assert ok
    data = buf.tobytes()
    for got, want in zip(M.djxl_frames(data), frames):
        assert np.array_equal(got[..., [2, 1, 0, 3]], want)
    back = imc.decode_animation(data)
    assert back.durations == [100, 250, 1000] and back.loop_count == 2
    assert imc.decode_animation(imc.encode_all(".jxl", frames, LOSSLESS)).durations == [1000] * 3
    with pytest.raises(imc.error):
        imc.encode_all(".jxl", [frames[0], frames[1][..., :3].copy()])


# ---- damaged data -----------------------------------------------------------------
DAMAGE = ["cjxl_d1", "cjxl_lossless", "cjxl_alpha", "cjxl_16bit", "cjxl_container", "cjxl_anim"]


@pytest.mark.parametrize("name", DAMAGE)
def test_truncation(name):
    data = M.jxl_variants()[name]
    whole = imc.decode(data, -1)
    for off in offsets(len(data))[::2]:
        for flags in SWEEP_FLAGS:
            got = imc_decode(data[:off], flags)
            assert got is None or got.shape[:2] == whole.shape[:2] or flags not in (-1, 1, 0)
        try:
            imc.decode(data[:off], -1)
        except imc.error as e:
            assert e.code in (imc.ERR_TRUNCATED, imc.ERR_UNKNOWN_FORMAT), (off, e)


@pytest.mark.parametrize("name", DAMAGE)
def test_corruption(name):
    data = M.jxl_variants()[name]
    for buf in corruptions(data, 60, name, head=300, aim=0.6):
        assert_fails_cleanly(buf)


def test_reader_and_writer_are_reported():
    assert imc.have_image_reader(".jxl") and imc.have_image_writer("x.JXL")
    assert imc.have_image_reader(M.jxl_variants()["cjxl_container"])
    assert imc.have_image_reader(M.jxl_variants()["cjxl_d1"][:2])


@pytest.mark.parametrize("pattern, speed", [
    ("30303030303138343436373434303733373039353531363135ff3030fcff30303030303f20", 4),
    ("303030303030303030303030303030303030303030303030303030303030303030ff3030ffff30303030303f20", 2)])
def test_effort_9_does_not_trap(pattern, speed):
    """fuzz_encode found two-level images on which libjxl 0.7's effort 9
    aborts the process (effort 8 too); imc runs them as 7."""
    pattern = bytes.fromhex(pattern)
    raw = bytes(pattern[i % len(pattern)] for i in range(64 * 64 * 4))
    img = np.clip(np.frombuffer(raw, np.int32).reshape(64, 64), 0, 255).astype(np.uint8)
    p = [imc.IMWRITE_JPEGXL_EFFORT, 9, imc.IMWRITE_JPEGXL_DECODING_SPEED, speed]
    code = ("import sys, numpy as np, imc\n"
            "img = np.frombuffer(sys.stdin.buffer.read(), np.uint8).reshape(64, 64)\n"
            f"sys.stdout.buffer.write(imc.encode('.jxl', img, {p}))\n")
    r = subprocess.run([sys.executable, "-c", code], input=img.tobytes(), capture_output=True,
                       env=dict(os.environ, PYTHONPATH=str(BUILD / "python")))
    assert r.returncode == 0, r.stderr[-500:]
    assert imc.imdecode(r.stdout, -1).shape == (64, 64)
