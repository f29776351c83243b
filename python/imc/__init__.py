"""imc: image codecs with OpenCV's semantics.

Drop-in for cv2's codec functions (``import imc as cv2``)::

    img = imc.imdecode(buf, imc.IMREAD_COLOR)        # same pixels as cv2
    ok, jpg = imc.imencode(".jpg", img, [imc.IMWRITE_JPEG_QUALITY, 90])

and the same with errors raised as ``imc.error`` instead of ``None``::

    img = imc.decode(data, imc.IMREAD_UNCHANGED, rgb=True)
    png = imc.encode(".png", img)                    # -> bytes
"""
import math as _math

from ._imc import *  # noqa: F401,F403  (the constants and functions)
from ._imc import error, ImageInfo, __version__  # noqa: F401
from . import _imc
from .collection import ImageCollection  # noqa: F401
from .with_metadata import (imdecodeWithMetadata, imreadWithMetadata,  # noqa: F401
                            imencodeWithMetadata, imwriteWithMetadata, carried_metadata)

IMREAD_ANYCOLOR = _imc.IMREAD_ANYCOLOR
# Which failures a cv2 function reports by its return value instead of
# raising: one table in the C module (cv2_results.c), for its functions and
# for those written here.
_cv2_quiet = _imc._cv2_quiet


def _error_str(self):
    return self.args[1] if len(self.args) > 1 else Exception.__str__(self)


error.code = property(lambda self: self.args[0] if self.args else None,
                      doc="negative IMC_ERR_* status")
error.message = property(lambda self: self.args[1] if len(self.args) > 1 else "",
                         doc="what went wrong")
error.__str__ = _error_str


def PSNR(src1, src2, R=255.0):
    """cv2.PSNR: peak signal-to-noise ratio of two arrays of the same type."""
    import numpy as np

    a, b = np.asarray(src1), np.asarray(src2)
    if a.shape != b.shape or a.dtype != b.dtype:
        raise error(ERR_ARG, "PSNR needs two arrays of the same shape and type")  # noqa: F405
    diff = a.astype(np.float64) - b.astype(np.float64)
    rms = _math.sqrt(float(np.mean(diff * diff))) if diff.size else 0.0
    return 20.0 * _math.log10(R / (rms + 2.220446049250313e-16))


# ---- File-like objects, as Pillow takes them -----------------------------
def _bytes_of_file(f):
    """The rest of an object with read() that is not a buffer already (an
    io.BytesIO, a file opened "rb"); None for anything else (mmap objects
    have read() but are buffers: they are decoded in place)."""
    if not hasattr(f, "read") or isinstance(f, (bytes, bytearray, memoryview, str)):
        return None
    try:
        memoryview(f)
        return None
    except TypeError:
        pass
    data = f.read()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"{type(f).__name__}.read() gave {type(data).__name__}, not bytes: "
                        "open the file in binary mode ('rb')")
    return data


def _taking_files(c_function, from_bytes=None):
    """c_function, also taking a file-like object for its first argument:
    its bytes go to from_bytes (the bytes twin of a path-taking function)."""
    import functools

    @functools.wraps(c_function)
    def call(source, *args, **kw):
        data = _bytes_of_file(source)
        if data is None:
            return c_function(source, *args, **kw)
        return (from_bytes or c_function)(data, *args, **kw)
    return call


decode = _taking_files(_imc.decode)
probe = _taking_files(_imc.probe)
thumbnail = _taking_files(_imc.thumbnail)
read = _taking_files(_imc.read, _imc.decode)


def imread(filename, flags=_imc.IMREAD_COLOR):
    """cv2.imread: the image, or None if it cannot be read. Also takes a
    file-like object (io.BytesIO, a file opened "rb"), read to its end."""
    data = _bytes_of_file(filename)
    if data is None:
        return _imc.imread(filename, flags)
    return _imc.imdecode(data, flags)


# ---- Several images (pages, frames): cv2's names, plus raising variants ----
def _range(range_):
    if range_ is None:
        return 0, 0
    start, end = range_ if not hasattr(range_, "start") else (range_.start, range_.end)
    return start, max(0, end - start)


def imdecodemulti(buf, flags, mats=None, range=None):
    """cv2.imdecodemulti: (True, [pages]) or (False, [])."""
    start, count = _range(range)
    pages = _imc._decode_multi(buf, flags, start, count, False)
    if pages is None:
        return False, [] if mats is None else mats
    if mats is not None:
        mats[:] = pages
        pages = mats
    return True, pages


def imreadmulti(filename, *args, **kw):
    """cv2.imreadmulti(filename[, mats[, flags]]) -> (retval, mats), or
    imreadmulti(filename, start, count[, mats[, flags]]) for a range of pages."""
    args = list(args)
    ranged = "start" in kw or (args and isinstance(args[0], int) and not isinstance(args[0], bool))
    start = count = 0
    if ranged:
        start = args.pop(0) if args else kw.pop("start")
        count = args.pop(0) if args else kw.pop("count")
    mats = args.pop(0) if args else kw.pop("mats", None)
    flags = args.pop(0) if args else kw.pop("flags", IMREAD_ANYCOLOR)
    if kw or args:
        raise TypeError("imreadmulti: unexpected arguments")
    try:
        with open(filename, "rb") as f:
            data = f.read()
    except OSError:
        data = b""
    if not data or (ranged and count <= 0):
        return False, [] if mats is None else mats
    return imdecodemulti(data, flags, mats, (start, start + count) if ranged else None)


