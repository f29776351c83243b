"""TIFF files to compare on, made at test time by cv2, Pillow, libtiff's own
tools (tiffcp, tiffcrop, tiffset, tiff2bw) and ImageMagick, from the real
sample photo: every sample layout, compression, tiling and orientation."""
import functools
import io
from pathlib import Path

import numpy as np
from PIL import Image

import variants as V
from helpers import cv2, run, tool


def _tmp(name):
    return str(V.WORK / name)


def _rgb(bgr):
    return Image.fromarray(np.ascontiguousarray(bgr[:, :, ::-1]))


def _rgba(bgra):
    return Image.fromarray(np.ascontiguousarray(bgra[:, :, [2, 1, 0, 3]]))


def _pil(im, **kw):
    b = io.BytesIO()
    im.save(b, "TIFF", **kw)
    return b.getvalue()


def _file(data, name="src.tif"):
    p = _tmp(name)
    Path(p).write_bytes(data)
    return p


def tiffcp(data, *args):
    out = _tmp("tiffcp_out.tif")
    Path(out).unlink(missing_ok=True)
    run([tool("tiffcp"), *args, _file(data, "tiffcp_src.tif"), out])
    return Path(out).read_bytes()


def _tiffcrop(data, *args):
    out = _tmp("tiffcrop_out.tif")
    Path(out).unlink(missing_ok=True)
    run([tool("tiffcrop"), *args, _file(data, "tiffcrop_src.tif"), out])
    return Path(out).read_bytes()


def with_tag(data, tag, value):
    """tiffset -s TAG VALUE on a copy (first directory)."""
    p = _file(data, "tiffset.tif")
    run([tool("tiffset"), "-s", str(tag), str(value), p])
    return Path(p).read_bytes()


def convert(data, src_ext, *args, out="tiff:-"):
    return run([tool("convert"), _file(data, "im_src." + src_ext), *args, out]).stdout


def _png(img):
    return cv2.imencode(".png", img)[1].tobytes()


def gradient16(h=157, w=203, cn=3):
    """16-bit samples using all 16 bits (the photo alone would only fill 8)."""
    base = V.photo(w, h).astype(np.uint16) * 257
    ramp = (np.arange(w, dtype=np.uint16) * 97)[None, :, None]
    img = base + ramp
    if cn == 1:
        return img[:, :, 0]
    if cn == 4:
        return np.dstack([img, (np.arange(h, dtype=np.uint16) * 401)[:, None].repeat(w, 1)])
    return img


def float_image(cn=3, h=157, w=203):
    img = V.photo(w, h).astype(np.float32) / 255.0
    img = img * np.linspace(0.5, 4.0, w, dtype=np.float32)[None, :, None] - 0.25
    if cn == 1:
        return np.ascontiguousarray(img[:, :, 1])
    if cn == 4:
        return np.dstack([img, np.linspace(0, 1, h, dtype=np.float32)[:, None].repeat(w, 1)])
    return img


