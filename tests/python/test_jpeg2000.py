"""JPEG 2000 (OpenJPEG): decoding equals cv2.imdecode for every flag on files
from cv2, Pillow, opj_compress and ImageMagick, damaged ones included;
encoding writes cv2's bytes, .j2k writes codestreams cv2 reads back."""
import subprocess

import numpy as np
import pytest

import families as F
import variants as V
import variants_jpeg2000 as J
from helpers import (ALL_FLAGS, CLI, SWEEP_FLAGS, assert_same_decode, cv2, imc, imc_decode,
                     requires_codec, run, tool)
from test_damage import corruptions

pytestmark = requires_codec("jpeg2000")
RGB_TWIN = F.JPEG2000_RGB_TWIN   # where cv2 4.6 is wrong; the other files: test_families


@pytest.mark.parametrize("name", sorted(RGB_TWIN))
def test_every_flag_as_its_rgb_twin(name):
    """Colour output equals cv2's on the same image stored as sRGB (the RGB
    opj_decompress makes of it, recompressed losslessly); gray output is
    what cv2 makes of the file itself (sYCC's Y, the palette's colours
    through BGR2GRAY)."""
    import oracles as O
    data = J.jpeg2000_variants()[name]
    twin = J._opj_image(O.jpeg2000(data))
    for flags in ALL_FLAGS:
        got = imc_decode(data, flags)
        gray = isinstance(got, np.ndarray) and got.ndim == 2
        assert_same_decode(data, flags, name, reference=None if gray else twin)


