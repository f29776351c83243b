"""GIF, AVIF and JPEG XL files for the tests (and the fuzz seeds), written at
test time by the formats' own tools: Pillow and ImageMagick (GIF), giflib's
gifbuild (hand-specified GIF structures: no global table, local tables,
offsets, interlace, every disposal), avifenc (libavif) and cjxl (libjxl).

cv2 4.6 reads none of these formats, so the tests compare with the reference
decoders instead: Pillow and ImageMagick for GIF compositing, avifdec and djxl
(the same libavif / libjxl that imc links) for AVIF and JPEG XL."""
import functools
import io
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence

from helpers import cv2, run, tool
from variants import orientation_block, photo, photo_alpha

WORK = Path(tempfile.mkdtemp(prefix="imc-modern-"))


def _path(name):
    return str(WORK / name)


def write(name, data):
    p = _path(name)
    Path(p).write_bytes(data)
    return p


# ---- source images ---------------------------------------------------------
def few_colors(width=61, height=47, colors=23, seed=3):
    """BGR with `colors` distinct colors (blocks, so that LZW has runs)."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, (colors, 3), dtype=np.uint8)
    idx = (np.arange(height)[:, None] // 5 * 7 + np.arange(width)[None, :] // 4) % colors
    return palette[idx]


def moving_frames(n=5, width=53, height=41, alpha=False):
    """Frames of a small animation: a square moving over a striped field."""
    frames = []
    for i in range(n):
        f = np.zeros((height, width, 4 if alpha else 3), np.uint8)
        f[..., 0] = (np.arange(width)[None, :] // 8 * 37) % 256   # few colors: GIF keeps them
        f[..., 1] = 90 + 30 * i
        f[..., 2] = (np.arange(height)[:, None] // 7 * 53) % 256
        f[4 + 3 * i:16 + 3 * i, 5 + 5 * i:17 + 5 * i, :3] = (255, 255, 255)
        if alpha:
            f[..., 3] = 255
            f[: height // 3, : width // 4, 3] = 0      # a transparent corner
            f[4 + 3 * i:9 + 3 * i, 5 + 5 * i:10 + 5 * i, 3] = 0
        frames.append(f)
    return frames


def _pil(img_bgr):
    if img_bgr.ndim == 2:
        return Image.fromarray(img_bgr)
    if img_bgr.shape[2] == 4:
        return Image.fromarray(img_bgr[:, :, [2, 1, 0, 3]], "RGBA")
    return Image.fromarray(img_bgr[:, :, ::-1])


# ---- GIF -------------------------------------------------------------------
def pil_gif(frames, **kw):
    b = io.BytesIO()
    ims = [_pil(f) if isinstance(f, np.ndarray) else f for f in frames]
    ims[0].save(b, "GIF", save_all=len(ims) > 1, append_images=ims[1:], **kw)
    return b.getvalue()


def magick_gif(frames, *args, per_frame=()):
    srcs = []
    for i, f in enumerate(frames):
        srcs.append(_path(f"im_src{i}.png"))
        cv2.imwrite(srcs[-1], f)
    out = _path("im_out.gif")
    run([tool("convert"), *args, *per_frame, *srcs, out])
    return Path(out).read_bytes()


def gifbuild(spec):
    """A GIF from gifbuild's text format (see gifbuild(1))."""
    return subprocess.run([tool("gifbuild")], input=spec.encode(), capture_output=True,
                          check=True).stdout


def _colors(rgbs):
    return "".join(f"\trgb {r:03d} {g:03d} {b:03d}\n" for r, g, b in rgbs) + "end\n"


def _raster(idx):
    return "".join("".join(f"{v:02x}" for v in row) + "\n" for row in idx)


def _image(idx, left=0, top=0, colors=None, interlaced=False, gce=None):
    """One image block; gce = (disposal, delay, transparent index or None)."""
    s = ""
    if gce:
        disposal, delay, transparent = gce
        s += f"graphics control\n\tdisposal mode {disposal}\n\tuser input flag off\n\tdelay {delay}\n"
        if transparent is not None:
            s += f"\ttransparent index {transparent}\n"
        s += "end\n\n"
    s += f"image\nimage left {left}\nimage top {top}\n"
    if interlaced:
        s += "image interlaced\n"
    if colors is not None:
        s += "image map\n" + _colors(colors)
    h, w = idx.shape
    return s + f"image bits {w} by {h} hex\n" + _raster(idx) + "\n"


