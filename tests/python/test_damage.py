"""Truncated and corrupted inputs behave as in cv2: where cv2 returns an
image, imc returns the same pixels; where cv2 returns nothing, imc fails
with an error. Never a crash (the suite also runs under ASan + UBSan)."""

import random

import pytest

import variants as V
from helpers import SWEEP_FLAGS, assert_same_decode, imc, imc_decode

JPEG_SWEEP = ["cv2_baseline_q95", "cv2_progressive", "cv2_restart1", "cv2_gray", "pil_444",
              "pil_422", "pil_cmyk", "im_ycck", "cjpeg_arithmetic", "cjpeg_440",
              "jpegtran_progressive", "tiny_9x9"]
PNG_SWEEP = ["cv2_rgb8", "cv2_rgba16", "pil_palette_4bit", "pil_palette_trns_many", "pil_LA",
             "pnm_interlace_rgb", "pnm_gray2", "im_png64_interlace", "tiny_1x7_rgba"]


def offsets(n):
    """Every offset in the headers, then a spread through the data."""
    near = range(1, min(n, 400))
    spread = range(400, n, max(1, n // 120))
    tail = range(max(1, n - 24), n)
    return sorted(set(near) | set(spread) | set(tail))


def corruptions(data, trials, seed, head, aim=0.5, extra=()):
    """`trials` copies of data with 1, 2 or 4 bytes changed (to 0, 0xFF, any
    value or one bit flipped), aiming at the first `head` bytes (headers,
    where the interesting failures are) with probability `aim`."""
    rng = random.Random(seed)
    for _ in range(trials):
        buf = bytearray(data)
        for _ in range(rng.choice((1, 1, 2, 4))):
            pos = rng.randrange(min(len(buf), head)) if rng.random() < aim else rng.randrange(len(buf))
            buf[pos] = rng.choice((0, 0xFF, *extra, rng.randrange(256), buf[pos] ^ (1 << rng.randrange(8))))
        yield bytes(buf)


def assert_fails_cleanly(buf):
    """A damaged file decodes (with a non-empty image) or fails with an
    error, through every entry point; never anything else."""
    for flags in (-1, 1, 0):
        got = imc_decode(buf, flags)
        assert got is None or got.size > 0
    try:
        imc.count(buf)
        imc.decode_all(buf, -1)
    except imc.error:
        pass


def variant(name):
    return V.jpeg_variants().get(name) or V.png_variants()[name]


@pytest.mark.parametrize("name", JPEG_SWEEP + PNG_SWEEP)
def test_truncation_sweep(name):
    data = variant(name)
    for off in offsets(len(data)):
        for flags in SWEEP_FLAGS:
            assert_same_decode(data[:off], flags, f"{name}[:{off}]", allow_uninitialized=True)


@pytest.mark.parametrize("name", JPEG_SWEEP + PNG_SWEEP)
def test_corruption_sweep(name):
    data = variant(name)
    for trial, buf in enumerate(corruptions(data, 120, name, head=600, aim=0.5)):
        for flags in (1, -1, 0):
            assert_same_decode(bytes(buf), flags, f"{name} trial {trial}", allow_uninitialized=True)
