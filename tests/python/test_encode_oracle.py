"""Encoding: JPEG bytes equal cv2.imencode's for the same params (so they
decode identically, tighter than the +-1 asked for); PNG files decode to
cv2's pixels, round-trip losslessly and are no larger than cv2's; sampling
factors match libjpeg's own cjpeg."""
import struct
import zlib

import numpy as np
import pytest

import variants as V
from helpers import assert_same_file, cv2, imc, run, sample_files, tool

JPEG_PARAMS = [
    [], [1, 90], [1, 0], [1, 1], [1, 100], [1, -7], [1, 250],
    [2, 1], [3, 1], [2, 1, 3, 1], [4, 1], [4, 17], [4, 65535], [4, 99999], [4, -3],
    [1, 75, 2, 1, 4, 3], [5, 60], [6, 30], [5, 80, 6, 20], [6, 20, 5, 80], [5, -1, 6, -1],
    [16, 9, 1, 70],  # PNG params are ignored by the JPEG encoder
]
PNG_PARAMS = [[], [16, 0], [16, 1], [16, 3], [16, 6], [16, 9], [16, -4], [16, 12],
              [17, 0], [17, 1], [17, 2], [17, 3], [17, 4], [17, 9], [16, 5, 17, 2],
              [17, 1, 16, 5], [1, 50]]


def images():
    """Real photos in every input layout cv2 encodes from."""
    img = V.photo(203, 157)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return {
        "bgr": img, "gray": gray, "gray3d": gray[:, :, None], "bgra": V.photo_alpha(),
        "column": gray[:, 0].copy(),
        "u16": img.astype(np.uint16) * 300, "s16": img.astype(np.int16) * 3 - 200,
        "s8": (img.astype(np.int16) - 128).astype(np.int8), "s32": img.astype(np.int32) * 2 - 100,
        "f32": img.astype(np.float32) * 1.5 - 40.5, "f64": img.astype(np.float64) / 3 + 0.5,
        "f32_specials": np.array([[0.5, 1.5, 2.5, -0.5, 254.5, 255.5, 1e10, -1e10, np.nan, np.inf]] * 3,
                                 np.float32),
        "i64": img.astype(np.int64) * 1000,
    }


def cv2_bytes(ext, img, params):
    return cv2.imencode(ext, img, params)[1].tobytes()


@pytest.mark.parametrize("layout", sorted(images()))
def test_jpeg_bytes_equal_cv2(layout):
    img = images()[layout]
    for params in JPEG_PARAMS:
        ok, got = imc.imencode(".jpg", img, params)
        assert ok is True and got.dtype == np.uint8 and got.ndim == 1
        assert got.tobytes() == cv2_bytes(".jpg", img, params), (layout, params)


@pytest.mark.parametrize("path", sample_files(".jpg", ".png")[::7], ids=lambda p: p.name)
def test_jpeg_samples_equal_cv2(path):
    for flags in (cv2.IMREAD_COLOR, cv2.IMREAD_GRAYSCALE, cv2.IMREAD_UNCHANGED):
        img = cv2.imread(str(path), flags)
        for params in ([], [1, 90], [2, 1, 3, 1], [4, 5]):
            assert imc.imencode(".jpeg", img, params)[1].tobytes() == cv2_bytes(".jpeg", img, params)


@pytest.mark.parametrize("layout", sorted(images()))
def test_png_decodes_like_cv2(layout):
    """Same depth conversions (saturation, rounding), channels and pixels."""
    img = images()[layout]
    for params in PNG_PARAMS:
        assert_same_file(".png", imc.imencode(".png", img, params)[1], cv2_bytes(".png", img, params),
                         f"{layout} {params}")


def test_png_bilevel_like_cv2():
    gray = images()["gray"]
    for img in (gray, (gray > 100).astype(np.uint8), (gray > 100).astype(np.uint8) * 255):
        for params in ([18, 1], [18, 1, 16, 9], [18, 0]):
            assert_same_file(".png", imc.imencode(".png", img, params)[1], cv2_bytes(".png", img, params))
    with pytest.raises(imc.error):          # cv2 also fails: no 1-bit RGB in PNG
        imc.imencode(".png", images()["bgr"], [18, 1])


@pytest.mark.parametrize("params,worst", [([], 1.01), ([16, 1], 1.05), ([16, 9], 1.10),
                                          ([17, 2], 1.05)])
def test_png_no_larger_than_cv2(params, worst):
    """Over opencv-doc's samples imc's files are smaller in total than cv2's
    at the default setting and at level 9 (the performance targets), and
    never much larger one by one."""
    ours = theirs = 0
    for path in sample_files(".jpg", ".png"):
        img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        a = imc.imencode(".png", img, params)[1].size
        b = cv2.imencode(".png", img, params)[1].size
        assert a <= b * worst, (path.name, a, b)
        ours, theirs = ours + a, theirs + b
    assert ours <= theirs, (ours, theirs)


def png_row_filters(png):
    """The filter type byte of every row of a non-interlaced PNG."""
    at, idat, head = 8, b"", None
    while at < len(png):
        n, kind = struct.unpack(">I4s", png[at:at + 8])
        if kind == b"IHDR":
            head = struct.unpack(">IIBB", png[at + 8:at + 18])
        elif kind == b"IDAT":
            idat += png[at + 8:at + 8 + n]
        at += 12 + n
    width, height, depth, color = head
    rowbytes = (width * {0: 1, 2: 3, 4: 2, 6: 4}[color] * depth + 7) // 8
    raw = zlib.decompress(idat)
    return raw[::rowbytes + 1][:height]


