"""What newest OpenCV (4.10 .. 4.13) added to the codec API and cv2 4.6
lacks, held to newest cv2's sources (docs/compat.md says which):
IMREAD_COLOR_RGB (cv2 4.6's IMREAD_COLOR result with the channels
reversed), IMWRITE_PNG_FILTER (the rows use exactly the filter types
allowed), IMWRITE_PNG_ZLIBBUFFER_SIZE (libpng's IDAT chunk length) and
ImageCollection (the pages of imreadmulti, each decoded on demand)."""
import zlib

import numpy as np
import pytest

from helpers import cv2, imc, run_cli
from variants import jpeg_with_app1, orientation_block, photo, photo_alpha, png_chunks

RGB = 256


def rgb_of(bgr):
    """cv2 4.6's BGR(A) result in newest cv2's RGB(A) order."""
    if bgr.ndim == 2:
        return bgr
    return bgr[:, :, [2, 1, 0, 3][:bgr.shape[2]]]


def cv2_imdecode(data, flags):
    return cv2.imdecode(np.frombuffer(data, np.uint8), flags)


def test_constants_are_newest_cv2s():
    assert (imc.IMREAD_COLOR_BGR, imc.IMREAD_COLOR, imc.IMREAD_COLOR_RGB) == (1, 1, 256)
    assert (imc.IMWRITE_PNG_FILTER, imc.IMWRITE_PNG_ZLIBBUFFER_SIZE) == (19, 20)
    assert [imc.IMWRITE_PNG_FILTER_NONE, imc.IMWRITE_PNG_FILTER_SUB, imc.IMWRITE_PNG_FILTER_UP,
            imc.IMWRITE_PNG_FILTER_AVG, imc.IMWRITE_PNG_FILTER_PAETH] == [8, 16, 32, 64, 128]
    assert (imc.IMWRITE_PNG_FAST_FILTERS, imc.IMWRITE_PNG_ALL_FILTERS) == (56, 248)


# ---- IMREAD_COLOR_RGB ---------------------------------------------------------
def inputs():
    gray = cv2.cvtColor(photo(), cv2.COLOR_BGR2GRAY)
    deep = (photo().astype(np.uint16) * 257 + np.arange(203, dtype=np.uint16)[:, None])
    return {
        "jpeg": cv2.imencode(".jpg", photo())[1].tobytes(),
        "jpeg_gray": cv2.imencode(".jpg", gray)[1].tobytes(),
        "png": cv2.imencode(".png", photo())[1].tobytes(),
        "png_alpha": cv2.imencode(".png", photo_alpha())[1].tobytes(),
        "png_gray": cv2.imencode(".png", gray)[1].tobytes(),
        "png_16": cv2.imencode(".png", deep)[1].tobytes(),
        "webp": cv2.imencode(".webp", photo(), [cv2.IMWRITE_WEBP_QUALITY, 80])[1].tobytes(),
        "webp_alpha": cv2.imencode(".webp", photo_alpha())[1].tobytes(),
        "tiff": cv2.imencode(".tiff", photo())[1].tobytes(),
        "tiff_alpha": cv2.imencode(".tiff", photo_alpha())[1].tobytes(),
        "bmp": cv2.imencode(".bmp", photo())[1].tobytes(),
        "jpeg_exif_6": jpeg_with_app1(cv2.imencode(".jpg", photo())[1].tobytes(),
                                      [b"Exif\0\0" + orientation_block(6)]),
    }


# IMREAD_COLOR_RGB with other bits, and the flags cv2 4.6 reads the same way
# in BGR order: calcType takes the RGB bit as IMREAD_COLOR's; REDUCED_*,
# ANYDEPTH, IGNORE_ORIENTATION keep their meaning; LOAD_GDAL's bit keeps
# the file's own type (then alpha stays, in RGBA order).
PAIRS = [(RGB, 1), (RGB | 2, 3), (RGB | 4, 5), (RGB | 6, 7), (RGB | 16, 17), (RGB | 32, 33),
         (RGB | 64, 65), (RGB | 128, 129), (RGB | 130, 131), (RGB | 8, 8), (RGB | 10, 10)]


