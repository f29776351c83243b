"""The imc command: convert and info, help, and one-line errors."""
import json
import re
import subprocess

import numpy as np
import pytest

import variants as V
from helpers import assert_same_file, cv2, imc, run_cli, tool, tool_env


def cli(*args, **kw):
    return run_cli(*args, **kw)


@pytest.fixture()
def jpg(tmp_path):
    p = tmp_path / "in.jpg"
    p.write_bytes(V.jpeg_exif_variants()["pil_exif_6"])
    return p


def test_help_and_version():
    for args in (["--help"], ["convert", "--help"], ["info", "--help"]):
        r = cli(*args)
        assert r.returncode == 0 and "usage: imc" in r.stdout
    assert cli("--version").stdout.startswith("imc ")
    r = cli("--formats")
    assert r.returncode == 0 and "jpeg" in r.stdout and "png" in r.stdout
    r = cli()
    assert r.returncode == 2 and "usage" in r.stderr


def test_convert_lossless_png(jpg, tmp_path):
    out = tmp_path / "out.png"
    r = cli("convert", jpg, out)
    assert r.returncode == 0 and r.stderr == ""
    # Default: IMREAD_UNCHANGED's pixels (alpha, depth) with the EXIF rotation applied.
    stored = cv2.imread(str(jpg), -1)
    assert np.array_equal(cv2.imread(str(out), -1), cv2.rotate(stored, cv2.ROTATE_90_CLOCKWISE))
    r = cli("convert", jpg, tmp_path / "rot.png", "--flags", "COLOR", "--orientation", "flags")
    assert np.array_equal(cv2.imread(str(tmp_path / "rot.png"), -1), cv2.imread(str(jpg), 1))
    r = cli("convert", jpg, tmp_path / "raw.png", "--orientation", "flags")   # cv2's UNCHANGED
    assert np.array_equal(cv2.imread(str(tmp_path / "raw.png"), -1), stored)


def test_convert_params(jpg, tmp_path):
    src = imc.read(str(jpg), -1, orientation="apply")
    cases = [
        (["-q", "80"], [cv2.IMWRITE_JPEG_QUALITY, 80]),
        (["--quality", "60", "-p", "JPEG_PROGRESSIVE=1"], [1, 60, 2, 1]),
        (["--param", "IMWRITE_JPEG_OPTIMIZE=1", "--param", "jpeg_rst_interval=3"], [3, 1, 4, 3]),
        (["-p", "1=33"], [1, 33]),
    ]
    for args, params in cases:
        out = tmp_path / "o.jpg"
        # cv2 writes no metadata; --strip keeps convert from carrying the EXIF over
        assert cli("convert", jpg, out, *args, "--strip").returncode == 0
        assert out.read_bytes() == cv2.imencode(".jpg", src, params)[1].tobytes(), args
    out = tmp_path / "s.jpg"
    assert cli("convert", jpg, out, "-p", "JPEG_SAMPLING_FACTOR=444", "--strip=exif").returncode == 0
    assert out.read_bytes() == imc.imencode(".jpg", src, [7, 0x111111])[1].tobytes()
    out = tmp_path / "o.png"
    assert cli("convert", jpg, out, "-p", "PNG_COMPRESSION=9", "-p", "png_strategy=filtered",
               "--strip", "all").returncode == 0
    assert_same_file(".png", out.read_bytes(), cv2.imencode(".png", src, [16, 9, 17, 1])[1])
    assert cli("convert", jpg, tmp_path / "g.png", "-f", "REDUCED_GRAYSCALE_2").returncode == 0
    assert np.array_equal(cv2.imread(str(tmp_path / "g.png"), -1), cv2.imread(str(jpg), 16))
    assert cli("convert", jpg, tmp_path / "i.png", "-f", "REDUCED_GRAYSCALE_2",
               "--orientation", "ignore").returncode == 0
    assert np.array_equal(cv2.imread(str(tmp_path / "i.png"), -1), cv2.imread(str(jpg), 16 | 128))


