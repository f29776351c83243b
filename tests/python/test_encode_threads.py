"""One image encoded on several threads (issue 21). PNG: the pieces join
into one valid zlib stream (Python's zlib, which checks the Adler-32, and
cv2's libpng read it), the pixels are the image's for every layout, images
too small to split come out byte for byte as with one thread. JPEG with
restart markers: the strips splice into exactly the bytes one thread (and
cv2) writes."""
import struct
import zlib

import numpy as np
import pytest

from helpers import cv2, imc


def idat_stream(png):
    """The zlib stream of a PNG: its IDAT chunks joined."""
    at, out = 8, b""
    while at < len(png):
        n, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IDAT":
            out += png[at + 8:at + 8 + n]
        at += 12 + n
    return out


def photo(h, w, cn, dtype=np.uint8):
    """Smooth gradients with noise: runs and literals both."""
    rng = np.random.default_rng(h * 31 + w + cn)
    y, x = np.mgrid[0:h, 0:w]
    base = ((x * 3 + y * 2) % 256)[..., None] + np.arange(cn) * 40
    img = (base + rng.integers(0, 6, (h, w, cn))) % 256
    if dtype == np.uint16:
        img = img * 257 + rng.integers(0, 3, (h, w, cn))
    img = img.astype(dtype)
    return img[..., 0] if cn == 1 else img


@pytest.mark.parametrize("h,w,cn,dtype", [
    (1500, 1000, 3, np.uint8), (1201, 999, 4, np.uint8), (2048, 1500, 1, np.uint8),
    (900, 800, 3, np.uint16), (3001, 600, 1, np.uint16)])
@pytest.mark.parametrize("threads", [2, 3, -1])
def test_split_encode_is_one_valid_stream_of_the_same_pixels(h, w, cn, dtype, threads):
    img = photo(h, w, cn, dtype)
    one = imc.encode(".png", img)
    many = imc.encode(".png", img, threads=threads)
    # Python's zlib raises on a broken stream or a wrong Adler-32; the rows
    # are filtered as with one thread
    assert zlib.decompress(idat_stream(many)) == zlib.decompress(idat_stream(one))
    assert np.array_equal(imc.decode(many, -1), img)
    assert np.array_equal(cv2.imdecode(np.frombuffer(many, np.uint8), -1), img)
    if threads != -1:
        assert many != one  # split: the joins differ
    # within a few bytes a join of one thread's size
    assert abs(len(many) - len(one)) < 64 * 4


@pytest.mark.parametrize("params", [[imc.IMWRITE_PNG_STRATEGY, imc.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY],
                                    [imc.IMWRITE_PNG_STRATEGY, imc.IMWRITE_PNG_STRATEGY_FIXED],
                                    [imc.IMWRITE_PNG_FILTER, imc.IMWRITE_PNG_FILTER_PAETH],
                                    [imc.IMWRITE_PNG_ZLIBBUFFER_SIZE, 8192]])
def test_split_with_the_fast_coders_settings(params):
    img = photo(1500, 1000, 3)
    data = imc.encode(".png", img, params, threads=2)
    zlib.decompress(idat_stream(data))
    assert np.array_equal(imc.decode(data, -1), img)
    assert data != imc.encode(".png", img, params)


def test_small_images_and_other_levels_are_not_split():
    small = photo(200, 300, 3)
    assert imc.encode(".png", small, threads=4) == imc.encode(".png", small)
    big = photo(1500, 1000, 3)
    for level in (1, 6, 9):  # libdeflate's levels: one stream, one thread
        p = [imc.IMWRITE_PNG_COMPRESSION, level]
        assert imc.encode(".png", big, p, threads=2) == imc.encode(".png", big, p)
    jpg = imc.encode(".jpg", big, threads=2)  # JPEG without restarts cannot split
    assert jpg == imc.encode(".jpg", big)


def test_bad_thread_counts_are_refused():
    with pytest.raises(imc.error) as e:
        imc.encode(".png", photo(10, 10, 1), threads=-2)
    assert e.value.code == imc.ERR_ARG and "thread" in str(e.value)


def test_write_and_cli_take_threads(tmp_path):
    from helpers import run_cli

    img = photo(1500, 1000, 3)
    path = tmp_path / "t.png"
    imc.write(str(path), img, threads=2)
    assert path.read_bytes() == imc.encode(".png", img, threads=2)
    src = tmp_path / "in.png"
    imc.write(str(src), img)
    out = tmp_path / "out.png"
    r = run_cli("convert", src, out, "-j", "2")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == imc.encode(".png", img, threads=2)


@pytest.mark.parametrize("shape", [(3001, 2003, 3), (2000, 1999, 1), (1601, 1400, 4)])
@pytest.mark.parametrize("params", [
    [imc.IMWRITE_JPEG_RST_INTERVAL, 16], [imc.IMWRITE_JPEG_RST_INTERVAL, 251],
    [imc.IMWRITE_JPEG_RST_INTERVAL, 1, imc.IMWRITE_JPEG_QUALITY, 70],
    [imc.IMWRITE_JPEG_RST_INTERVAL, 100, imc.IMWRITE_JPEG_SAMPLING_FACTOR, 0x411111],
    [imc.IMWRITE_JPEG_RST_INTERVAL, 33, imc.IMWRITE_JPEG_SAMPLING_FACTOR, 0x111111],
    [imc.IMWRITE_JPEG_RST_INTERVAL, 500, imc.IMWRITE_JPEG_SAMPLING_FACTOR, 0x121111]])
def test_jpeg_with_restarts_splits_into_the_same_bytes(shape, params):
    img = photo(*shape)
    one = imc.encode(".jpg", img, params)
    for threads in (2, 3, -1):
        assert imc.encode(".jpg", img, params, threads=threads) == one, threads
    if params[2:3] != [imc.IMWRITE_JPEG_SAMPLING_FACTOR]:  # cv2 4.6 has no sampling factor
        assert one == cv2.imencode(".jpg", img, params)[1].tobytes()


def test_jpeg_split_keeps_metadata_once():
    img = photo(3000, 2000, 3)
    exif = b"MM\0*\0\0\0\x08\0\0\0\0\0\0"
    p = [imc.IMWRITE_JPEG_RST_INTERVAL, 64]
    data = imc.encode(".jpg", img, p, threads=2, metadata={"exif": exif})
    assert data == imc.encode(".jpg", img, p, metadata={"exif": exif})
    assert data.count(b"Exif\0\0") == 1 and imc.metadata(data) == [("exif", exif)]


@pytest.mark.parametrize("params", [[imc.IMWRITE_JPEG_RST_INTERVAL, 64, imc.IMWRITE_JPEG_OPTIMIZE, 1],
                                    [imc.IMWRITE_JPEG_RST_INTERVAL, 64,
                                     imc.IMWRITE_JPEG_PROGRESSIVE, 1]])
def test_jpeg_whole_image_tables_are_not_split(params):
    img = photo(2000, 1500, 3)
    assert imc.encode(".jpg", img, params, threads=2) == imc.encode(".jpg", img, params)
