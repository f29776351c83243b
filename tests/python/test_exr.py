"""OpenEXR (OpenEXRCore): decoding equals cv2.imdecode for every flag, sample
for sample (bit patterns, so NaNs count), on files from cv2, ImageMagick,
OpenEXR's tools and the layouts variants_exr assembles; what imc writes,
cv2 reads back exactly. cv2 has EXR enabled by helpers.py."""

import numpy as np
import pytest

import variants_exr as E
from helpers import (ALL_FLAGS, SWEEP_FLAGS, cv2, cv2_decode, describe, imc, imc_decode,
                     requires_codec)
from test_damage import corruptions

pytestmark = requires_codec("exr")


def native_type(flags):
    """cv2 keeps the file's type (IMREAD_UNCHANGED, or the LOAD_GDAL bit)."""
    return flags == -1 or flags & 8 == 8


def writes_bytes_into_floats(data, flags):
    """cv2's case of writing 8-bit samples into the first quarter of each
    row of a 32F output (the rest stays uninitialized): a luminance file
    read with IMREAD_ANYDEPTH into the other colour-ness."""
    names = set(E.channel_names(data))
    if names & {"R", "G", "B"} or not names & {"Y", "Z"} or native_type(flags) or not flags & 2:
        return False
    color_out = bool(flags & 1) or (bool(flags & 4) and "A" in names | {"RY", "BY"} & names)
    chroma = bool(names & {"RY", "BY"})
    return color_out != chroma


def assert_same_exr(data, flags, label=""):
    want, got = cv2_decode(data, flags), imc_decode(data, flags)
    where = f"{label} flags={flags}"
    assert describe(got) == describe(want), f"{where}: imc {describe(got)} vs cv2 {describe(want)}"
    if not isinstance(want, np.ndarray):
        return
    w, h = want.shape[1], want.shape[0]
    a, b = want.reshape(h, -1).view(np.uint8), got.reshape(h, -1).view(np.uint8)
    if writes_bytes_into_floats(data, flags):
        if flags & (16 | 32 | 64):
            return                  # cv2 then resizes partly uninitialized floats
        cn = 1 if want.ndim == 2 else want.shape[2]
        a, b = a[:, :w * cn], b[:, :w * cn]        # what cv2 wrote
        assert not b[:, w * cn:].any() if b.shape[1] > w * cn else True
    diff = a != b
    if diff.any() and want.dtype == np.float32 and not writes_bytes_into_floats(data, flags):
        # NaN sign and payload after cv2's float arithmetic depend on how its
        # compiler ordered commutative operations: any NaN matches any NaN.
        fa, fb = want.reshape(h, -1), got.reshape(h, -1)
        nan = np.repeat(np.isnan(fa) & np.isnan(fb), 4, axis=1)
        diff &= ~nan
    diff = np.argwhere(diff)
    assert not len(diff), f"{where}: {len(diff)} bytes differ, first at {diff[0].tolist()}"


@pytest.mark.parametrize("name", sorted(E.exr_variants()))
def test_decode_every_flag(name):
    data = E.exr_variants()[name]
    for flags in ALL_FLAGS:
        assert_same_exr(data, flags, name)


def test_the_oracle_sees_what_matters():
    v = E.exr_variants()
    # The garbage case really is garbage past the bytes cv2 writes...
    a = cv2_decode(v["cv2_gray_float_none"], 3)
    assert a.dtype == np.float32 and a.shape[2] == 3
    b = imc_decode(v["cv2_gray_float_none"], 3)
    row = b[0].view(np.uint8).ravel()
    assert np.array_equal(row[:203 * 3], cv2_decode(v["cv2_gray_float_none"], 1)[0].ravel())
    # ... and only there.
    assert not writes_bytes_into_floats(v["cv2_gray_float_none"], -1)
    assert writes_bytes_into_floats(v["im_YC"], 2) and not writes_bytes_into_floats(v["im_YC"], 3)
    # Z reads as zeros, UINT converts, the chroma attribute changes gray.
    assert not imc.imdecode(v["built_z_only"], -1).any()
    assert imc.imdecode(v["built_uint_rgb"], -1)[0, 6, 0] == np.float32(4000000000)
    assert not np.array_equal(imc.imdecode(v["chroma_rgb"], 0), imc.imdecode(v["cv2_bgr_half_zip"], 0))
    # NaN payloads and signed zeros survive decoding bit for bit.
    for name in ("cv2_specials_float", "cv2_specials_half", "cv2_specials_gray"):
        s = imc.imdecode(v[name], -1)
        assert np.isnan(s).any() and np.signbit(s[s == 0]).any()
        assert s.tobytes() == cv2_decode(v[name], -1).tobytes()


