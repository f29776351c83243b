"""TIFF pages on several threads (issue 21): decode_all / imdecodemulti's
reading with threads gives exactly what one thread gives: the same pages,
the same stop at a page that fails or cannot be found (cv2's
imreadmulti_), the same errors and damage reports, on intact and on
damaged files."""
import numpy as np
import pytest

import variants_tiff as T
from helpers import imc
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
