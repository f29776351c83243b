"""BMP / DIB and Sun raster: decoded pixels equal cv2.imdecode's for every
IMREAD flag on files from cv2, Pillow, ImageMagick and netpbm (and header
surgery on them); encoded bytes are cv2's; damaged files behave as in cv2
(same image or same None), never a crash (the suite also runs under ASan)."""
import io
import json
import struct
import subprocess

import numpy as np
import pytest
from PIL import Image

import variants as V
import variants_bmp_sun as B
from helpers import ALL_FLAGS, CLI, SWEEP_FLAGS, assert_same_decode, cv2, cv2_decode, imc, tool, assert_same_file
from test_damage import corruptions, offsets

VARIANTS = {"bmp": B.bmp_variants, "sunras": B.sun_variants}
ALL = [(fmt, name) for fmt, make in VARIANTS.items() for name in sorted(make())]

DAMAGE_SWEEP = {
    "bmp": ["cv2_bgr", "cv2_gray", "pil_1_w9", "ppmtobmp_windows_4", "im_v5_32_alpha",
            "im_v3_RGB565_masks", "im_os2_8", "im_v3_rle8_w36", "rle8_deltas", "rle8_early_eob",
            "rle4_eol_eob", "rle4_odd_deltas", "v3_56_32_rgba_masks"],
    "sunras": ["cv2_bgr", "cv2_gray_w3", "pnm_standard_1", "pnm_standard_8", "im_32_as_standard",
               "map_48_entries", "im_8_two_colors"],
}
SWEEP = [(fmt, name) for fmt, names in DAMAGE_SWEEP.items() for name in names]


def variant(fmt, name):
    return VARIANTS[fmt]()[name]


@pytest.mark.parametrize("fmt,name", ALL)
def test_decode_equals_cv2(fmt, name):
    data = variant(fmt, name)
    for flags in ALL_FLAGS:
        assert_same_decode(data, flags, name, reference=reference(fmt, data))


def reference(fmt, data):
    """What cv2 is compared on: itself, or where cv2 reads a file wrong the
    same image in the layout it reads right: a Sun raster without a
    colormap at 1 or 8 bits (black gray output, 1-bit colour with 0 black)
    with the colormap its samples mean; an OS/2 BMP (typed gray whatever its
    colours) with a Windows header."""
    return B.sun_gray_twin(data) if fmt == "sunras" else B.os2_windows_twin(data)


def bmp_layout(data):
    """(info header size, bits per pixel, compression, top-down) of a BMP."""
    b = B.Bmp(data)
    return b.size, b.bpp, b.compression, b.height < 0


def test_bmp_variants_cover_every_layout():
    """Guards the generators: the layouts the issue lists are really there
    and cv2 really decodes them (so the comparisons are not None == None)."""
    decoded = {bmp_layout(d) for d in B.bmp_variants().values()
               if len(d) > 30 and cv2_decode(d, -1) is not None and not isinstance(cv2_decode(d, -1), str)}
    need = [(40, 1, 0, False), (40, 4, 0, False), (40, 8, 0, False), (40, 24, 0, False),
            (40, 32, 0, False), (40, 16, 0, False), (40, 16, 3, False), (40, 32, 3, False),
            (40, 8, 1, False), (40, 4, 2, False), (40, 8, 1, True), (40, 4, 2, True),
            (56, 32, 3, False), (108, 32, 3, False), (124, 32, 3, False), (108, 1, 0, False),
            (124, 8, 1, False), (124, 24, 0, False), (12, 1, 0, False), (12, 4, 0, False),
            (12, 8, 0, False), (12, 24, 0, False), (40, 24, 0, True), (40, 1, 0, True),
            (40, 4, 0, True), (40, 8, 0, True), (124, 32, 3, True), (40, 16, 3, True)]
    assert not [n for n in need if n not in decoded], decoded


def test_sun_variants_cover_every_layout():
    decoded = set()
    for d in B.sun_variants().values():
        out = cv2_decode(d, -1)
        if out is not None and not isinstance(out, str):
            depth, typ, maptype = struct.unpack_from(">i", d, 12)[0], *struct.unpack_from(">ii", d, 20)
            decoded.add((depth, typ, maptype))
    assert {(1, 1, 0), (1, 1, 1), (8, 1, 0), (8, 1, 1), (8, 0, 1), (24, 1, 0), (24, 0, 0),
            (32, 1, 0)} <= decoded, decoded