@pytest.mark.parametrize("name", sorted(inputs()))
def test_color_rgb_is_cv2_46s_color_reversed(name):
    data = inputs()[name]
    for flags, bgr_flags in PAIRS:
        want = rgb_of(cv2_imdecode(data, bgr_flags))
        for got in (imc.imdecode(data, flags), imc.decode(data, flags)):
            assert got.shape == want.shape and got.dtype == want.dtype, (name, flags)
            assert np.array_equal(got, want), (name, flags)
        if bgr_flags & 8 == 0:
            assert want.ndim == 3 and want.shape[2] == 3   # gray comes out as 3 equal channels


def test_rgb_flag_and_rgb_option_agree():
    data = inputs()["png_alpha"]
    want = imc.decode(data, imc.IMREAD_UNCHANGED, rgb=True)
    assert np.array_equal(imc.decode(data, RGB | 8), want)
    assert np.array_equal(imc.decode(data, RGB | 8, rgb=True), want)   # RGB either way
    assert np.array_equal(imc.decode(data, RGB), imc.decode(data, imc.IMREAD_COLOR, rgb=True))


def test_unchanged_keeps_bgr_and_negative_flags_stay_cv2_46s():
    data = inputs()["png_alpha"]
    assert np.array_equal(imc.imdecode(data, -1), cv2_imdecode(data, -1))
    # newest cv2 tests the bit in any flags but -1; imc keeps 4.6's reading
    # of the other negative values (docs/compat.md)
    for flags in (-2, -3, -256):
        assert np.array_equal(imc.imdecode(data, flags), cv2_imdecode(data, flags)), flags


def test_both_orders_at_once_are_refused_after_the_header():
    data = inputs()["png"]
    for flags in (RGB | 1, RGB | 17, RGB | 7, RGB | 129):
        with pytest.raises(imc.error) as e:
            imc.imdecode(data, flags)
        assert e.value.code == imc.ERR_ARG and "IMREAD_COLOR_RGB" in str(e.value)
        with pytest.raises(imc.error):
            imc.decode_all(data, flags)
    assert imc.imdecode(b"not an image", RGB | 1) is None   # no header read: cv2's None


def test_pages_and_files_take_the_flag(tmp_path):
    pages = [photo(), photo_alpha()[:80], cv2.cvtColor(photo(), cv2.COLOR_BGR2GRAY)]
    path = tmp_path / "pages.tiff"
    assert cv2.imwritemulti(str(path), pages)
    data = path.read_bytes()
    for flags, bgr_flags in [(RGB, 1), (RGB | 8, 8), (RGB | 2, 3)]:
        ok, want = imc.imreadmulti(str(path), flags=bgr_flags)
        assert ok and len(want) == 3
        if bgr_flags != 8:   # cv2 4.6 reads files with LOAD_GDAL by GDAL (compat.md)
            assert all(np.array_equal(a, b) for a, b in
                       zip(want, cv2.imreadmulti(str(path), flags=bgr_flags)[1]))
        want = [rgb_of(p) for p in want]
        for got in (imc.imreadmulti(str(path), flags=flags)[1],
                    imc.imdecodemulti(data, flags)[1], imc.decode_all(data, flags),
                    imc.decode_all(data, flags, rgb=True)):   # not reversed twice
            assert len(got) == len(want)
            assert all(np.array_equal(a, b) for a, b in zip(got, want)), flags
    one = tmp_path / "one.jpg"
    one.write_bytes(inputs()["jpeg_exif_6"])
    assert np.array_equal(imc.imread(str(one), RGB), rgb_of(cv2.imread(str(one), 1)))
    assert np.array_equal(imc.read(str(one), RGB | 128), rgb_of(cv2.imread(str(one), 129)))


