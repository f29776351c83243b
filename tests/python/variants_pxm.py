"""Generates the PBM/PGM/PPM (P1-P6), PAM (P7), PFM and Radiance HDR files
the tests compare on, from real photos, with the formats' own writers: cv2,
Pillow, netpbm and ImageMagick. Header variants (comments, odd whitespace,
damaged fields) are surgery on those files; nothing is hand-faked pixel data."""
import functools
import io
import re
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from helpers import cv2, run, tool
from variants import photo, photo_alpha

WORK = Path(tempfile.mkdtemp(prefix="imc-pxm-"))


# ---- sources ---------------------------------------------------------------
def gray(w=203, h=157):
    return cv2.cvtColor(photo(w, h), cv2.COLOR_BGR2GRAY)


def wide(img):
    """16-bit version using all 16 bits (the low byte is not a copy)."""
    return img.astype(np.uint16) * 256 + (255 - img)


def hdr_image(w=203, h=157):
    """Float BGR with a real photo's structure and a high dynamic range."""
    img = photo(w, h).astype(np.float32) / 255.0
    ramp = np.linspace(0.01, 40.0, w, dtype=np.float32)[None, :, None]
    return np.ascontiguousarray(img * img * ramp)


def cv2_bytes(ext, img, params=()):
    return cv2.imencode(ext, img, list(params))[1].tobytes()


def _pil(img, mode=None):
    if img.ndim == 3:
        im = Image.fromarray(img[:, :, ::-1])
    elif img.dtype == np.uint16:
        im = Image.fromarray(img.astype(np.int32), "I")
    else:
        im = Image.fromarray(img)
    if mode:
        im = im.convert(mode)
    b = io.BytesIO()
    im.save(b, "PPM")
    return b.getvalue()


def _tool(name, *args, data=None):
    """Runs a netpbm / ImageMagick tool; data goes to stdin when given."""
    return run([tool(name), *args], input=data).stdout


def _pipe(data, *stages):
    for stage in stages:
        data = _tool(stage[0], *stage[1:], data=data)
    return data


def _convert(data, src_fmt, *args, out):
    src = WORK / ("im_src." + src_fmt)
    src.write_bytes(data)
    return run([tool("convert"), f"{src_fmt}:{src}", *args, out]).stdout


def split_header(data, numbers):
    """([magic, sep, number, sep, ...], raster) of a P1-P6 file with that many
    numbers after the magic; the last separator is the one whitespace byte."""
    m = re.match(rb"(P\d)(\s+)" + rb"(\d+)(\s+)" * (numbers - 1) + rb"(\d+)(\s)", data)
    assert m, data[:40]
    return list(m.groups()), data[m.end():]


def with_header(data, numbers, seps):
    """Rebuilds a P1-P6 file with new separators: seps[i] goes after token i."""
    parts, raster = split_header(data, numbers)
    tokens = parts[0::2]
    return b"".join(t + s for t, s in zip(tokens, seps)) + raster


