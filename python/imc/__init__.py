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

IMREAD_ANYCOLOR = _imc.IMREAD_ANYCOLOR


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
    except (OSError, error):
        return 0


def imencodemulti(ext, imgs, params=None):
    """cv2.imencodemulti: (True, buf) with every image in one file."""
    import numpy as np
    return True, np.frombuffer(_imc._encode_multi(ext, list(imgs), params, False), np.uint8)


def imwritemulti(filename, img, params=None):
    """cv2.imwritemulti: several images into one file (atomically replaced)."""
    return _imc._write_multi(filename, list(img), params, False)


def decode_all(data, flags=IMREAD_ANYCOLOR, start=0, count=0, *, rgb=False):
    """Every page or frame of data (from `start`, at most `count` if > 0),
    raising imc.error on failure."""
    pages = _imc._decode_multi(data, flags, start, count, True)
    if rgb:
        for p in pages:
            if p.ndim == 3:
                p[:, :, :3] = p[:, :, 2::-1].copy()
    return pages


def encode_all(ext, imgs, params=None, *, rgb=False):
    """Several images into one file of a multi-page format, as bytes."""
    return _imc._encode_multi(ext, list(imgs), params, rgb)


def count(data):
    """The number of pages or frames in data."""
    return _imc._count(data)
