"""Transcoding datasets with Dask: imc's codecs on every worker.

    import dask.bag as db
    from distributed import Client, LocalCluster
    import imc.dask

    with LocalCluster(n_workers=4, threads_per_worker=1) as cluster, Client(cluster):
        paths = db.from_sequence(sorted(glob.glob("photos/**/*.jpg", recursive=True)))
        results = imc.dask.transcode_files(paths, "out/", ".webp", [imc.IMWRITE_WEBP_QUALITY, 80],
                                           root="photos/").compute()
        failed = [r for r in results if r.error]

Items are file paths, byte blobs, or (key, blob-or-path) pairs. Nothing is
dropped: each item yields a `Result` naming its source (the path or key),
with the encoded bytes (or output path) or the `imc.error` that stopped it,
and the damage report (imc.check's dict) of an input that was not intact:
damaged inputs are errors, as in imc.decode, unless partial=True, which
transcodes what was decoded and keeps the report beside it. Everything here
pickles, so it runs on worker processes and on remote machines alike
(workers need imc importable, and for the file functions, the same file
system).
"""
import os
from collections import namedtuple

import imc

__all__ = ["Result", "transcode", "transcode_one", "transcode_files", "transcode_file",
           "thumbnails", "thumbnail_one"]

#: source: the path or the item's index; data: encoded bytes (transcode) or
#: the written path (transcode_files); error: None or an imc.error; damage:
#: None for an intact input, else imc.check's dict of what was wrong.
Result = namedtuple("Result", "source data error damage", defaults=(None,))


def _decode(data, flags, orientation, partial):
    img, report = imc.decode(data, flags, orientation=orientation, partial=partial, report=True)
    return img, (report if report["kind"] != "none" else None)


def _turned(data, flags, orientation):
    """Whether decoding applied the EXIF orientation to the pixels."""
    if orientation == "ignore" or imc.probe(data).orientation <= 1:
        return False
    return orientation == "apply" or (flags != imc.IMREAD_UNCHANGED and
                                      not flags & imc.IMREAD_IGNORE_ORIENTATION)


def _carried(data, ext, flags, orientation, strip):
    """The metadata of `data` that ext can hold (ICC, EXIF with its
    orientation reset when the pixels were turned, XMP), less the kinds in
    strip ("all": none)."""
    if strip == "all":
        return None
    return imc.carried_metadata(data, ext, _turned(data, flags, orientation), strip)


def transcode_one(item, ext, params=None, flags=imc.IMREAD_UNCHANGED, orientation="apply",
                  partial=False, strip=()):
    """One item to a Result with the encoded bytes; the metadata the output
    can hold is carried over unless named in strip (see _carried)."""
    source, item = _split(item)
    try:
        data = _read(item)
        img, damage = _decode(data, flags, orientation, partial)
        meta = _carried(data, ext, flags, orientation, strip)
        return Result(source, imc.encode(ext, img, params, metadata=meta), None, damage)
    except imc.error as e:
        return Result(source, None, _with_source(e, source), getattr(e, "damage", None))
    except OSError as e:
        return Result(source, None, imc.error(imc.ERR_IO, f"{source}: {e.strerror or e}"))


def thumbnail_one(item, width, height=None, ext=".jpg", params=None, crop=False, partial=False,
                  flags=imc.IMREAD_COLOR):
    """One item to a Result with its thumbnail, encoded (see imc.thumbnail)."""
    source, item = _split(item)
    try:
        thumb, report = imc.thumbnail(_read(item), width, height, crop=crop, flags=flags,
                                      partial=partial, ext=ext, params=params, report=True)
        return Result(source, thumb, None, report if report["kind"] != "none" else None)
    except imc.error as e:
        return Result(source, None, _with_source(e, source), getattr(e, "damage", None))
    except OSError as e:
        return Result(source, None, imc.error(imc.ERR_IO, f"{source}: {e.strerror or e}"))


def thumbnails(collection, width, height=None, ext=".jpg", params=None, crop=False,
               partial=False, flags=imc.IMREAD_COLOR):
    """A Dask bag or Series of items -> the same of Results with encoded thumbnails."""
    fn = lambda x: thumbnail_one(x, width, height, ext, params, crop, partial, flags)  # noqa: E731
    return _map(collection, fn)


def transcode_file(path, out_dir, ext, params=None, flags=imc.IMREAD_UNCHANGED,
                   orientation="apply", root=None, partial=False, strip=()):
    """Decodes the file at `path` and writes it under `out_dir` (its path
    below `root` kept, its extension replaced by `ext`); a Result with the
    written path. Never writes over the input."""
    path = os.fspath(path)
    rel = os.path.relpath(path, root) if root else os.path.basename(path)
    out = os.path.join(os.fspath(out_dir), os.path.splitext(rel)[0] + ext)
    try:
        if os.path.exists(out) and os.path.samefile(out, path):
            raise imc.error(imc.ERR_ARG, "output would overwrite the input")
        data = _read(path)
        img, damage = _decode(data, flags, orientation, partial)
        meta = _carried(data, ext, flags, orientation, strip)
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        imc.write(out, img, params, metadata=meta)
        return Result(path, out, None, damage)
    except imc.error as e:
        return Result(path, None, _with_source(e, path), getattr(e, "damage", None))
    except OSError as e:
        return Result(path, None, imc.error(imc.ERR_IO, f"{path}: {e.strerror or e}"))


def transcode(collection, ext, params=None, flags=imc.IMREAD_UNCHANGED, orientation="apply",
              partial=False, strip=()):
    """A Dask bag or Series of items -> the same of Results with encoded bytes."""
    fn = lambda x: transcode_one(x, ext, params, flags, orientation, partial, strip)  # noqa: E731
    return _map(collection, fn)


def transcode_files(paths, out_dir, ext, params=None, flags=imc.IMREAD_UNCHANGED,
                    orientation="apply", root=None, partial=False, strip=()):
    """A Dask bag or Series of paths -> the same of Results with the paths written."""
    fn = lambda p: transcode_file(p, out_dir, ext, params, flags, orientation, root,  # noqa: E731
                                  partial, strip)
    return _map(paths, fn)


def _map(collection, fn):
    if hasattr(collection, "dtype") and hasattr(collection, "map_partitions"):  # dask Series
        return collection.map(fn, meta=(collection.name, object))
    if hasattr(collection, "map_partitions"):                                   # dask bag
        return collection.map(fn)
    raise TypeError("expected a dask bag or a dask dataframe Series")


def _split(item):
    """(source, payload) of an item: paths name themselves, pairs carry a key."""
    if isinstance(item, tuple) and len(item) == 2:
        return item[0], item[1]
    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item), item
    return None, item


def _read(item):
    if isinstance(item, (str, os.PathLike)):
        with open(item, "rb") as f:
            return f.read()
    return item


def _with_source(e, source):
    if source is None:
        return e
    named = imc.error(e.code, f"{source}: {e.message}")
    if hasattr(e, "damage"):
        named.damage = e.damage
    return named