# ---- P1-P6 -----------------------------------------------------------------
@functools.lru_cache(None)
def pnm_variants():
    img, g = photo(), gray()
    bw = ((g > 110) * 255).astype(np.uint8)
    v = {}
    for binary in (1, 0):
        tag = "raw" if binary else "plain"
        p = [cv2.IMWRITE_PXM_BINARY, binary]
        v[f"cv2_pgm_{tag}"] = cv2_bytes(".pgm", g, p)
        v[f"cv2_pgm16_{tag}"] = cv2_bytes(".pgm", wide(g), p)
        v[f"cv2_ppm_{tag}"] = cv2_bytes(".ppm", img, p)
        v[f"cv2_ppm16_{tag}"] = cv2_bytes(".ppm", wide(img), p)
        v[f"cv2_pbm_{tag}"] = cv2_bytes(".pbm", bw, p)
        v[f"cv2_pnm_gray_{tag}"] = cv2_bytes(".pnm", g, p)
        v[f"cv2_pnm_color16_{tag}"] = cv2_bytes(".pnm", wide(img), p)
    v["pil_P4"] = _pil(g, "1")
    v["pil_P5"] = _pil(g)
    v["pil_P5_16"] = _pil(wide(g))
    v["pil_P6"] = _pil(img)
    ppm, pgm = v["cv2_ppm_raw"], v["cv2_pgm_raw"]
    v["netpbm_plain_P3"] = _tool("pnmtoplainpnm", data=ppm)
    v["netpbm_plain_P2"] = _tool("pnmtoplainpnm", data=pgm)
    v["netpbm_plain_P1"] = _pipe(pgm, ("pamditherbw",), ("pamtopnm",), ("pnmtoplainpnm",))
    v["netpbm_P4_dither"] = _pipe(pgm, ("pamditherbw",), ("pamtopnm",))
    v["netpbm_P4_threshold"] = _pipe(pgm, ("pgmtopbm", "-threshold"))
    v["netpbm_ppmtopgm"] = _tool("ppmtopgm", data=ppm)
    v["netpbm_pgmtopgm"] = _tool("pgmtopgm", data=pgm)
    v["netpbm_ppmtoppm"] = _tool("ppmtoppm", data=ppm)
    for maxval in (1, 15, 100, 254, 256, 1000, 4095, 65535):
        v[f"netpbm_ppm_maxval{maxval}"] = _tool("pnmdepth", str(maxval), data=ppm)
        v[f"netpbm_pgm_maxval{maxval}"] = _tool("pnmdepth", str(maxval), data=pgm)
    for maxval in (15, 1000):
        v[f"netpbm_plain_ppm_maxval{maxval}"] = _tool("pnmtoplainpnm",
                                                      data=v[f"netpbm_ppm_maxval{maxval}"])
        v[f"netpbm_plain_pgm_maxval{maxval}"] = _tool("pnmtoplainpnm",
                                                      data=v[f"netpbm_pgm_maxval{maxval}"])
    v["netpbm_pamtopnm_gray_alpha"] = _pipe(
        _tool("pamstack", "-tupletype=GRAYSCALE_ALPHA", str(_file("ga.pgm", pgm)),
              str(_file("ga2.pgm", pgm))), ("pamchannel", "-tupletype=GRAYSCALE", "0"), ("pamtopnm",))
    png = cv2_bytes(".png", img)
    v["im_pbm"] = _convert(png, "png", "-monochrome", out="pbm:-")
    v["im_pgm"] = _convert(png, "png", "-colorspace", "Gray", out="pgm:-")
    v["im_ppm"] = _convert(png, "png", out="ppm:-")
    v["im_ppm16"] = _convert(png, "png", "-depth", "16", out="ppm:-")
    v["im_pgm16"] = _convert(png, "png", "-colorspace", "Gray", "-depth", "16", out="pgm:-")
    v["im_plain_ppm"] = _convert(png, "png", "-compress", "none", out="ppm:-")
    v["im_plain_pgm16"] = _convert(png, "png", "-colorspace", "Gray", "-depth", "16",
                                   "-compress", "none", out="pgm:-")
    v["im_plain_pbm"] = _convert(png, "png", "-monochrome", "-compress", "none", out="pbm:-")
    for w, h in ((1, 1), (1, 9), (9, 1), (13, 5), (17, 3)):
        small = photo(w, h)
        v[f"tiny_ppm_{w}x{h}"] = cv2_bytes(".ppm", small)
        v[f"tiny_pbm_{w}x{h}"] = cv2_bytes(".pbm", (gray(w, h) > 100).astype(np.uint8))
        v[f"tiny_plain_pbm_{w}x{h}"] = cv2_bytes(".pbm", (gray(w, h) > 100).astype(np.uint8),
                                                 [cv2.IMWRITE_PXM_BINARY, 0])
    return v


def _file(name, data):
    p = WORK / name
    p.write_bytes(data)
    return p


