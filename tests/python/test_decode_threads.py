"""TIFF pages on several threads (issue 21): decode_all / imdecodemulti's
reading with threads gives exactly what one thread gives: the same pages,
the same stop at a page that fails or cannot be found (cv2's
imreadmulti_), the same errors and damage reports, on intact and on
damaged files."""
import numpy as np
import pytest

import variants_tiff as T
from helpers import imc, run_cli
from test_damage import corruptions


def outcome(data, threads, **kw):
    """What decode_all gives: the pages, or the error's code, message and
    damage; and imc.check-like damage of the lenient reading."""
    try:
        pages = imc.decode_all(data, -1, threads=threads, **kw)
        got = ("pages", [(p.shape, p.dtype.str, p.tobytes()) for p in pages])
    except imc.error as e:
        got = ("error", e.code, str(e), getattr(e, "damage", None))
    try:
        lenient = imc.decode_all(data, -1, threads=threads, fail_on="none", **kw)
        got += (len(lenient),)
    except imc.error as e:
        got += (e.code,)
    return got


def many_pages(n=9):
    pages = [T.V.photo(60 + 7 * i, 50 + 5 * i) for i in range(n)]
    return imc.encode_all(".tif", pages), pages


@pytest.mark.parametrize("threads", [2, 3, -1])
def test_intact_pages_are_the_same(threads):
    data, pages = many_pages()
    got = imc.decode_all(data, -1, threads=threads)
    assert len(got) == len(pages) and all(np.array_equal(a, b) for a, b in zip(got, pages))
    for start, count in ((0, 0), (2, 0), (3, 4), (8, 0), (0, 1), (5, 9)):
        assert outcome(data, threads, start=start, count=count) == outcome(data, 1, start=start,
                                                                            count=count)
    for start in (9, 12):  # past the last page: the same error
        assert outcome(data, threads, start=start) == outcome(data, 1, start=start)


def test_damaged_files_stop_where_one_thread_stops():
    data, _ = many_pages()
    cases = [data[:n] for n in range(len(data) // 10, len(data), len(data) // 13)]
    cases += list(corruptions(data, 60, seed=21, head=len(data)))
    for name, v in sorted(T.multipage_variants().items()):
        cases += [v, v[: len(v) * 2 // 3]] + list(corruptions(v, 8, seed=len(name), head=len(v)))
    for i, buf in enumerate(cases):
        assert outcome(buf, 2) == outcome(buf, 1), i


def test_limits_and_bad_counts():
    data, _ = many_pages()
    assert outcome(data, 2, max_pixels=70 * 60) == outcome(data, 1, max_pixels=70 * 60)
    with pytest.raises(imc.error) as e:
        imc.decode_all(data, -1, threads=-2)
    assert e.value.code == imc.ERR_ARG and "thread" in str(e.value)


# ---- one image's strips and tiles on several threads ---------------------------------
def single(data, flags, threads, **kw):
    """What decode gives for one image: pixels and its report, or the error
    with its damage; partial=True's pixels and report too."""
    try:
        img, report = imc.decode(data, flags, threads=threads, report=True, **kw)
        got = ("image", img.shape, img.dtype.str, img.tobytes(), report)
    except imc.error as e:
        got = ("error", e.code, str(e), getattr(e, "damage", None))
    try:
        img, report = imc.decode(data, flags, threads=threads, report=True, fail_on="none", **kw)
        got += (img.tobytes(), report)
    except imc.error as e:
        got += (e.code, str(e))
    return got


def many_strips(h=300, w=97, **kw):
    """An image of many strips (or tiles), LZW by default."""
    img = T.V.photo(w, h)
    return img, imc.encode(".tif", img, [imc.IMWRITE_TIFF_ROWSPERSTRIP, 8] + kw.get("params", []))


@pytest.mark.parametrize("threads", [2, 3, 7, -1])
def test_strips_of_one_image_are_the_same(threads):
    img, data = many_strips()
    assert np.array_equal(imc.decode(data, -1, threads=threads), img)
    for name, v in sorted(T.variants().items()) + sorted(T.planar_variants().items()):
        for flags in (-1, 0, 1, 2 | 1):
            assert single(v, flags, threads) == single(v, flags, 1), (name, flags)


def test_damaged_strips_fail_where_one_thread_fails():
    """Cut files, changed bytes and a spoiled strip in the middle: the same
    pixels, errors, first libtiff message and damage report as one thread."""
    _, data = many_strips()
    cases = [data[:n] for n in range(len(data) // 8, len(data), len(data) // 17)]
    cases += list(corruptions(data, 80, seed=5, head=len(data), aim=0.2))
    for name, v in sorted(T.variants().items())[::3]:
        cases += [v[: len(v) * 3 // 4]] + list(corruptions(v, 4, seed=len(name), head=len(v), aim=0.3))
    for i, buf in enumerate(cases):
        for flags in (-1, 1):
            assert single(buf, flags, 2) == single(buf, flags, 1), (i, flags)


def test_tiles_and_strips_split_evenly_or_not():
    """More threads than strips, one strip, tiles in rows of several."""
    for h in (8, 9, 17, 300):
        _, data = many_strips(h=h)
        for threads in (2, 5, 64):
            assert single(data, -1, threads) == single(data, -1, 1), (h, threads)
    for name, v in sorted(T.variants().items()):
        if "tile" in name:
            assert single(v, 1, 4) == single(v, 1, 1), name


def test_convert_reads_one_tiff_on_its_threads(tmp_path):
    """imc convert -j 2 of one file: the strips on two threads, the same PNG."""
    img, data = many_strips(h=200, w=150)
    src = tmp_path / "in.tif"
    src.write_bytes(data)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.png"
        r = run_cli("convert", "-j", jobs, src, out)
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert np.array_equal(imc.decode(outs[1], -1), img)