def test_batches_take_the_flag():
    data = [inputs()[k] for k in ("jpeg", "png_alpha", "webp")]
    want = [rgb_of(cv2_imdecode(d, 1)) for d in data]
    got = imc.decode_batch(data, RGB)
    assert all(np.array_equal(a, b) for a, b in zip(got, want))


def test_convert_writes_rgb_decoded_pixels_unswapped(tmp_path):
    src, out = tmp_path / "in.png", tmp_path / "out.png"
    src.write_bytes(inputs()["png"])
    r = run_cli("convert", "-f", "COLOR_RGB", src, out)
    assert r.returncode == 0, r.stderr
    assert np.array_equal(cv2.imread(str(out)), photo())


# ---- IMWRITE_PNG_FILTER ---------------------------------------------------------
FILTERS = {8: {0}, 16: {1}, 32: {2}, 64: {3}, 128: {4}, 56: {0, 1, 2}, 248: {0, 1, 2, 3, 4}}


def png_rows(png):
    """The filter type byte of each row, parsed with zlib, and IHDR's fields."""
    chunks = png_chunks(png)
    ihdr = chunks[0][1]
    width, height = int.from_bytes(ihdr[:4], "big"), int.from_bytes(ihdr[4:8], "big")
    bits, color = ihdr[8], ihdr[9]
    samples = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    rowbytes = (width * samples * bits + 7) // 8
    raw = zlib.decompress(b"".join(body for t, body in chunks if t == b"IDAT"))
    assert len(raw) == height * (rowbytes + 1)
    return [raw[y * (rowbytes + 1)] for y in range(height)]


def images():
    gray = cv2.cvtColor(photo(), cv2.COLOR_BGR2GRAY)
    return {"bgr": photo(), "bgra": photo_alpha(), "gray": gray,
            "deep": photo().astype(np.uint16) * 257,
            "flat": np.full((40, 50, 3), 77, np.uint8)}


# the fast coder (default, RLE), libdeflate (levels), storing (level 0)
CODERS = [[], [imc.IMWRITE_PNG_STRATEGY, imc.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY],
          [imc.IMWRITE_PNG_COMPRESSION, 6], [imc.IMWRITE_PNG_COMPRESSION, 0]]


@pytest.mark.parametrize("name", sorted(images()))
def test_filter_rows_use_only_the_types_allowed(name):
    img = images()[name]
    for value, types in FILTERS.items():
        for coder in CODERS:
            png = imc.encode(".png", img, coder + [imc.IMWRITE_PNG_FILTER, value])
            rows = png_rows(png)
            assert set(rows) <= types, (value, coder, sorted(set(rows)))
            if len(types) == 1:
                assert set(rows) == types
            assert np.array_equal(cv2_imdecode(png, -1), img), (value, coder)
    # the default chooses among all five: this photo's rows use several
    assert len(set(png_rows(imc.encode(".png", images()["bgr"])))) > 1


def test_filter_on_bilevel_rows():
    img = (cv2.cvtColor(photo(), cv2.COLOR_BGR2GRAY) > 128).astype(np.uint8) * 255
    assert set(png_rows(imc.encode(".png", img, [imc.IMWRITE_PNG_BILEVEL, 1]))) == {0}
    for value, types in FILTERS.items():
        png = imc.encode(".png", img, [imc.IMWRITE_PNG_BILEVEL, 1, imc.IMWRITE_PNG_FILTER, value])
        assert set(png_rows(png)) <= types
        assert np.array_equal(cv2_imdecode(png, 0), img)


def test_values_not_listed_are_sub_as_newest_cv2():
    img = photo()
    sub = imc.encode(".png", img, [imc.IMWRITE_PNG_FILTER, imc.IMWRITE_PNG_FILTER_SUB])
    for value in (0, 1, 4, 5, 24, 48, 96, 249, 255, 256, -1, 1 << 20):
        assert imc.encode(".png", img, [imc.IMWRITE_PNG_FILTER, value]) == sub, value
    # the last of repeated values counts, as in cv2's loop over params
    twice = [imc.IMWRITE_PNG_FILTER, 8, imc.IMWRITE_PNG_FILTER, 128]
    assert set(png_rows(imc.encode(".png", img, twice))) == {4}