@pytest.mark.parametrize("params", [[16, 9], [16, 3], [16, 9, 17, 1]], ids=str)
def test_png_filters_are_libpngs(params):
    """With an explicit level cv2 lets libpng choose each row's filter; imc
    chooses exactly the same ones (then compresses with libdeflate)."""
    imgs = [cv2.imread(str(p), cv2.IMREAD_UNCHANGED) for p in sample_files(".jpg", ".png")[::4]]
    imgs += [images()[k] for k in ("bgr", "gray", "bgra", "u16")]
    rows = 0
    for img in imgs:
        ours = png_row_filters(imc.imencode(".png", img, params)[1].tobytes())
        theirs = png_row_filters(cv2_bytes(".png", img, params))
        assert ours == theirs
        rows += len(ours)
    assert rows > 5000 and len(set(theirs)) > 1


@pytest.mark.parametrize("depth", [np.uint8, np.uint16])
@pytest.mark.parametrize("channels", [1, 3, 4])
def test_png_lossless_round_trip(depth, channels):
    rng = np.random.default_rng(channels)
    top = np.iinfo(depth).max
    shape = (61, 47) if channels == 1 else (61, 47, channels)
    noise = rng.integers(0, top + 1, size=shape, dtype=np.uint64).astype(depth)
    photo = V.photo_alpha(47, 61)[:, :, :channels].astype(depth) * (257 if depth == np.uint16 else 1)
    for img in (noise, photo.reshape(shape), np.zeros(shape, depth), np.full(shape, top, depth)):
        for params in ([], [16, 9], [17, 2], [16, 0]):
            ok, buf = imc.imencode(".png", img, params)
            back = imc.imdecode(buf, imc.IMREAD_UNCHANGED)
            assert back.dtype == depth and back.shape == img.shape and np.array_equal(back, img)
            assert np.array_equal(cv2.imdecode(buf, cv2.IMREAD_UNCHANGED), img)


def sof_sampling(jpeg):
    """(h, v) sampling factors of each component from the SOF marker."""
    at = 2
    while at < len(jpeg):
        marker, length = jpeg[at + 1], struct.unpack(">H", jpeg[at + 2:at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            n = jpeg[at + 9]
            return [(jpeg[at + 11 + 3 * i] >> 4, jpeg[at + 11 + 3 * i] & 15) for i in range(n)]
        at += 2 + length
    raise AssertionError("no SOF")


@pytest.mark.parametrize("factor,sample", [
    (imc.IMWRITE_JPEG_SAMPLING_FACTOR_411, "4x1"), (imc.IMWRITE_JPEG_SAMPLING_FACTOR_420, "2x2"),
    (imc.IMWRITE_JPEG_SAMPLING_FACTOR_422, "2x1"), (imc.IMWRITE_JPEG_SAMPLING_FACTOR_440, "1x2"),
    (imc.IMWRITE_JPEG_SAMPLING_FACTOR_444, "1x1")])
def test_jpeg_sampling_factor(factor, sample, tmp_path):
    img = V.photo(203, 157)
    h, v = (int(x) for x in sample.split("x"))
    for quality in (95, 70):
        ok, got = imc.imencode(".jpg", img, [imc.IMWRITE_JPEG_SAMPLING_FACTOR, factor,
                                             imc.IMWRITE_JPEG_QUALITY, quality])
        assert sof_sampling(got.tobytes()) == [(h, v), (1, 1), (1, 1)]
        # libjpeg's own encoder with the same settings decodes to the same pixels.
        ppm = tmp_path / "in.ppm"
        cv2.imwrite(str(ppm), img)
        ref = run([tool("cjpeg"), "-quality", str(quality), "-sample", sample, str(ppm)]).stdout
        a = cv2.imdecode(got, cv2.IMREAD_COLOR)
        b = cv2.imdecode(np.frombuffer(ref, np.uint8), cv2.IMREAD_COLOR)
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1
    # Gray images ignore the factor, as in cv2.
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    assert imc.imencode(".jpg", gray, [7, factor])[1].tobytes() == cv2_bytes(".jpg", gray, [])


def test_jpeg_sampling_factor_invalid():
    with pytest.raises(imc.error) as e:
        imc.imencode(".jpg", V.photo(), [imc.IMWRITE_JPEG_SAMPLING_FACTOR, 0x123456])
    assert e.value.code == imc.ERR_PARAM and "SAMPLING_FACTOR" in str(e.value)


def test_jpeg_decodes_within_one_of_cv2_for_all_params():
    """The issue's criterion, stated directly (the bytes are equal anyway)."""
    img = V.photo_alpha()
    for params in JPEG_PARAMS:
        a = cv2.imdecode(imc.imencode(".jpg", img, params)[1], cv2.IMREAD_UNCHANGED)
        b = cv2.imdecode(cv2.imencode(".jpg", img, params)[1], cv2.IMREAD_UNCHANGED)
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1


@pytest.mark.parametrize("ext", [".jpg", ".jpeg", ".jpe", ".JPG", "x.jpeg", ".png", ".PNG",
                                 "photo.final.png", "jpg", "png"])
def test_extensions(ext):
    ok, buf = imc.imencode(ext, V.photo())
    assert ok and imc.probe(buf).format == ("png" if "png" in ext.lower() else "jpeg")


@pytest.mark.parametrize("ext", ["", ".", ".bmpx", ".jfif", ".pn", "png2"])
def test_unknown_extensions(ext):
    with pytest.raises(imc.error) as e:
        imc.imencode(ext, V.photo())
    assert e.value.code == imc.ERR_NO_ENCODER
