"""Generates the BMP / DIB and Sun raster files the tests compare on, from
real photos, with cv2, Pillow, ImageMagick and netpbm. Nothing is hand-faked
pixel data: the files are what those tools write, plus header surgery (top-down
rows, other header versions, masks, palette sizes, raster types) and RLE
re-encoding of the tools' own palette indices for the RLE cases no Debian tool
writes (RLE4, deltas, early end-of-bitmap)."""
import functools
import io
import struct
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from helpers import cv2, run, tool
from variants import WORK, photo, photo_alpha


def _tmp(name):
    return str(WORK / name)


def _convert(src_bytes, src_ext, *args, out):
    src = _tmp("bs_src." + src_ext)
    Path(src).write_bytes(src_bytes)
    return run([tool("convert"), src, *args, out]).stdout


def _pnm(img):
    """img as PGM / PPM bytes (cv2 writes them)."""
    return cv2.imencode(".ppm" if img.ndim == 3 else ".pgm", img)[1].tobytes()


def _pbm(bits):
    """A raw PBM of a boolean array (True = black)."""
    h, w = bits.shape
    return f"P4\n{w} {h}\n".encode() + np.packbits(bits, axis=1).tobytes()


def _netpbm(prog, src_bytes, src_ext, *args):
    src = _tmp("bs_netpbm." + src_ext)
    Path(src).write_bytes(src_bytes)
    return run([tool(prog), *args, src]).stdout


def _quantized(img, colors):
    """img reduced to `colors` colors by netpbm's pnmquant (PPM bytes)."""
    return subprocess.run([tool("pnmquant"), str(colors)], input=_pnm(img), check=True,
                          capture_output=True).stdout


def _pil(im, fmt="BMP"):
    b = io.BytesIO()
    im.save(b, fmt)
    return b.getvalue()


def cv2_imencode(ext, img):
    """cv2.imencode's bytes, with the pixels (8-bit, as cv2 converts them) in
    a buffer that has a zero byte after the image: cv2's Sun raster writer
    pads an odd-length last row with the byte after the image, reading past
    the array (which ASan reports). cv2's own padding is then 0, like imc's."""
    if img.dtype != np.uint8:
        img = cv2.add(img, np.zeros_like(img), dtype=cv2.CV_8U)  # cv2's rounding
    buf = np.zeros(img.nbytes + 1, np.uint8)
    view = buf[:img.nbytes].reshape(img.shape)
    view[...] = img
    return cv2.imencode(ext, view)[1].tobytes()


def gray_of(img):
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def bilevel(img):
    return gray_of(img) < 128