def test_sun_rle_and_rgb_types_are_refused_like_cv2():
    """cv2 4.6 (and newer) compares RT_BYTE_ENCODED / RT_FORMAT_RGB with its
    image type instead of the file's, so it refuses them; imc does too."""
    for name in ("pnm_rle_1", "pnm_rle_8", "pnm_rle_gray", "im_24_rgb", "im_32_rgb"):
        data = variant("sunras", name)
        assert struct.unpack_from(">i", data, 20)[0] in (2, 3)
        assert cv2_decode(data, 1) is None and imc.imdecode(data, 1) is None
        with pytest.raises(imc.error) as e:
            imc.decode(data)
        assert e.value.code == imc.ERR_UNSUPPORTED and "type" in str(e.value)


def test_gray_sun_raster_reads_gray_where_cv2_reads_black():
    """cv2's gray table stays zero for files without a colormap (a black
    image); imc reads the gray levels cv2 itself wrote."""
    gray = cv2.cvtColor(V.photo(37, 23), cv2.COLOR_BGR2GRAY)
    data = variant("sunras", "cv2_gray")
    assert not cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE).any()
    assert np.array_equal(imc.imdecode(data, cv2.IMREAD_GRAYSCALE), gray)
    assert np.array_equal(imc.imdecode(data, cv2.IMREAD_COLOR)[:, :, 1], gray)


@pytest.mark.parametrize("fmt,name", [("bmp", "cv2_bgr"), ("bmp", "im_v5_32_alpha"),
                                      ("bmp", "pil_P256"), ("bmp", "rle4_deltas"),
                                      ("sunras", "pnm_standard_8"), ("sunras", "im_24_as_standard")])
def test_rgb_order(fmt, name):
    data = variant(fmt, name)
    for flags in (1, -1, 0):
        bgr, rgb = imc.imdecode(data, flags), imc.decode(data, flags, rgb=True)
        if bgr.ndim == 3:
            bgr[:, :, :3] = bgr[:, :, 2::-1].copy()
        assert np.array_equal(bgr, rgb)


def test_probe():
    cases = {("bmp", "cv2_bgr"): 3, ("bmp", "cv2_gray"): 1, ("bmp", "im_v5_32_alpha"): 4,
             ("bmp", "im_os2_24"): 3, ("bmp", "pil_P256"): 3, ("bmp", "rle4_eol_eob"): 3,
             ("sunras", "cv2_bgr"): 3, ("sunras", "pnm_standard_1"): 1,
             ("sunras", "pnm_standard_8"): 3}
    for (fmt, name), channels in cases.items():
        data = variant(fmt, name)
        info = imc.probe(data)
        want = cv2.imdecode(np.frombuffer(reference(fmt, data), np.uint8), cv2.IMREAD_UNCHANGED)
        assert (info.format, info.channels, info.dtype, info.orientation) == (fmt, channels, "uint8", 0)
        assert (info.height, info.width) == want.shape[:2] and (want.ndim == 2) == (channels == 1)
    for data in (b"BM", b"BM" + b"\0" * 60, b"\x59\xa6\x6a\x95" + b"\0" * 28):
        with pytest.raises(imc.error):
            imc.probe(data)


# ---- damage ----------------------------------------------------------------
@pytest.mark.parametrize("fmt,name", SWEEP)
def test_truncation_sweep(fmt, name):
    data = variant(fmt, name)
    for off in offsets(len(data)):
        for flags in SWEEP_FLAGS:
            assert_same_decode(data[:off], flags, f"{name}[:{off}]",
                               reference=reference(fmt, data[:off]))


@pytest.mark.parametrize("fmt,name", SWEEP)
def test_corruption_sweep(fmt, name):
    data = variant(fmt, name)
    for trial, buf in enumerate(corruptions(data, 150, name, head=80, aim=0.5, extra=(0x80,))):
        for flags in (1, -1, 0):
            assert_same_decode(bytes(buf), flags, f"{name} trial {trial}",
                               reference=reference(fmt, bytes(buf)))


