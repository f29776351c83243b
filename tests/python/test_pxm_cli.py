"""The CLI and the format table cover PNM, PAM, PFM and HDR: info reports
what imc.probe reports, convert writes what cv2.imencode writes."""
import json
import subprocess

import numpy as np
import pytest

import variants as V
import variants_pxm as P
from helpers import CLI, cv2, imc


def cli(*args):
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True)


FILES = {
    "a.ppm": (lambda: P.pnm_variants()["netpbm_ppm_maxval1000"], "pnm", 3, "uint16"),
    "b.pgm": (lambda: P.pnm_variants()["netpbm_plain_P2"], "pnm", 1, "uint8"),
    "c.pbm": (lambda: P.pnm_variants()["cv2_pbm_raw"], "pnm", 1, "uint8"),
    "d.pam": (lambda: P.pam_variants()["netpbm_rgb_alpha"], "pam", 4, "uint8"),
    "e.pfm": (lambda: P.pfm_variants()["netpbm_gray"], "pfm", 1, "float32"),
    "f.hdr": (lambda: P.hdr_variants()["im_from_png"], "hdr", 3, "float32"),
}


@pytest.fixture()
def files(tmp_path):
    out = {}
    for name, (data, *_rest) in FILES.items():
        (tmp_path / name).write_bytes(data())
        out[name] = tmp_path / name
    return out


def test_formats_listed():
    r = cli("--formats")
    for name in ("pnm", "pam", "pfm", "hdr"):
        assert name in r.stdout
    for ext in ("pbm", "pgm", "ppm", "pnm", "pam", "pfm", "hdr", "pic"):
        assert imc.haveImageWriter("x." + ext)


def test_info(files):
    r = cli("info", "--json", *files.values())
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    for row, (name, (_data, fmt, cn, dtype)) in zip(rows, FILES.items()):
        assert (row["format"], row["width"], row["height"], row["channels"], row["dtype"]) == \
            (fmt, 203, 157, cn, dtype), name
        info = imc.probe(files[name].read_bytes())
        assert (info.format, info.channels, info.dtype) == (fmt, cn, dtype)


@pytest.mark.parametrize("src,dst,args,params", [
    ("f.hdr", "o.pfm", [], []),
    ("e.pfm", "o.hdr", ["-p", "HDR_COMPRESSION=0"], [0, 0]),   # cv2 4.6 writes flat for [0, x]
    ("e.pfm", "o.pic", [], []),
    ("a.ppm", "o.pgm", ["--flags", "GRAYSCALE", "-p", "PXM_BINARY=0"], [32, 0]),
    ("a.ppm", "o.pnm", ["--flags", "ANYDEPTH|COLOR"], []),
    ("b.pgm", "o.pbm", [], []),
    ("d.pam", "o.pam", ["-p", "PAM_TUPLETYPE=5"], [128, 5]),
    ("f.hdr", "o.ppm", ["--flags", "COLOR"], []),
])
def test_convert_equals_cv2(files, tmp_path, src, dst, args, params):
    out = tmp_path / dst
    r = cli("convert", files[src], out, *args)
    assert r.returncode == 0, r.stderr
    flags = -1
    if "--flags" in args:
        flags = 0
        for word in args[args.index("--flags") + 1].split("|"):
            flags |= getattr(cv2, "IMREAD_" + word)
    img = cv2.imdecode(np.frombuffer(files[src].read_bytes(), np.uint8), flags)
    assert out.read_bytes() == cv2.imencode("." + dst.split(".")[1], img, params)[1].tobytes()


def test_convert_refuses_what_cv2_refuses(files, tmp_path):
    r = cli("convert", files["d.pam"], tmp_path / "x.ppm")      # 4 channels to PPM
    assert r.returncode != 0 and "ppm" in r.stderr
    r = cli("convert", files["f.hdr"], tmp_path / "x.hdr", "-p", "HDR_COMPRESSION=7")
    assert r.returncode != 0 and "HDR_COMPRESSION" in r.stderr


def test_python_read_write(tmp_path):
    img = V.photo(31, 17)
    for ext in (".ppm", ".pnm", ".pam", ".pfm", ".hdr", ".pic"):
        f = tmp_path / ("x" + ext)
        assert imc.imwrite(str(f), img)
        assert f.read_bytes() == cv2.imencode(ext, img)[1].tobytes()
        for flags in (-1, 1, 0, 2):
            a, b = imc.imread(str(f), flags), cv2.imread(str(f), flags)
            assert np.array_equal(a, b), (ext, flags)