def _screen(width, height, colors, background=0, loop=None):
    s = f"screen width {width}\nscreen height {height}\nscreen background {background}\n"
    s += f"screen colors {len(colors)}\nscreen map\n" + _colors(colors)
    if loop is not None:
        s += f"netscape loop {loop}\n"
    return s + "\n"


def _palette(n, seed):
    rng = np.random.default_rng(seed)
    return [tuple(int(c) for c in rng.integers(0, 256, 3)) for _ in range(n)]


def _indexes(h, w, n, seed):
    rng = np.random.default_rng(seed)
    base = (np.arange(h)[:, None] // 3 + np.arange(w)[None, :] // 2) % n
    noise = rng.integers(0, n, (h, w))
    return np.where(rng.random((h, w)) < 0.2, noise, base).astype(np.uint8)


def strip_global_table(data):
    """The GIF without its global color table (gifbuild always writes one)."""
    flags = data[10]
    size = 3 << ((flags & 7) + 1) if flags & 0x80 else 0
    return data[:10] + bytes([flags & 0x7F]) + data[11:13] + data[13 + size:]


def build_gif(spec):
    """gifbuild's GIF of a spec: {"screen": (w, h, colors, background,
    loop), "images": [dict(idx=, left=, top=, colors=, interlaced=, gce=)],
    "no_global": bool}."""
    w, h, colors, background, loop = spec["screen"]
    text = _screen(w, h, colors or [(0, 0, 0), (255, 255, 255)], background, loop)
    text += "".join(_image(**im) for im in spec["images"])
    data = gifbuild(text)
    return strip_global_table(data) if colors is None else data


@functools.lru_cache(None)
def gif_specs():
    """Structures Pillow and ImageMagick do not write: a local table only,
    no table at all, frames at offsets, interlace, each disposal mode."""
    g16, l4 = _palette(16, 1), _palette(4, 2)
    im = lambda idx, **kw: dict(idx=idx, **kw)  # noqa: E731
    return {
        "gb_local_only": {"screen": (23, 17, None, 0, None),
                          "images": [im(_indexes(17, 23, 4, 1), colors=l4)]},
        "gb_no_table": {"screen": (19, 13, None, 0, None),
                        "images": [im(_indexes(13, 19, 2, 2))]},
        "gb_interlaced": {"screen": (29, 37, g16, 0, None),
                          "images": [im(_indexes(37, 29, 16, 3), interlaced=True)]},
        "gb_local_overrides_global": {
            "screen": (21, 15, g16, 3, None),
            "images": [im(_indexes(15, 21, 4, 4), colors=l4, gce=(0, 0, None))]},
        "gb_anim_disposals": {"screen": (31, 23, g16, 5, 2), "images": [
            im(_indexes(23, 31, 16, 5), gce=(1, 10, None)),
            im(_indexes(9, 11, 16, 6), left=4, top=3, gce=(2, 20, 7)),
            im(_indexes(7, 13, 4, 7), left=15, top=12, colors=l4, gce=(3, 30, 0)),
            im(_indexes(10, 10, 16, 8), left=2, top=10, interlaced=True, gce=(0, 40, 1)),
            im(_indexes(5, 6, 16, 9), left=25, top=0, gce=(1, 5, None))]},
        "gb_anim_offsets": {"screen": (25, 19, g16, 2, None), "images": [
            im(_indexes(8, 9, 16, 10), left=3, top=4, gce=(2, 7, None)),
            im(_indexes(6, 25, 16, 11), left=0, top=13, gce=(3, 7, 4)),
            im(_indexes(19, 4, 16, 12), left=21, top=0, gce=(2, 7, 9))]},
        "gb_beyond_screen": {"screen": (16, 12, g16, 1, None), "images": [
            im(_indexes(12, 16, 16, 13), gce=(1, 9, None)),
            im(_indexes(9, 9, 16, 14), left=10, top=7, gce=(1, 9, 3))]},
    }


def gifbuild_variants():
    return {name: build_gif(spec) for name, spec in gif_specs().items()}


@functools.lru_cache(None)
def gif_variants():
    """name -> GIF bytes: still images (the first frame is what imdecode
    returns) and animations, from every writer at hand."""
    img, small = photo(), few_colors()
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    v = {}
    v["pil_photo"] = pil_gif([img])
    v["pil_few_colors"] = pil_gif([small])
    v["pil_gray"] = pil_gif([gray])
    v["pil_not_interlaced"] = pil_gif([img], interlace=False)
    v["pil_rgba"] = pil_gif([photo_alpha()])
    v["pil_two_colors"] = pil_gif([(small[:, :, 0] > 128).astype(np.uint8) * 255])
    v["pil_tiny_1x1"] = pil_gif([photo(1, 1)])
    v["pil_tiny_7x1"] = pil_gif([photo(7, 1)])
    for disposal in range(4):
        v[f"pil_anim_disposal{disposal}"] = pil_gif(
            moving_frames(alpha=True), disposal=disposal, duration=[30, 40, 50, 60, 70], loop=0)
    v["pil_anim_opaque"] = pil_gif(moving_frames(), duration=100, loop=5)
    v["pil_anim_no_loop"] = pil_gif(moving_frames(3), duration=100)
    v["im_photo"] = magick_gif([img])
    v["im_photo_interlaced"] = magick_gif([img], "-interlace", "GIF")
    v["im_transparent"] = magick_gif([photo_alpha()])
    v["im_anim"] = magick_gif(moving_frames(4), "-delay", "15", "-loop", "0")
    v["im_anim_optimized"] = magick_gif(moving_frames(4, alpha=True), "-delay", "7", "-loop", "3",
                                        "-dispose", "previous", "-layers", "optimize")
    v["im_anim_background"] = magick_gif(moving_frames(4, alpha=True), "-delay", "12",
                                         "-dispose", "background")
    v.update(gifbuild_variants())
    return v


# ---- references for GIF: composited frames as RGBA --------------------------
def pil_frames(data):
    """Pillow's composited frames (RGBA), durations (ms) and loop count."""
    im = Image.open(io.BytesIO(data))
    frames, durations = [], []
    for f in ImageSequence.Iterator(im):
        frames.append(np.array(f.convert("RGBA")))
        durations.append(f.info.get("duration"))
    return frames, durations, im.info.get("loop")


def magick_frames(data):
    """ImageMagick's coalesced frames (RGBA)."""
    src = write("im_ref.gif", data)
    for old in WORK.glob("coalesced-*.png"):
        old.unlink()
    run([tool("convert"), src, "-coalesce", "PNG32:" + _path("coalesced-%03d.png")])
    return [np.array(Image.open(p).convert("RGBA")) for p in sorted(WORK.glob("coalesced-*.png"))]


# ---- AVIF ------------------------------------------------------------------
def avifenc(img, *args, name="src.png", extra_inputs=()):
    """avifenc's AVIF of img (BGR, BGRA, gray, 8 or 16 bit) plus any further
    frames (as images), with its options."""
    srcs = []
    for i, im in enumerate((img, *extra_inputs)):
        srcs.append(_path(f"{i}_{name}"))
        cv2.imwrite(srcs[-1], im)
    out = _path("out.avif")
    run([tool("avifenc"), "-s", "10", "-j", "1", *args, *srcs, out])
    return Path(out).read_bytes()


def avifdec(data, depth=8, index=0):
    """avifdec's decoding (as cv2 4.6 reads the PNG it writes, unchanged)."""
    src, out = write("ref.avif", data), _path("ref_avif.png")
    run([tool("avifdec"), "-d", str(depth), "--index", str(index), src, out])
    return cv2.imread(out, cv2.IMREAD_UNCHANGED)


def exif_payload(orientation):
    return orientation_block(orientation)


@functools.lru_cache(None)
def avif_variants():
    img, alpha = photo(61, 47), photo_alpha(61, 47)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    img16 = img.astype(np.uint16) * 257
    v = {}
    v["enc_420"] = avifenc(img)
    v["enc_422"] = avifenc(img, "-y", "422")
    v["enc_444_q"] = avifenc(img, "-y", "444", "--min", "10", "--max", "30")
    v["enc_lossless"] = avifenc(img, "-l")
    v["enc_limited"] = avifenc(img, "-r", "limited")
    v["enc_alpha"] = avifenc(alpha)
    v["enc_alpha_lossless"] = avifenc(alpha, "-l")
    v["enc_gray400"] = avifenc(gray, "-y", "400")
    v["enc_gray444"] = avifenc(gray)
    v["enc_10bit"] = avifenc(img16, "-d", "10")
    v["enc_12bit_422"] = avifenc(img16, "-d", "12", "-y", "422")
    v["enc_10bit_gray"] = avifenc(cv2.cvtColor(img16, cv2.COLOR_BGR2GRAY), "-d", "10", "-y", "400")
    v["enc_odd_1x1"] = avifenc(photo(1, 1))
    v["enc_odd_7x3"] = avifenc(photo(7, 3))
    v["enc_sequence"] = avifenc(moving_frames(3)[0], "--fps", "10", extra_inputs=moving_frames(3)[1:])
    return v


def avif_exif_variants():
    img = photo(61, 47)
    v = {}
    for o in (1, 3, 6, 8):
        write("exif.bin", exif_payload(o))
        v[f"exif_{o}"] = avifenc(img, "--exif", _path("exif.bin"))
    return v


# ---- JPEG XL ---------------------------------------------------------------
def cjxl(img, *args, ext="png", extra=None):
    """cjxl's JPEG XL of img (written as `ext` first) with its options."""
    src = _path("src." + ext)
    if extra is not None:
        Path(src).write_bytes(extra)
    elif ext == "pfm":
        write_pfm(src, img)
    else:
        cv2.imwrite(src, img)
    out = _path("out.jxl")
    run([tool("cjxl"), src, out, "--num_threads=1", *args])
    return Path(out).read_bytes()


def write_pfm(path, img):
    """A PFM file (bottom-up rows) of float BGR or gray, for cjxl."""
    h, w = img.shape[:2]
    rgb = img[:, :, ::-1] if img.ndim == 3 else img
    header = f"{'PF' if img.ndim == 3 else 'Pf'}\n{w} {h}\n-1.0\n".encode()
    Path(path).write_bytes(header + np.ascontiguousarray(rgb[::-1], "<f4").tobytes())


def read_pfm(path):
    data = Path(path).read_bytes()
    parts = data.split(b"\n", 3)
    w, h = map(int, parts[1].split())
    cn = 3 if parts[0] == b"PF" else 1
    scale = float(parts[2])
    arr = np.frombuffer(parts[3], "<f4" if scale < 0 else ">f4").reshape(h, w, cn)[::-1]
    arr = arr[:, :, ::-1] if cn == 3 else arr[:, :, 0]
    return np.ascontiguousarray(arr, np.float32)


def djxl(data, bits=None, ext="png"):
    """djxl's decoding, read back unchanged (PNG via cv2 4.6, PFM by hand)."""
    src, out = write("ref.jxl", data), _path("ref_jxl." + ext)
    args = [f"--bits_per_sample={bits}"] if bits else []
    run([tool("djxl"), src, out, "--num_threads=1", *args])
    return read_pfm(out) if ext == "pfm" else cv2.imread(out, cv2.IMREAD_UNCHANGED)


def djxl_frames(data):
    """The frames of an animated JPEG XL, through djxl's APNG and Pillow."""
    src, out = write("ref_anim.jxl", data), _path("ref_anim.apng")
    run([tool("djxl"), src, out, "--num_threads=1"])
    frames = []
    for f in ImageSequence.Iterator(Image.open(out)):
        frames.append(np.array(f.convert("RGBA")))
    return frames


@functools.lru_cache(None)
def jxl_variants():
    img, alpha = photo(61, 47), photo_alpha(61, 47)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    v = {}
    v["cjxl_d1"] = cjxl(img)
    v["cjxl_lossless"] = cjxl(img, "-d", "0")
    v["cjxl_q50_e3"] = cjxl(img, "-q", "50", "-e", "3")
    v["cjxl_progressive"] = cjxl(img, "-p")
    v["cjxl_container"] = cjxl(img, "--container=1")
    v["cjxl_alpha"] = cjxl(alpha)
    v["cjxl_alpha_lossless"] = cjxl(alpha, "-d", "0")
    v["cjxl_gray"] = cjxl(gray)
    v["cjxl_gray_lossless"] = cjxl(gray, "-d", "0")
    v["cjxl_gray_alpha"] = cjxl(None, "-d", "0", extra=_png_gray_alpha(gray))
    v["cjxl_16bit"] = cjxl(img.astype(np.uint16) * 257 + 3, "-d", "0")
    v["cjxl_16bit_lossy"] = cjxl(img.astype(np.uint16) * 257)
    v["cjxl_float"] = cjxl(img.astype(np.float32) / 255, "-d", "0", ext="pfm")
    v["cjxl_from_jpeg"] = cjxl(None, ext="jpg", extra=cv2.imencode(".jpg", img)[1].tobytes())
    v["cjxl_tiny_1x1"] = cjxl(photo(1, 1), "-d", "0")
    v["cjxl_anim"] = cjxl(None, "-d", "0", ext="gif",
                          extra=pil_gif(moving_frames(4), duration=[50, 60, 70, 80], loop=0))
    return v


def _png_gray_alpha(gray):
    b = io.BytesIO()
    la = np.dstack([gray, (np.arange(gray.shape[1]) * 4 % 256).astype(np.uint8)[None, :]
                    .repeat(gray.shape[0], 0)])
    Image.fromarray(la, "LA").save(b, "PNG")
    return b.getvalue()


# ---- what cv2's imdecode makes of a decoded image ---------------------------
def reduce_of(flags):
    """cv2's REDUCED_* scale (only for flags > IMREAD_LOAD_GDAL)."""
    if flags > 8:
        for bit, scale in ((16, 2), (32, 4), (64, 8)):
            if flags & bit:
                return scale
    return 1


def wanted_channels(native_cn, flags):
    """cv2's imdecode_ channel choice (None: the native count)."""
    if (flags & 8) == 8 or flags == -1:
        return None
    return 3 if (flags & 1) or ((flags & 4) and native_cn > 1) else 1


def keeps_depth(flags):
    return (flags & 8) == 8 or flags == -1 or bool(flags & 2)


_CVT = {(4, 3): cv2.COLOR_BGRA2BGR, (4, 1): cv2.COLOR_BGRA2GRAY, (3, 1): cv2.COLOR_BGR2GRAY,
        (1, 3): cv2.COLOR_GRAY2BGR}


def convert_channels(img, want):
    """cvtColor to `want` channels, as cv2's decoders do after decoding."""
    cn = 1 if img.ndim == 2 else img.shape[2]
    return img if want is None or want == cn else cv2.cvtColor(img, _CVT[(cn, want)])


def resize_reduced(img, flags):
    """cv2's REDUCED_* resize, or 'raise' where cv2.resize would raise."""
    s = reduce_of(flags)
    if s == 1:
        return img
    h, w = img.shape[:2]
    if w // s == 0 or h // s == 0:
        return "raise"
    return cv2.resize(img, (w // s, h // s), interpolation=cv2.INTER_LINEAR_EXACT)


def expected_8u(native, flags):
    """imdecode's result for an 8-bit codec whose decoder gives `native`."""
    cn = 1 if native.ndim == 2 else native.shape[2]
    return resize_reduced(convert_channels(native, wanted_channels(cn, flags)), flags)


def assert_image(got, want, label):
    if isinstance(want, str) or want is None:
        assert isinstance(got, str) or got is None, f"{label}: got an image, want {want!r}"
        return
    assert not isinstance(got, str) and got is not None, f"{label}: got {got!r}"
    assert got.shape == want.shape and got.dtype == want.dtype, \
        f"{label}: {got.dtype}{list(got.shape)} vs {want.dtype}{list(want.shape)}"
    if not np.array_equal(got, want):
        d = np.argwhere(got != want)
        raise AssertionError(f"{label}: {len(d)} samples differ, first at {d[0].tolist()}: "
                             f"{got[tuple(d[0])]} vs {want[tuple(d[0])]}")
