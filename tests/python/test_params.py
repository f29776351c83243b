"""Each format declares the encode params it takes (imc_format_param,
imc.formats()[i]["params"], `imc --formats`): id, range or set of values,
what values outside it do, default, first or last occurrence. These tests
hold every declaration to what the encoder really does, by comparing the
bytes it writes: an out-of-range value gives the bytes of its clamped or
replacement value, or those of no param at all when ignored, or
IMC_ERR_PARAM when refused; a repeated param counts once, first or last as
declared; params of other formats change nothing."""
import numpy as np
import pytest

from helpers import imc, run_cli

INT_MIN, INT_MAX = -2**31, 2**31 - 1
FLOAT_FORMATS = {"exr", "hdr", "pfm"}


def writers():
    return [f for f in imc.formats() if f["encode"]]


def image_for(fmt):
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)   # JPEG 2000's 6 levels need 32
    return img.astype(np.float32) / 255 if fmt["name"] in FLOAT_FORMATS else img


def encoded(fmt, params):
    ext = {"pnm": "ppm"}.get(fmt["name"], fmt["extensions"].split()[0])   # pbm takes gray only
    return imc.encode("." + ext, image_for(fmt), params)


def outside_values(p):
    """Values the declaration does not take, with the rule for each."""
    if p["values"] is not None:
        return [(min(p["values"]) - 3, p["below"]), (max(p["values"]) + 3, p["above"])]
    out = []
    if p["min"] > INT_MIN:
        out.append((p["min"] - 3, p["below"]))
    if p["max"] < INT_MAX:
        out.append((p["max"] + 3, p["above"]))
    return out


def nearest_taken(p, v):
    if p["values"] is not None:
        return min(p["values"], key=lambda t: abs(t - v))
    return min(max(v, p["min"]), p["max"])


def _encodes(fmt, params):
    try:
        encoded(fmt, params)
        return True
    except imc.error:
        return False


CASES = [(f["name"], p["name"]) for f in writers() for p in f["params"]]


def lookup(fmt_name, param_name):
    fmt = next(f for f in writers() if f["name"] == fmt_name)
    return fmt, next(p for p in fmt["params"] if p["name"] == param_name)


def test_every_writer_but_sun_raster_and_pfm_declares_params():
    quiet = {f["name"] for f in writers() if not f["params"]}
    assert quiet == {"sunras", "pfm"}      # cv2's writers of these take none
    assert len(CASES) >= 35
    ids = {p["name"]: p["id"] for f in writers() for p in f["params"]}
    assert all(getattr(imc, "IMWRITE_" + name) == i for name, i in ids.items())


@pytest.mark.parametrize("fmt_name,param_name", CASES)
def test_values_outside_the_range_do_what_is_declared(fmt_name, param_name):
    fmt, p = lookup(fmt_name, param_name)
    none = encoded(fmt, [])
    for v, rule in outside_values(p):
        if rule == "refused":
            with pytest.raises(imc.error) as e:
                encoded(fmt, [p["id"], v])
            assert e.value.code == imc.ERR_PARAM and p["name"] in str(e.value)
            continue
        want = {"clamped": lambda: encoded(fmt, [p["id"], nearest_taken(p, v)]),
                "ignored": lambda: none,
                "replaced": lambda: encoded(fmt, [p["id"], p["replacement"]])}[rule]()
        assert encoded(fmt, [p["id"], v]) == want, (v, rule)


@pytest.mark.parametrize("fmt_name,param_name", CASES)
def test_a_repeated_param_counts_once_first_or_last_as_declared(fmt_name, param_name):
    fmt, p = lookup(fmt_name, param_name)
    if p["values"] is not None:
        candidates = list(p["values"])
    elif p["min"] > INT_MIN and p["max"] < INT_MAX:
        candidates = sorted({p["min"], p["max"], (p["min"] + p["max"]) // 2, p["max"] - 1})
    else:
        pytest.skip("any value is taken; what it means is the format tests' business")
    if fmt_name == "avif" and param_name == "AVIF_SPEED":
        candidates = [8, 10]   # speed 0 takes seconds even on a tiny image
    # two values the library encodes (OpenEXR's C library has no DWAA/DWAB encoder)
    ok = [v for v in candidates if _encodes(fmt, [p["id"], v])][:2]
    assert len(ok) == 2 or len(candidates) == 1
    a, b = (ok + ok)[:2]
    got = encoded(fmt, [p["id"], a, p["id"], b])
    assert got == encoded(fmt, [p["id"], a] if p["first_wins"] else [p["id"], b])


@pytest.mark.parametrize("fmt_name", sorted({f["name"] for f in writers()}))
def test_params_of_other_formats_change_nothing(fmt_name):
    fmt = next(f for f in writers() if f["name"] == fmt_name)
    own = {p["id"] for p in fmt["params"]}
    foreign = sorted({p["id"] for f in writers() for p in f["params"]} - own)
    assert foreign
    params = [x for i in foreign for x in (i, 3)]
    assert encoded(fmt, params[:100]) == encoded(fmt, [])


def test_imc_formats_lists_every_declared_param():
    out = run_cli("--formats").stdout
    section = out.split("ENCODE PARAMS")[1]
    for f in writers():
        for p in f["params"]:
            assert p["name"] in section
    assert "JPEG_QUALITY                 0..100, else clamped               default 95" in section
