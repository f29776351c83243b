"""JPEG 2000 files the tests compare on: written by cv2, Pillow, OpenJPEG's
own opj_compress and ImageMagick from the real sample photos, in .jp2 boxes
and as raw codestreams, 8 to 16 bits (and the precisions cv2 rejects), with
the coding options each tool has. JP2 boxes are rebuilt around OpenJPEG
codestreams for the colour spaces, palettes and channel definitions no tool
here writes (the same kind of surgery as the EXIF cases in variants.py)."""
import functools
import io
import struct
from pathlib import Path

import numpy as np
from PIL import Image

import variants as V
from helpers import cv2, run, tool

J2K_SIGNATURE = b"\xff\x4f\xff\x51"


def _tmp(name):
    return str(V.WORK / name)


def _rgb(img):
    return img[:, :, ::-1] if img.ndim == 3 and img.shape[2] == 3 else \
        img[:, :, [2, 1, 0, 3]] if img.ndim == 3 else img


def _pil(img, mode=None, **kw):
    arr = _rgb(img)
    im = Image.fromarray(arr, mode) if mode else Image.fromarray(arr)
    b = io.BytesIO()
    im.save(b, "JPEG2000", **kw)
    return b.getvalue()


def _opj(src_path, *args, out="jp2"):
    dst = _tmp(f"opj_out.{out}")
    run([tool("opj_compress"), "-i", src_path, "-o", dst, *args])
    return Path(dst).read_bytes()


def _opj_image(img, *args, out="jp2"):
    """opj_compress from a PGM/PPM (8 or 16 bits, as cv2 writes them)."""
    src = _tmp("opj_src.pgm" if img.ndim == 2 else "opj_src.ppm")
    cv2.imwrite(src, img)
    return _opj(src, *args, out=out)


def _opj_raw(planes, bits, signed=False, subsampling=None, out="j2k", args=()):
    """opj_compress from raw big-endian planes, any precision and sampling:
    planes are 2-D integer arrays (sub-sampled ones smaller)."""
    h, w = planes[0].shape
    dtype = ">u2" if bits > 8 else "u1"
    if signed:
        dtype = ">i2" if bits > 8 else "i1"
    data = b"".join(np.ascontiguousarray(p).astype(dtype).tobytes() for p in planes)
    src = _tmp("opj_src.raw")
    Path(src).write_bytes(data)
    sub = ":".join(subsampling or ["1x1"] * len(planes))
    spec = f"{w},{h},{len(planes)},{bits},{'s' if signed else 'u'}@{sub}"
    return _opj(src, "-F", spec, *args, out=out)


def _opj_pgx(plane, bits, out="j2k"):
    """opj_compress from a one-component PGX file: any precision to 31 bits."""
    dtype = "u1" if bits <= 8 else ">u2" if bits <= 16 else ">u4"
    src = _tmp("opj_src.pgx")
    h, w = plane.shape
    Path(src).write_bytes(b"PG ML + %d %d %d\n" % (bits, w, h) + plane.astype(dtype).tobytes())
    return _opj(src, out=out)


def _convert(img, *args, out="jp2:-"):
    src = _tmp("im_src.png")
    cv2.imwrite(src, img)
    return run([tool("convert"), src, *args, out]).stdout


# ---- JP2 boxes ---------------------------------------------------------------
def box(kind, body):
    return struct.pack(">I", 8 + len(body)) + kind + body


def codestream_info(j2k):
    """(width, height, components, bits) from the SIZ segment."""
    assert j2k[:4] == J2K_SIGNATURE
    xsiz, ysiz, x0, y0 = struct.unpack(">IIII", j2k[8:24])
    ncomp = struct.unpack(">H", j2k[40:42])[0]
    ssiz = j2k[42]
    return xsiz - x0, ysiz - y0, ncomp, (ssiz & 0x7F) + 1


def jp2_wrap(j2k, enumcs=16, extra=b"", colr=None):
    """A JP2 file around a codestream: signature, ftyp, jp2h (ihdr, colr and
    `extra` boxes), jp2c."""
    w, h, nc, bits = codestream_info(j2k)
    ihdr = box(b"ihdr", struct.pack(">IIHBBBB", h, w, nc, bits - 1, 7, 0, 0))
    if colr is None:
        colr = struct.pack(">BBBI", 1, 0, 0, enumcs)
    jp2h = box(b"jp2h", ihdr + box(b"colr", colr) + extra)
    return (b"\x00\x00\x00\x0cjP  \r\n\x87\n" + box(b"ftyp", b"jp2 \x00\x00\x00\x00jp2 ")
            + jp2h + box(b"jp2c", j2k))


