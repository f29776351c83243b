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