@functools.lru_cache(None)
def pnm_header_variants():
    """Comments and whitespace everywhere the format allows them (and some
    places it does not), plus damaged numbers: surgery on real files."""
    base = {"P6": pnm_variants()["cv2_ppm_raw"], "P5_16": pnm_variants()["cv2_pgm16_raw"],
            "P4": pnm_variants()["cv2_pbm_raw"], "P3": pnm_variants()["netpbm_plain_P3"],
            "P2_16": pnm_variants()["cv2_pgm16_plain"], "P1": pnm_variants()["netpbm_plain_P1"]}
    v = {}
    for name, data in base.items():
        n = 2 if name.startswith(("P4", "P1")) else 3       # numbers after the magic
        raw = name[1] in "456"
        seps = {                                            # after the magic and each number
            "comments": [b"\n# made by cv2\n", b" #w\n ", b"\n#\n#two\r", b"\n"],
            "comment_cr": [b"\r#x\r", b"#y\r\n", b" ", b"\n"],
            "tabs": [b"\t", b"\t\t", b"\v", b"\t"],
            "crlf": [b"\r\n", b" ", b"\r\n", b"\r" if raw else b"\r\n"],
            "spaces": [b"   ", b"\f ", b"  \n  ", b" "],
            "comment_glued_to_number": [b"\n", b"#c\n", b"#d\n", b"\n"],
        }
        for tag, s in seps.items():
            v[f"{name}_{tag}"] = with_header(data, n, s[:n] + s[-1:])
        parts, raster = split_header(data, n)
        tokens = parts[0::2]
        v[f"{name}_leading_zeros"] = b" ".join([tokens[0]] + [b"000" + t for t in tokens[1:]]) + \
            b"\n" + raster
        v[f"{name}_comment_after_last"] = data[:len(data) - len(raster)] + b"#" + raster
    p5 = pnm_variants()["cv2_pgm_raw"]
    parts, raster = split_header(p5, 3)
    w, h = int(parts[2]), int(parts[4])
    hdr = lambda *t: b" ".join(t) + b"\n"  # noqa: E731
    v["maxval_0"] = hdr(b"P5", parts[2], parts[4], b"0") + raster
    v["maxval_65536"] = hdr(b"P5", parts[2], parts[4], b"65536") + raster
    v["maxval_huge"] = hdr(b"P5", parts[2], parts[4], b"99999999999") + raster
    v["width_0"] = hdr(b"P5", b"0", parts[4], b"255") + raster
    v["height_0"] = hdr(b"P5", parts[2], b"0", b"255") + raster
    v["width_too_big"] = hdr(b"P5", b"2000000", b"1", b"255") + raster
    v["width_int_max"] = hdr(b"P5", b"2147483647", b"1", b"255") + raster
    v["width_overflow"] = hdr(b"P5", b"2147483648", b"1", b"255") + raster
    v["pixels_too_many"] = hdr(b"P5", b"1048576", b"1048576", b"255") + raster
    v["negative_width"] = hdr(b"P5", b"-5", parts[4], b"255") + raster
    v["plus_width"] = hdr(b"P5", b"+5", parts[4], b"255") + raster
    v["letter_in_header"] = hdr(b"P5", parts[2] + b"x", parts[4], b"255") + raster
    v["maxval_1_P5"] = hdr(b"P5", parts[2], parts[4], b"1") + bytes(b & 1 for b in raster)
    v["maxval_7_P5"] = hdr(b"P5", parts[2], parts[4], b"7") + bytes(b >> 5 for b in raster)
    v["raw_samples_above_maxval"] = hdr(b"P5", parts[2], parts[4], b"100") + raster
    v["short_raster"] = p5[:-w * h // 3]
    v["long_raster"] = p5 + b"trailing bytes" * 5
    v["header_only"] = p5[:len(p5) - len(raster)]
    v["magic_only"] = b"P5\n"
    v["magic_no_space"] = b"P5"
    plain = pnm_variants()["netpbm_plain_P2"]
    v["plain_no_final_newline"] = plain.rstrip()
    v["plain_samples_above_maxval"] = plain.replace(b"\n255\n", b"\n100\n", 1)
    v["plain_garbage_sample"] = plain[:200] + b" x " + plain[200:]
    v["plain_negative_sample"] = plain[:200] + b" -3 " + plain[200:]
    v["plain_huge_sample"] = plain[:200] + b" 99999999999 " + plain[200:]
    v["plain_comment_in_raster"] = plain[:200] + b" # in the data\n " + plain[200:]
    p1 = pnm_variants()["netpbm_plain_P1"]
    head_p1, bits = split_header(p1, 2)
    head_p1 = b"".join(head_p1)
    v["P1_no_separators"] = head_p1 + re.sub(rb"\s", b"", bits)
    v["P1_spaced"] = head_p1 + b" ".join(re.sub(rb"\s", b"", bits)[i:i + 1] for i in range(len(bits)))
    v["P1_digits_2_to_9"] = head_p1 + bits.replace(b"1", b"7")
    v["P1_big_numbers"] = head_p1 + bits.replace(b"1", b"10")
    return v


# ---- PAM -------------------------------------------------------------------
PAM_TUPLE_TYPES = {"BLACKANDWHITE": 1, "GRAYSCALE": 2, "GRAYSCALE_ALPHA": 3, "RGB": 4,
                   "RGB_ALPHA": 5}


@functools.lru_cache(None)
def pam_variants():
    img, g, bgra = photo(), gray(), photo_alpha()
    ga = np.dstack([g, bgra[:, :, 3]])
    v = {}
    tt = cv2.IMWRITE_PAM_TUPLETYPE
    v["cv2_gray"] = cv2_bytes(".pam", g)
    v["cv2_rgb"] = cv2_bytes(".pam", img)
    v["cv2_gray_tt"] = cv2_bytes(".pam", g, [tt, 2])
    v["cv2_rgb_tt"] = cv2_bytes(".pam", img, [tt, 4])
    v["cv2_bgra_tt"] = cv2_bytes(".pam", bgra, [tt, 5])
    v["cv2_bgra_no_tt"] = cv2_bytes(".pam", bgra)
    v["cv2_gray16_tt"] = cv2_bytes(".pam", wide(g), [tt, 2])
    v["cv2_rgb16_tt"] = cv2_bytes(".pam", wide(img), [tt, 4])
    v["cv2_bgra16_tt"] = cv2_bytes(".pam", wide(bgra), [tt, 5])
    v["cv2_gray16_no_tt"] = cv2_bytes(".pam", wide(g))
    v["cv2_bw_tt"] = cv2_bytes(".pam", (g > 100).astype(np.uint8), [tt, 1])
    ppm, pgm = cv2_bytes(".ppm", img), cv2_bytes(".pgm", g)
    pbm = cv2_bytes(".pbm", (g > 100).astype(np.uint8) * 255)
    v["netpbm_rgb"] = _tool("pamtopam", data=ppm)
    v["netpbm_gray"] = _tool("pamtopam", data=pgm)
    v["netpbm_bw"] = _tool("pamtopam", data=pbm)
    v["netpbm_rgb16"] = _tool("pamtopam", data=cv2_bytes(".ppm", wide(img)))
    v["netpbm_rgb_maxval1000"] = _pipe(ppm, ("pamtopam",), ("pamdepth", "1000"))
    v["netpbm_gray_maxval15"] = _pipe(pgm, ("pamtopam",), ("pamdepth", "15"))
    gpath, apath = _file("g.pgm", pgm), _file("a.pgm", cv2_bytes(".pgm", bgra[:, :, 3]))
    v["netpbm_gray_alpha"] = _tool("pamstack", "-tupletype=GRAYSCALE_ALPHA", str(gpath), str(apath))
    rgb = _file("rgb.pam", v["netpbm_rgb"])
    v["netpbm_rgb_alpha"] = _tool("pamstack", "-tupletype=RGB_ALPHA", str(rgb), str(apath))
    v["netpbm_rgb_alpha16"] = _pipe(v["netpbm_rgb_alpha"], ("pamdepth", "65535"))
    v["netpbm_gray_alpha16"] = _pipe(v["netpbm_gray_alpha"], ("pamdepth", "65535"))
    v["netpbm_channel_rgb_as_gray"] = _tool("pamchannel", "-tupletype=GRAYSCALE", "1",
                                            data=v["netpbm_rgb"])
    png = cv2_bytes(".png", img)
    v["im_rgb"] = _convert(png, "png", out="pam:-")
    v["im_gray"] = _convert(png, "png", "-colorspace", "Gray", out="pam:-")
    v["im_rgba"] = _convert(cv2_bytes(".png", bgra), "png", out="pam:-")
    v["im_gray_alpha"] = _convert(cv2_bytes(".png", bgra), "png", "-colorspace", "Gray",
                                  out="pam:-")
    v["im_rgb16"] = _convert(png, "png", "-depth", "16", out="pam:-")
    v["im_gray16"] = _convert(png, "png", "-colorspace", "Gray", "-depth", "16", out="pam:-")
    v["im_bilevel"] = _convert(png, "png", "-monochrome", out="pam:-")
    for w, h in ((1, 1), (2, 5), (5, 2), (9, 3), (10, 4), (13, 1)):
        gp = _file("tg.pgm", cv2_bytes(".pgm", ga[:h, :w, 0].copy()))
        ap = _file("ta.pgm", cv2_bytes(".pgm", ga[:h, :w, 1].copy()))
        v[f"tiny_ga_{w}x{h}"] = _tool("pamstack", "-tupletype=GRAYSCALE_ALPHA", str(gp), str(ap))
        v[f"tiny_rgba_{w}x{h}"] = cv2_bytes(".pam", bgra[:h, :w].copy(), [tt, 5])
        v[f"tiny_rgb_{w}x{h}"] = cv2_bytes(".pam", img[:h, :w].copy(), [tt, 4])
        v[f"tiny_bw_{w}x{h}"] = cv2_bytes(".pam", (g[:h, :w] > 100).astype(np.uint8), [tt, 1])
    return v


def pam_split(data):
    end = data.index(b"ENDHDR\n") + 7
    return data[:end], data[end:]


@functools.lru_cache(None)
def pam_header_variants():
    head, raster = pam_split(pam_variants()["netpbm_rgb"])
    lines = head.split(b"\n")[:-1]          # P7, WIDTH, HEIGHT, DEPTH, MAXVAL, TUPLTYPE, ENDHDR
    body = lines[1:-1]
    build = lambda ls, sep=b"\n", end=b"ENDHDR\n", r=raster: b"P7" + sep + sep.join(ls) + sep + end + r  # noqa: E731,E501
    v = {}
    v["crlf"] = build(body, b"\r\n", b"ENDHDR\r\n", raster)
    v["cr"] = build(body, b"\r", b"ENDHDR\r")
    v["comments"] = build([b"# first", *body[:2], b"#", *body[2:], b"#last"])
    v["reordered"] = build(body[::-1])
    v["indented"] = build([b"   " + ln for ln in body])
    v["blank_lines"] = build([ln + b"\n\n" for ln in body])
    v["tabs"] = build([ln.replace(b" ", b"\t") for ln in body])
    v["trailing_spaces"] = build([ln + b"   " for ln in body])
    v["value_spaces"] = build([ln.replace(b" ", b"    ") for ln in body])
    v["no_tupltype"] = build(body[:-1])
    v["empty_tupltype"] = build(body[:-1] + [b"TUPLTYPE"])
    v["two_tupltypes"] = build(body + [b"TUPLTYPE GRAYSCALE"])
    v["unknown_tupltype"] = build(body[:-1] + [b"TUPLTYPE RGB_PLUS"])
    v["tupltype_trailing_space_newline"] = build(body[:-1] + [b"TUPLTYPE \nRGB"])
    v["lowercase_field"] = build([body[0].lower(), *body[1:]])
    v["unknown_field"] = build(body + [b"COLORS 3"])
    v["long_field_name"] = build(body + [b"TUPLTYPES RGB"])
    v["missing_width"] = build(body[1:])
    v["missing_maxval"] = build([ln for ln in body if not ln.startswith(b"MAXVAL")])
    v["duplicate_height"] = build(body + [b"HEIGHT 3"])
    v["width_0"] = build([b"WIDTH 0", *body[1:]])
    v["width_empty"] = build([b"WIDTH", *body[1:]])
    v["width_negative"] = build([b"WIDTH -7", *body[1:]])
    v["width_minus_only"] = build([b"WIDTH -", *body[1:]])
    v["width_plus"] = build([b"WIDTH +7", *body[1:]])
    v["width_letters"] = build([b"WIDTH 7x", *body[1:]])
    v["width_int_max"] = build([b"WIDTH 2147483647", *body[1:]])
    v["width_too_big"] = build([b"WIDTH 3000000", *body[1:]])
    v["depth_0"] = build([ln if not ln.startswith(b"DEPTH") else b"DEPTH 0" for ln in body])
    v["depth_5"] = build([ln if not ln.startswith(b"DEPTH") else b"DEPTH 5" for ln in body])
    v["depth_1_rgb"] = build([ln if not ln.startswith(b"DEPTH") else b"DEPTH 1" for ln in body])
    v["depth_2_rgb"] = build([ln if not ln.startswith(b"DEPTH") else b"DEPTH 2" for ln in body])
    v["depth_4_rgb"] = build([ln if not ln.startswith(b"DEPTH") else b"DEPTH 4" for ln in body])
    v["maxval_0"] = build([ln if not ln.startswith(b"MAXVAL") else b"MAXVAL 0" for ln in body])
    v["maxval_100"] = build([ln if not ln.startswith(b"MAXVAL") else b"MAXVAL 100" for ln in body])
    v["maxval_65536"] = build([ln if not ln.startswith(b"MAXVAL") else b"MAXVAL 65536"
                               for ln in body])
    v["maxval_1_rgb"] = build([ln if not ln.startswith(b"MAXVAL") else b"MAXVAL 1" for ln in body])
    v["value_too_long"] = build(body + [b"TUPLTYPE " + b"R" * 300])
    v["no_newline_after_P7"] = b"P7 " + head[3:] + raster
    v["endhdr_trailing_space"] = build(body, end=b"ENDHDR \n")
    v["short_raster"] = head + raster[: len(raster) // 2]
    v["header_only"] = head
    v["cut_in_header"] = head[:30]
    return v


# ---- PFM -------------------------------------------------------------------
def pfm_raster(img, big_endian=False):
    """Rows bottom to top, RGB, as PFM stores them."""
    rows = img[::-1]
    if rows.ndim == 3:
        rows = rows[:, :, ::-1]
    return np.ascontiguousarray(rows).astype(">f4" if big_endian else "<f4").tobytes()


@functools.lru_cache(None)
def pfm_variants():
    f3 = hdr_image()
    f1 = np.ascontiguousarray(f3[:, :, 1])
    v = {}
    v["cv2_color"] = cv2_bytes(".pfm", f3)
    v["cv2_gray"] = cv2_bytes(".pfm", f1)
    v["cv2_from_u8"] = cv2_bytes(".pfm", photo())
    v["cv2_from_u16"] = cv2_bytes(".pfm", wide(gray()))
    v["cv2_negative_values"] = cv2_bytes(".pfm", f3 - 3.0)
    ppm, pgm = cv2_bytes(".ppm", photo()), cv2_bytes(".pgm", gray())
    v["netpbm_color"] = _tool("pamtopfm", data=ppm)
    v["netpbm_gray"] = _tool("pamtopfm", data=pgm)
    v["netpbm_big_endian"] = _tool("pamtopfm", "-endian=big", data=ppm)
    v["netpbm_little_scale"] = _tool("pamtopfm", "-endian=little", "-scale=2.5", data=pgm)
    v["netpbm_big_scale"] = _tool("pamtopfm", "-endian=big", "-scale=0.125", data=ppm)
    png = cv2_bytes(".png", photo())
    v["im_color"] = _convert(png, "png", out="pfm:-")
    v["im_gray"] = _convert(png, "png", "-colorspace", "Gray", out="pfm:-")
    v["im_from_hdr"] = _convert(cv2_bytes(".hdr", f3), "hdr", "-strip", out="pfm:-")
    v["im_comment_in_header"] = _convert(cv2_bytes(".hdr", f3), "hdr", out="pfm:-")
    # Even sizes: REDUCED_2 takes cv2's INTER_AREA path (a SIMD loop for gray).
    for w, h in ((64, 48), (26, 18), (2, 2)):
        v[f"even_{w}x{h}"] = cv2_bytes(".pfm", hdr_image(w, h))
        v[f"even_gray_{w}x{h}"] = cv2_bytes(".pfm", np.ascontiguousarray(hdr_image(w, h)[:, :, 0]))
    for w, h in ((1, 1), (1, 5), (6, 1), (7, 3)):
        v[f"tiny_{w}x{h}"] = cv2_bytes(".pfm", f3[:h, :w].copy())
        v[f"tiny_gray_{w}x{h}"] = cv2_bytes(".pfm", f1[:h, :w].copy())
    return v


@functools.lru_cache(None)
def pfm_header_variants():
    f3 = hdr_image(61, 47)
    h, w = f3.shape[:2]
    le, be = pfm_raster(f3), pfm_raster(f3, True)
    g_le = pfm_raster(np.ascontiguousarray(f3[:, :, 0]))
    v = {}
    for scale in (b"-1", b"-1.0", b"-2.5", b"-0.001", b"-1e-30", b"-1e30", b"-inf", b"-0x1p-3",
                  b"-.5", b"-1.0000000000000002", b"-0.9999999999999999"):
        v[f"le_scale_{scale.decode()}"] = b"PF\n%d %d\n%s\n" % (w, h, scale) + le
    for scale in (b"1", b"+1", b"3.75", b"1e1", b"inf", b"0x10", b"1.5abc"):
        v[f"be_scale_{scale.decode()}"] = b"PF\n%d %d\n%s\n" % (w, h, scale) + be
    for scale in (b"0", b"-0", b"nan", b"-nan", b"abc", b""):
        v[f"bad_scale_{scale.decode() or 'empty'}"] = b"PF\n%d %d\n%s\n" % (w, h, scale) + le
    v["gray_be"] = b"Pf\n%d %d\n1.0\n" % (w, h) + pfm_raster(np.ascontiguousarray(f3[:, :, 0]), True)
    v["gray_le"] = b"Pf\n%d %d\n-1\n" % (w, h) + g_le
    v["tabs"] = b"PF\n%d\t%d\t-1\t" % (w, h) + le
    v["crlf_after_scale"] = b"PF\n%d %d\n-1\r\n" % (w, h) + le  # \n becomes data
    v["cr_after_magic"] = b"PF\r%d %d\n-1\n" % (w, h) + le
    v["space_after_magic"] = b"PF %d %d\n-1\n" % (w, h) + le
    v["two_spaces"] = b"PF\n%d  %d\n-1\n" % (w, h) + le               # height 0: cv2 raises
    v["leading_space"] = b"PF\n %d %d\n-1\n" % (w, h) + le
    v["plus_width"] = b"PF\n+%d %d\n-1\n" % (w, h) + le
    v["width_suffix"] = b"PF\n%dpx %d\n-1\n" % (w, h) + le
    v["width_hex"] = b"PF\n0x%x %d\n-1\n" % (w, h) + le
    v["negative_width"] = b"PF\n-%d %d\n-1\n" % (w, h) + le
    v["width_overflow"] = b"PF\n4294967357 %d\n-1\n" % h + le      # atoi truncates to 61
    v["width_huge"] = b"PF\n99999999999999999999 %d\n-1\n" % h + le
    v["height_too_big"] = b"PF\n%d 2000000\n-1\n" % w + le
    v["high_byte_in_header"] = b"PF\n%d %d\n-1\xb5\n" % (w, h) + le
    v["nul_in_token"] = b"PF\n%d\0junk %d\n-1\n" % (w, h) + le
    v["token_2047"] = b"PF\n" + b"0" * 2045 + b"%d %d\n-1\n" % (w, h) + le
    v["token_2048"] = b"PF\n" + b"0" * 2046 + b"%d %d\n-1\n" % (w, h) + le
    v["token_2100"] = b"PF\n" + b"0" * 2100 + b"%d %d\n-1\n" % (w, h) + le
    v["short_raster"] = b"PF\n%d %d\n-1\n" % (w, h) + le[:-5]
    v["long_raster"] = b"PF\n%d %d\n-1\n" % (w, h) + le + b"extra"
    v["header_cut"] = b"PF\n%d %d" % (w, h)
    specials = np.array([0.5, 1.5, 2.5, -0.5, 254.5, 255.5, 1e10, -1e10, np.nan, np.inf, -np.inf,
                         -0.0, 1e-40, 3.4e38, 127.5, 0.49999997], np.float32)
    sp = np.tile(specials, (3, 1))
    v["special_values"] = b"Pf\n%d 3\n-1\n" % sp.shape[1] + pfm_raster(sp)
    v["special_values_scaled"] = b"Pf\n%d 3\n-0.5\n" % sp.shape[1] + pfm_raster(sp)
    return v


# ---- Radiance HDR ----------------------------------------------------------
def hdr_split(data):
    """(header up to and including the resolution line, pixel data)."""
    at = data.index(b"\n\n") + 2
    at = data.index(b"\n", at) + 1
    return data[:at], data[at:]


def rgbe_flat_rows(img):
    """The flat RGBE bytes of each row, as cv2 4.6 writes them (params [0, 0])."""
    head, flat = hdr_split(cv2_bytes(".hdr", img, [0, 0]))
    w = img.shape[1]
    return [flat[y * 4 * w:(y + 1) * 4 * w] for y in range(img.shape[0])]


def rle_rows(data, w, h):
    """Splits cv2's RLE pixel data into its scanlines."""
    rows, at = [], 0
    for _ in range(h):
        start = at
        at += 4
        for _c in range(4):
            left = w
            while left:
                n = data[at]
                run = n > 128
                count = n - 128 if run else n
                at += 2 if run else 1 + count
                left -= count
        rows.append(data[start:at])
    return rows


@functools.lru_cache(None)
def hdr_variants():
    f3 = hdr_image()
    v = {}
    v["cv2_rle"] = cv2_bytes(".hdr", f3)
    v["cv2_flat"] = cv2_bytes(".hdr", f3, [0, 0])        # cv2 4.6: params[0] == HDR_NONE
    v["cv2_from_u8"] = cv2_bytes(".hdr", photo())
    v["cv2_gray"] = cv2_bytes(".hdr", np.ascontiguousarray(f3[:, :, 2]))
    v["cv2_dark"] = cv2_bytes(".hdr", f3 * 1e-6)
    v["cv2_bright"] = cv2_bytes(".hdr", f3 * 1e6)
    v["cv2_flat_regions"] = cv2_bytes(".hdr", np.kron(hdr_image(26, 20), np.ones((8, 8, 1),
                                                                                 np.float32)))
    png = cv2_bytes(".png", photo())
    v["im_from_png"] = _convert(png, "png", out="hdr:-")
    v["im_from_png16"] = _convert(cv2_bytes(".png", wide(photo())), "png", out="hdr:-")
    v["im_from_pfm"] = _convert(cv2_bytes(".pfm", f3), "pfm", out="hdr:-")
    v["im_narrow"] = _convert(cv2_bytes(".png", photo(5, 9)), "png", out="hdr:-")
    for w, h in ((1, 1), (7, 3), (8, 2), (9, 5), (127, 2), (128, 2), (300, 2), (128, 64), (8, 8)):
        v[f"size_{w}x{h}"] = cv2_bytes(".hdr", hdr_image(w, h))
    return v


@functools.lru_cache(None)
def hdr_header_variants():
    f3 = hdr_image(64, 24)
    rle = cv2_bytes(".hdr", f3)
    head, pixels = hdr_split(rle)
    h, w = f3.shape[:2]
    size = b"-Y %d +X %d\n" % (h, w)
    fmt = b"FORMAT=32-bit_rle_rgbe\n"
    build = lambda *lines, magic=b"#?RADIANCE\n", px=pixels: magic + b"".join(lines) + px  # noqa: E731
    v = {}
    v["rgbe_magic"] = build(fmt, b"\n", size, magic=b"#?RGBE\n")
    v["magic_with_program"] = build(fmt, b"\n", size, magic=b"#?RADIANCE by someone\n")
    v["comments"] = build(b"# made by a test\n", fmt, b"#another\n", b"\n", size)
    v["exposure_gamma"] = build(b"EXPOSURE=2.5\n", b"GAMMA=1.8\n", fmt, b"PRIMARIES=0 0 1 1\n",
                                b"\n", size)
    v["long_comment"] = build(b"#" + b"x" * 300 + b"\n", fmt, b"\n", size)
    v["line_127_then_newline"] = build(b"#" + b"x" * 126 + b"\n", fmt, b"\n", size)
    v["line_126_then_newline"] = build(b"#" + b"x" * 125 + b"\n", fmt, b"\n", size)
    v["long_line_ending_in_blank"] = build(b"X" * 127 + b"\n", fmt, b"\n", size)
    v["long_magic"] = build(fmt, b"\n", size, magic=b"#?RADIANCE" + b"z" * 200 + b"\n")
    v["format_twice"] = build(fmt, fmt, b"\n", size)
    v["no_format"] = build(b"\n", size)
    v["other_format"] = build(b"FORMAT=32-bit_rle_xyze\n", b"\n", size)
    v["format_crlf"] = build(b"FORMAT=32-bit_rle_rgbe\r\n", b"\n", size)
    v["format_trailing_space"] = build(b"FORMAT=32-bit_rle_rgbe \n", b"\n", size)
    v["no_blank_line"] = build(fmt, size)
    v["plus_y"] = build(fmt, b"\n", b"+Y %d +X %d\n" % (h, w))
    v["x_first"] = build(fmt, b"\n", b"+X %d -Y %d\n" % (w, h))
    v["size_tabs"] = build(fmt, b"\n", b"-Y\t%d\t+X\t%d\n" % (h, w))
    v["size_no_spaces"] = build(fmt, b"\n", b"-Y%d+X%d\n" % (h, w))
    v["size_extra_spaces"] = build(fmt, b"\n", b"-Y   %d    +X  %d   trailing\n" % (h, w))
    v["size_plus_sign"] = build(fmt, b"\n", b"-Y +%d +X +%d\n" % (h, w))
    v["size_missing_width"] = build(fmt, b"\n", b"-Y %d\n" % h)
    v["size_zero"] = build(fmt, b"\n", b"-Y 0 +X %d\n" % w)
    v["size_negative"] = build(fmt, b"\n", b"-Y %d +X -%d\n" % (h, w))
    v["size_too_big"] = build(fmt, b"\n", b"-Y %d +X 2000000\n" % h)
    v["size_overflow"] = build(fmt, b"\n", b"-Y %d +X 4294967360\n" % h)   # wraps to 64
    v["size_huge"] = build(fmt, b"\n", b"-Y %d +X 99999999999999999999\n" % h)
    v["header_cut"] = head[:20]
    v["no_pixels"] = head
    # Pixel data: RLE damage, and RLE scanlines followed by flat ones.
    rows = rle_rows(pixels, w, h)
    flat = rgbe_flat_rows(f3)
    v["rle_then_flat"] = head + b"".join(rows[:5]) + b"".join(flat[5:])
    v["flat_first_row"] = head + b"".join(flat[:1]) + b"".join(rows[1:])
    v["wrong_scanline_width"] = head + rows[0][:2] + bytes([0, w + 1]) + rows[0][4:] + \
        b"".join(rows[1:])
    bad = bytearray(rows[1])
    bad[4] = 255                                          # run of 127 past the row
    v["run_past_row"] = head + rows[0] + bytes(bad) + b"".join(rows[2:])
    bad = bytearray(rows[1])
    bad[4] = 128 if bad[4] > 128 else 0                  # empty run / empty literal span
    v["zero_count"] = head + rows[0] + bytes(bad) + b"".join(rows[2:])
    bad = bytearray(rows[1])
    bad[4] = 100                                         # literal span longer than its data
    v["literal_past_row"] = head + rows[0] + bytes(bad) + b"".join(rows[2:])
    v["short_pixels"] = head + pixels[: len(pixels) // 2]
    v["extra_pixels"] = head + pixels + b"\x02\x02\x00\x40" + pixels[:100]
    return v