def imcount(filename, flags=IMREAD_ANYCOLOR):
    """cv2.imcount: the number of pages in a file, 0 if it cannot be read."""
    try:
        with open(filename, "rb") as f:
            return _imc._count(f.read())
    except OSError:
        return 0
    except error as e:
        if not _cv2_quiet("count", e.code):
            raise
        return 0


def imencodemulti(ext, imgs, params=None):
    """cv2.imencodemulti: (True, buf) with every image in one file."""
    import numpy as np
    return True, np.frombuffer(_imc._encode_multi(ext, list(imgs), params, False), np.uint8)


def imwritemulti(filename, img, params=None):
    """cv2.imwritemulti: several images into one file (atomically replaced)."""
    return _imc._write_multi(filename, list(img), params, False)


def decode_all(data, flags=IMREAD_ANYCOLOR, start=0, count=0, *, rgb=False, **limits):
    """Every page or frame of data (from `start`, at most `count` if > 0),
    raising imc.error on failure, damage on any page included (as decode()).
    limits: decode()'s max_width, max_height, max_pixels, max_bytes,
    orientation, fail_on and partial, applied to every page; threads=N
    reads TIFF pages on N threads (-1: one per CPU), the same pages."""
    pages = _imc._decode_multi(data, flags, start, count, True, **limits)
    if rgb and not (flags > 0 and flags & _imc.IMREAD_COLOR_RGB):  # that flag gave RGB already
        for p in pages:
            if p.ndim == 3:
                p[:, :, :3] = p[:, :, 2::-1].copy()
    return pages


def encode_all(ext, imgs, params=None, *, rgb=False, metadata=None):
    """Several images into one file of a multi-page format, as bytes;
    metadata as encode's (the first page holds it)."""
    return _imc._encode_multi(ext, list(imgs), params, rgb, metadata)


def count(data):
    """The number of pages or frames in data."""
    return _imc._count(data)


# ---- Animations: newest cv2's Animation and its four functions -------------
class Animation:
    """cv2.Animation: frames, their durations in ms, loop_count (0: forever)
    and bgcolor (B, G, R, A)."""

    def __init__(self, loopCount=0, bgColor=(0.0, 0.0, 0.0, 0.0)):
        # cv2 resets a negative or too large loop count to 0 (forever)
        self.loop_count = loopCount if 0 <= loopCount <= 0xffff else 0
        self.bgcolor = tuple(float(c) for c in (tuple(bgColor) + (0.0,) * 4)[:4])
        self.durations = []
        self.frames = []

    def __repr__(self):
        return (f"Animation(frames={len(self.frames)}, durations={self.durations}, "
                f"loop_count={self.loop_count}, bgcolor={self.bgcolor})")


def _animation_of(decoded):
    frames, durations, loop_count, bgcolor = decoded
    anim = Animation(loop_count, bgcolor)
    anim.frames, anim.durations = frames, durations
    return anim


def imdecodeanimation(buf, start=0, count=32767):
    """cv2.imdecodeanimation: (True, Animation) or (False, Animation()).
    Frames are decoded with IMREAD_UNCHANGED, as cv2 does; a negative start
    means 0, a negative count all frames, a count of 0 none (False)."""
    start, count = max(start, 0), 32767 if count < 0 else count
    if count == 0:
        return False, Animation()
    try:
        return True, decode_animation(buf, IMREAD_UNCHANGED, start, count,  # noqa: F405
                                      fail_on="none")
    except error as e:
        if not _cv2_quiet("decode_animation", e.code):
            raise
        return False, Animation()


def imreadanimation(filename, start=0, count=32767):
    """cv2.imreadanimation: (True, Animation) or (False, Animation())."""
    try:
        with open(filename, "rb") as f:
            data = f.read()
    except OSError:
        return False, Animation()
    return imdecodeanimation(data, start, count) if data else (False, Animation())


def _check_animation(animation):
    if not animation.frames or len(animation.frames) != len(animation.durations):
        raise error(ERR_ARG, "an animation needs frames, and one duration per frame")  # noqa: F405


def imencodeanimation(ext, animation, params=None):
    """cv2.imencodeanimation: (True, buf), or (False, empty) for a format
    that cannot hold an animation."""
    import numpy as np
    try:
        data = encode_animation(ext, animation, params)
    except error as e:
        if not _cv2_quiet("encode_animation", e.code):
            raise
        return False, np.zeros(0, np.uint8)
    return True, np.frombuffer(data, np.uint8)


def imwriteanimation(filename, animation, params=None):
    """cv2.imwriteanimation: True, or False when the file cannot be written
    or the format cannot hold an animation (the file is replaced atomically)."""
    _check_animation(animation)
    try:
        _imc._write_animation(filename, list(animation.frames), list(animation.durations),
                              animation.loop_count, params)
    except error as e:
        if not _cv2_quiet("write_animation", e.code):
            raise
        return False
    return True


def decode_animation(data, flags=IMREAD_UNCHANGED, start=0, count=0, *, rgb=False,  # noqa: F405
                     **limits):
    """The frames of data (from `start`, at most `count` if > 0) as an
    Animation, raising imc.error on failure, damage on any frame included.
    limits: decode()'s max_width, max_height, max_pixels, max_bytes,
    orientation, fail_on and partial, applied to every frame."""
    return _animation_of(_imc._decode_animation(data, flags, start, count, rgb, **limits))


def encode_animation(ext, animation, params=None, *, rgb=False, metadata=None):
    """An Animation as bytes of an animated format (.gif, .avif, .webp, .jxl);
    metadata as encode's."""
    _check_animation(animation)
    return _imc._encode_animation(ext, list(animation.frames), list(animation.durations),
                                  animation.loop_count, params, rgb, metadata)