def test_variants_cover_what_they_claim():
    """Guards the oracle: the variants really differ where they should."""
    v = J.jpeg2000_variants()
    for name in ("opj_rgb_j2k", "pil_rgb_j2k", "opj_gray16_j2k", "im_gray16_j2k"):
        assert v[name][:4] == J.J2K_SIGNATURE, name
    assert v["cv2_bgr"][:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n"
    assert imc.imdecode(v["cv2_bgr16"], -1).dtype == np.uint16
    assert imc.imdecode(v["opj_pgx_gray11"], -1).max() > 255
    # rejected by cv2 and imc alike: sub-sampled, offset, signed, < 8 bits, > 4 components
    for name in ("opj_rgb_subsampled", "opj_raw_yuv420", "opj_rgb_offset", "opj_raw_signed",
                 "opj_raw_gray4", "opj_raw_5comp"):
        assert cv2.imdecode(np.frombuffer(v[name], np.uint8), -1) is None, name
    # 20 and 24 bits: native 32F / 64F, which neither outputs; 8-bit output works
    for name, dtype in (("opj_pgx_gray20", "float32"), ("opj_pgx_gray24", "float64")):
        assert imc.probe(v[name]).dtype == dtype
        assert imc.imdecode(v[name], -1) is None
        assert imc.imdecode(v[name], 0).dtype == np.uint8
    # sYCC really goes through the YUV conversion, gray through BGR2GRAY
    rgb = imc.imdecode(v["box_rgb_enumcs_srgb"], 1)
    assert not np.array_equal(imc.imdecode(v["box_rgb_enumcs_sycc"], 1), rgb)


def test_same_as_opj_decompress(tmp_path):
    """OpenJPEG's own decoder gives the same samples (lossless 8 and 16 bits)."""
    for name, ext, flags in (("opj_rgb", "ppm", 1), ("cv2_bgr16", "ppm", -1),
                             ("opj_gray_j2k", "pgm", 0), ("opj_raw_gray12", "pgm", -1)):
        src = tmp_path / ("in.jp2" if name in ("opj_rgb", "cv2_bgr16") else "in.j2k")
        src.write_bytes(J.jpeg2000_variants()[name])
        out = tmp_path / f"out.{ext}"
        run([tool("opj_decompress"), "-i", str(src), "-o", str(out)])
        ref = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(imc.imdecode(src.read_bytes(), flags), ref), name


def offsets(n):
    """The boxes and main header byte by byte, then a spread through the data."""
    near = range(1, min(n, 240))
    return sorted(set(near) | set(range(240, n, max(1, n // 50))) | set(range(max(1, n - 16), n)))


SWEEP = ["cv2_bgr", "cv2_bgra16", "opj_rgb_tiles", "opj_gray_j2k", "opj_rgb_pcrl_sop_eph",
         "box_palette", "opj_raw_gray12"]


@pytest.mark.parametrize("name", SWEEP)
def test_truncation_sweep(name):
    data = J.jpeg2000_variants()[name]
    for off in offsets(len(data)):
        for flags in SWEEP_FLAGS:
            assert_same_decode(data[:off], flags, f"{name}[:{off}]")


@pytest.mark.parametrize("name", SWEEP)
def test_corruption_sweep(name):
    data = J.jpeg2000_variants()[name]
    # a palette file's native type is where cv2 is wrong: colour and gray only
    sweep_flags = (1, 0) if name in RGB_TWIN else (1, -1, 0)
    for trial, buf in enumerate(corruptions(data, 60, name, head=400, aim=0.5)):
        for flags in sweep_flags:
            assert_same_decode(bytes(buf), flags, f"{name} trial {trial}")


# ---- encoding ---------------------------------------------------------------------
def images():
    s = J.sources()
    img = s["bgr"]
    return {**s, "gray3d": s["gray"][:, :, None], "f32": img.astype(np.float32) * 1.7 - 30.5,
            "s16": img.astype(np.int16) * 3 - 200, "big": V.photo(512, 384)}


PARAMS = [[], [272, 1000], [272, 999], [272, 500], [272, 100], [272, 10], [272, 1], [272, 0],
          [272, -5], [272, 5000], [272, 50, 272, 400], [1, 50]]


@pytest.mark.parametrize("layout", sorted(images()))
def test_bytes_equal_cv2(layout):
    img = images()[layout]
    for params in PARAMS:
        ok, got = imc.imencode(".jp2", img, params)
        assert ok and got.tobytes() == cv2.imencode(".jp2", img, params)[1].tobytes(), params


@pytest.mark.parametrize("layout", ["bgr", "gray", "bgra", "bgr16", "gray16", "bgra16"])
def test_lossless_round_trip(layout):
    img = images()[layout]
    for ext in (".jp2", ".j2k"):
        ok, buf = imc.imencode(ext, img, [imc.IMWRITE_JPEG2000_COMPRESSION_X1000, 1000])
        assert np.array_equal(cv2.imdecode(buf, cv2.IMREAD_UNCHANGED), img), ext
        assert np.array_equal(imc.imdecode(buf, imc.IMREAD_UNCHANGED), img), ext


def test_lossy_within_tolerance():
    img = images()["bgr"]
    for x1000, min_psnr in ((250, 35), (100, 28), (20, 20)):
        buf = imc.imencode(".jp2", img, [imc.IMWRITE_JPEG2000_COMPRESSION_X1000, x1000])[1]
        assert cv2.PSNR(cv2.imdecode(buf, 1), img) > min_psnr, x1000


def test_codestream_extensions():
    img = images()["bgra"]
    jp2 = imc.imencode(".jp2", img)[1].tobytes()
    for ext in (".j2k", ".j2c", ".jpc", ".J2K"):
        j2k = imc.imencode(ext, img)[1].tobytes()
        assert j2k[:4] == J.J2K_SIGNATURE
        for flags in (-1, 1, 0):
            assert_same_decode(j2k, flags, ext)
    for ext in (".jp2", ".j2k", ".j2c", ".jpc"):
        assert imc.have_image_writer(ext) and imc.have_image_reader(ext)
    assert imc.have_image_reader(jp2) and imc.have_image_reader(J.J2K_SIGNATURE + b"\0" * 8)
    assert not imc.have_image_reader(jp2[:11])


def test_rgb_order():
    img = images()["bgra"]
    rgb = img[:, :, [2, 1, 0, 3]].copy()
    assert imc.encode(".jp2", rgb, rgb=True) == imc.encode(".jp2", img)
    for name in ("cv2_bgra", "box_rgb_enumcs_sycc"):
        data = J.jpeg2000_variants()[name]
        bgr = imc.decode(data, -1)
        assert np.array_equal(imc.decode(data, -1, rgb=True), bgr[:, :, [2, 1, 0, 3][:bgr.shape[2]]])


def test_encode_failures_match_cv2():
    # Too small for the 6 resolution levels cv2 (and so imc) asks for.
    for shape in ((1, 1), (31, 40, 3), (40, 31)):
        img = np.zeros(shape, np.uint8)
        with pytest.raises(cv2.error):
            cv2.imencode(".jp2", img)
        with pytest.raises(imc.error):
            imc.imencode(".jp2", img)
    assert imc.imencode(".jp2", np.zeros((32, 32), np.uint8))[0]


def test_cli_formats_and_convert(tmp_path):
    r = subprocess.run([str(CLI), "--formats"], capture_output=True, text=True)
    assert "jpeg2000" in r.stdout and "j2k" in r.stdout
    src = tmp_path / "in.png"
    cv2.imwrite(str(src), images()["bgr16"])
    for ext in ("jp2", "j2k"):
        out = tmp_path / f"out.{ext}"
        r = subprocess.run([str(CLI), "convert", str(src), str(out), "-q", "1000"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert np.array_equal(cv2.imread(str(out), -1), images()["bgr16"])
