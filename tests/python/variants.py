"""Generates the JPEG and PNG variants the tests compare on, from the real
sample images, with cv2, Pillow, libjpeg-turbo's tools, netpbm and
ImageMagick. Nothing here is hand-faked pixel data: the files are what those
tools write, plus marker/chunk surgery for the EXIF and damage cases."""
import functools
import io
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from helpers import SAMPLES, cv2, run, tool

WORK = Path(tempfile.mkdtemp(prefix="imc-variants-"))


# ---- source images ---------------------------------------------------------
@functools.lru_cache(None)
def photo(width=203, height=157, name="baboon.jpg"):
    """A crop of a real photo (BGR), odd-sized to exercise partial MCUs."""
    img = cv2.imread(str(SAMPLES / name), cv2.IMREAD_COLOR)
    y0, x0 = (img.shape[0] - height) // 2, (img.shape[1] - width) // 2
    if y0 >= 0 and x0 >= 0:
        return np.ascontiguousarray(img[y0:y0 + height, x0:x0 + width])
    return cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)


@functools.lru_cache(None)
def photo_alpha(width=203, height=157):
    """BGRA: the photo with a smooth alpha ramp and a fully transparent corner."""
    bgr = photo(width, height)
    yy, xx = np.mgrid[0:height, 0:width]
    alpha = ((xx * 255) // max(width - 1, 1)).astype(np.uint8)
    alpha[: height // 4, : width // 4] = 0
    return np.dstack([bgr, alpha])


def _tmp(name):
    return str(WORK / name)


# ---- JPEG ------------------------------------------------------------------
def _pil_jpeg(img_bgr, **kw):
    b = io.BytesIO()
    mode = kw.pop("mode", None)
    im = Image.fromarray(img_bgr[:, :, ::-1]) if img_bgr.ndim == 3 else Image.fromarray(img_bgr)
    if mode:
        im = im.convert(mode)
    im.save(b, "JPEG", **kw)
    return b.getvalue()


def _cjpeg(img_bgr, *args):
    src = _tmp("src.ppm" if img_bgr.ndim == 3 else "src.pgm")
    cv2.imwrite(src, img_bgr)
    return run([tool("cjpeg"), *args, src]).stdout


def _jpegtran(data, *args):
    src = _tmp("tran.jpg")
    Path(src).write_bytes(data)
    return run([tool("jpegtran"), *args, src]).stdout


def _convert(src_bytes, src_ext, *args, out="jpg:-"):
    src = _tmp("im_src." + src_ext)
    Path(src).write_bytes(src_bytes)
    return run([tool("convert"), src, *args, out]).stdout


@functools.lru_cache(None)
def jpeg_variants():
    """name -> JPEG bytes, covering the coding variants the core issue lists."""
    img = photo()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    big = photo(512, 384)
    v = {}
    enc = lambda im, p=(): cv2.imencode(".jpg", im, list(p))[1].tobytes()  # noqa: E731
    v["cv2_baseline_q95"] = enc(img)
    v["cv2_q10"] = enc(img, [cv2.IMWRITE_JPEG_QUALITY, 10])
    v["cv2_q100"] = enc(img, [cv2.IMWRITE_JPEG_QUALITY, 100])
    v["cv2_progressive"] = enc(img, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    v["cv2_optimize"] = enc(img, [cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    v["cv2_restart1"] = enc(img, [cv2.IMWRITE_JPEG_RST_INTERVAL, 1])
    v["cv2_restart7"] = enc(big, [cv2.IMWRITE_JPEG_RST_INTERVAL, 7])
    v["cv2_gray"] = enc(gray)
    v["cv2_gray_progressive"] = enc(gray, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    v["cv2_big"] = enc(big)
    for ss, label in ((0, "444"), (1, "422"), (2, "420")):
        v[f"pil_{label}"] = _pil_jpeg(img, quality=90, subsampling=ss)
    v["pil_progressive_444"] = _pil_jpeg(img, quality=85, subsampling=0, progressive=True)
    v["pil_cmyk"] = _pil_jpeg(img, mode="CMYK", quality=90)      # Adobe, inverted CMYK
    v["pil_cmyk_big"] = _pil_jpeg(big, mode="CMYK", quality=80)
    v["im_ycck"] = _convert(enc(img, [cv2.IMWRITE_JPEG_QUALITY, 100]), "jpg",
                            "-colorspace", "CMYK", "-define", "jpeg:colorspace=5", "-quality", "90")
    v["cjpeg_440"] = _cjpeg(img, "-sample", "1x2")
    v["cjpeg_411"] = _cjpeg(img, "-sample", "4x1")
    v["cjpeg_h2v2_odd"] = _cjpeg(photo(37, 29), "-sample", "2x2")
    v["cjpeg_arithmetic"] = _cjpeg(img, "-arithmetic")
    v["cjpeg_arith_progressive"] = _cjpeg(img, "-arithmetic", "-progressive")
    v["cjpeg_rgb"] = _cjpeg(img, "-rgb")                          # no color transform
    v["cjpeg_restart_blocks"] = _cjpeg(big, "-restart", "3B")
    v["cjpeg_grayscale"] = _cjpeg(img, "-grayscale")
    v["cjpeg_smooth"] = _cjpeg(img, "-smooth", "30", "-quality", "60")
    v["jpegtran_progressive"] = _jpegtran(v["pil_420"], "-progressive")
    v["jpegtran_restart"] = _jpegtran(v["pil_444"], "-restart", "2")
    v["tiny_1x1"] = enc(photo(1, 1))
    v["tiny_1x13"] = enc(photo(1, 13))
    v["tiny_13x1"] = enc(photo(13, 1))
    v["tiny_9x9"] = _pil_jpeg(photo(9, 9), quality=90, subsampling=2)
    v["tiny_17x9_gray"] = enc(cv2.cvtColor(photo(17, 9), cv2.COLOR_BGR2GRAY))
    return v


# ---- EXIF ------------------------------------------------------------------
SHORT, LONG, RATIONAL, ASCII = 3, 4, 5, 2


def tiff_block(entries, order="II", data=b"", ifd_offset=8, magic=0x2A):
    """A TIFF-structured EXIF block with one IFD. entries are (tag, type,
    count, value) where value is an int (stored in the 4-byte field) or 4
    raw bytes; `data` follows the IFD (offsets into it start at
    ifd_offset + 2 + 12 * len(entries) + 4)."""
    e = "<" if order[:1] == "I" else ">"
    out = order.encode()[:2] + struct.pack(e + "HI", magic, ifd_offset)
    out += b"\0" * (ifd_offset - len(out))
    out += struct.pack(e + "H", len(entries))
    for tag, typ, count, value in entries:
        if isinstance(value, bytes):
            field = value
        elif typ == SHORT:
            field = struct.pack(e + "HH", value, 0)
        else:
            field = struct.pack(e + "I", value)
        out += struct.pack(e + "HHI", tag, typ, count) + field
    return out + struct.pack(e + "I", 0) + data


def data_offset(entries_count, ifd_offset=8):
    return ifd_offset + 2 + 12 * entries_count + 4


def orientation_block(value, order="II"):
    return tiff_block([(0x0112, SHORT, 1, value)], order)


def exif_cases():
    """name -> TIFF block, for the ways cv2's ExifReader succeeds or stops."""
    c = {}
    for o in range(0, 10):
        c[f"II_orient_{o}"] = orientation_block(o, "II")
        c[f"MM_orient_{o}"] = orientation_block(o, "MM")
    make = b"CameraMakerLtd\0"
    n = 3
    c["make_then_orient"] = tiff_block(
        [(0x010F, ASCII, len(make), data_offset(n)), (0x0110, ASCII, 4, b"abc\0"),
         (0x0112, SHORT, 1, 6)], data=make)
    c["bad_make_then_orient"] = tiff_block(                 # cv2 stops at Make
        [(0x010F, ASCII, 400, data_offset(2)), (0x0112, SHORT, 1, 6)], data=make)
    c["orient_then_bad_make"] = tiff_block(
        [(0x0112, SHORT, 1, 8), (0x010F, ASCII, 400, data_offset(2))], data=make)
    c["bad_xres_then_orient"] = tiff_block(
        [(0x011A, RATIONAL, 1, 5000), (0x0112, SHORT, 1, 3)])
    good_rational = struct.pack("<II", 72, 1)
    c["xres_then_orient"] = tiff_block(
        [(0x011A, RATIONAL, 1, data_offset(2)), (0x0112, SHORT, 1, 3)], data=good_rational)
    c["short_white_point"] = tiff_block(                    # needs 16 bytes, has 8
        [(0x013E, RATIONAL, 2, data_offset(2)), (0x0112, SHORT, 1, 5)], data=good_rational)
    c["unknown_tags_then_orient"] = tiff_block(
        [(0x9000, 7, 4, b"0230"), (0x8769, LONG, 1, 999999), (0x0112, SHORT, 1, 7)])
    c["two_orientations"] = tiff_block([(0x0112, SHORT, 1, 2), (0x0112, SHORT, 1, 6)])
    c["orient_as_long_II"] = tiff_block([(0x0112, LONG, 1, 6)], "II")
    c["orient_as_long_MM"] = tiff_block([(0x0112, LONG, 1, 6)], "MM")
    c["garbage_byte_order"] = tiff_block([(0x0112, SHORT, 1, 6)], "XX")
    c["mixed_byte_order"] = b"IM" + orientation_block(6, "MM")[2:]
    c["bad_magic"] = tiff_block([(0x0112, SHORT, 1, 6)], magic=0x2B)
    c["ifd_out_of_range"] = tiff_block([(0x0112, SHORT, 1, 6)], ifd_offset=8)[:8] + b"\xff" * 4
    c["ifd_offset_far"] = tiff_block([(0x0112, SHORT, 1, 6)], ifd_offset=40)
    c["count_too_large"] = orientation_block(6)[:10] + b"\xff\x00" + orientation_block(6)[12:]
    c["truncated_entry"] = orientation_block(6)[:20]
    c["truncated_value"] = orientation_block(6)[:27]
    c["empty_ifd"] = tiff_block([])
    return c


def jpeg_with_app1(jpeg, payloads):
    """Inserts APP1 segments right after SOI."""
    segs = b"".join(b"\xff\xe1" + struct.pack(">H", len(p) + 2) + p for p in payloads)
    return jpeg[:2] + segs + jpeg[2:]


def jpeg_exif_variants():
    base = jpeg_variants()["pil_420"]
    v = {f"exif_{k}": jpeg_with_app1(base, [b"Exif\0\0" + t]) for k, t in exif_cases().items()}
    xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"
    v["xmp_before_exif"] = jpeg_with_app1(base, [xmp, b"Exif\0\0" + orientation_block(6)])
    v["exif_after_xmp_absent"] = jpeg_with_app1(base, [b"Exif\0\0" + orientation_block(6), xmp])
    v["exif_without_header"] = jpeg_with_app1(base, [orientation_block(6)])
    v["exif_short_app1"] = jpeg_with_app1(base, [b"Exif\0"])
    v["exif_wrong_header"] = jpeg_with_app1(base, [b"Exig\0\0" + orientation_block(6)])
    # Pillow's own EXIF writer, every orientation.
    for o in range(1, 9):
        ex = Image.Exif()
        ex[0x0112] = o
        im = Image.fromarray(photo()[:, :, ::-1])
        b = io.BytesIO()
        im.save(b, "JPEG", quality=90, exif=ex.tobytes())
        v[f"pil_exif_{o}"] = b.getvalue()
        b = io.BytesIO()
        Image.fromarray(cv2.cvtColor(photo(), cv2.COLOR_BGR2GRAY)).save(
            b, "JPEG", quality=90, exif=ex.tobytes(), progressive=True)
        v[f"pil_exif_gray_progressive_{o}"] = b.getvalue()
    return v


# ---- PNG -------------------------------------------------------------------
def png_chunks(data):
    """[(type, body)] of a PNG file."""
    out, at = [], 8
    while at + 8 <= len(data):
        n = struct.unpack(">I", data[at:at + 4])[0]
        out.append((data[at + 4:at + 8], data[at + 8:at + 8 + n]))
        at += 12 + n
    return out


def png_build(chunks, bad_crc=()):
    out = b"\x89PNG\r\n\x1a\n"
    for typ, body in chunks:
        crc = zlib.crc32(typ + body) & 0xFFFFFFFF
        if typ in bad_crc:
            crc ^= 0xFF
        out += struct.pack(">I", len(body)) + typ + body + struct.pack(">I", crc)
    return out


def _pil_png(im, **kw):
    b = io.BytesIO()
    im.save(b, "PNG", **kw)
    return b.getvalue()


def _pnmtopng(img, *args, maxval=None):
    """netpbm's encoder; maxval picks low gray bit depths (3 -> 2-bit...)."""
    if maxval is not None:
        scaled = (img.astype(np.uint32) * maxval // 255).astype(np.uint16)
        ext, header = "pgm", f"P5\n{img.shape[1]} {img.shape[0]}\n{maxval}\n".encode()
        body = scaled.astype(np.uint8 if maxval < 256 else ">u2").tobytes()
        src = _tmp("pnm_src." + ext)
        Path(src).write_bytes(header + body)
    else:
        src = _tmp("pnm_src.pnm")
        cv2.imwrite(src, img)
    return run([tool("pnmtopng"), *args, src]).stdout


@functools.lru_cache(None)
def png_variants():
    img, bgra = photo(), photo_alpha()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    rgb_im, rgba_im = Image.fromarray(img[:, :, ::-1]), Image.fromarray(bgra[:, :, [2, 1, 0, 3]])
    v = {}
    enc = lambda im, p=(): cv2.imencode(".png", im, list(p))[1].tobytes()  # noqa: E731
    v["cv2_rgb8"] = enc(img)
    v["cv2_rgba8"] = enc(bgra)
    v["cv2_gray8"] = enc(gray)
    v["cv2_rgb16"] = enc(img.astype(np.uint16) * 257 + np.arange(img.shape[1], dtype=np.uint16)[None, :, None])
    v["cv2_rgba16"] = enc(bgra.astype(np.uint16) * 250 + 17)
    v["cv2_gray16"] = enc(gray.astype(np.uint16) * 256 + 255 - gray)
    v["cv2_bilevel"] = enc((gray > 128).astype(np.uint8) * 255, [cv2.IMWRITE_PNG_BILEVEL, 1])
    v["pil_mode1"] = _pil_png(Image.fromarray(gray).convert("1"))
    v["pil_L"] = _pil_png(Image.fromarray(gray))
    v["pil_LA"] = _pil_png(rgba_im.convert("LA"))
    v["pil_L_trns"] = _pil_png(Image.fromarray(gray), transparency=int(gray[5, 5]))
    v["pil_RGB_trns"] = _pil_png(rgb_im, transparency=tuple(int(c) for c in img[5, 5, ::-1]))
    v["pil_I16"] = _pil_png(Image.fromarray((gray.astype(np.uint16) * 257), "I;16"))
    for colors, bits in ((2, 1), (4, 2), (16, 4), (256, 8)):
        pal = rgb_im.quantize(colors)
        v[f"pil_palette_{bits}bit"] = _pil_png(pal, bits=bits)
    pal = rgb_im.quantize(64)
    v["pil_palette_trns_one"] = _pil_png(pal, transparency=3)
    v["pil_palette_trns_many"] = _pil_png(pal, transparency=bytes(range(0, 250, 7)))
    v["pil_rgba_optimize"] = _pil_png(rgba_im, optimize=True)
    v["pnm_gray2"] = _pnmtopng(gray, maxval=3)
    v["pnm_gray4"] = _pnmtopng(gray, maxval=15)
    v["pnm_gray16"] = _pnmtopng(gray, maxval=65535)
    v["pnm_interlace_rgb"] = _pnmtopng(img, "-interlace")
    v["pnm_interlace_gray2"] = _pnmtopng(gray, "-interlace", maxval=3)
    v["pnm_interlace_gray16"] = _pnmtopng(gray, "-interlace", maxval=65535)
    v["pnm_transparent_rgb"] = _pnmtopng(img, "-transparent", "rgb:%02x/%02x/%02x" % tuple(int(c) for c in img[5, 5, ::-1]))
    v["pnm_gamma"] = _pnmtopng(img, "-gamma", "0.45")
    src_png = v["cv2_rgba8"]
    v["im_png48"] = _convert(v["cv2_rgb16"], "png", out="PNG48:-")
    v["im_png64_interlace"] = _convert(v["cv2_rgba16"], "png", "-interlace", "PNG", out="PNG64:-")
    v["im_gray_alpha16"] = _convert(src_png, "png", "-colorspace", "Gray", "-depth", "16",
                                    "-define", "png:color-type=4", out="png:-")
    v["im_palette_interlace"] = _convert(v["pil_palette_8bit"], "png", "-interlace", "PNG",
                                         out="PNG8:-")
    v["im_srgb_chrm"] = _convert(v["cv2_rgb8"], "png", "-set", "gamma", "0.6", out="png:-")
    # Colour to gray follows libpng's rgb_to_gray: its fixed-point weights in
    # files without gamma (cHRM alone does not count: cv2 sets the weights),
    # its gamma tables with gAMA, sRGB or iCCP.
    def with_chunk(png, typ, body):
        chunks = png_chunks(png)
        return png_build(chunks[:1] + [(typ, body)] + chunks[1:])
    chrm = struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000)
    v["chrm_only_rgba8"] = with_chunk(v["cv2_rgba8"], b"cHRM", chrm)
    v["chrm_only_rgb16"] = with_chunk(v["cv2_rgb16"], b"cHRM", chrm)
    v["gama_1_rgb8"] = with_chunk(v["cv2_rgb8"], b"gAMA", struct.pack(">I", 100000))
    v["gama_rgb16"] = with_chunk(v["cv2_rgb16"], b"gAMA", struct.pack(">I", 45455))
    v["srgb_palette"] = with_chunk(v["pil_palette_8bit"], b"sRGB", b"\0")
    v["srgb_rgba16"] = with_chunk(v["cv2_rgba16"], b"sRGB", b"\1")
    v["tiny_1x1"] = enc(photo(1, 1))
    v["tiny_1x7_rgba"] = enc(photo_alpha(1, 7))
    v["tiny_7x1_gray16"] = enc(cv2.cvtColor(photo(7, 1), cv2.COLOR_BGR2GRAY).astype(np.uint16) * 300)
    v["odd_5x3_interlace"] = _pnmtopng(photo(5, 3), "-interlace")
    return v


def png_exif_variants():
    base = png_variants()["cv2_rgb8"]
    chunks = png_chunks(base)

    def with_exif(block, after_idat=False):
        out = []
        for typ, body in chunks:
            if typ == b"IDAT" and not after_idat and not any(t == b"eXIf" for t, _ in out):
                out.append((b"eXIf", block))
            out.append((typ, body))
        if after_idat:
            out.insert(len(out) - 1, (b"eXIf", block))
        return png_build(out)

    v = {}
    for k, t in exif_cases().items():
        v[f"exif_{k}"] = with_exif(t)
    for o in (3, 6, 8):
        v[f"exif_after_idat_{o}"] = with_exif(orientation_block(o), after_idat=True)
    v["exif_two_chunks"] = png_build(
        [c for c in chunks if c[0] != b"IEND"][:1] + [(b"eXIf", orientation_block(6)),
                                                      (b"eXIf", orientation_block(3))]
        + [c for c in chunks if c[0] != b"IEND"][1:] + [(b"IEND", b"")])
    ex = Image.Exif()
    ex[0x0112] = 6
    v["pil_exif_6"] = _pil_png(Image.fromarray(photo()[:, :, ::-1]), exif=ex.tobytes())
    return v


def png_damaged_variants():
    """Structural damage libpng tolerates or rejects; cv2 decides which."""
    base = png_variants()["pnm_interlace_rgb"]
    chunks = png_chunks(base)
    idat = b"".join(b for t, b in chunks if t == b"IDAT")
    head = [c for c in chunks if c[0] not in (b"IDAT", b"IEND")]
    v = {}
    split = [(b"IDAT", idat[i:i + 997]) for i in range(0, len(idat), 997)]
    v["split_idat"] = png_build(head + split + [(b"IEND", b"")])
    v["empty_idats"] = png_build(head + [(b"IDAT", b"")] + split + [(b"IDAT", b""), (b"IEND", b"")])
    v["no_iend"] = png_build(head + [(b"IDAT", idat)])
    v["trailing_garbage"] = base + b"garbage after IEND" * 10
    v["unknown_ancillary"] = png_build(head + [(b"teSt", b"hello")] + [(b"IDAT", idat), (b"IEND", b"")])
    v["unknown_critical"] = png_build(head + [(b"TEST", b"hello")] + [(b"IDAT", idat), (b"IEND", b"")])
    v["bad_crc_ancillary"] = png_build(head + [(b"tEXt", b"k\0v")] + [(b"IDAT", idat), (b"IEND", b"")],
                                       bad_crc=(b"tEXt",))
    v["bad_crc_idat"] = png_build(head + [(b"IDAT", idat), (b"IEND", b"")], bad_crc=(b"IDAT",))
    v["extra_zlib_data"] = png_build(head + [(b"IDAT", idat), (b"IDAT", zlib.compress(b"x" * 100)),
                                             (b"IEND", b"")])
    v["short_zlib"] = png_build(head + [(b"IDAT", idat[: len(idat) // 2]), (b"IEND", b"")])
    return v