@pytest.mark.parametrize("args,needle", [
    (["convert", "missing.jpg", "x.png"], "missing.jpg"),
    (["convert", "{jpg}", "x.bogus"], "no format"),
    (["convert", "{jpg}", "x.png", "-q", "5"], "quality"),
    (["convert", "{jpg}", "x.jpg", "-p", "NOPE=1"], "unknown parameter name 'NOPE'"),
    (["convert", "{jpg}", "x.jpg", "-p", "JPEG_QUALITY"], "bad parameter"),
    (["convert", "{jpg}", "x.jpg", "-f", "SIDEWAYS"], "bad flags"),
    (["convert", "{jpg}"], "needs IN and OUT"),
    (["convert", "{jpg}", "/nonexistent/dir/x.png"], "No such file"),
    (["info", "{txt}"], "no codec"),
    (["frobnicate"], "unknown command"),
])
def test_errors_are_one_line(args, needle, jpg, tmp_path):
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    r = cli(*[a.format(jpg=jpg, txt=txt) for a in args])
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("imc: ") and needle in r.stderr, r.stderr


def test_info_table_and_json(jpg, tmp_path):
    png = tmp_path / "a.png"
    png.write_bytes(V.png_variants()["cv2_gray16"])
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnope")
    r = cli("info", jpg, png)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["FORMAT", "WIDTH", "HEIGHT", "CH", "DTYPE", "ORIENT", "BYTES",
                                "METADATA", "FILE"]
    assert lines[1].split()[:6] == ["jpeg", "203", "157", "3", "uint8", "6"]
    assert lines[2].split()[:6] == ["png", "203", "157", "1", "uint16", "0"]
    r = cli("info", "--json", bad, jpg, png)
    assert r.returncode == 1 and "bad.png" in r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert rows[0]["file"].endswith("bad.png") and "error" in rows[0]
    meta = [{"kind": k, "bytes": len(b)} for k, b in imc.metadata(jpg.read_bytes())]
    assert [m["kind"] for m in meta] == ["exif"]
    assert rows[1] == {"file": str(jpg), "format": "jpeg", "width": 203, "height": 157, "channels": 3,
                       "dtype": "uint8", "orientation": 6, "bytes": jpg.stat().st_size,
                       "metadata": meta}
    assert lines[1].split()[7] == f"exif:{meta[0]['bytes']}" and lines[2].split()[7] == "-"


# ---- messages that name the fix ---------------------------------------------------
def test_unknown_parameter_is_named_with_the_known_ones(jpg, tmp_path):
    r = cli("convert", jpg, tmp_path / "o.jpg", "--param", "FOO=1")
    assert r.returncode == 1 and "unknown parameter name 'FOO' in 'FOO=1'" in r.stderr
    assert r.stderr.count("\n") == 1
    known = r.stderr.split("the names are ")[1].split(", ")
    assert {"JPEG_QUALITY", "PNG_COMPRESSION", "WEBP_QUALITY", "PAM_TUPLETYPE"} <= set(
        k.strip() for k in known)
    assert not any("STRATEGY_" in k or "PAM_FORMAT_" in k for k in known)  # values, not names
    r = cli("convert", jpg, tmp_path / "o.png", "-p", "PNG_STRATEGY=SIDEWAYS")
    assert r.returncode == 1 and "bad value in 'PNG_STRATEGY=SIDEWAYS'" in r.stderr
    r = cli("convert", jpg, tmp_path / "o.png", "-p", "PNG_COMPRESSION")
    assert r.returncode == 1 and "want NAME=VALUE" in r.stderr
    assert not list(tmp_path.glob("o.*"))


def test_output_without_a_known_extension_lists_the_writable_ones(jpg, tmp_path):
    for out, says in ((tmp_path / "out", "no extension"), (tmp_path / "out.xyz", "'.xyz'")):
        r = cli("convert", jpg, out)
        assert r.returncode == 1 and says in r.stderr and "--formats" in r.stderr
        assert " .png" in r.stderr and " .jpg" in r.stderr and " .tif" in r.stderr
        assert not out.exists()


