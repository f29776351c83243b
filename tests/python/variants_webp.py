"""WebP files to compare on, made at test time by cv2, Pillow and libwebp's
own tools (cwebp, img2webp, gif2webp, webpmux) from the real sample photo."""
import functools
import io
from pathlib import Path

import numpy as np
from PIL import Image

import variants as V
from helpers import cv2, run, tool


def _tmp(name):
    return str(V.WORK / name)


def _pil(im, **kw):
    b = io.BytesIO()
    im.save(b, "WEBP", **kw)
    return b.getvalue()


def _rgb(bgr):
    return Image.fromarray(np.ascontiguousarray(bgr[:, :, ::-1]))


def _rgba(bgra):
    return Image.fromarray(np.ascontiguousarray(bgra[:, :, [2, 1, 0, 3]]))


def _cwebp(src_bytes, src_ext, *args):
    src, out = _tmp("cwebp_src." + src_ext), _tmp("cwebp_out.webp")
    Path(src).write_bytes(src_bytes)
    run([tool("cwebp"), "-quiet", *args, src, "-o", out])
    return Path(out).read_bytes()


def _png(img):
    return cv2.imencode(".png", img)[1].tobytes()


def _webpmux(data, *args):
    src, out = _tmp("mux_src.webp"), _tmp("mux_out.webp")
    Path(src).write_bytes(data)
    run([tool("webpmux"), *args, src, "-o", out])
    return Path(out).read_bytes()


def frames(n=4, width=96, height=72, alpha=False):
    """Moving crops of the photo: consecutive frames share most pixels, so
    animation encoders emit sub-rectangles and blending."""
    src = V.photo_alpha(240, 160) if alpha else V.photo(240, 160)
    return [np.ascontiguousarray(src[8 * i:8 * i + height, 12 * i:12 * i + width]) for i in range(n)]


def _img2webp(imgs, *args):
    paths = []
    for i, im in enumerate(imgs):
        p = _tmp(f"img2webp_{i}.png")
        cv2.imwrite(p, im)
        paths.append(p)
    out = _tmp("img2webp.webp")
    run([tool("img2webp"), *args, *paths, "-o", out])
    return Path(out).read_bytes()


def _gif2webp(*args):
    gif = _tmp("anim.gif")
    ims = [_rgb(f).quantize(64) for f in frames(5)]
    ims[0].save(gif, save_all=True, append_images=ims[1:], duration=[40, 80, 120, 60, 100],
                loop=0, disposal=2)
    out = _tmp("gif2webp.webp")
    run([tool("gif2webp"), "-quiet", *args, gif, "-o", out])
    return Path(out).read_bytes()


@functools.lru_cache(None)
def still_variants():
    """name -> still WebP bytes (what cv2 4.6 decodes)."""
    img, bgra = V.photo(), V.photo_alpha()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    enc = lambda im, p=(): cv2.imencode(".webp", im, list(p))[1].tobytes()  # noqa: E731
    v = {}
    v["cv2_lossless"] = enc(img)
    v["cv2_lossless_bgra"] = enc(bgra)
    v["cv2_lossless_gray"] = enc(gray)
    for q in (1, 50, 90, 100):
        v[f"cv2_q{q}"] = enc(img, [cv2.IMWRITE_WEBP_QUALITY, q])
    v["cv2_bgra_q80"] = enc(bgra, [cv2.IMWRITE_WEBP_QUALITY, 80])
    v["cv2_big_q70"] = enc(V.photo(512, 384), [cv2.IMWRITE_WEBP_QUALITY, 70])
    v["pil_lossy"] = _pil(_rgb(img), quality=80)
    v["pil_lossless"] = _pil(_rgb(img), lossless=True)
    v["pil_lossy_rgba"] = _pil(_rgba(bgra), quality=60)
    v["pil_lossless_rgba"] = _pil(_rgba(bgra), lossless=True, quality=20)
    v["pil_lossy_method6"] = _pil(_rgb(img), quality=40, method=6)
    ex = Image.Exif()
    ex[0x0112] = 6
    v["pil_exif_orient6"] = _pil(_rgb(img), quality=85, exif=ex.tobytes())
    v["pil_icc"] = _pil(_rgb(img), quality=85, icc_profile=b"\0" * 64 + b"fake icc profile")
    v["pil_L"] = _pil(Image.fromarray(gray), quality=75)
    png, png_alpha = _png(img), _png(bgra)
    v["cwebp_default"] = _cwebp(png, "png")
    v["cwebp_q10_sharp"] = _cwebp(png, "png", "-q", "10", "-sharp_yuv")
    v["cwebp_lossless_z3"] = _cwebp(png, "png", "-lossless", "-z", "3")
    v["cwebp_near_lossless"] = _cwebp(png, "png", "-near_lossless", "60")
    v["cwebp_alpha_q50"] = _cwebp(png_alpha, "png", "-q", "70", "-alpha_q", "50")
    v["cwebp_alpha_exact"] = _cwebp(png_alpha, "png", "-lossless", "-exact")
    v["cwebp_alpha_filter"] = _cwebp(png_alpha, "png", "-alpha_filter", "best", "-alpha_method", "0")
    v["cwebp_segments_sns"] = _cwebp(png, "png", "-segments", "1", "-sns", "100", "-f", "80")
    v["cwebp_exif"] = _cwebp(V.jpeg_exif_variants()["pil_exif_6"], "jpg", "-metadata", "exif")
    v["webpmux_icc"] = _webpmux(v["cwebp_default"], "-set", "icc", _icc_file())
    v["tiny_1x1"] = enc(V.photo(1, 1), [cv2.IMWRITE_WEBP_QUALITY, 90])
    v["tiny_1x13_lossless"] = enc(V.photo(1, 13))
    v["tiny_13x1_alpha"] = enc(V.photo_alpha(13, 1))
    v["odd_17x9_lossy"] = enc(V.photo(17, 9), [cv2.IMWRITE_WEBP_QUALITY, 60])
    return v


def _icc_file():
    p = _tmp("profile.icc")
    Path(p).write_bytes(b"\0" * 128 + b"not really a profile")
    return p


@functools.lru_cache(None)
def animated_variants():
    """name -> animated WebP bytes (cv2 4.6 returns None; newer cv2 decodes
    the composited frames)."""
    v = {}
    ims = frames()
    v["img2webp_lossless"] = _img2webp(ims, "-lossless", "-d", "80")
    v["img2webp_lossy"] = _img2webp(ims, "-lossy", "-q", "60", "-d", "50")
    v["img2webp_mixed"] = _img2webp(frames(alpha=True), "-mixed", "-d", "100")
    v["gif2webp"] = _gif2webp()
    v["gif2webp_lossy_mixed"] = _gif2webp("-lossy", "-q", "50", "-mixed")
    pil = [_rgb(f) for f in ims]
    v["pil_anim_lossy"] = _pil(pil[0], save_all=True, append_images=pil[1:], duration=70,
                               quality=50, loop=3)
    pil_a = [_rgba(f) for f in frames(alpha=True)]
    v["pil_anim_lossless_alpha"] = _pil(pil_a[0], save_all=True, append_images=pil_a[1:],
                                        duration=[30, 60, 90, 120], lossless=True,
                                        background=(10, 20, 30, 0))
    v["pil_anim_one_frame"] = _pil(pil[0], save_all=True, append_images=[], quality=80)
    return v