@functools.lru_cache(None)
def cv2_variants():
    """What cv2 4.6 writes: every depth and channel count it supports."""
    img, bgra = V.photo(), V.photo_alpha()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    enc = lambda im, p=(): cv2.imencode(".tiff", im, list(p))[1].tobytes()  # noqa: E731
    C = cv2.IMWRITE_TIFF_COMPRESSION
    v = {
        "cv2_bgr": enc(img), "cv2_bgra": enc(bgra), "cv2_gray": enc(gray),
        "cv2_bgr16": enc(gradient16()), "cv2_bgra16": enc(gradient16(cn=4)),
        "cv2_gray16": enc(gradient16(cn=1)),
        "cv2_float_gray": enc(float_image(1)), "cv2_float_bgr_logluv": enc(float_image(3)),
        "cv2_float_bgra": enc(float_image(4)),
        "cv2_float_bgr_raw": enc(float_image(3), [C, 1]),
        "cv2_int8_gray": enc((gray.astype(np.int16) - 128).astype(np.int8)),
        "cv2_int16_gray": enc(gradient16(cn=1).astype(np.int32).__sub__(30000).astype(np.int16)),
        "cv2_int32_gray": enc(gradient16(cn=1).astype(np.int32) * 1000 - 10 ** 7),
        "cv2_double_gray": enc(float_image(1).astype(np.float64) * 3.3),
        "cv2_none": enc(img, [C, 1]), "cv2_packbits": enc(img, [C, 32773]),
        "cv2_deflate": enc(bgra, [C, 8]), "cv2_deflate_legacy": enc(gray, [C, 32946]),
        "cv2_jpeg": enc(img, [C, 7, 278, 16]), "cv2_jpeg_gray": enc(gray, [C, 7, 278, 8]),
        "cv2_lzw_no_predictor": enc(img, [C, 5, 317, 1]),
        "cv2_rows_per_strip_1": enc(img, [278, 1]), "cv2_rows_per_strip_big": enc(img, [278, 1000]),
        "cv2_dpi": enc(img, [cv2.IMWRITE_TIFF_RESUNIT, 3, cv2.IMWRITE_TIFF_XDPI, 300,
                             cv2.IMWRITE_TIFF_YDPI, 150]),
        "cv2_tiny_1x1": enc(V.photo(1, 1)), "cv2_tiny_1x9_gray16": enc(gradient16(9, 1, 1)),
        "cv2_tiny_9x1_bgra": enc(V.photo_alpha(9, 1)),
    }
    return v


def _pil_variants():
    img, bgra = V.photo(), V.photo_alpha()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    rgb, rgba, L = _rgb(img), _rgba(bgra), Image.fromarray(gray)
    v = {}
    for comp in (None, "tiff_lzw", "tiff_adobe_deflate", "packbits", "jpeg"):
        v[f"pil_rgb_{comp}"] = _pil(rgb, compression=comp)
    v["pil_rgba_deflate"] = _pil(rgba, compression="tiff_deflate")
    v["pil_L_lzw"] = _pil(L, compression="tiff_lzw")
    v["pil_LA"] = _pil(rgba.convert("LA"))
    v["pil_1"] = _pil(L.convert("1"))
    v["pil_1_group4"] = _pil(L.convert("1"), compression="group4")
    v["pil_1_group3"] = _pil(L.convert("1"), compression="group3")
    v["pil_1_ccitt"] = _pil(L.convert("1"), compression="tiff_ccitt")
    v["pil_P"] = _pil(rgb.quantize(200))
    v["pil_P_16colors"] = _pil(rgb.quantize(16))
    v["pil_CMYK"] = _pil(rgb.convert("CMYK"))
    v["pil_CMYK_lzw"] = _pil(rgb.convert("CMYK"), compression="tiff_lzw")
    v["pil_YCbCr_jpeg"] = _pil(rgb, compression="jpeg", quality=70)
    v["pil_I16"] = _pil(Image.fromarray(gradient16(cn=1), "I;16"))
    v["pil_I32"] = _pil(Image.fromarray(gradient16(cn=1).astype(np.int32) - 40000, "I"))
    v["pil_F"] = _pil(Image.fromarray(float_image(1), "F"))
    v["pil_F_deflate"] = _pil(Image.fromarray(float_image(1), "F"), compression="tiff_adobe_deflate")
    v["pil_rgb_dpi"] = _pil(rgb, dpi=(72, 72))
    for o in range(1, 9):
        v[f"pil_rgb_orient_{o}"] = _pil(rgb, tiffinfo={274: o})
    return v


