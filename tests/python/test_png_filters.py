"""PNG row filters, decoded: files written here (numpy, zlib) with each of the
five filters on every row, or the five in turn, for every colour type and bit
depth and for widths around the unfilterer's 12- and 16-byte blocks. Each
must decode to the very pixels written, and to cv2's (libpng's) result for
every flag."""
import struct
import zlib

import numpy as np
import pytest

import variants as V
from helpers import assert_same_decode, imc

WIDTHS = [1, 2, 3, 4, 5, 6, 7, 8, 11, 15, 16, 17, 21, 31, 32, 33, 47, 64, 65, 101]
# (colour type, bit depth, samples per pixel)
KINDS = {"gray8": (0, 8, 1), "gray16": (0, 16, 1), "gray_alpha8": (4, 8, 2), "gray_alpha16": (4, 16, 2),
         "rgb8": (2, 8, 3), "rgb16": (2, 16, 3), "rgba8": (6, 8, 4), "rgba16": (6, 16, 4),
         "palette8": (3, 8, 1)}
PATTERNS = {"none": [0], "sub": [1], "up": [2], "average": [3], "paeth": [4], "mixed": [4, 3, 1, 2, 0, 4, 4, 3]}


def predict(kind, a, b, c):
    """The predictors of PNG spec 9.2 over whole rows of bytes (int arrays)."""
    if kind == 0:
        return np.zeros_like(a)
    if kind == 1:
        return a
    if kind == 2:
        return b
    if kind == 3:
        return (a + b) >> 1
    p = a + b - c
    pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
    return np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))


def filtered_rows(raw, bpp, pattern):
    """raw: (h, row bytes) uint8. Returns the filtered stream, filter byte first."""
    h, n = raw.shape
    prev = np.zeros(n, np.int32)
    out = bytearray()
    for y in range(h):
        x = raw[y].astype(np.int32)
        a = np.concatenate([np.zeros(bpp, np.int32), x[:-bpp]])[:n]
        c = np.concatenate([np.zeros(bpp, np.int32), prev[:-bpp]])[:n]
        kind = pattern[y % len(pattern)]
        out += bytes([kind]) + ((x - predict(kind, a, prev, c)) & 0xFF).astype(np.uint8).tobytes()
        prev = x
    return bytes(out)


def make_png(width, height, kind, pattern, seed):
    color, depth, samples = KINDS[kind]
    rng = np.random.default_rng(seed)
    # smooth ramps plus noise: predictors meet every branch and tie
    base = (np.arange(width)[None, :, None] * 7 + np.arange(height)[:, None, None] * 5
            + np.arange(samples)[None, None, :] * 40)
    top = 255 if depth == 8 else 65535
    img = (base * (top // 255) + rng.integers(0, top // 8 + 1, (height, width, samples))) % (top + 1)
    chunks = [(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0))]
    if color == 3:
        img = img % 200
        palette = rng.integers(0, 256, (200, 3), dtype=np.uint8)
        chunks.append((b"PLTE", palette.tobytes()))
    dtype = np.dtype(">u2") if depth == 16 else np.uint8
    raw = img.astype(dtype).reshape(height, -1).view(np.uint8).reshape(height, -1)
    bpp = samples * depth // 8
    chunks += [(b"IDAT", zlib.compress(filtered_rows(raw, bpp, PATTERNS[pattern]), 6)), (b"IEND", b"")]
    return V.png_build(chunks), img, (palette if color == 3 else None)


def written_pixels(img, kind, palette):
    """What IMREAD_UNCHANGED must give: BGR(A) order, palette expanded, gray
    with alpha as BGRA (cv2's reading)."""
    color, depth, _ = KINDS[kind]
    if color == 3:
        return palette[img[:, :, 0]][:, :, ::-1]
    out = img.astype(np.uint16 if depth == 16 else np.uint8)
    if color in (2, 6):
        out = np.concatenate([out[:, :, 2::-1], out[:, :, 3:]], axis=2)
    if color == 4:
        out = out[:, :, [0, 0, 0, 1]]
    return out[:, :, 0] if out.shape[2] == 1 else out


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_filter_decodes_to_what_was_written(kind, pattern):
    for i, width in enumerate(WIDTHS):
        data, img, palette = make_png(width, 6, kind, pattern, seed=i)
        label = f"{kind} {pattern} width {width}"
        want = written_pixels(img, kind, palette)
        got = imc.imdecode(np.frombuffer(data, np.uint8), imc.IMREAD_UNCHANGED)
        assert got is not None and got.dtype == want.dtype, label
        assert np.array_equal(got, want), label
        for flags in (-1, 0, 1, 2 | 1):
            assert_same_decode(data, flags, label)


@pytest.mark.parametrize("kind", ["rgb8", "rgba8", "gray_alpha16", "rgba16"])
def test_large_rows_of_each_filter(kind):
    """Rows of thousands of pixels: the block loops' steady state and their end."""
    for pattern in ("average", "paeth", "mixed"):
        for width in (1000, 1003):
            data, img, palette = make_png(width, 9, kind, pattern, seed=width)
            assert np.array_equal(imc.imdecode(np.frombuffer(data, np.uint8), -1),
                                  written_pixels(img, kind, palette)), f"{kind} {pattern} {width}"
            assert_same_decode(data, 1, f"{kind} {pattern} {width}")


@pytest.mark.parametrize("kind,flags", [("gray8", 1), ("palette8", 1), ("gray_alpha8", 1), ("rgb8", 1),
                                        ("rgba8", -1), ("gray16", 2 | 1)])
def test_decoding_into_caller_memory_writes_only_the_image(kind, flags):
    """The stream may be inflated into the output's own memory (at its end,
    when the rows grow, as gray to BGR does): in a caller's array nothing
    past the image may change, and every row must come out right."""
    data, img, palette = make_png(37, 11, kind, "mixed", seed=3)
    want = imc.imdecode(np.frombuffer(data, np.uint8), flags)
    assert_same_decode(data, flags, kind)
    arena = np.full((2,) + want.shape, 0xAB, want.dtype)
    got = imc.decode_batch([data], flags, threads=1, out=arena[:1])
    assert np.array_equal(arena[0], want) and np.array_equal(got[0], want), kind
    assert (arena[1] == 0xAB).all(), f"{kind}: bytes past the image were written"
