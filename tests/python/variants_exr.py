"""OpenEXR files the tests compare on: written by cv2 (FLOAT and HALF, every
compression it decodes), by ImageMagick through OpenEXR's RGBA interface
(RGB, RGBA, Y, YA, and luminance / chroma YC, YCA with sub-sampled chroma),
turned into tiled, mip-mapped, multi-part and environment-map files by
OpenEXR's own tools (exrmaketiled, exrmultipart, exrenvmap, exrstdattr),
and assembled here, uncompressed or ZIP, for the layouts no tool writes
(UINT channels, Z, lone R, sub-sampled RGB, data-window offsets, custom
chromaticities...). cv2 reads EXR only with OPENCV_IO_ENABLE_OPENEXR=1,
which helpers.py sets before importing it."""
import functools
import struct
import zlib
from pathlib import Path

import numpy as np

import variants as V
from external import FILES, IMAGEMAGICK_EXR_CODER, missing
from helpers import cv2, run, tool

HALF, FLOAT, UINT = 1, 2, 0
NONE, RLE, ZIPS, ZIP, PIZ, PXR24, B44, B44A, DWAA, DWAB = range(10)
COMPRESSION_NAMES = ["none", "rle", "zips", "zip", "piz", "pxr24", "b44", "b44a", "dwaa", "dwab"]


def _tmp(name):
    return str(V.WORK / name)