TIFFCP_ARGS = (["-c", "lzw"], ["-c", "lzw:2"], ["-c", "zip"], ["-c", "zip:2"], ["-c", "packbits"],
               ["-c", "none"], ["-t"], ["-t", "-w", "32", "-l", "48"],
               ["-t", "-w", "16", "-l", "16", "-c", "lzw"], ["-s", "-r", "1"], ["-s", "-r", "7"],
               ["-s", "-r", "1000"], ["-p", "separate"],
               ["-p", "separate", "-t", "-w", "64", "-l", "64"], ["-B"], ["-8"], ["-c", "lzma"],
               ["-c", "zstd"])
TIFFCP_JPEG_ARGS = (["-c", "jpeg", "-r", "16"], ["-c", "jpeg:r", "-r", "16"],
                    ["-t", "-c", "jpeg"], ["-c", "webp"])


def _tiffcp_variants(base, arg_lists=TIFFCP_ARGS):
    return {"tiffcp_" + "_".join(a.strip("-").replace(":", "") for a in args): tiffcp(base, *args)
            for args in arg_lists}


def _im_variants():
    img, bgra = V.photo(), V.photo_alpha()
    png, png_a = _png(img), _png(bgra)
    v = {}
    v["im_depth16"] = convert(png, "png", "-depth", "16")
    v["im_depth16_gray"] = convert(png, "png", "-colorspace", "Gray", "-depth", "16")
    v["im_depth12"] = convert(_png(gradient16()), "png", "-depth", "12")
    v["im_depth10_gray"] = convert(_png(gradient16(cn=1)), "png", "-depth", "10")
    v["im_depth14_rgba"] = convert(_png(gradient16(cn=4)), "png", "-depth", "14")
    v["im_float32"] = convert(png, "png", "-define", "quantum:format=floating-point", "-depth", "32")
    v["im_float32_gray"] = convert(png, "png", "-colorspace", "Gray", "-define",
                                   "quantum:format=floating-point", "-depth", "32")
    v["im_float64_gray"] = convert(png, "png", "-colorspace", "Gray", "-define",
                                   "quantum:format=floating-point", "-depth", "64")
    v["im_float16"] = convert(png, "png", "-define", "quantum:format=floating-point", "-depth", "16")
    v["im_palette"] = convert(png, "png", "-type", "Palette", "-colors", "100")
    v["im_palette_4bit"] = convert(png, "png", "-type", "Palette", "-colors", "16", "-depth", "4")
    v["im_palette_2bit"] = convert(png, "png", "-type", "Palette", "-colors", "4", "-depth", "2")
    v["im_gray_4bit"] = convert(png, "png", "-colorspace", "Gray", "-depth", "4")
    v["im_gray_alpha"] = convert(png_a, "png", "-type", "GrayscaleAlpha")
    v["im_bilevel_g4"] = convert(png, "png", "-type", "Bilevel", "-compress", "Group4")
    v["im_bilevel_miniswhite"] = convert(png, "png", "-type", "Bilevel", "-define",
                                         "tiff:photometric=min-is-white")
    v["im_gray_miniswhite"] = convert(png, "png", "-colorspace", "Gray", "-define",
                                      "tiff:photometric=min-is-white")
    v["im_cmyk"] = convert(png, "png", "-colorspace", "CMYK")
    v["im_cmyk16"] = convert(png, "png", "-colorspace", "CMYK", "-depth", "16")
    v["im_ycbcr_jpeg"] = convert(png, "png", "-compress", "JPEG", "-quality", "80")
    v["im_tiles"] = convert(png_a, "png", "-define", "tiff:tile-geometry=64x48")
    v["im_tiles16"] = convert(_png(gradient16()), "png", "-define", "tiff:tile-geometry=48x32")
    v["im_msb"] = convert(_png(gradient16()), "png", "-endian", "MSB")
    v["im_alpha_assoc"] = convert(png_a, "png", "-define", "tiff:alpha=associated")
    v["im_alpha_unassoc16"] = convert(_png(gradient16(cn=4)), "png", "-define",
                                      "tiff:alpha=unassociated")
    v["im_rle"] = convert(png, "png", "-compress", "RLE")
    v["im_zip_predictor"] = convert(png, "png", "-compress", "Zip", "-define", "tiff:predictor=2")
    v["im_float_predictor"] = convert(png, "png", "-compress", "Zip", "-define", "tiff:predictor=3",
                                      "-define", "quantum:format=floating-point", "-depth", "32")
    v["im_lab"] = convert(png, "png", "-colorspace", "Lab")
    return v