def test_one_row_or_column_drops_filters_as_libpng():
    row, col = photo()[:1], np.ascontiguousarray(photo()[:, :1])
    for value, types in FILTERS.items():
        assert set(png_rows(imc.encode(".png", row, [imc.IMWRITE_PNG_FILTER, value]))) <= \
            (types & {0, 1} or {0})
        assert set(png_rows(imc.encode(".png", col, [imc.IMWRITE_PNG_FILTER, value]))) <= \
            (types & {0, 2} or {0})


# ---- IMWRITE_PNG_ZLIBBUFFER_SIZE -------------------------------------------------
def idat_lengths(png):
    return [len(body) for t, body in png_chunks(png) if t == b"IDAT"]


def idat_stream(png):
    return b"".join(body for t, body in png_chunks(png) if t == b"IDAT")


@pytest.mark.parametrize("coder", range(len(CODERS)))
def test_zlib_buffer_size_is_the_idat_length(coder):
    img, params = photo(), CODERS[coder]
    plain = imc.encode(".png", img, params)
    assert len(idat_lengths(plain)) == 1
    for size, taken in [(6, 6), (100, 100), (8192, 8192), (65536, 65536), (1 << 20, 1 << 20),
                        (0, 6), (5, 6), (-7, 6), (1 << 21, 1 << 20)]:
        png = imc.encode(".png", img, params + [imc.IMWRITE_PNG_ZLIBBUFFER_SIZE, size])
        lengths = idat_lengths(png)
        assert all(n == taken for n in lengths[:-1]) and 0 < lengths[-1] <= taken, size
        assert idat_stream(png) == idat_stream(plain)   # the chunks change, not the data
        assert np.array_equal(cv2_imdecode(png, -1), img)


# ---- ImageCollection ------------------------------------------------------------
@pytest.fixture
def pages_file(tmp_path):
    pages = [photo(), photo_alpha()[:90], cv2.cvtColor(photo(), cv2.COLOR_BGR2GRAY)[:70],
             photo()[::2, ::3].copy(), photo().astype(np.uint16) * 300]
    path = tmp_path / "pages.tiff"
    assert cv2.imwritemulti(str(path), pages)
    return path


def test_collection_pages_are_imreadmultis(pages_file):
    assert len(imc.ImageCollection(str(pages_file))) == cv2.imcount(str(pages_file)) == 5
    for flags in (imc.IMREAD_ANYCOLOR, imc.IMREAD_UNCHANGED, imc.IMREAD_GRAYSCALE, RGB,
                  imc.IMREAD_ANYDEPTH | imc.IMREAD_ANYCOLOR):
        coll = imc.ImageCollection(str(pages_file), flags)
        want = imc.imreadmulti(str(pages_file), flags=flags)[1]
        if not flags & RGB:
            assert all(np.array_equal(a, b) for a, b in
                       zip(want, cv2.imreadmulti(str(pages_file), flags=flags)[1]))
        assert coll.size() == len(coll) == len(want)
        assert all(np.array_equal(a, b) for a, b in zip(coll, want)), flags
        assert all(np.array_equal(coll.at(i), want[i]) for i in range(len(want)))
        assert all(np.array_equal(coll[i - len(want)], want[i]) for i in range(len(want)))


def test_collection_decodes_lazily_one_page_at_a_time(pages_file, monkeypatch):
    calls = []
    real = imc._imc._decode_multi

    def counting(data, flags, start, count, strict, **kw):
        calls.append((start, count))
        return real(data, flags, start, count, strict, **kw)
    monkeypatch.setattr(imc._imc, "_decode_multi", counting)
    coll = imc.ImageCollection(str(pages_file), imc.IMREAD_UNCHANGED)
    assert calls == [] and len(coll) == 5
    third = coll[3]
    assert calls == [(3, 1)] and third.shape == photo()[::2, ::3].shape
    assert coll.at(3) is third and coll[-2] is third and calls == [(3, 1)]   # kept
    coll.releaseCache(3)
    assert np.array_equal(coll[3], third) and calls == [(3, 1), (3, 1)]
    assert [p.shape[:2] for p in coll] == [(157, 203), (90, 203), (70, 203), (79, 68), (157, 203)]
    assert calls == [(3, 1), (3, 1), (0, 1), (1, 1), (2, 1), (4, 1)]


