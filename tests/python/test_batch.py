"""Transcoding many files: the CLI's batch mode and the Dask path."""
import json
import os
import shutil
import subprocess
import time

import numpy as np
import pytest

import variants as V
from helpers import BUILD, CLI, cv2, imc, run_cli, tool


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A folder of generated images in subfolders, one EXIF-rotated, one broken."""
    root = tmp_path_factory.mktemp("tree")
    (root / "sub" / "deeper").mkdir(parents=True)
    for i in range(12):
        img = V.photo(40 + 7 * i, 30 + 5 * i)
        folder = root if i < 4 else root / "sub" if i < 8 else root / "sub" / "deeper"
        ext = ".png" if i % 3 == 0 else ".jpg"
        cv2.imwrite(str(folder / f"img{i:02d}{ext}"), img)
    (root / "sub" / "rotated.jpg").write_bytes(V.jpeg_exif_variants()["pil_exif_6"])
    (root / "sub" / "broken.png").write_bytes(V.png_variants()["cv2_rgb8"][:300])
    (root / "notes.txt").write_text("not an image")
    return root


def cli(*args, **kw):
    return run_cli(*args, **kw)


def expected(path, ext, params=None):
    """What the conversion must produce: imc in this process, orientation applied."""
    img = imc.read(str(path), imc.IMREAD_UNCHANGED, orientation="apply")
    return imc.decode(imc.encode(ext, img, params), imc.IMREAD_UNCHANGED)


def test_tree_converts_keeping_layout(tree, tmp_path):
    out = tmp_path / "out"
    r = cli("convert", "--out", out, "--to", ".png", "-j", "2", tree)
    assert r.returncode == 1, r.stderr                       # the broken file
    assert "broken.png: damaged (truncated), not converted" in r.stderr
    assert r.stderr.count("\n") == 1
    assert ("14 files: 13 converted, 0 skipped (exist), 1 damaged (0 of them converted as "
            "decoded), 0 failed") in r.stdout
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert len(made) == 13 and "sub/rotated.png" in made and "sub/deeper/img11.png" in made
    for rel in made:
        src = next(tree.glob(rel[:-4] + ".*"))
        got = imc.read(str(out / rel), imc.IMREAD_UNCHANGED)
        assert np.array_equal(got, expected(src, ".png")), rel
    rotated = imc.read(str(out / "sub" / "rotated.png"), imc.IMREAD_UNCHANGED)
    assert rotated.shape[:2] == (203, 157)                  # EXIF 6 applied by default


def test_skip_overwrite_and_params(tree, tmp_path):
    out = tmp_path / "o"
    assert cli("convert", "--out", out, "--to", ".jpg", "-q", "70", tree / "sub").returncode == 1
    again = cli("convert", "--out", out, "--to", ".jpg", tree / "sub")
    assert ("10 files: 0 converted, 9 skipped (exist), 1 damaged (0 of them converted as "
            "decoded), 0 failed") in again.stdout
    target = out / "img04.jpg"
    want = expected(tree / "sub" / "img04.jpg", ".jpg", [imc.IMWRITE_JPEG_QUALITY, 70])
    assert np.array_equal(imc.read(str(target), -1), want)
    r = cli("convert", "--out", out, "--to", ".jpg", "--overwrite", "-p", "JPEG_QUALITY=30",
            tree / "sub" / "img04.jpg")
    assert r.returncode == 0 and "1 converted" in r.stdout
    assert np.array_equal(imc.read(str(target), -1),
                          expected(tree / "sub" / "img04.jpg", ".jpg", [1, 30]))


def test_flags_and_orientation(tree, tmp_path):
    out = tmp_path / "g"
    r = cli("convert", "--out", out, "--to", ".png", "--flags", "REDUCED_GRAYSCALE_2",
            "--orientation", "ignore", tree / "sub" / "rotated.jpg")
    assert r.returncode == 0
    got = imc.read(str(out / "rotated.png"), -1)
    src = V.jpeg_exif_variants()["pil_exif_6"]
    assert np.array_equal(got, cv2.imdecode(np.frombuffer(src, np.uint8), 16 | 128))


def test_never_overwrites_an_input(tree, tmp_path):
    work = tmp_path / "w"
    shutil.copytree(tree / "sub" / "deeper", work)
    before = {p.name: p.read_bytes() for p in work.iterdir()}
    r = cli("convert", "--out", work, "--overwrite", work)       # same extension, same folder
    assert r.returncode == 1 and "overwrite the input" in r.stderr
    assert {p.name: p.read_bytes() for p in work.iterdir()} == before


def test_threads_give_the_same_files(tree, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    cli("convert", "--out", a, "--to", ".png", "-j", "1", tree)
    cli("convert", "--out", b, "--to", ".png", "-j", "3", tree)
    files = sorted(p.relative_to(a) for p in a.rglob("*.png"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*.png")) and files
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def test_info_many_files(tree):
    r = cli("info", "--json", *sorted(tree.rglob("*.*")))
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert r.returncode == 1 and len(rows) == 15
    assert [x["file"].endswith("notes.txt") for x in rows if "error" in x] == [True]
    broken = next(x for x in rows if x["file"].endswith("broken.png"))
    assert broken["width"] == 203                               # headers only: its IHDR is intact
    rot = next(x for x in rows if x["file"].endswith("rotated.jpg"))
    assert rot["orientation"] == 6 and rot["bytes"] == (tree / "sub" / "rotated.jpg").stat().st_size


def test_progress_bar_in_a_terminal(tree, tmp_path):
    """On a terminal the CLI draws a progress bar; tmux is the terminal."""
    tmux = tool("tmux")
    session = f"imc-test-{os.getpid()}"
    out = tmp_path / "tty"
    cmd = f"{CLI} convert --out {out} --to .png -j 2 {tree}; sleep 30"
    subprocess.run([tmux, "new-session", "-d", "-s", session, "-x", "150", "-y", "20", cmd], check=True)
    try:
        screen = ""
        for _ in range(100):
            time.sleep(0.1)
            screen = subprocess.run([tmux, "capture-pane", "-p", "-t", session], capture_output=True,
                                    text=True).stdout
            if "files:" in screen:
                break
        assert "] 14/14 100%" in screen and "MP/s" in screen and "ETA" in screen, screen
        assert "14 files: 13 converted" in screen
    finally:
        subprocess.run([tmux, "kill-session", "-t", session], capture_output=True)


def test_dask_on_local_cluster(tree, tmp_path):
    """The Dask path on worker processes gives what one process gives, and
    reports failures with their path."""
    import dask.bag as db  # missing: test_setup.py names the package
    import distributed
    import imc.dask
    # worker processes must import this build of imc
    os.environ["PYTHONPATH"] = os.pathsep.join([str(BUILD / "python"), os.environ.get("PYTHONPATH", "")])
    paths = sorted(str(p) for p in tree.rglob("*") if p.suffix in (".jpg", ".png"))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
        bag = db.from_sequence(paths, npartitions=4)
        results = imc.dask.transcode(bag, ".png", [imc.IMWRITE_PNG_COMPRESSION, 3]).compute()
        written = imc.dask.transcode_files(bag, tmp_path / "dask", ".jpg", [1, 85],
                                           root=str(tree)).compute()
        blobs = db.from_sequence([("good", (tree / "img00.png").read_bytes()), ("bad", b"junk")])
        keyed = imc.dask.transcode(blobs, ".png").compute()
    assert [r.source for r in results] == paths
    for r in results:
        if r.source.endswith("broken.png"):
            assert r.data is None and isinstance(r.error, imc.error) and "broken.png" in str(r.error)
            continue
        assert r.error is None
        single = imc.dask.transcode_one(r.source, ".png", [imc.IMWRITE_PNG_COMPRESSION, 3])
        assert r.data == single.data
    for w in written:
        if w.error is None:
            rel = os.path.relpath(w.source, tree)
            assert w.data == str(tmp_path / "dask" / (os.path.splitext(rel)[0] + ".jpg"))
            assert np.array_equal(imc.read(w.data, -1), expected(w.source, ".jpg", [1, 85]))
    assert sum(w.error is not None for w in written) == 1
    assert keyed[0].source == "good" and keyed[0].error is None
    assert keyed[1].source == "bad" and keyed[1].error.code == imc.ERR_UNKNOWN_FORMAT


def test_dask_dataframe_series(tree):
    import dask.dataframe as dd
    import pandas as pd
    import imc.dask
    paths = sorted(str(p) for p in tree.glob("*.jpg"))
    series = dd.from_pandas(pd.Series(paths, name="path"), npartitions=2)
    results = imc.dask.transcode(series, ".png").compute(scheduler="sync")
    assert [r.source for r in results] == paths and all(r.error is None for r in results)