def _orientation_variants():
    """Orientation tags 1-8 on 8-bit strips and tiles, 16-bit and float:
    cv2 handles each path differently."""
    v = {}
    bases = {"rgb": cv2_variants()["cv2_bgr"], "rgb16": cv2_variants()["cv2_bgr16"],
             "gray_float": cv2_variants()["cv2_float_gray"],
             "rgba_tiles": tiffcp(cv2_variants()["cv2_bgra"], "-t", "-w", "48", "-l", "32"),
             "gray_strips3": tiffcp(cv2_variants()["cv2_gray"], "-s", "-r", "3")}
    for name, data in bases.items():
        for o in range(1, 9):
            v[f"orient_{o}_{name}"] = with_tag(data, 274, o)
    return v


@functools.lru_cache(None)
def variants():
    """name -> single-image TIFF bytes."""
    v = dict(cv2_variants())
    v.update(_pil_variants())
    v.update(_tiffcp_variants(cv2_variants()["cv2_bgra"]))
    v.update(_tiffcp_variants(cv2_variants()["cv2_bgr"], TIFFCP_JPEG_ARGS))
    gray_args = [a for a in TIFFCP_ARGS if "separate" not in a]  # one sample: nothing to separate
    v.update({k + "_gray16": d
              for k, d in _tiffcp_variants(cv2_variants()["cv2_gray16"], gray_args).items()})
    v.update(_im_variants())
    v.update(_orientation_variants())
    v["tiffcrop_rotate90"] = _tiffcrop(cv2_variants()["cv2_bgr"], "-R", "90")
    v["tiffcrop_mirror"] = _tiffcrop(cv2_variants()["cv2_bgr"], "-F", "both")
    v["tiff2bw"] = _tiff2bw(cv2_variants()["cv2_bgr"])
    return v


def _tiff2bw(data):
    out = _tmp("tiff2bw.tif")
    run([tool("tiff2bw"), _file(tiffcp(data, "-c", "none")), out])
    return Path(out).read_bytes()


@functools.lru_cache(None)
def multipage_variants():
    """name -> multi-page TIFF bytes."""
    img, bgra = V.photo(), V.photo_alpha()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    pages = [img, V.photo(120, 80, "fruits.jpg"), gray, bgra, gradient16()]
    v = {}
    p = _tmp("cv2_multi.tif")
    cv2.imwritemulti(p, pages)
    v["cv2_mixed"] = Path(p).read_bytes()
    cv2.imwritemulti(p, [float_image(1), float_image(3), gradient16(cn=1)])
    v["cv2_float_pages"] = Path(p).read_bytes()
    ims = [_rgb(img), Image.fromarray(gray), _rgba(bgra), _rgb(img).quantize(50)]
    b = io.BytesIO()
    ims[0].save(b, "TIFF", save_all=True, append_images=ims[1:], compression="tiff_lzw")
    v["pil_save_all"] = b.getvalue()
    v["im_multi"] = run([tool("convert"), _file(_png(img), "m1.png"), _file(_png(gray), "m2.png"),
                         _file(_png(gradient16()), "m3.png"), "tiff:-"]).stdout
    v["tiffcp_tiles_multi"] = tiffcp(v["cv2_mixed"], "-t", "-c", "zip")
    return v


def _tifffile(img, **kw):
    import tifffile
    b = io.BytesIO()
    tifffile.imwrite(b, img, **kw)
    return b.getvalue()


