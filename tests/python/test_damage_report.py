"""Damage made visible: imc.check() and imc.decode(fail_on=..., partial=...)
report what the JPEG and PNG codecs tolerate as cv2 does. Intact files
report nothing worse than a warning and claim complete; a truncated file
that cv2 still decodes (rows it made up) is reported truncated and
incomplete: imc.decode raises for it, partial=True gives cv2's pixels with
an imc.DamageWarning; PNG's checksums make "complete" a promise that the
pixels are the intact file's. (test_damage_catalogue.py: every format.)"""
import warnings

import numpy as np
import pytest

import variants as V
from helpers import imc, imc_decode, sample_files
from test_damage import JPEG_SWEEP, PNG_SWEEP, corruptions, offsets

LEVELS = ("none", "truncated", "error", "warning")


def variant(name):
    return V.jpeg_variants().get(name) or V.png_variants()[name]


def intact_files():
    files = {p.name: p.read_bytes() for p in sample_files(".jpg", ".png")}
    files.update(V.jpeg_variants())
    files.update(V.png_variants())
    return files


def check(data):
    """imc.check, or None where no codec recognises the bytes any more (a
    cut or flipped signature), which it reports as an error."""
    r = imc.check(data)
    if "no codec recognises" in r["message"]:
        assert r["kind"] == "error" and r["complete"] is False and not r["ok"]
        return None
    return r


def fails_at(data, level):
    try:
        imc.decode(data, -1, fail_on=level)
        return None
    except imc.error as e:
        return e.code


def test_intact_files_report_no_damage():
    files = intact_files()
    assert len(files) > 100
    for name, data in files.items():
        if name == "truncated.jpg":
            continue
        r = imc.check(data)
        assert r["kind"] in ("none", "warning") and r["complete"] is True, (name, r)
        assert r["first_bad_row"] == -1, name
        assert fails_at(data, "error") is None, name
        assert np.array_equal(imc.decode(data, -1, fail_on="error"), imc.imdecode(data, -1)), name


@pytest.mark.parametrize("name", JPEG_SWEEP + PNG_SWEEP)
def test_truncation_is_reported(name):
    data = variant(name)
    reported = 0
    for off in offsets(len(data))[::2]:
        cut = data[:off]
        cv2s = imc_decode(cut, -1)        # equal to cv2's (test_damage)
        r = check(cut)
        if r is None:
            continue
        assert r["kind"] != "none" and r["complete"] is not True, (off, r)
        if isinstance(cv2s, np.ndarray):  # cv2 returns an image with made-up rows
            reported += 1
            assert r["kind"] == "truncated" and r["complete"] is False, (off, r)
            assert r["first_bad_row"] < cv2s.shape[0], (off, r)
            assert fails_at(cut, "truncated") == imc.ERR_TRUNCATED, off
            with pytest.raises(imc.error) as e:                      # the default: strict
                imc.decode(cut, -1)
            assert e.value.damage["kind"] == "truncated", off
            with pytest.warns(imc.DamageWarning, match="truncated"):
                assert np.array_equal(imc.decode(cut, -1, partial=True), cv2s), off
        else:
            assert fails_at(cut, "none") is not None, off
    if name in ("cv2_baseline_q95", "cv2_restart1", "pil_444", "cv2_gray"):
        assert reported > 10   # baseline JPEGs: cv2 returns most cuts


@pytest.mark.parametrize("name", JPEG_SWEEP + PNG_SWEEP)
def test_corruption_is_reported_or_harmless(name):
    data = variant(name)
    intact = imc.imdecode(data, -1)
    png = data[:4] == b"\x89PNG"
    for trial, buf in enumerate(corruptions(data, 60, seed=14, head=len(data), aim=0.0)):
        r = check(buf)
        got = imc_decode(buf, -1)
        if r is None:
            continue
        if r["kind"] in ("error", "truncated"):
            assert r["complete"] is False
            code = fails_at(buf, "error")
            assert code is not None, (trial, r)
            if isinstance(got, np.ndarray):   # cv2 decodes it: the damage is the reason
                assert code in (imc.ERR_CORRUPT, imc.ERR_TRUNCATED), (trial, r)
        elif isinstance(got, np.ndarray):
            assert r["complete"] is True and fails_at(buf, "error") is None, (trial, r)
            if png:   # every chunk has a CRC: what passes is the intact file's image
                assert np.array_equal(got, intact), (trial, r)


def test_what_follows_the_image_is_a_warning():
    for name in ("cv2_baseline_q95", "cv2_rgb8"):
        data = variant(name) + b"spliced on"
        r = imc.check(data)
        assert r["kind"] == "warning" and r["complete"] is True and "after" in r["message"]
        assert fails_at(data, "error") is None and fails_at(data, "warning") == imc.ERR_CORRUPT
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # no DamageWarning: the image is complete
            assert np.array_equal(imc.decode(data, -1), imc.imdecode(data, -1))
            assert np.array_equal(imc.decode(data, -1, partial=True), imc.imdecode(data, -1))


def test_corrupt_jpeg_data_names_the_row():
    data = bytearray(variant("cv2_baseline_q95"))
    sos = data.index(b"\xff\xda")
    for i in range(sos + 400, sos + 460):
        data[i] ^= 0x5A
    r = imc.check(bytes(data))
    assert r["kind"] == "error" and "Corrupt JPEG data" in r["message"]
    assert 0 <= r["first_bad_row"] < imc.imdecode(bytes(data), -1).shape[0]