def test_directory_input_points_at_out(jpg, tmp_path):
    r = cli("convert", tmp_path, tmp_path / "o.png")
    assert r.returncode == 1 and "is a directory" in r.stderr and "--out OUTDIR" in r.stderr


def test_quality_out_of_range_is_refused(jpg, tmp_path):
    for q in ("150", "-1"):
        r = cli("convert", jpg, tmp_path / "o.jpg", "-q", q)
        assert r.returncode == 1 and "jpeg quality is 0-100" in r.stderr
    assert not (tmp_path / "o.jpg").exists()
    r = cli("convert", jpg, tmp_path / "o.jpg", "-q", "100")
    assert r.returncode == 0
    # WebP's 101 is cv2's lossless
    r = cli("convert", jpg, tmp_path / "o.webp", "-q", "101")
    assert r.returncode == 0
    src = cv2.imread(str(jpg), cv2.IMREAD_UNCHANGED)
    src = cv2.rotate(src, cv2.ROTATE_90_CLOCKWISE)  # EXIF orientation 6, applied
    assert np.array_equal(cv2.imread(str(tmp_path / "o.webp")), src)
    r = cli("convert", "--out", tmp_path / "b", "-q", "150", tmp_path)
    assert r.returncode == 1 and "quality is" in r.stderr


def test_batch_counts_files_that_are_not_images(jpg, tmp_path):
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "data.bin").write_bytes(b"\0" * 10)
    r = cli("convert", "--out", tmp_path / "out", "--to", ".png", tmp_path)
    assert r.returncode == 0
    assert "1 files: 1 converted" in r.stdout and "2 other files ignored" in r.stdout


# ---- the man page and the bash completion ---------------------------------------
def man_source():
    from helpers import ROOT
    return (ROOT / "docs" / "man" / "imc.1").read_text().replace("\\-", "-")


def options_in(text):
    return set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", text))


@pytest.mark.parametrize("command,section", [("convert", "CONVERT OPTIONS"),
                                             ("info", "INFO OPTIONS"), ("view", "VIEW OPTIONS")])
def test_man_page_and_help_list_the_same_options(command, section):
    man = man_source()
    part = man.split(f'.SH {section}')[1].split(".SH")[0]
    in_help = options_in(cli(command, "--help").stdout) - {"-h", "--help"}
    in_man = options_in(part)
    assert in_help == in_man, (sorted(in_help - in_man), sorted(in_man - in_help))


def test_man_page_renders_without_warnings():
    from helpers import ROOT
    r = subprocess.run([tool("groff"), "-man", "-Tutf8", "-ww", "-z", str(ROOT / "docs" / "man" / "imc.1")],
                       capture_output=True, text=True, env=tool_env())
    assert r.returncode == 0 and r.stderr == "", r.stderr
    top = options_in(man_source().split(".SH GENERAL OPTIONS")[1].split(".SH")[0])
    assert top - {"-h"} == options_in(cli("--help").stdout) & {"--formats", "--version", "--help"}


def complete(*words, cur=""):
    """What the completion offers for `cur` after `words`."""
    from helpers import BUILD, ROOT
    line = " ".join([*words, f'"{cur}"'])
    script = (f"source {ROOT}/completions/imc.bash; COMP_WORDS=({line}); "
              f'COMP_CWORD={len(words)}; _imc; printf "%s\\n" "${{COMPREPLY[@]}}"')
    env = tool_env()
    env["PATH"] = f"{BUILD}:{env['PATH']}"
    return subprocess.run([tool("bash"), "-c", script], capture_output=True, text=True,
                          env=env).stdout.split()


def test_bash_completion():
    assert complete("imc", cur="conv") == ["convert"]
    assert set(complete("imc", "convert", cur="--o")) == {"--orientation", "--out", "--overwrite"}
    assert set(complete("imc", "info", cur="--")) == {"--json", "--check", "--help"}
    assert complete("imc", "convert", "--orientation") == ["apply", "ignore", "flags"]
    exts = complete("imc", "convert", "--to")
    assert {".png", ".jpg", ".webp", ".tif"} <= set(exts)
