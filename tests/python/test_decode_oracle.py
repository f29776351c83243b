"""Decoded pixels equal cv2.imdecode's, exactly: JPEG and PNG variants
with EXIF orientations, damaged PNGs, and sweeps over sizes and layouts
(the plain variant families and opencv-doc's samples are test_families')."""
import numpy as np
import pytest

import variants as V
from helpers import assert_same_decode, cv2


@pytest.mark.parametrize("name", sorted(V.jpeg_exif_variants()))
def test_jpeg_exif(name):
    data = V.jpeg_exif_variants()[name]
    for flags in (-1, 0, 1, 17, 33, 129, 4, 2):
        assert_same_decode(data, flags, name)


@pytest.mark.parametrize("name", sorted(V.png_exif_variants()))
def test_png_exif(name):
    data = V.png_exif_variants()[name]
    for flags in (-1, 0, 1, 17, 129, 2):
        assert_same_decode(data, flags, name)


@pytest.mark.parametrize("name", sorted(V.png_damaged_variants()))
def test_png_damaged(name):
    data = V.png_damaged_variants()[name]
    for flags in (-1, 0, 1, 2, 17):
        assert_same_decode(data, flags, name)


def test_exif_rotations_really_rotate():
    """Guards the oracle comparison itself: orientations 5-8 swap the axes."""
    import imc
    base = V.jpeg_variants()["pil_420"]
    plain = imc.imdecode(base, imc.IMREAD_COLOR)
    for o in range(1, 9):
        img = imc.imdecode(V.jpeg_exif_variants()[f"exif_II_orient_{o}"], imc.IMREAD_COLOR)
        expect = plain.shape if o <= 4 else (plain.shape[1], plain.shape[0], 3)
        assert img.shape == expect, o
        ignored = imc.imdecode(V.jpeg_exif_variants()[f"exif_II_orient_{o}"],
                               imc.IMREAD_COLOR | imc.IMREAD_IGNORE_ORIENTATION)
        assert (ignored == plain).all()



@pytest.mark.parametrize("channels", [1, 3, 4])
def test_png_every_row_width(channels):
    """The SIMD unfilters step 15 or 16 bytes at a time: rows of every width
    around those steps, with cv2's SUB-only default and libpng's adaptive
    filters, decode exactly as in cv2."""
    rng = np.random.default_rng(channels)
    for width in list(range(1, 70)) + [127, 128, 129, 1001]:
        shape = (4, width, channels) if channels > 1 else (4, width)
        noise = rng.integers(0, 256, shape, dtype=np.uint8)
        smooth = np.cumsum(rng.integers(0, 3, shape), axis=1).astype(np.uint8)
        for img in (noise, smooth):
            for params in ([], [cv2.IMWRITE_PNG_COMPRESSION, 9]):
                data = cv2.imencode(".png", img, params)[1].tobytes()
                for flags in (-1, 1, 0):
                    assert_same_decode(data, flags, f"{width}x{channels} {params}")


@pytest.mark.parametrize("maxval", [1, 3, 15])
def test_png_low_depth_gray_every_width(maxval):
    """1/2/4-bit gray goes through a byte-to-samples table (the last byte of
    a row partly used): cv2's pixels at every width, every channel count."""
    rng = np.random.default_rng(maxval)
    for width in (1, 2, 3, 4, 5, 7, 8, 9, 15, 17, 64, 301):
        img = rng.integers(0, 256, (5, width), dtype=np.uint8)
        data = V._pnmtopng(img, maxval=maxval)
        assert data[24] <= {1: 1, 3: 2, 15: 4}[maxval]  # netpbm picks the lowest that holds it
        for flags in (-1, 1, 0, 2, 4, 17):
            assert_same_decode(data, flags, f"{width} px, maxval {maxval}")


@pytest.mark.parametrize("transparency", [False, True])
def test_png_palette_every_width(transparency):
    """8-bit palettes go through a lookup table (4-byte stores, the last pixel
    of a BGR row apart); indices past the palette must still give cv2's
    result, which comes from libpng."""
    import io
    from PIL import Image
    rng = np.random.default_rng(int(transparency))
    cases = [(w, n, n) for w in (1, 2, 3, 5, 17, 64, 301) for n in (2, 16, 256)] + [(40, 4, 200)]
    for width, colors, top in cases:
        im = Image.fromarray(rng.integers(0, top, (6, width), dtype=np.uint8), "P")
        im.putpalette([int(v) for v in rng.integers(0, 256, colors * 3)])
        out = io.BytesIO()
        if transparency:
            im.save(out, "PNG", transparency=bytes(rng.integers(0, 256, min(colors, 50), dtype=np.uint8)))
        else:
            im.save(out, "PNG")
        for flags in (-1, 1, 0, 2, 4):
            assert_same_decode(out.getvalue(), flags, f"{width} px, {colors} colors")