def pclr_box(palette, bits=8):
    """palette: (entries, columns) array."""
    n, cols = palette.shape
    body = struct.pack(">HB", n, cols) + bytes([bits - 1] * cols)
    body += palette.astype(np.uint8 if bits <= 8 else ">u2").tobytes()
    return box(b"pclr", body)


def cmap_box(columns):
    return box(b"cmap", b"".join(struct.pack(">HBB", 0, 1, c) for c in range(columns)))


def cdef_box(entries):
    """entries: (channel, type, association) triples; type 1 is opacity."""
    return box(b"cdef", struct.pack(">H", len(entries)) +
               b"".join(struct.pack(">HHH", *e) for e in entries))


# ---- the variants --------------------------------------------------------------
@functools.lru_cache(None)
def sources():
    img, bgra = V.photo(), V.photo_alpha()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    ramp = np.arange(img.shape[1], dtype=np.uint16)[None, :]
    return {
        "bgr": img, "gray": gray, "bgra": bgra,
        "bgr16": img.astype(np.uint16) * 257 + ramp[:, :, None] % 251,
        "gray16": gray.astype(np.uint16) * 256 + 255 - gray,
        "bgra16": bgra.astype(np.uint16) * 250 + 17,
    }


@functools.lru_cache(None)
def jpeg2000_variants():
    s = sources()
    img, gray, bgra = s["bgr"], s["gray"], s["bgra"]
    v = {}
    enc = lambda im, p=(): cv2.imencode(".jp2", im, list(p))[1].tobytes()  # noqa: E731
    for name, im in s.items():
        v[f"cv2_{name}"] = enc(im)
    v["cv2_bgr_lossless"] = enc(img, [cv2.IMWRITE_JPEG2000_COMPRESSION_X1000, 1000])
    v["cv2_bgr_x100"] = enc(img, [cv2.IMWRITE_JPEG2000_COMPRESSION_X1000, 100])
    v["cv2_bgr_x1"] = enc(img, [cv2.IMWRITE_JPEG2000_COMPRESSION_X1000, 1])
    v["cv2_gray16_x50"] = enc(s["gray16"], [cv2.IMWRITE_JPEG2000_COMPRESSION_X1000, 50])
    v["cv2_small_32x32"] = enc(V.photo(32, 32))           # the smallest 6 resolutions allow

    v["pil_rgb"] = _pil(img)
    v["pil_rgb_j2k"] = _pil(img, no_jp2=True)
    v["pil_rgb_irreversible"] = _pil(img, irreversible=True, quality_mode="rates",
                                     quality_layers=[20])
    v["pil_rgb_layers"] = _pil(img, quality_mode="dB", quality_layers=[30, 40, 50])
    v["pil_rgb_rlcp_tiles"] = _pil(img, progression="RLCP", tile_size=(64, 48),
                                   num_resolutions=3)
    v["pil_rgb_cprl"] = _pil(img, progression="CPRL", codeblock_size=(16, 16))
    v["pil_gray"] = _pil(gray)
    v["pil_LA"] = _pil_la(bgra)
    v["pil_rgba"] = _pil(bgra)
    v["pil_rgba_j2k"] = _pil(bgra, no_jp2=True)
    v["pil_I16"] = _pil_i16(s["gray16"])
    v["pil_mct0"] = _pil(img, mct=0)

    v["opj_rgb"] = _opj_image(img)
    v["opj_rgb_j2k"] = _opj_image(img, out="j2k")
    v["opj_rgb_r20_r10"] = _opj_image(img, "-r", "40,20,10")
    v["opj_rgb_n2"] = _opj_image(img, "-n", "2")
    v["opj_rgb_tiles"] = _opj_image(img, "-t", "64,32", "-p", "RPCL")
    v["opj_rgb_tile_offset"] = _opj_image(img, "-d", "9,11", "-t", "50,40", "-T", "7,9")
    v["opj_rgb_pcrl_sop_eph"] = _opj_image(img, "-p", "PCRL", "-SOP", "-EPH", "-c",
                                           "[64,64],[32,32]")
    v["opj_rgb_irreversible"] = _opj_image(img, "-I", "-r", "15")
    v["opj_rgb_mct0"] = _opj_image(img, "-mct", "0")
    v["opj_rgb_modes"] = _opj_image(img, "-M", "63", "-b", "16,16")
    v["opj_rgb_plt_tlm"] = _opj_image(img, "-PLT", "-TLM", "-t", "100,100")
    v["opj_rgb_offset"] = _opj_image(img, "-d", "4,2")
    v["opj_rgb_subsampled"] = _opj_image(img, "-s", "2,2")
    v["opj_tiny_1x1"] = _opj_image(V.photo(1, 1), "-n", "1")
    v["opj_tiny_1x9_gray"] = _opj_image(cv2.cvtColor(V.photo(1, 9), cv2.COLOR_BGR2GRAY), "-n", "1")
    v["opj_gray"] = _opj_image(gray)
    v["opj_gray_j2k"] = _opj_image(gray, out="j2k")
    v["opj_rgb16"] = _opj_image(s["bgr16"])
    v["opj_gray16_j2k"] = _opj_image(s["gray16"], out="j2k")
    g = gray.astype(np.uint16)
    v["opj_raw_gray12"] = _opj_raw([g * 16 + 7], 12)
    v["opj_raw_gray10_jp2"] = _opj_raw([g * 4 + 1], 10, out="jp2")
    v["opj_raw_rgb10"] = _opj_raw([img[:, :, c].astype(np.uint16) * 4 for c in (2, 1, 0)], 10)
    v["opj_raw_gray4"] = _opj_raw([g >> 4], 4)              # cv2: precision < 8
    v["opj_pgx_gray11"] = _opj_pgx(g * 8 + 3, 11)
    v["opj_pgx_gray20"] = _opj_pgx(g.astype(np.uint32) * 4096, 20)  # 32F native type
    v["opj_pgx_gray24"] = _opj_pgx(g.astype(np.uint32) * 65536, 24)  # 64F native type
    v["opj_raw_signed"] = _opj_raw([g.astype(np.int16) - 128], 8, signed=True)
    v["opj_raw_2comp"] = _opj_raw([g, 255 - g], 8)
    v["opj_raw_5comp"] = _opj_raw([g] * 5, 8)
    ys = g[::2, ::2]
    v["opj_raw_yuv420"] = _opj_raw([g[: ys.shape[0] * 2, : ys.shape[1] * 2], ys, ys], 8,
                                   subsampling=["1x1", "2x2", "2x2"])

    v["im_rgb"] = _convert(img)
    v["im_rgba"] = _convert(bgra)
    v["im_gray16_j2k"] = _convert(s["gray16"], out="j2k:-")
    v["im_rgb_q40"] = _convert(img, "-quality", "40")

    # JP2 boxes around OpenJPEG codestreams.
    rgb_j2k, gray_j2k = v["opj_rgb_j2k"], v["opj_gray_j2k"]
    rgba_j2k = v["pil_rgba_j2k"]
    for cs, label in ((16, "srgb"), (17, "gray"), (18, "sycc"), (12, "cmyk"), (24, "eycc"),
                      (99, "unknown")):
        v[f"box_rgb_enumcs_{label}"] = jp2_wrap(rgb_j2k, cs)
    v["box_gray_as_srgb"] = jp2_wrap(gray_j2k, 16)
    v["box_gray_as_sycc"] = jp2_wrap(gray_j2k, 18)
    v["box_rgba_as_gray"] = jp2_wrap(rgba_j2k, 17)
    v["box_rgb_icc"] = jp2_wrap(rgb_j2k, colr=struct.pack(">BBB", 2, 0, 0) + b"\0" * 128)
    v["box_16bit_sycc"] = jp2_wrap(v["opj_gray16_j2k"], 18)
    pal = np.stack([np.arange(256), 255 - np.arange(256), (np.arange(256) * 7) % 256], 1)
    v["box_palette"] = jp2_wrap(gray_j2k, 16, pclr_box(pal) + cmap_box(3))
    v["box_palette_gray"] = jp2_wrap(gray_j2k, 17, pclr_box(pal[:, :1]) + cmap_box(1))
    v["box_cdef_alpha_first"] = jp2_wrap(rgba_j2k, 16, cdef_box(
        [(0, 1, 0), (1, 0, 1), (2, 0, 2), (3, 0, 3)]))
    v["box_cdef_bgr"] = jp2_wrap(rgb_j2k, 16, cdef_box([(0, 0, 3), (1, 0, 2), (2, 0, 1)]))
    v["box_cdef_two_alphas"] = jp2_wrap(rgba_j2k, 16, cdef_box(
        [(0, 0, 1), (1, 0, 2), (2, 1, 0), (3, 1, 0)]))
    v["box_raw_sycc_444"] = jp2_wrap(_opj_raw(
        [img[:, :, 0], img[:, :, 1], img[:, :, 2]], 8, args=("-mct", "0")), 18)
    return v


def _pil_la(bgra):
    la = Image.fromarray(bgra[:, :, [2, 1, 0, 3]]).convert("LA")
    b = io.BytesIO()
    la.save(b, "JPEG2000")
    return b.getvalue()


def _pil_i16(gray16):
    b = io.BytesIO()
    Image.fromarray(gray16, "I;16").save(b, "JPEG2000")
    return b.getvalue()

