"""Metadata: newest cv2's *WithMetadata functions (OpenCV 4.12), and what a
transcoder carries from one file to the next.

cv2 4.6 has none of these; their shapes follow OpenCV 4.12's Python
binding: the types come back as an int32 array of shape (n, 1) (an empty
tuple when there are none), the blobs as a tuple of (1, size) uint8 arrays,
at most one per kind, in kind order. Blobs are the payloads exiftool
extracts (see imc.h): unlike 4.12, a JPEG's XMP comes without its namespace
prefix and its ICC profile is reassembled by segment number (docs/compat.md).
"""
import warnings

from . import _imc

_KINDS = ("exif", "xmp", "icc", "cicp")  # IMAGE_METADATA_* order


def _cv2_blobs(data):
    import numpy as np

    first = {}
    for kind, blob in _imc.metadata(data):
        first.setdefault(kind, blob)
    kinds = [k for k in range(len(_KINDS)) if _KINDS[k] in first]
    if not kinds:
        return (), ()
    types = np.array(kinds, dtype=np.int32).reshape(-1, 1)
    return types, tuple(np.frombuffer(first[_KINDS[k]], np.uint8).reshape(1, -1).copy()
                        for k in kinds)


def imdecodeWithMetadata(buf, metadata=None, flags=_imc.IMREAD_ANYCOLOR):
    """cv2.imdecodeWithMetadata -> (image or None, metadataTypes, metadata)."""
    img = _imc.imdecode(buf, flags)
    if img is None:
        return None, (), ()
    return (img,) + _cv2_blobs(buf)


def imreadWithMetadata(filename, metadata=None, flags=_imc.IMREAD_ANYCOLOR):
    """cv2.imreadWithMetadata -> (image or None, metadataTypes, metadata)."""
    try:
        with open(filename, "rb") as f:
            data = f.read()
    except OSError:
        return None, (), ()
    return imdecodeWithMetadata(data, metadata, flags)


def _pairs(ext, metadataTypes, metadata):
    """cv2's parallel lists as (kind, bytes) pairs, kinds the format cannot
    hold left out with a warning (as cv2 logs and skips them)."""
    import numpy as np

    types = [int(t) for t in np.asarray(metadataTypes).reshape(-1)]
    blobs = list(metadata)
    if len(types) != len(blobs):
        raise _imc.error(_imc.ERR_ARG, f"{len(types)} metadata types for {len(blobs)} blobs")
    held = set(_imc.metadata_kinds_written(ext))
    pairs = []
    for kind, blob in zip(types, blobs):
        name = _KINDS[kind] if 0 <= kind < len(_KINDS) else None
        if name not in held:
            warnings.warn(f"imc: metadata of type {kind} is not supported when encoding "
                          f"'{ext}': left out", UserWarning, stacklevel=3)
            continue
        raw = isinstance(blob, (bytes, bytearray, memoryview))
        pairs.append((name, bytes(blob) if raw else np.asarray(blob, dtype=np.uint8).tobytes()))
    return pairs


def imencodeWithMetadata(ext, img, metadataTypes, metadata, params=None):
    """cv2.imencodeWithMetadata -> (True, buf)."""
    import numpy as np

    data = _imc.encode(ext, img, params, metadata=_pairs(ext, metadataTypes, metadata))
    return True, np.frombuffer(data, np.uint8).copy()


def imwriteWithMetadata(filename, img, metadataTypes, metadata, params=None):
    """cv2.imwriteWithMetadata -> bool."""
    import os

    ext = os.path.splitext(os.fspath(filename))[1]
    try:
        _imc.write(filename, img, params, metadata=_pairs(ext, metadataTypes, metadata))
    except _imc.error as e:
        if _imc._cv2_quiet("write", e.args[0]):  # as imwrite: False where cv2's is
            return False
        raise
    return True


def carried_metadata(data, ext, turned, strip=()):
    """The blobs of `data` that a file of `ext` can hold, for transcoding:
    kinds named in `strip` dropped, and EXIF's orientation set to 1 when
    `turned` (the decoder applied it to the pixels). {kind: bytes}."""
    held = set(_imc.metadata_kinds_written(ext)) - set(strip)
    out = {}
    for kind, blob in _imc.metadata(data):
        if kind in held and kind not in out:
            if kind == "exif" and turned:
                blob = _imc.exif_set_orientation(blob, 1)
            out[kind] = blob
    return out