@functools.lru_cache(None)
def _planar_pairs():
    """name -> (planar file, the same image contiguous, same layout otherwise)."""
    rgb8 = V.photo()[:, :, ::-1]
    images = {
        "u8": rgb8, "u8_rgba": V.photo_alpha()[:, :, [2, 1, 0, 3]],
        "u16": gradient16()[:, :, ::-1], "u16_rgba": gradient16(cn=4)[:, :, [2, 1, 0, 3]],
        "s16": (gradient16().astype(np.int32) - 30000).astype(np.int16)[:, :, ::-1],
        "s32": (gradient16().astype(np.int32) * 1000 - 10 ** 7)[:, :, ::-1],
        "f32": float_image(3)[:, :, ::-1], "f32_rgba": float_image(4)[:, :, [2, 1, 0, 3]],
        "f64": float_image(3).astype(np.float64)[:, :, ::-1] / 3,
    }
    layouts = {"strips": {}, "strips5": {"rowsperstrip": 5}, "zlib": {"compression": "zlib"},
               "tiles": {"tile": (64, 48)}}
    v = {}
    for name, img in images.items():
        planes = np.ascontiguousarray(np.moveaxis(img, -1, 0))
        extra = {"extrasamples": [2]} if img.shape[2] == 4 else {}
        for lname, kw in layouts.items():
            v[f"planar_{name}_{lname}"] = (
                _tifffile(planes, planarconfig="separate", photometric="rgb", **extra, **kw),
                _tifffile(np.ascontiguousarray(img), planarconfig="contig", photometric="rgb",
                          **extra, **kw))
    a, b = v["planar_u16_strips5"]
    v["planar_u16_orient_6"] = (with_tag(a, 274, 6), with_tag(b, 274, 6))
    for name in ("u16_rgba", "f64", "s32"):  # small ones: fuzz seeds, partial tiles
        img = images[name][:11, :13]
        for lname, kw in (("small_tiles", {"tile": (16, 16)}), ("small_strips3", {"rowsperstrip": 3})):
            extra = {"extrasamples": [2]} if img.shape[2] == 4 else {}
            v[f"planar_{name}_{lname}"] = (
                _tifffile(np.ascontiguousarray(np.moveaxis(img, -1, 0)), planarconfig="separate",
                          photometric="rgb", **extra, **kw),
                _tifffile(np.ascontiguousarray(img), planarconfig="contig", photometric="rgb",
                          **extra, **kw))
    return v


def planar_variants():
    """PlanarConfiguration=2 (a plane per sample) at every depth, in strips
    and tiles, written by tifffile (cv2 4.6 reads the 16/32/64-bit ones as
    interleaved samples); 8-bit ones go through libtiff's RGBA reader."""
    return {name: pair[0] for name, pair in _planar_pairs().items()}


def contiguous_twin(name):
    """The planar variant's image written with contiguous samples."""
    return _planar_pairs()[name][1]


@functools.lru_cache(None)
def tifffile_variants():
    """Uncompressed 8-bit tiles whose byte size is not a multiple of 1024,
    as tifffile writes them: cv2 4.6 refuses them (see docs/compat.md); the
    RGBA one's tiles are 1024 bytes, which cv2 reads."""
    rgb, rgba = V.photo()[:, :, ::-1], V.photo_alpha()[:, :, [2, 1, 0, 3]]
    gray = cv2.cvtColor(V.photo(), cv2.COLOR_BGR2GRAY)
    return {"tifffile_rgb_tiles16": _tifffile(rgb, photometric="rgb", tile=(16, 16)),
            "tifffile_rgb_tiles32x48": _tifffile(rgb, photometric="rgb", tile=(32, 48)),
            "tifffile_rgba_tiles16": _tifffile(rgba, photometric="rgb", extrasamples=[1],
                                               tile=(16, 16)),
            "tifffile_gray_tiles48x16": _tifffile(gray, photometric="minisblack", tile=(48, 16))}