def test_random_bytes_after_signature():
    rng = np.random.default_rng(11)
    for sig in (b"BM", b"\x59\xa6\x6a\x95"):
        for n in (1, 5, 30, 60, 200, 3000):
            for _ in range(20):
                data = sig + rng.integers(0, 256, n, dtype=np.uint8).tobytes()
                for flags in (1, -1):
                    assert_same_decode(data, flags, f"random {n} {sig!r}")


# ---- encoding --------------------------------------------------------------
def images():
    """Real photos in every layout cv2 encodes, including odd row lengths."""
    img = V.photo(37, 23)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    out = {"bgr": img, "gray": gray, "gray3d": gray[:, :, None], "bgra": V.photo_alpha(37, 23),
           "column": gray[:, 0].copy(), "u16": img.astype(np.uint16) * 300,
           "f32": img.astype(np.float32) * 1.5 - 40.5, "strided": img[::2, ::3]}
    for w in (1, 2, 3, 5):
        out[f"bgr_w{w}"] = V.photo(w, 4)
        out[f"gray_w{w}"] = cv2.cvtColor(V.photo(w, 4), cv2.COLOR_BGR2GRAY)
        out[f"bgra_w{w}"] = V.photo_alpha(w, 3)
    return out


def assert_encodes_like_cv2(ext, img, params=()):
    got = imc.imencode(ext, img, list(params))[1].tobytes()
    if ext in (".ras", ".sr"):  # see B.cv2_imencode: cv2 reads past the image
        want = B.cv2_imencode(ext, img)
    else:
        want = cv2.imencode(ext, img, list(params))[1].tobytes()
    assert got == want, (ext, img.shape, img.dtype)


@pytest.mark.parametrize("layout", sorted(images()))
@pytest.mark.parametrize("ext", [".bmp", ".dib", ".ras", ".sr"])
def test_encode_bytes_equal_cv2(ext, layout):
    img = images()[layout]
    for params in ([], [cv2.IMWRITE_JPEG_QUALITY, 10]):  # both writers ignore params
        assert_encodes_like_cv2(ext, img, params)


@pytest.mark.parametrize("ext", [".bmp", ".ras"])
@pytest.mark.parametrize("layout", ["bgr", "gray", "bgra", "bgr_w1", "gray_w3", "bgra_w5"])
def test_cv2_reads_what_imc_writes(ext, layout):
    img = images()[layout]
    ours = imc.imencode(ext, img)[1]
    theirs = B.cv2_imencode(ext, img)
    for flags in ALL_FLAGS:
        a, b = cv2_decode(ours.tobytes(), flags), cv2_decode(theirs, flags)
        assert (a is None) == (b is None) and np.array_equal(a, b), (layout, flags)
    # Lossless where the format holds the image as given.
    back = cv2.imdecode(ours, cv2.IMREAD_COLOR)
    if img.ndim == 2:
        assert np.array_equal(back[:, :, 0], img)
    elif img.shape[2] == 3 or ext == ".bmp":
        assert np.array_equal(back, img[:, :, :3])


