"""imc.decode(data, flags, out=array) / imc_decode_into: the same pixels as
cv2.imdecode, written into the caller's array (packed, padded rows, a slot of
a batch array), nothing outside it touched, and wrong arrays refused before
anything is written."""
import numpy as np
import pytest

import variants as V
import imc
from helpers import cv2_decode

FLAGS = (-1, 0, 1, 2 | 4, 17, 33, 65)
SENTINEL = 0xA5


def inputs():
    cases = {}
    for group in (V.jpeg_variants, V.jpeg_exif_variants, V.png_variants, V.png_exif_variants):
        for name, data in group().items():
            cases[f"{group.__name__}/{name}"] = data
    return cases


def filled(shape, dtype):
    return np.full(shape, SENTINEL, dtype) if dtype != np.float32 else np.full(shape, -7.0, dtype)


@pytest.mark.parametrize("name", sorted(inputs()))
def test_same_pixels_as_cv2_into_packed_and_padded_arrays(name):
    data = inputs()[name]
    for flags in FLAGS:
        want = cv2_decode(data, flags)
        if want is None or isinstance(want, str):
            continue
        out = filled(want.shape, want.dtype)
        assert imc.decode(data, flags, out=out) is out
        np.testing.assert_array_equal(out, want, err_msg=f"{name} flags={flags}")

        # a window of a larger array: rows padded, the margins stay as they were
        h, w = want.shape[:2]
        big = filled((h + 2, w + 5) + want.shape[2:], want.dtype)
        window = big[1:1 + h, 2:2 + w]
        assert imc.decode(data, flags, out=window) is window
        np.testing.assert_array_equal(window, want, err_msg=f"{name} flags={flags} padded")
        margin = big.copy()
        margin[1:1 + h, 2:2 + w] = filled(want.shape, want.dtype)
        assert (margin == filled(big.shape, big.dtype)).all(), f"{name} flags={flags}: wrote outside"


def test_slots_of_a_batch_array():
    items = [d for d in V.jpeg_variants().values() if imc.probe(d).width == V.photo().shape[1]]
    shapes = {cv2_decode(d, 1).shape for d in items}
    shape = shapes.pop()
    items = [d for d in items if cv2_decode(d, 1).shape == shape][:6]
    assert len(items) >= 3
    batch = filled((len(items),) + shape, np.uint8)
    for i, d in enumerate(items):
        imc.decode(d, 1, out=batch[i])
    for i, d in enumerate(items):
        np.testing.assert_array_equal(batch[i], cv2_decode(d, 1))


def test_turned_exif_image_needs_the_turned_shape():
    data = V.jpeg_exif_variants()["pil_exif_6"]
    want = cv2_decode(data, 1)
    assert want.shape[0] != want.shape[1]
    out = filled(want.shape, np.uint8)
    np.testing.assert_array_equal(imc.decode(data, 1, out=out), want)
    # the shape as stored, before the turn: refused (after decoding, so no promise on pixels)
    with pytest.raises(imc.error, match="oriented image"):
        imc.decode(data, 1, out=filled((want.shape[1], want.shape[0], 3), np.uint8))


@pytest.mark.parametrize("shape, dtype, what", [
    ((10, 10, 3), np.uint8, "10 x 10 x 3 8U"),       # wrong size
    (None, np.uint16, "16U"),                         # wrong depth
    ("gray", np.uint8, "x 1 8U"),                     # wrong channel count
    ("rgba", np.uint8, "x 4 8U"),
])
def test_wrong_array_is_refused_untouched(shape, dtype, what):
    data = V.jpeg_variants()[sorted(V.jpeg_variants())[0]]
    want = cv2_decode(data, 1)
    shape = {None: want.shape, "gray": want.shape[:2], "rgba": want.shape[:2] + (4,)}.get(shape, shape)
    out = filled(shape, dtype)
    with pytest.raises(imc.error, match=what):
        imc.decode(data, 1, out=out)
    assert (out == filled(shape, dtype)).all()


def test_unusable_arrays_raise_python_errors():
    data = V.jpeg_variants()[sorted(V.jpeg_variants())[0]]
    shape = cv2_decode(data, 1).shape
    with pytest.raises(TypeError):
        imc.decode(data, 1, out=bytearray(np.prod(shape)))
    frozen = np.zeros(shape, np.uint8)
    frozen.flags.writeable = False
    with pytest.raises(ValueError):
        imc.decode(data, 1, out=frozen)
    with pytest.raises(ValueError):  # pixels not packed within rows
        imc.decode(data, 1, out=np.zeros((shape[0], shape[1] * 2, 3), np.uint8)[:, ::2])
    with pytest.raises(ValueError):
        imc.decode(data, 1, out=np.zeros(shape, np.int32))


def test_bad_data_raises_and_needs_no_array_match():
    out = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(imc.error):
        imc.decode(b"\xff\xd8\xff\xe0 not a jpeg", 1, out=out)
    with pytest.raises(imc.error):
        imc.decode(b"", 1, out=out)


def same_size_jpegs():
    """Real JPEG variants (different encoders and settings) of one size."""
    items = [d for d in V.jpeg_variants().values()
             if not isinstance(cv2_decode(d, 1), str) and cv2_decode(d, 1) is not None]
    shape = max({cv2_decode(d, 1).shape for d in items},
                key=lambda s: sum(cv2_decode(d, 1).shape == s for d in items))
    return [d for d in items if cv2_decode(d, 1).shape == shape], shape


@pytest.mark.parametrize("threads", [1, 3])
def test_decode_batch_into_slots_with_errors_per_item(threads):
    items, shape = same_size_jpegs()
    assert len(items) >= 4
    odd = V.jpeg_variants()[next(n for n, d in V.jpeg_variants().items()
                                 if imc.probe(d).width != shape[1])]
    bufs = items + [b"not an image", odd] + items
    batch = filled((len(bufs),) + shape, np.uint8)
    got = imc.decode_batch(bufs, 1, threads=threads, out=batch)
    assert len(got) == len(bufs)
    for i, d in enumerate(bufs):
        if i in (len(items), len(items) + 1):
            assert isinstance(got[i], imc.error)
            continue
        assert got[i].base is batch or got[i].base is batch.base
        np.testing.assert_array_equal(batch[i], cv2_decode(d, 1), err_msg=f"item {i}")
        np.testing.assert_array_equal(got[i], batch[i])
    assert "decodes to" in str(got[len(items) + 1])      # the wrong-sized one, refused
    assert (batch[len(items) + 1] == SENTINEL).all()      # ... before anything was written


def test_decode_batch_out_must_have_a_slot_per_buffer():
    items, shape = same_size_jpegs()
    with pytest.raises(ValueError):
        imc.decode_batch(items, 1, out=filled((len(items) - 1,) + shape, np.uint8))
    with pytest.raises(ValueError):
        imc.decode_batch(items, 1, out=filled(shape, np.uint8))
    with pytest.raises(TypeError):
        imc.decode_batch(items, 1, out=[filled(shape, np.uint8)] * len(items))