def test_collection_bounds_and_errors(pages_file, tmp_path):
    coll = imc.ImageCollection(str(pages_file))
    for bad in (5, 99):
        with pytest.raises(IndexError):
            coll[bad]
    for bad in (-1, 5):   # at() and releaseCache() take 0 <= i < size(), as cv2
        with pytest.raises(IndexError):
            coll.at(bad)
        with pytest.raises(IndexError):
            coll.releaseCache(bad)
    with pytest.raises(IndexError):
        coll[-6]
    with pytest.raises(TypeError):
        coll["0"]
    with pytest.raises(imc.error) as e:
        imc.ImageCollection(str(tmp_path / "missing.tiff"))
    assert e.value.code == imc.ERR_IO
    (tmp_path / "text.tiff").write_bytes(b"not an image at all")
    with pytest.raises(imc.error):
        imc.ImageCollection(str(tmp_path / "text.tiff"))
    (tmp_path / "empty.tiff").write_bytes(b"")
    with pytest.raises(imc.error):
        imc.ImageCollection(str(tmp_path / "empty.tiff"))
    both = imc.ImageCollection(str(pages_file), RGB | 1)   # refused when a page is read
    with pytest.raises(imc.error):
        both[0]


def test_collection_of_one_image_and_init(pages_file, tmp_path):
    single = tmp_path / "one.png"
    single.write_bytes(inputs()["png_alpha"])
    coll = imc.ImageCollection()
    assert len(coll) == 0 and list(coll) == []
    coll.init(str(single), imc.IMREAD_UNCHANGED)
    assert len(coll) == 1 and np.array_equal(coll[0], photo_alpha())
    coll.init(str(pages_file), imc.IMREAD_COLOR)
    assert len(coll) == 5 and coll[1].shape == (90, 203, 3)


def with_page_tag(tiff, page, tag, value):
    """A little-endian TIFF with page `page`'s SHORT tag `tag` set to `value`."""
    u16 = lambda at: int.from_bytes(tiff[at:at + 2], "little")   # noqa: E731
    u32 = lambda at: int.from_bytes(tiff[at:at + 4], "little")   # noqa: E731
    data, ifd = bytearray(tiff), u32(4)
    for _ in range(page):
        ifd = u32(ifd + 2 + 12 * u16(ifd))
    for k in range(u16(ifd)):
        entry = ifd + 2 + 12 * k
        if u16(entry) == tag:
            data[entry + 8:entry + 10] = value.to_bytes(2, "little")
            return bytes(data)
    raise AssertionError(f"no tag {tag}")


def test_collection_page_that_fails_is_none(tmp_path):
    """A page that cannot be decoded is cv2's empty Mat (None); the pages
    around it still decode, which imreadmulti, stopping there, cannot give."""
    pages = [photo(), photo()[:50], photo()[:30]]
    data = imc.encode_all(".tiff", pages, [imc.IMWRITE_TIFF_COMPRESSION, 1])
    assert data[:2] == b"II"
    path = tmp_path / "bad_page.tiff"
    path.write_bytes(with_page_tag(data, 1, 262, 99))   # a PhotometricInterpretation nothing reads
    coll = imc.ImageCollection(str(path), imc.IMREAD_UNCHANGED)
    assert len(coll) == 3
    assert coll[1] is None
    assert np.array_equal(coll[0], pages[0]) and np.array_equal(coll[2], pages[2])
    assert len(imc.imreadmulti(str(path), flags=imc.IMREAD_UNCHANGED)[1]) == 1
    assert len(cv2.imreadmulti(str(path), flags=cv2.IMREAD_UNCHANGED)[1]) == 1