def test_bmp_compression_param():
    """Newer cv2's IMWRITE_BMP_COMPRESSION: RGB is cv2 4.6's layout (the
    default); BITFIELDS writes 4-channel images with their alpha, in a V5
    header that cv2 4.6, Pillow and ImageMagick all read back exactly."""
    assert (imc.IMWRITE_BMP_COMPRESSION, imc.IMWRITE_BMP_COMPRESSION_RGB,
            imc.IMWRITE_BMP_COMPRESSION_BITFIELDS) == (768, 0, 3)
    bgra = V.photo_alpha(37, 23)
    rgb_bytes = cv2.imencode(".bmp", bgra)[1].tobytes()
    assert imc.encode(".bmp", bgra, [768, imc.IMWRITE_BMP_COMPRESSION_RGB]) == rgb_bytes
    data = imc.encode(".bmp", bgra, [imc.IMWRITE_BMP_COMPRESSION,
                                     imc.IMWRITE_BMP_COMPRESSION_BITFIELDS])
    assert bmp_layout(data) == (124, 32, 3, False)
    assert np.array_equal(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED), bgra)
    for flags in ALL_FLAGS:
        assert_same_decode(data, flags, "bitfields")
    pil = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    assert np.array_equal(pil[:, :, [2, 1, 0, 3]], bgra)
    png = subprocess.run([tool("convert"), "bmp:-", "png:-"], input=data, check=True,
                         capture_output=True).stdout
    assert np.array_equal(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED), bgra)
    for img in (V.photo(37, 23), cv2.cvtColor(V.photo(37, 23), cv2.COLOR_BGR2GRAY)):
        assert imc.encode(".bmp", img, [768, 3]) == cv2.imencode(".bmp", img)[1].tobytes()
    with pytest.raises(imc.error) as e:
        imc.encode(".bmp", bgra, [768, 1])
    assert e.value.code == imc.ERR_PARAM and "BMP_COMPRESSION" in str(e.value)


def test_encode_rgb_order():
    bgr, bgra = V.photo(37, 23), V.photo_alpha(37, 23)
    for ext in (".bmp", ".ras"):
        for img in (bgr, bgra):
            rgb = img[:, :, [2, 1, 0, 3][:img.shape[2]]]
            assert imc.encode(ext, rgb, rgb=True) == imc.imencode(ext, img)[1].tobytes()


def test_imwrite_imread(tmp_path):
    img = V.photo(36, 23)  # an even row length: cv2's Sun raster writer reads past odd ones
    for ext in (".bmp", ".dib", ".ras", ".sr", ".BMP"):
        ours, theirs = tmp_path / f"imc{ext}", tmp_path / f"cv2{ext}"
        assert imc.imwrite(str(ours), img) is True and cv2.imwrite(str(theirs), img)
        assert np.array_equal(cv2.imread(str(ours)), img)
        assert np.array_equal(imc.imread(str(theirs)), img)
        assert imc.haveImageReader(str(ours)) and imc.haveImageWriter(str(ours))


def test_formats_listed():
    names = {f["name"]: f for f in imc.formats()}
    for name, ext in (("bmp", "bmp dib"), ("sunras", "sr ras")):
        assert names[name]["decode"] and names[name]["encode"] and not names[name]["multi_page"]
        assert names[name]["extensions"] == ext
    assert imc.probe(imc.encode(".dib", V.photo())).format == "bmp"
    assert imc.probe(imc.encode(".sr", V.photo())).format == "sunras"


# ---- CLI -------------------------------------------------------------------
def cli(*args):
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True)


def test_cli_info_and_convert(tmp_path):
    bmp, ras = tmp_path / "a.bmp", tmp_path / "b.ras"
    bmp.write_bytes(variant("bmp", "im_v5_32_alpha"))
    ras.write_bytes(variant("sunras", "pnm_standard_8"))
    r = cli("info", "--json", bmp, ras)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["format"], x["width"], x["height"], x["channels"]) for x in rows] == \
        [("bmp", 37, 23, 4), ("sunras", 37, 23, 3)]
    for src, dst in ((bmp, "o.ras"), (ras, "o.bmp"), (bmp, "o.dib"), (ras, "o.sr"), (bmp, "o.png")):
        out = tmp_path / dst
        r = cli("convert", src, out)
        assert r.returncode == 0, r.stderr
        want = cv2.imread(str(src), cv2.IMREAD_UNCHANGED)
        assert_same_file(out.suffix, out.read_bytes(), B.cv2_imencode(out.suffix, want))
    assert "bmp" in cli("--formats").stdout and "sunras" in cli("--formats").stdout
    out = tmp_path / "bf.bmp"
    assert cli("convert", bmp, out, "-p", "BMP_COMPRESSION=BITFIELDS").returncode == 0
    want = cv2.imread(str(bmp), cv2.IMREAD_UNCHANGED)
    assert out.read_bytes() == imc.encode(".bmp", want, [768, 3])
    assert np.array_equal(cv2.imread(str(out), cv2.IMREAD_UNCHANGED), want)