# ---- BMP structure ---------------------------------------------------------
class Bmp:
    """The fields of a BMP file that the header surgery touches."""

    def __init__(self, data):
        self.data = bytearray(data)
        self.offset, = struct.unpack_from("<I", data, 10)
        self.size, = struct.unpack_from("<I", data, 14)
        if self.size == 12:
            self.width, self.height, _, self.bpp = struct.unpack_from("<HHHH", data, 18)
            self.compression, self.colors = 0, 0
        else:
            self.width, self.height, _, self.bpp, self.compression = struct.unpack_from(
                "<iiHHI", data, 18)
            self.colors, = struct.unpack_from("<I", data, 46)

    def masks_565(self):
        """A 16-bit BI_BITFIELDS file whose masks (after the info header)
        give green 6 bits."""
        return self.bpp == 16 and self.compression == 3 and \
            struct.unpack_from("<I", self.data, 14 + self.size + 4)[0] == 0x7E0

    @property
    def pitch(self):
        return ((self.width * self.bpp + 7) // 8 + 3) & ~3

    def rows(self):
        """The pixel rows, in file order."""
        h = abs(self.height)
        return [bytes(self.data[self.offset + y * self.pitch:self.offset + (y + 1) * self.pitch])
                for y in range(h)]

    def indices(self):
        """Palette indices per row (file order) of a 1/4/8-bit file."""
        out = []
        for row in self.rows():
            bits = np.unpackbits(np.frombuffer(row, np.uint8))
            per = self.bpp
            vals = bits[:self.width * per].reshape(self.width, per)
            out.append([int("".join(map(str, v)), 2) for v in vals])
        return out

    def with_pixels(self, pixels, compression=None, height=None):
        """The same headers and palette with new pixel data."""
        head = bytearray(self.data[:self.offset])
        if compression is not None:
            struct.pack_into("<I", head, 30, compression)
        if height is not None:
            struct.pack_into("<i", head, 22, height)
        out = head + pixels
        struct.pack_into("<I", out, 2, len(out))
        return bytes(out)


def top_down(data):
    """A bottom-up file rewritten top-down: rows reversed, height negated."""
    b = Bmp(data)
    return b.with_pixels(b"".join(reversed(b.rows())), height=-b.height)


def patch(data, fmt, at, *values):
    out = bytearray(data)
    struct.pack_into(fmt, out, at, *values)
    return bytes(out)


def with_info_header(data, size, masks=None):
    """Rebuilds a Windows BMP with an info header of `size` bytes: the first
    fields kept, the rest zero; `masks` (after the 40-byte part, or inside a
    56+ byte header) as given; palette and pixels moved along."""
    b = Bmp(data)
    old_end = 14 + b.size
    info = bytearray(b.data[14:14 + min(b.size, size)].ljust(size, b"\0"))
    struct.pack_into("<I", info, 0, size)
    extra = b""
    if masks is not None:
        if size >= 56:
            struct.pack_into("<4I", info, 40, *(list(masks) + [0] * (4 - len(masks))))
        else:
            extra = struct.pack(f"<{len(masks)}I", *masks)
    palette = bytes(b.data[old_end:b.offset]) if b.bpp <= 8 else b""
    pixels = bytes(b.data[b.offset:b.offset + abs(b.height) * b.pitch])
    head = bytearray(b"BM" + b"\0" * 12) + info + extra + palette
    struct.pack_into("<I", head, 10, len(head))
    out = head + pixels
    struct.pack_into("<I", out, 2, len(out))
    return bytes(out)


def os2_windows_twin(data):
    """An OS/2 (12-byte header) BMP as the same bitmap with a 40-byte Windows
    header (RGB triples widened to RGBQUADs, pixels as they are), which cv2
    types by its colours (it calls every OS/2 file gray); other data, and
    files whose offsets or palette do not allow it, as they are."""
    if len(data) < 26 or data[:2] != b"BM" or struct.unpack_from("<i", data, 14)[0] != 12:
        return data
    offset, = struct.unpack_from("<i", data, 10)
    width, height, planes, bpp = struct.unpack_from("<HHHH", data, 18)
    entries = 1 << bpp if bpp <= 8 else 0
    if bpp not in (1, 4, 8, 24, 32) or offset < 0 or len(data) < 26 + 3 * entries:
        return data
    pal = np.frombuffer(data, np.uint8, 3 * entries, 26).reshape(-1, 3)
    quads = np.hstack([pal, np.zeros((entries, 1), np.uint8)]).tobytes()
    info = struct.pack("<iiiHHiiiiii", 40, width, height, planes, bpp, 0, 0, 0, 0, 0, 0)
    head = bytearray(data[:14]) + info + quads
    struct.pack_into("<i", head, 10, len(head))
    return bytes(head) + data[offset:]  # the pixels read from where the file says


# ---- BMP RLE streams (from a tool's own palette indices) -------------------
def rle_ops(rows, bits, literal_min=3):
    """Per row: ("run", n, index) for repeats, ("abs", [indices]) otherwise."""
    out = []
    for row in rows:
        ops, x, lit = [], 0, []
        while x < len(row):
            n = 1
            while x + n < len(row) and row[x + n] == row[x] and n < 255:
                n += 1
            if n >= literal_min or (n >= 2 and not lit):
                if lit:
                    ops.append(("abs", lit))
                    lit = []
                ops.append(("run", n, row[x]))
            else:
                lit.extend(row[x:x + n])
                if len(lit) >= 250:
                    ops.append(("abs", lit))
                    lit = []
            x += n
        if lit:
            ops.append(("abs", lit))
        out.append(ops)
    return out


def op_len(op):
    return op[1] if op[0] in ("run", "pair") else len(op[1])


def rle_bytes(ops, bits):
    """BMP RLE8 (bits 8) or RLE4 (bits 4) bytes for a flat op list."""
    out = bytearray()
    for op in ops:
        kind = op[0]
        if kind == "run":
            n, index = op[1], op[2]
            out += bytes([n, index if bits == 8 else (index << 4 | index)])
        elif kind == "pair":  # RLE4: alternating indices
            out += bytes([op[1], op[2] << 4 | op[3]])
        elif kind == "abs":
            vals = op[1]
            if len(vals) < 3:  # absolute mode needs 3+; short literals become runs
                for v in vals:
                    out += bytes([1, v if bits == 8 else v << 4])
                continue
            if bits == 8:
                body = bytes(vals)
            else:
                padded = list(vals) + [0] * (len(vals) % 2)
                body = bytes(padded[i] << 4 | padded[i + 1] for i in range(0, len(padded), 2))
            out += bytes([0, len(vals)]) + body + b"\0" * (len(body) % 2)
        elif kind == "eol":
            out += b"\0\0"
        elif kind == "eob":
            out += b"\0\1"
        elif kind == "delta":
            out += bytes([0, 2, op[1], op[2]])
    return bytes(out)


def rle_file(src, bits, ops, height=None):
    """src (an uncompressed 4- or 8-bit BMP) with `ops` as RLE pixel data."""
    b = Bmp(src)
    assert b.bpp == bits, (b.bpp, bits)
    return b.with_pixels(rle_bytes(ops, bits), compression=1 if bits == 8 else 2, height=height)


def rle_variants(src, bits, label):
    """RLE streams over the rows of the uncompressed palette BMP `src`."""
    b = Bmp(src)
    rows = b.indices()
    per_row = rle_ops(rows, bits)
    flat = lambda rs: [op for r in rs for op in r + [("eol",)]]  # noqa: E731
    v = {}
    v[f"{label}_eol_eob"] = rle_file(src, bits, flat(per_row) + [("eob",)])
    v[f"{label}_eob_only"] = rle_file(src, bits, [op for r in per_row for op in r] + [("eob",)])
    v[f"{label}_top_down"] = rle_file(src, bits, flat(per_row) + [("eob",)], height=-b.height)
    half = len(per_row) // 2
    v[f"{label}_early_eob"] = rle_file(src, bits, flat(per_row[:half]) + [("eob",)])
    v[f"{label}_early_eob_mid_row"] = rle_file(
        src, bits, flat(per_row[:half]) + per_row[half][:1] + [("eob",)])
    # Deltas in place of some pixels: right 3 / down 0, and right 2 / down 2.
    with_delta = [list(r) for r in per_row]
    for row, dy in ((1, 0), (4, 2)):
        at = min(1, len(with_delta[row]) - 1)
        with_delta[row][at] = ("delta", op_len(with_delta[row][at]), dy)
    v[f"{label}_deltas"] = rle_file(src, bits, flat(with_delta) + [("eob",)])
    v[f"{label}_delta_past_end"] = rle_file(src, bits, flat(per_row[:3]) + [("delta", 5, 250)])
    v[f"{label}_double_eol"] = rle_file(
        src, bits, flat(per_row[:2]) + [("eol",)] + flat(per_row[2:]) + [("eob",)])
    v[f"{label}_run_past_row"] = rle_file(
        src, bits, [("run", b.width - 1, 1), ("run", 2, 3)] + flat(per_row) + [("eob",)])
    v[f"{label}_literal_past_row"] = rle_file(
        src, bits, [("run", b.width - 2, 1), ("abs", [1, 2, 3, 1])] + flat(per_row))
    v[f"{label}_no_end"] = rle_file(src, bits, flat(per_row[:-1]) + per_row[-1])
    v[f"{label}_runs_exact_rows"] = rle_file(  # rows of runs that end rows, no EOLs
        src, bits, [("run", b.width, (y * 7) % 16) for y in range(abs(b.height))])
    v[f"{label}_runs_then_eol"] = rle_file(
        src, bits, [op for y in range(abs(b.height)) for op in (("run", b.width, y % 16), ("eol",))])
    if bits == 4:
        pairs = [[("pair", b.width, 3, 12), ("eol",)] for _ in range(abs(b.height))]
        v[f"{label}_pairs"] = rle_file(src, bits, [op for r in pairs for op in r])
    return v


# ---- BMP variants ----------------------------------------------------------
@functools.lru_cache(None)
def bmp_variants():
    img, bgra = photo(37, 23), photo_alpha(37, 23)
    gray = gray_of(img)
    rgb_im = Image.fromarray(img[:, :, ::-1])
    enc = lambda im: cv2.imencode(".bmp", im)[1].tobytes()  # noqa: E731
    png = cv2.imencode(".png", img)[1].tobytes()
    png_alpha = cv2.imencode(".png", bgra)[1].tobytes()
    im = lambda src, *a, out="BMP:-": _convert(src, "png", *a, out=out)  # noqa: E731
    v = {}
    v["cv2_bgr"] = enc(img)
    v["cv2_gray"] = enc(gray)
    v["cv2_bgra"] = enc(bgra)
    for w in (1, 2, 3, 5):
        v[f"cv2_bgr_w{w}"] = enc(photo(w, 5))
        v[f"cv2_gray_w{w}"] = enc(gray_of(photo(w, 5)))

    v["pil_1"] = _pil(Image.fromarray(gray).convert("1"))
    v["pil_L"] = _pil(Image.fromarray(gray))
    v["pil_P256"] = _pil(rgb_im.quantize(256))
    v["pil_P16"] = _pil(rgb_im.quantize(16))
    v["pil_RGB"] = _pil(rgb_im)
    v["pil_RGBA"] = _pil(Image.fromarray(bgra[:, :, [2, 1, 0, 3]]))
    for w in (1, 7, 9):
        v[f"pil_1_w{w}"] = _pil(Image.fromarray(gray_of(photo(w, 4))).convert("1"))

    v["im_v5_24"] = im(png)
    v["im_v3_24"] = im(png, out="BMP3:-")
    v["im_os2_24"] = im(png, out="BMP2:-")
    v["im_v5_32_alpha"] = im(png_alpha)
    v["im_v3_32_alpha"] = im(png_alpha, "-define", "bmp3:alpha=true", out="BMP3:-")
    v["im_v5_rle8"] = im(png, "-colors", "200")
    v["im_v3_rle8"] = im(png, "-colors", "200", out="BMP3:-")
    v["im_v3_rle8_16colors"] = im(png, "-colors", "16", "-compress", "RLE", out="BMP3:-")
    # ImageMagick codes a row's padding as pixels, which cv2 refuses unless
    # the width is a multiple of 4.
    png36 = cv2.imencode(".png", photo(36, 23))[1].tobytes()
    v["im_v5_rle8_w36"] = im(png36, "-colors", "200")
    v["im_v3_rle8_w36"] = im(png36, "-colors", "200", out="BMP3:-")
    v["im_v3_rle8_w36_16colors"] = im(png36, "-colors", "16", "-compress", "RLE", out="BMP3:-")
    v["im_v3_8"] = im(png, "-colors", "200", "-compress", "None", out="BMP3:-")
    v["im_v5_4"] = im(png, "-colors", "16")
    v["im_v3_4"] = im(png, "-colors", "16", out="BMP3:-")
    v["im_v4_1"] = im(png, "-monochrome")
    v["im_v3_1"] = im(png, "-monochrome", out="BMP3:-")
    v["im_os2_8"] = im(png, "-colors", "200", out="BMP2:-")
    v["im_os2_4"] = im(png, "-colors", "16", out="BMP2:-")
    v["im_os2_1"] = im(png, "-monochrome", out="BMP2:-")
    v["im_gray_palette"] = im(png, "-colorspace", "gray", "-type", "palette", out="BMP3:-")
    v["im_v5_565"] = im(png, "-define", "bmp:subtype=RGB565")     # masks inside: cv2 refuses
    v["im_v5_555"] = im(png, "-define", "bmp:subtype=RGB555")
    v["im_v3_565_nomasks"] = im(png, "-define", "bmp:subtype=RGB565", out="BMP3:-")

    ppm, ppm16, ppm256 = _pnm(img), _quantized(img, 16), _quantized(img, 256)
    for flavor in ("windows", "os2"):
        v[f"ppmtobmp_{flavor}_24"] = _netpbm("ppmtobmp", ppm, "ppm", f"-{flavor}", "-bpp", "24")
        v[f"ppmtobmp_{flavor}_8"] = _netpbm("ppmtobmp", ppm256, "ppm", f"-{flavor}", "-bpp", "8")
        v[f"ppmtobmp_{flavor}_4"] = _netpbm("ppmtobmp", ppm16, "ppm", f"-{flavor}", "-bpp", "4")
        v[f"ppmtobmp_{flavor}_1"] = _netpbm("ppmtobmp", _pbm(bilevel(img)), "pbm", f"-{flavor}",
                                            "-bpp", "1")

    # 16 bits: ImageMagick's 40-byte BITFIELDS files lack their masks; add them.
    for subtype, masks in (("RGB565", (0xF800, 0x7E0, 0x1F)), ("RGB555", (0x7C00, 0x3E0, 0x1F))):
        src = im(png, "-define", f"bmp:subtype={subtype}", out="BMP3:-")
        v[f"im_v3_{subtype}_masks"] = with_info_header(src, 40, masks)
        v[f"im_v3_{subtype}_bi_rgb"] = patch(src, "<I", 30, 0)           # 16-bit BI_RGB: 5-5-5
        v[f"im_v3_{subtype}_wrong_masks"] = with_info_header(src, 40, (0xF800, 0x7E0, 0x3F))
        v[f"im_v5_{subtype}_masks_after"] = with_info_header(src, 124, masks)  # masks inside
    v["im_v5_565_top_down"] = top_down(v["im_v3_RGB565_masks"])

    # 32 bits: header versions and masks.
    a32 = v["im_v5_32_alpha"]
    v["v3_56_32_alpha"] = with_info_header(a32, 56, (0xFF0000, 0xFF00, 0xFF, 0xFF000000))
    v["v4_108_32_alpha"] = with_info_header(a32, 108, (0xFF0000, 0xFF00, 0xFF, 0xFF000000))
    v["v3_56_32_rgba_masks"] = with_info_header(a32, 56, (0xFF, 0xFF00, 0xFF0000, 0xFF000000))
    v["v3_56_32_no_alpha_mask"] = with_info_header(a32, 56, (0xFF0000, 0xFF00, 0xFF, 0))
    v["v3_56_32_wide_masks"] = with_info_header(a32, 56, (0xFFFF0000, 0xFF00, 0x3, 0xF0))
    v["v3_56_32_zero_red_mask"] = with_info_header(a32, 56, (0, 0xFF00, 0xFF, 0xFF000000))
    v["v1_40_32_bitfields"] = with_info_header(a32, 40, (0xFF0000, 0xFF00, 0xFF))
    v["v1_40_32_bitfields_no_masks"] = with_info_header(a32, 40)
    v["v5_32_bi_rgb"] = patch(a32, "<I", 30, 0)

    # Top-down versions of each row layout.
    for name in ("cv2_bgr", "cv2_gray", "cv2_bgra", "pil_1", "ppmtobmp_windows_4", "pil_P256",
                 "im_v5_32_alpha", "im_v3_RGB555_masks", "pil_1_w9", "cv2_bgr_w3"):
        v[f"{name}_top_down"] = top_down(v[name])

    # Palette sizes: fewer entries than the indices reach, more than needed.
    p8 = v["pil_P256"]
    v["palette_8_colors_used_8"] = patch(p8, "<I", 46, 8)     # indices >= 8 read entry zero
    v["palette_8_colors_used_257"] = patch(p8, "<I", 46, 257)
    v["palette_8_colors_used_neg"] = patch(p8, "<i", 46, -1)
    v["palette_4_colors_used_3"] = patch(v["ppmtobmp_windows_4"], "<I", 46, 3)
    v["palette_1_colors_used_256"] = patch(v["pil_1"], "<I", 46, 256)  # reads 256 entries
    v["palette_gray_but_one"] = patch(v["cv2_gray"], "<B", 54 + 4 * 77, 3)

    # Odd headers: cv2 refuses or raises.
    base = v["cv2_bgr"]
    v["bad_compression_jpeg"] = patch(base, "<I", 30, 4)
    v["bad_compression_neg"] = patch(base, "<i", 30, -1)
    v["bad_bpp_2"] = patch(base, "<H", 28, 2)
    v["bad_bpp_16_rle8"] = patch(v["im_v3_RGB555_bi_rgb"], "<I", 30, 1)
    v["bad_rle4_at_8"] = patch(v["im_v3_rle8"], "<I", 30, 2)
    v["bad_width_0"] = patch(base, "<i", 18, 0)
    v["bad_width_neg"] = patch(base, "<i", 18, -37)
    v["bad_height_0"] = patch(base, "<i", 22, 0)
    v["height_int_min"] = patch(base, "<i", 22, -(1 << 31))
    v["huge_width"] = patch(base, "<i", 18, 1 << 21)
    v["huge_pixels"] = patch(patch(base, "<i", 18, 1 << 20), "<i", 22, 1 << 11)
    v["big_short_data"] = patch(patch(base, "<i", 18, 30000), "<i", 22, 20000)
    v["bad_header_size_20"] = patch(base, "<I", 14, 20)
    v["bad_header_size_0"] = patch(base, "<I", 14, 0)
    v["bad_header_size_neg"] = patch(base, "<i", 14, -40)
    v["header_size_36"] = patch(base, "<I", 14, 36)
    v["header_size_huge_24bit"] = patch(base, "<I", 14, 0x7FFFFFF0)  # no palette: still read
    v["header_size_huge_8bit"] = patch(v["cv2_gray"], "<I", 14, 0x7FFFFFF0)
    v["offset_neg"] = patch(base, "<i", 10, -5)
    v["offset_zero"] = patch(base, "<I", 10, 0)                     # header bytes as pixels
    v["offset_past_end"] = patch(base, "<I", 10, len(base) + 10)
    v["offset_last_row_short"] = patch(base, "<I", 10, 56)
    v["os2_width_0"] = patch(v["im_os2_24"], "<H", 18, 0)
    v["os2_bpp_16"] = patch(v["im_os2_24"], "<H", 24, 16)
    v["os2_short_palette"] = v["im_os2_8"][:26 + 3 * 100]
    v["only_signature"] = b"BM"
    v["file_header_only"] = base[:14]

    # RLE re-encodings of the tools' own indices.
    v.update(rle_variants(v["pil_P256"], 8, "rle8"))
    v.update(rle_variants(v["ppmtobmp_windows_4"], 4, "rle4"))
    v.update(rle_variants(_netpbm("ppmtobmp", _quantized(photo(9, 6), 16), "ppm", "-bpp", "4"),
                          4, "rle4_odd"))
    v["rle8_gray"] = rle_file(v["cv2_gray"], 8, [op for r in rle_ops(Bmp(v["cv2_gray"]).indices(), 8)
                                                for op in r + [("eol",)]])
    return v


# ---- Sun raster ------------------------------------------------------------
SUN_TYPE, SUN_MAPTYPE, SUN_MAPLENGTH = 20, 24, 28


def sun_patch(data, at, value):
    return patch(data, ">i", at, value)


def sun_with_map(data, map_bytes):
    """A raster with its colormap replaced (pixels kept)."""
    maplen = struct.unpack_from(">i", data, SUN_MAPLENGTH)[0]
    head = bytearray(data[:32])
    struct.pack_into(">ii", head, SUN_MAPTYPE, 1, len(map_bytes))
    return bytes(head) + map_bytes + data[32 + maplen:]


def sun_gray_twin(data):
    """For a 1- or 8-bit raster without a colormap, the same raster with the
    colormap that says what its samples mean (8-bit: gray levels; 1-bit: 0
    white, 1 black), which cv2 reads right; other data as it is."""
    if len(data) < 32 or data[:4] != b"\x59\xa6\x6a\x95":
        return data
    depth, kind, maptype, maplen = struct.unpack_from(">i4xiii", data, 12)
    if depth not in (1, 8) or kind not in (0, 1) or maptype != 0 or maplen != 0:
        return data
    ramp = bytes([255, 0]) if depth == 1 else bytes(range(256))
    return sun_with_map(data, ramp * 3)


@functools.lru_cache(None)
def sun_variants():
    img, bgra = photo(37, 23), photo_alpha(37, 23)
    gray = gray_of(img)
    png = cv2.imencode(".png", img)[1].tobytes()
    png_alpha = cv2.imencode(".png", bgra)[1].tobytes()
    enc = lambda im, ext=".ras": cv2_imencode(ext, im)  # noqa: E731
    v = {}
    v["cv2_bgr"] = enc(img)
    v["cv2_gray"] = enc(gray)
    v["cv2_bgra"] = enc(bgra, ".sr")
    for w in (1, 2, 3, 5):
        v[f"cv2_bgr_w{w}"] = enc(photo(w, 4))
        v[f"cv2_gray_w{w}"] = enc(gray_of(photo(w, 4)))

    ppm256 = _quantized(img, 256)
    for mode in ("standard", "rle"):
        v[f"pnm_{mode}_1"] = _netpbm("pnmtorast", _pbm(bilevel(img)), "pbm", f"-{mode}")
        v[f"pnm_{mode}_gray"] = _netpbm("pnmtorast", _pnm(gray), "pgm", f"-{mode}")
        v[f"pnm_{mode}_8"] = _netpbm("pnmtorast", ppm256, "ppm", f"-{mode}")
        v[f"pnm_{mode}_24"] = _netpbm("pnmtorast", _pnm(img), "ppm", f"-{mode}")
    for w in (1, 8, 9):
        v[f"pnm_standard_1_w{w}"] = _netpbm("pnmtorast", _pbm(bilevel(photo(w, 3))), "pbm",
                                            "-standard")

    im = lambda src, *a: _convert(src, "png", *a, out="SUN:-")  # noqa: E731
    v["im_8"] = im(png, "-colors", "200")
    v["im_8_two_colors"] = im(png, "-colors", "2")
    v["im_gray_rgb"] = im(png, "-colorspace", "gray")
    v["im_24_rgb"] = im(png)                      # RT_FORMAT_RGB: cv2 refuses
    v["im_32_rgb"] = im(png_alpha)
    v["im_24_as_standard"] = sun_patch(v["im_24_rgb"], SUN_TYPE, 1)
    v["im_32_as_standard"] = sun_patch(v["im_32_rgb"], SUN_TYPE, 1)

    v["type_old"] = sun_patch(v["pnm_standard_8"], SUN_TYPE, 0)
    v["type_old_24"] = sun_patch(v["cv2_bgr"], SUN_TYPE, 0)
    v["type_rgb_8"] = sun_patch(v["pnm_standard_8"], SUN_TYPE, 3)
    v["type_experimental"] = sun_patch(v["cv2_bgr"], SUN_TYPE, 0xFFFF)
    v["type_byte_encoded_24"] = sun_patch(v["cv2_bgr"], SUN_TYPE, 2)

    full = v["pnm_standard_8"]
    maplen = struct.unpack_from(">i", full, SUN_MAPLENGTH)[0]
    cmap = full[32:32 + maplen]
    reds, greens, blues = cmap[:256], cmap[256:512], cmap[512:768]
    v["map_48_entries"] = sun_with_map(full, reds[:48] + greens[:48] + blues[:48])
    v["map_not_multiple_of_3"] = sun_with_map(full, reds[:100] + greens[:100] + blues[:100] + b"\x07")
    v["map_gray_entries"] = sun_with_map(full, reds + reds + reds)
    v["map_1bit"] = sun_with_map(v["pnm_standard_1"], b"\x10\xf0\x20\xe0\x30\xd0")
    v["map_1bit_gray"] = sun_with_map(v["pnm_standard_1"], b"\x10\xf0\x10\xf0\x10\xf0")
    v["map_1bit_one_entry"] = sun_with_map(v["pnm_standard_1"], b"\x80\x40\x20")
    v["map_too_long"] = sun_with_map(v["pnm_standard_1"], b"\x10\xf0\x20\xe0\x30\xd0\x00")
    v["map_on_24bit"] = sun_with_map(v["cv2_bgr"], b"\0" * 48)
    v["maptype_raw"] = sun_patch(full, SUN_MAPTYPE, 2)
    v["maptype_none_with_length"] = sun_patch(full, SUN_MAPTYPE, 0)
    v["map_truncated"] = full[:32 + 500]

    base = v["cv2_bgr"]
    v["bad_depth_4"] = sun_patch(base, 12, 4)
    v["bad_depth_16"] = sun_patch(base, 12, 16)
    v["bad_width_0"] = sun_patch(base, 4, 0)
    v["bad_width_neg"] = sun_patch(base, 4, -37)
    v["bad_height_neg"] = sun_patch(base, 8, -23)
    v["huge_width"] = sun_patch(base, 4, 1 << 21)
    v["huge_pixels"] = sun_patch(sun_patch(base, 4, 1 << 20), 8, 1 << 11)
    v["big_short_data"] = sun_patch(sun_patch(base, 4, 30000), 8, 20000)
    v["length_field_wrong"] = sun_patch(base, 16, 7)
    v["only_magic"] = base[:4]
    v["header_only"] = base[:32]
    v["one_byte_short"] = base[:-1]
    v["trailing_data"] = base + b"trailing" * 9
    return v