@functools.lru_cache(None)
def hdr_photo(width=203, height=157):
    """The photo as floats around [-1, 3], with a brighter band up to 600."""
    img = V.photo(width, height).astype(np.float32) / 255 * 4 - 1
    img[height // 3: height // 2] *= 200
    return img


def specials(width=20):
    """Values where conversions differ: halves, saturation, NaN, inf."""
    vals = np.array([0.5, 1.5, 2.5, -0.5, 254.5, 255.5, 300.7, -3.5, 1e10, -1e10, np.inf,
                     -np.inf, np.nan, 65504, 65520, 1e-7, -0.0, 6e-5, 127.49, 0.0], np.float32)
    row = np.resize(vals, width)
    return np.stack([row, np.roll(row, 3), np.roll(row, 7)], -1)[None].repeat(5, 0)


# ---- writing EXR files here ------------------------------------------------------
def _attr(name, kind, body):
    return name.encode() + b"\0" + kind.encode() + b"\0" + struct.pack("<i", len(body)) + body


def _chlist(channels):
    out = b""
    for name, ptype, xs, ys, plinear in sorted(channels, key=lambda c: c[0].encode()):
        out += name.encode() + b"\0" + struct.pack("<iB3xii", ptype, plinear, xs, ys)
    return out + b"\0"


def _zip_encode(raw):
    """OpenEXR's ZIP: split even/odd bytes, delta predictor, deflate."""
    t = np.frombuffer(raw, np.uint8)
    t = np.concatenate([t[0::2], t[1::2]]).astype(np.int32)
    d = t.copy()
    d[1:] = (t[1:] - t[:-1] + 128 + 256) & 0xFF
    return zlib.compress(d.astype(np.uint8).tobytes())


LINES_PER_CHUNK = {NONE: 1, ZIPS: 1, ZIP: 16}


def make_exr(planes, window=None, compression=NONE, line_order=0, chroma=None, extra=b"",
             storage=None, long_names=False, empty_chunk=b""):
    """A scanline EXR file. planes: {name: (array, type, xs, ys[, plinear])}
    where a sub-sampled channel's array already has the sub-sampled shape;
    window: (xmin, ymin) of the data window (size from the arrays);
    empty_chunk: what a chunk without samples holds."""
    h = max(p[0].shape[0] * p[3] for p in planes.values())
    w = max(p[0].shape[1] * p[2] for p in planes.values())
    x0, y0 = window or (0, 0)
    box = struct.pack("<iiii", x0, y0, x0 + w - 1, y0 + h - 1)
    chans = [(n, p[1], p[2], p[3], p[4] if len(p) > 4 else 0) for n, p in planes.items()]
    header = (_attr("channels", "chlist", _chlist(chans)) +
              _attr("compression", "compression", bytes([compression])) +
              _attr("dataWindow", "box2i", box) + _attr("displayWindow", "box2i", box) +
              _attr("lineOrder", "lineOrder", bytes([line_order])) +
              _attr("pixelAspectRatio", "float", struct.pack("<f", 1)) +
              _attr("screenWindowCenter", "v2f", struct.pack("<ff", 0, 0)) +
              _attr("screenWindowWidth", "float", struct.pack("<f", 1)))
    if chroma is not None:
        header += _attr("chromaticities", "chromaticities", struct.pack("<8f", *chroma))
    if storage:
        header += _attr("type", "string", storage.encode())
    header += extra
    version = 2 | (0x400 if long_names else 0) | (0x800 if storage == "deepscanline" else 0)
    head = b"\x76\x2f\x31\x01" + struct.pack("<i", version) + header + b"\0"
    lines = LINES_PER_CHUNK[compression]
    chunks = []
    dtypes = {HALF: "<f2", FLOAT: "<f4", UINT: "<u4"}
    for cy in range(0, h, lines):
        raw = b""
        for y in range(cy, min(cy + lines, h)):
            for name, ptype, xs, ys, _ in sorted(chans, key=lambda c: c[0].encode()):
                if (y0 + y) % ys == 0:
                    raw += planes[name][0][y // ys].astype(dtypes[ptype]).tobytes()
        data = raw or empty_chunk
        if compression != NONE:
            packed = _zip_encode(raw)
            data = packed if len(packed) < len(raw) else raw
        chunks.append(struct.pack("<ii", y0 + cy, len(data)) + data)
    order = range(len(chunks)) if line_order == 0 else range(len(chunks) - 1, -1, -1)
    offsets = [0] * len(chunks)
    at = len(head) + 8 * len(chunks)
    body = b""
    for i in order:
        offsets[i] = at + len(body)
        body += chunks[i]
    return head + struct.pack(f"<{len(chunks)}Q", *offsets) + body


def _exr_tool(name, data, *args, out_args=()):
    src, dst = _tmp(f"{name}_in.exr"), _tmp(f"{name}_out.exr")
    Path(src).write_bytes(data)
    run([tool(name), *args, src, *out_args, dst])
    return Path(dst).read_bytes()


def _convert(img16, *args):
    """ImageMagick's EXR writer. Without its EXR coder ImageMagick takes
    "exr:NAME" for a plain file name and writes PNG there, so the output is
    checked, and it goes into the scratch folder whatever happens."""
    src, dst = _tmp("im_src.png"), _tmp("im_out.exr")
    cv2.imwrite(src, img16)
    Path(dst).unlink(missing_ok=True)
    run([tool("convert"), src, *args, f"exr:{dst}"])
    data = Path(dst).read_bytes() if Path(dst).exists() else b""
    if data[:4] != b"\x76\x2f\x31\x01":
        raise missing("ImageMagick's EXR coder", FILES[IMAGEMAGICK_EXR_CODER])
    return data


def _multipart(*files):
    paths = []
    for i, data in enumerate(files):
        p = _tmp(f"part{i}.exr")
        Path(p).write_bytes(data)
        paths.append(p)
    dst = _tmp("multi.exr")
    run([tool("exrmultipart"), "-combine", "-i", *paths, "-o", dst])
    return Path(dst).read_bytes()


# ---- the variants ----------------------------------------------------------------
def cv2_exr(img, exr_type=FLOAT, compression=ZIP):
    params = [cv2.IMWRITE_EXR_TYPE, exr_type, cv2.IMWRITE_EXR_COMPRESSION, compression]
    return cv2.imencode(".exr", img, params)[1].tobytes()


@functools.lru_cache(None)
def exr_variants():
    img = hdr_photo()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    bgra = np.dstack([img, np.linspace(-0.5, 1.5, img.shape[1], dtype=np.float32)[None, :]
                      .repeat(img.shape[0], 0)])
    v = {}
    for name, im in (("bgr", img), ("gray", gray), ("bgra", bgra)):
        for t, tname in ((FLOAT, "float"), (HALF, "half")):
            for c in range(DWAA):
                v[f"cv2_{name}_{tname}_{COMPRESSION_NAMES[c]}"] = cv2_exr(im, t, c)
    v["cv2_specials_float"] = cv2_exr(specials(), FLOAT, NONE)
    v["cv2_specials_half"] = cv2_exr(specials(), HALF, ZIP)
    v["cv2_specials_gray"] = cv2_exr(specials()[:, :, 0].copy(), FLOAT, ZIPS)
    even = hdr_photo(204, 156)
    v["cv2_even_bgr"] = cv2_exr(even)                    # REDUCED_2: INTER_AREA path
    v["cv2_even_gray"] = cv2_exr(cv2.cvtColor(even, cv2.COLOR_BGR2GRAY), HALF)
    v["cv2_even_bgra"] = cv2_exr(np.dstack([even, even[:, :, 0]]))
    v["cv2_tiny_1x1"] = cv2_exr(hdr_photo(1, 1))
    v["cv2_tiny_1x1_b44"] = cv2_exr(hdr_photo(1, 1), HALF, B44)  # stored raw
    v["cv2_line_7x1"] = cv2_exr(hdr_photo(7, 1), HALF, PIZ)

    # Even sizes: luminance / chroma sub-samples 2 x 2.
    src16 = V.photo(204, 156).astype(np.uint16) * 257
    src16a = V.photo_alpha(204, 156).astype(np.uint16) * 257
    for ct in ("RGB", "RGBA", "Y", "YA", "YC", "YCA", "R", "G", "B"):
        v[f"im_{ct}"] = _convert(src16a if "A" in ct else src16, "-define",
                                 f"exr:color-type={ct}")
    for comp in ("rle", "zip", "piz", "pxr24", "b44", "b44a"):
        v[f"im_YC_{comp}"] = _convert(src16, "-define", "exr:color-type=YC", "-compress", comp)
        v[f"im_RGBA_{comp}"] = _convert(src16a, "-compress", comp)
    v["im_YCA_small_4x2"] = _convert(src16a[:2, :4], "-define", "exr:color-type=YCA")

    base = v["cv2_bgr_half_zip"]
    v["tiled_one_level"] = _exr_tool("exrmaketiled", base, "-o", "-t", "32", "16")
    v["tiled_mipmap"] = _exr_tool("exrmaketiled", base, "-m", "-z", "piz")
    v["tiled_ripmap_up"] = _exr_tool("exrmaketiled", base, "-r", "-u", "-t", "50", "20")
    v["tiled_gray_none"] = _exr_tool("exrmaketiled", v["cv2_gray_float_zip"], "-z", "none",
                                     "-t", "16", "16")
    v["tiled_bgra_b44a"] = _exr_tool("exrmaketiled", v["cv2_bgra_half_zip"], "-z", "b44a")
    v["multipart_rgb_gray"] = _multipart(base, v["cv2_gray_float_zip"])
    v["multipart_gray_rgb"] = _multipart(v["cv2_gray_float_zip"], base)
    v["chroma_rgb"] = _exr_tool("exrstdattr", base, "-chromaticities", "0.7", "0.28", "0.17",
                                "0.8", "0.13", "0.04", "0.32", "0.33")
    v["chroma_yc"] = _exr_tool("exrstdattr", v["im_YC"], "-chromaticities", "0.7", "0.28",
                               "0.17", "0.8", "0.13", "0.04", "0.32", "0.33")
    v["envmap_cube"] = _exr_tool("exrenvmap", _latlong(), "-c", "-w", "32")
    v.update(built_variants())
    return v


def _latlong():
    """A latitude-longitude environment map (exrenvmap's input)."""
    data = cv2_exr(hdr_photo(64, 32), HALF, ZIP)
    return _exr_tool("exrstdattr", data, "-envmap", "LATLONG")


def built_variants():
    img = hdr_photo(48, 36)
    b, g, r = (img[:, :, i] for i in range(3))
    y = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    a = np.linspace(0, 1, 48, dtype=np.float32)[None].repeat(36, 0)
    sub = lambda p, xs, ys: p[::ys, ::xs]  # noqa: E731
    v = {}
    u = (np.abs(img) * 1000).astype(np.uint32)
    u[0, :8] = np.array([0, 1, 255, 256, 65535, 2 ** 31, 4000000000, 2 ** 32 - 1])[:, None]
    v["built_uint_rgb"] = make_exr({"R": (u[:, :, 2], UINT, 1, 1), "G": (u[:, :, 1], UINT, 1, 1),
                                    "B": (u[:, :, 0], UINT, 1, 1)})
    v["built_mixed_types"] = make_exr({"R": (r, HALF, 1, 1), "G": (g, FLOAT, 1, 1),
                                       "B": (u[:, :, 0], UINT, 1, 1)}, compression=ZIP)
    v["built_z_only"] = make_exr({"Z": (y, FLOAT, 1, 1)})
    v["built_z_and_a"] = make_exr({"Z": (y, FLOAT, 1, 1), "A": (a, HALF, 1, 1)})
    v["built_r_only"] = make_exr({"R": (r, FLOAT, 1, 1)})
    v["built_g_a"] = make_exr({"G": (g, HALF, 1, 1), "A": (a, HALF, 1, 1)})
    v["built_y_ry"] = make_exr({"Y": (y, HALF, 1, 1), "RY": (r - y, HALF, 1, 1)})
    v["built_yc_full"] = make_exr({"Y": (y, FLOAT, 1, 1), "RY": (r / (y + 1.5) - 1, FLOAT, 1, 1),
                                   "BY": (b / (y + 1.5) - 1, FLOAT, 1, 1)})
    v["built_yc_sub"] = make_exr({"Y": (y, HALF, 1, 1), "RY": (sub(r - y, 2, 2), HALF, 2, 2, 1),
                                  "BY": (sub(b - y, 2, 2), HALF, 2, 2, 1)}, compression=ZIP)
    v["built_yca_sub"] = make_exr({"Y": (y, HALF, 1, 1), "A": (a, HALF, 1, 1),
                                   "RY": (sub(r - y, 2, 2), HALF, 2, 2),
                                   "BY": (sub(b - y, 2, 2), HALF, 2, 2)})
    v["built_rgb_sub"] = make_exr({"R": (sub(r, 1, 2), FLOAT, 1, 2), "G": (g, FLOAT, 1, 1),
                                   "B": (sub(b, 2, 1), FLOAT, 2, 1)})
    v["built_rgb_sub_3x3"] = make_exr({"R": (sub(r, 3, 3), HALF, 3, 3), "G": (g, HALF, 1, 1),
                                       "B": (b, HALF, 1, 1)})
    v["built_y_sub"] = make_exr({"Y": (sub(y, 2, 2), FLOAT, 2, 2)}, compression=ZIPS)
    v["built_ya_sub"] = make_exr({"Y": (sub(y, 4, 2), HALF, 4, 2), "A": (a, HALF, 1, 1)})
    # Every channel sub-sampled vertically: odd scanlines have no samples, so
    # their chunks are empty, or hold bytes readers skip (cv2 does; fuzz_exr:
    # imc copied those from a null buffer).
    for name, empty in (("built_rows_without_samples", b""),
                        ("built_rows_without_samples_padded", b"\x55" * 96)):
        v[name] = make_exr({"R": (sub(r, 1, 2), HALF, 1, 2), "G": (sub(g, 1, 2), HALF, 1, 2),
                            "B": (sub(b, 2, 4), HALF, 2, 4)},
                           empty_chunk=empty)
    v["built_window_offset"] = make_exr({"R": (r, HALF, 1, 1), "G": (g, HALF, 1, 1),
                                         "B": (b, HALF, 1, 1)}, window=(5, -3), compression=ZIP)
    v["built_window_offset_y"] = make_exr({"Y": (y, FLOAT, 1, 1), "A": (a, FLOAT, 1, 1)},
                                          window=(-7, 11))
    v["built_decreasing_y"] = make_exr({"R": (r, HALF, 1, 1), "G": (g, HALF, 1, 1),
                                        "B": (b, HALF, 1, 1)}, line_order=1, compression=ZIP)
    v["built_chroma_y"] = make_exr({"Y": (y, HALF, 1, 1), "RY": (r - y, HALF, 1, 1),
                                    "BY": (b - y, HALF, 1, 1)},
                                   chroma=(0.7, 0.28, 0.17, 0.8, 0.13, 0.04, 0.32, 0.33))
    v["built_chroma_wrong_type"] = make_exr(
        {"R": (r, HALF, 1, 1), "G": (g, HALF, 1, 1), "B": (b, HALF, 1, 1)},
        extra=_attr("chromaticities", "v2f", struct.pack("<ff", 0.5, 0.5)))
    v["built_layers_only"] = make_exr({"diffuse.R": (r, HALF, 1, 1), "diffuse.G": (g, HALF, 1, 1)})
    v["built_alpha_only"] = make_exr({"A": (a, HALF, 1, 1)})
    v["built_extra_channels"] = make_exr({"R": (r, HALF, 1, 1), "G": (g, HALF, 1, 1),
                                          "B": (b, HALF, 1, 1), "A": (a, FLOAT, 1, 1),
                                          "Z": (y, FLOAT, 1, 1), "spec.R": (g, HALF, 1, 1)})
    v["built_long_names"] = make_exr({"Y": (y, HALF, 1, 1),
                                      "a_channel_name_longer_than_31_chars": (a, HALF, 1, 1)},
                                     long_names=True)
    v["built_deep_header"] = make_exr({"R": (r, HALF, 1, 1)}, storage="deepscanline")
    v["built_specials_yc"] = make_exr({"Y": (specials()[:, :, 0], FLOAT, 1, 1),
                                       "RY": (specials()[:, :, 1], FLOAT, 1, 1),
                                       "BY": (specials()[:, :, 2], FLOAT, 1, 1)})
    return v


def sub_window_offset():
    """Sub-sampled channels in a data window off the origin: cv2 computes
    addresses before its buffer there, so it is not run on this; imc fails."""
    y = cv2.cvtColor(hdr_photo(48, 36), cv2.COLOR_BGR2GRAY)
    return make_exr({"Y": (y[::2, ::2], HALF, 2, 2)}, window=(4, 2))


def alpha_subsampled():
    """A sub-sampled alpha: cv2 never expands it, leaving 3 of 4 alpha samples
    uninitialized for IMREAD_UNCHANGED; every other flag is defined."""
    y = cv2.cvtColor(hdr_photo(48, 36), cv2.COLOR_BGR2GRAY)
    return make_exr({"R": (y, HALF, 1, 1), "A": (y[::2, ::2], HALF, 2, 2)})


def channel_names(data):
    """Channel names of the first part's header (a small parser for tests;
    [] where it cannot tell)."""
    try:
        return _channel_names(data)
    except (IndexError, ValueError, struct.error, UnicodeDecodeError):
        return []


def _channel_names(data):
    at = 8
    while data[at] != 0:
        name_end = data.index(b"\0", at)
        type_end = data.index(b"\0", name_end + 1)
        size = struct.unpack("<i", data[type_end + 1:type_end + 5])[0]
        body = data[type_end + 5:type_end + 5 + size]
        if data[at:name_end] == b"channels":
            names, i = [], 0
            while body[i] != 0:
                end = body.index(b"\0", i)
                names.append(body[i:end].decode())
                i = end + 1 + 16
            return names
        at = type_end + 5 + size
    return []