def test_fail_on_is_checked():
    data = variant("cv2_rgb8")
    for level in LEVELS:
        assert fails_at(data, level) is None
    with pytest.raises(ValueError):
        imc.decode(data, fail_on="sometimes")
    r = imc.check(b"not an image")
    assert not r["ok"] and r["kind"] == "error" and "no codec" in r["message"]
    with pytest.raises(imc.error) as e:  # not the data's fault: no data at all
        imc.check(b"")
    assert e.value.code == imc.ERR_ARG


def test_info_check_agrees_with_the_report(tmp_path):
    import json

    from helpers import run_cli
    jpeg, png = variant("cv2_baseline_q95"), variant("cv2_rgb8")
    bmp = imc.encode(".bmp", np.zeros((4, 4, 3), np.uint8))
    files = {"ok.jpg": jpeg, "cut.jpg": jpeg[:len(jpeg) // 2], "tail.png": png + b"xx",
             "cut.png": png[:len(png) // 2], "plain.bmp": bmp}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    paths = [str(tmp_path / n) for n in files]
    r = run_cli("info", "--check", "--json", *paths)
    assert r.returncode == 1                 # cut.jpg and cut.png are damaged
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    got = {line["file"].rsplit("/", 1)[1]: line for line in lines}
    verdict = {n: got[n]["check"] for n in got}
    assert verdict == {"ok.jpg": "ok", "cut.jpg": "truncated", "tail.png": "warning",
                       "cut.png": "truncated", "plain.bmp": "ok"}
    for name in files:
        report = imc.check(files[name])
        assert got[name]["damage"] == report["message"]
        assert got[name]["complete"] == report["complete"]
        assert got[name]["first_bad_row"] == report["first_bad_row"]
    table = run_cli("info", "--check", str(tmp_path / "ok.jpg"), str(tmp_path / "tail.png"))
    assert table.returncode == 0 and "CHECK" in table.stdout and "2 bytes after IEND" in table.stdout


def test_convert_reports_damaged_inputs_and_writes_them_only_with_partial(tmp_path):
    from helpers import run_cli
    jpeg, png = variant("cv2_baseline_q95"), variant("cv2_rgb8")
    src = tmp_path / "in"
    src.mkdir()
    files = {"ok.jpg": jpeg, "cut.jpg": jpeg[:len(jpeg) // 2], "cut.png": png[:len(png) // 2]}
    for name, data in files.items():
        (src / name).write_bytes(data)
    r = run_cli("convert", "--out", str(tmp_path / "strict"), "--to", ".png", str(src))
    assert r.returncode == 1
    assert sorted(p.name for p in (tmp_path / "strict").iterdir()) == ["ok.png"]
    for name in ("cut.jpg", "cut.png"):
        assert f"{name}: damaged (truncated), not converted" in r.stderr
    assert "3 files: 1 converted, 0 skipped (exist), 2 damaged (0 of them" in r.stdout

    r = run_cli("convert", "--out", str(tmp_path / "partial"), "--to", ".png", "--partial", str(src))
    assert r.returncode == 1                   # still damaged inputs
    assert "cut.jpg: damaged (truncated), converted as decoded" in r.stderr
    assert "cut.png: damaged (truncated), not converted" in r.stderr   # nothing decodes
    written = imc.imread(str(tmp_path / "partial" / "cut.png"), -1)
    assert np.array_equal(written, imc.imdecode(files["cut.jpg"], -1))  # cv2's pixels
    assert "3 files: 2 converted, 0 skipped (exist), 2 damaged (1 of them" in r.stdout

    one = run_cli("convert", str(src / "cut.jpg"), str(tmp_path / "one.png"))
    assert one.returncode == 1 and "not converted" in one.stderr
    assert not (tmp_path / "one.png").exists()
    one = run_cli("convert", "--partial", str(src / "cut.jpg"), str(tmp_path / "one.png"))
    assert one.returncode == 1 and "converted as decoded" in one.stderr
    assert (tmp_path / "one.png").exists()
    ok = run_cli("convert", str(src / "ok.jpg"), str(tmp_path / "ok.png"))
    assert ok.returncode == 0 and ok.stderr == ""


def test_dask_results_carry_the_damage_report():
    import pickle

    import imc.dask
    jpeg = variant("cv2_baseline_q95")
    cut = jpeg[:len(jpeg) // 2]
    intact = imc.dask.transcode_one(("ok", jpeg), ".png")
    assert intact.error is None and intact.damage is None
    refused = imc.dask.transcode_one(("cut", cut), ".png")
    assert refused.data is None and refused.error.code == imc.ERR_TRUNCATED
    assert refused.damage["kind"] == "truncated" and refused.damage == refused.error.damage
    again = pickle.loads(pickle.dumps(refused))           # what a worker process sends back
    assert again.error.damage == refused.damage and str(again.error) == str(refused.error)
    kept = imc.dask.transcode_one(("cut", cut), ".png", partial=True)
    assert kept.error is None and kept.damage["complete"] is False
    assert np.array_equal(imc.decode(kept.data, -1), imc.imdecode(cut, -1))


def test_pages_report_the_worst_page_and_a_lost_one():
    import variants_tiff as T
    data = T.multipage_variants()["cv2_mixed"]
    pages = imc.decode_all(data, -1)
    assert len(pages) > 2
    cut = data[:len(data) - 40]                            # the last directory is lost
    with pytest.raises(imc.error) as e:
        imc.decode_all(cut, -1)
    assert e.value.damage["page"] >= 1 and e.value.damage["complete"] is False
    with pytest.warns(imc.DamageWarning, match="page"):
        kept = imc.decode_all(cut, -1, partial=True)
    ok, cv2s = imc.imdecodemulti(cut, -1)                   # cv2's pages: the same
    assert ok and len(kept) == len(cv2s) and all(map(np.array_equal, kept, cv2s))
    assert imc.check(cut)["page"] == e.value.damage["page"]