def test_alpha_subsampled():
    """cv2 leaves 3 of 4 alpha samples uninitialized for IMREAD_UNCHANGED:
    compared where it writes them; every other flag in full."""
    data = E.alpha_subsampled()
    for flags in ALL_FLAGS:
        if not native_type(flags):
            assert_same_exr(data, flags, "alpha_subsampled")
    a, b = cv2.imdecode(np.frombuffer(data, np.uint8), -1), imc.imdecode(data, -1)
    assert np.array_equal(a[:, :, :3], b[:, :, :3])
    h, w = a.shape[:2]
    assert np.array_equal(a[:h // 2, :w // 2, 3], b[:h // 2, :w // 2, 3])


def test_unsupported_layouts_fail_cleanly():
    with pytest.raises(imc.error) as e:
        imc.decode(E.sub_window_offset(), -1)
    assert e.value.code == imc.ERR_UNSUPPORTED and "sub-sampled" in str(e.value)
    assert imc.imdecode(E.sub_window_offset(), 1) is None


def test_dwa_needs_newer_openexr():
    """OpenEXRCore 3.1 has no DWAA / DWAB codec: imc says so (cv2 reads and
    writes them through the C++ library). See docs/compat.md."""
    img = E.hdr_photo()
    for comp in (E.DWAA, E.DWAB):
        data = E.cv2_exr(img, E.HALF, comp)
        assert cv2_decode(data, -1).shape == img.shape
        with pytest.raises(imc.error) as e:
            imc.decode(data, -1)
        assert "DWA" in str(e.value) or "not yet implemented" in str(e.value).lower() or \
            e.value.code == imc.ERR_UNSUPPORTED
        with pytest.raises(imc.error):
            imc.imencode(".exr", img, [imc.IMWRITE_EXR_COMPRESSION, comp])


SWEEP = ["cv2_bgr_half_zip", "cv2_gray_float_none", "im_YC_piz", "tiled_mipmap",
         "cv2_bgra_half_pxr24", "cv2_bgr_half_b44", "built_yc_sub", "multipart_rgb_gray"]


@pytest.mark.parametrize("name", SWEEP)
def test_truncation_sweep(name):
    data = E.exr_variants()[name]
    n = len(data)
    offs = sorted(set(range(1, min(n, 400))) | set(range(400, n, max(1, n // 60))) |
                  set(range(max(1, n - 24), n)))
    for off in offs:
        for flags in SWEEP_FLAGS:
            assert_same_exr(data[:off], flags, f"{name}[:{off}]")


# ---- encoding ---------------------------------------------------------------------
def images():
    img = E.hdr_photo()
    return {"bgr": img, "gray": cv2.cvtColor(img, cv2.COLOR_BGR2GRAY),
            "bgra": np.dstack([img, img[:, :, 1] * 0.5 - 0.25]), "specials": E.specials(),
            "gray_specials": E.specials()[:, :, 0].copy(), "tiny": E.hdr_photo(1, 1)}


WRITE_PARAMS = [[]] + [[48, t, 49, c] for t in (1, 2) for c in range(8)] + [[48, 1], [49, 0],
                                                                             [50, 10, 49, 3]]


@pytest.mark.parametrize("layout", sorted(images()))
def test_bytes_equal_cv2_and_read_back(layout):
    img = images()[layout]
    for params in WRITE_PARAMS:
        ours = imc.imencode(".exr", img, params)[1]
        theirs = cv2.imencode(".exr", img, params)[1]
        assert ours.tobytes() == theirs.tobytes(), params       # cv2's bytes
        a = cv2.imdecode(ours, cv2.IMREAD_UNCHANGED)
        b = cv2.imdecode(theirs, cv2.IMREAD_UNCHANGED)
        assert a.tobytes() == b.tobytes(), params
        p = dict(zip(params[::2], params[1::2]))
        if p.get(48, 2) == 2 and p.get(49, 3) != 5:
            assert a.tobytes() == img.tobytes(), params          # FLOAT, not PXR24: lossless
        assert E.channel_names(ours.tobytes()) == E.channel_names(theirs.tobytes())
    ours = imc.imencode(".exr", img, [49, 6])[1].tobytes()
    for flags in SWEEP_FLAGS:
        assert_same_exr(ours, flags, f"imc-written {layout}")


def test_written_files_are_standard(tmp_path):
    from helpers import run, tool
    for params in ([], [48, 1, 49, 4], [49, 9 - 2]):
        p = tmp_path / "x.exr"
        p.write_bytes(imc.imencode(".exr", images()["bgra"], params)[1].tobytes())
        out = run([tool("exrheader"), str(p)]).stdout.decode()
        assert "A, 32-bit" in out or "A, 16-bit" in out
        comp = {4: "piz", 7: "b44a"}.get(params[-1] if params else 3, "zip")
        assert f"compression (type compression): {comp}" in out


def test_param_errors_match_cv2():
    img = images()["bgr"]
    for params in ([48, 0], [48, 3], [49, -1], [49, 10], [48, 2, 49, 12]):
        with pytest.raises(cv2.error):
            cv2.imencode(".exr", img, params)
        with pytest.raises(imc.error) as e:
            imc.imencode(".exr", img, params)
        assert e.value.code == imc.ERR_PARAM
    for bad in (img.astype(np.uint8), img.astype(np.uint16), img.astype(np.float64)):
        with pytest.raises(cv2.error):
            cv2.imencode(".exr", bad)
        with pytest.raises(imc.error):
            imc.imencode(".exr", bad)
    # Unknown ids are ignored, as in cv2; the DWA level (newer OpenCV) is accepted.
    assert imc.imencode(".exr", img, [1, 50, 50, 100])[0]


def test_rgb_order():
    img = images()["bgra"]
    rgb = img[:, :, [2, 1, 0, 3]].copy()
    assert imc.encode(".exr", rgb, rgb=True) == imc.encode(".exr", img)
    for name in ("cv2_bgra_half_zip", "im_YCA", "built_yc_sub"):
        data = E.exr_variants()[name]
        for flags in (-1, 1, 2 | 1):
            bgr = imc.decode(data, flags)
            order = [2, 1, 0, 3][:bgr.shape[2]]
            assert imc.decode(data, flags, rgb=True).tobytes() == bgr[:, :, order].tobytes()


def test_formats():
    assert imc.have_image_reader(".exr") and imc.have_image_writer("x.EXR")
    assert imc.have_image_reader(b"\x76\x2f\x31\x01\x02\0\0\0")
    assert imc.probe(E.exr_variants()["im_YA"])[3:5] == (2, "float32")
    assert imc.IMWRITE_EXR_DWA_COMPRESSION_LEVEL == 50


# Corrupted files: where OpenEXRCore's decompressors reject data that the
# C++ library (cv2's) decodes to garbage, imc fails; everything else agrees.
# docs/compat.md lists this; the bound keeps it from growing unnoticed.
TOLERATED = ("Unable to decompress", "invalid packed size", "Invalid chunk count",
             "uncompressed chunk too short", "chunkCount")


@pytest.mark.parametrize("name", SWEEP + ["cv2_bgr_float_rle", "cv2_bgr_half_zips"])
def test_corruption_sweep(name):
    data = E.exr_variants()[name]
    tolerated = 0
    for trial, buf in enumerate(corruptions(data, 120, name, head=600, aim=0.5)):
        buf = bytes(buf)
        try:
            imc.decode(buf, -1)
        except imc.error as e:
            if any(t in str(e) for t in TOLERATED) and isinstance(cv2_decode(buf, -1), np.ndarray):
                tolerated += 1
                continue
        for flags in (1, -1, 0):
            assert_same_exr(buf, flags, f"{name} trial {trial}")
    assert tolerated <= 30, tolerated       # PIZ data trips OpenEXRCore most
