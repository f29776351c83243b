"""The damage catalogue: files of every format, from several writers, cut at
many offsets, with bits flipped, parts dropped and other files spliced in.
For each damaged file:
  - imc.imdecode gives cv2.imdecode's result (for the formats cv2 4.6 reads);
  - imc.check (every page) and imc.decode_all agree: strict decoding raises
    exactly when the report says the image is not complete;
  - imc.decode (the first page) raises whenever imc.check of that page does;
    partial=True then gives imc.imdecode's pixels with an imc.DamageWarning,
    and no warning for a complete image;
  - an image called complete is the intact file's image, where the damage
    is one the format can see: any cut, any dropped part, and for PNG (CRCs
    and Adler-32) any flipped bit;
and `imc info --check` says what imc.check says. Clean files (every variant
family and the sample images: several hundred, from many writers) never
raise and never warn."""
import json
import random
import warnings

import numpy as np
import pytest

import variants as V
import variants_bmp_sun as B
import variants_exr as E
import variants_jpeg2000 as J
import variants_modern as M
import variants_pxm as P
import variants_tiff as T
import variants_webp as W
from helpers import assert_same_decode, imc, run_cli, sample_files

# The families cv2 4.6 reads (not animated WebP: imc follows newer cv2 there).
CV2_READS = {"jpeg", "png", "webp", "tiff", "tiff_pages", "jpeg2000", "bmp", "pnm", "pam", "pfm",
             "hdr", "sunras", "exr"}

# Per format: the family of clean files, and the names of the bases damaged.
FAMILIES = {
    "jpeg": (V.jpeg_variants, ["cv2_baseline_q95", "cv2_progressive", "pil_422"]),
    "png": (V.png_variants, ["cv2_rgb8", "pil_palette_4bit", "pnm_interlace_rgb"]),
    "webp": (W.still_variants, None),
    "webp_animated": (W.animated_variants, None),
    "tiff": (T.variants, None),
    "tiff_pages": (T.multipage_variants, None),
    "jpeg2000": (J.jpeg2000_variants, None),
    "bmp": (B.bmp_variants, None),
    "sunras": (B.sun_variants, None),
    "pnm": (P.pnm_variants, None),
    "pam": (P.pam_variants, None),
    "pfm": (P.pfm_variants, None),
    "hdr": (P.hdr_variants, None),
    # not a mip/rip-mapped file: cut in its lower levels, cv2 returns level 0
    # and imc fails (OpenEXR's core library rebuilds the chunk table wrongly;
    # docs/compat.md)
    "exr": (E.exr_variants, ["cv2_bgr_float_zip", "im_RGBA_piz", "tiled_one_level"]),
    "gif": (M.gif_variants, None),
    "avif": (M.avif_variants, None),
    "jxl": (M.jxl_variants, None),
}
# Where the format sees a lost stretch of the file (checksums, or a size that
# the data must fill exactly) and a flipped bit (checksums over everything).
# Elsewhere a lost or flipped piece of entropy-coded or raw data just decodes
# to other pixels, in cv2 and in any other reader.
SEES_DROPS = {"png", "bmp", "pnm", "pam", "pfm", "sunras"}
SEES_FLIPS = {"png"}


def cv2_known_wrong(family, kind, buf):
    """docs/compat.md: an EXR whose compressed chunk no longer decompresses
    (a flipped bit) is an image to cv2 4.6's OpenEXR, with the chunk's lines
    left as they were; imc fails."""
    return family == "exr" and kind == "flip" and imdecode(buf) is None


# Made damaged on purpose by their family (what cv2 does with them is tested there).
DAMAGED_ON_PURPOSE = ("trunc", "damaged", "corrupt", "bad_crc", "broken")


def clean_files(family):
    generator = FAMILIES[family][0]
    return {name: data for name, data in generator().items()
            if not any(word in name for word in DAMAGED_ON_PURPOSE)}


def decodable(files):
    out = {}
    for name, data in files.items():
        try:
            if imc.imdecode(data, -1) is not None:
                out[name] = data
        except imc.error:
            pass   # cv2 raises for it (sizes past its limits): not an image it returns
    return out


def bases(family):
    files = decodable(clean_files(family))
    chosen = FAMILIES[family][1]
    if chosen is None:   # the largest three from different writers (name prefixes)
        by_writer = {}
        for name, data in sorted(files.items(), key=lambda kv: -len(kv[1])):
            if "trailing" in name:   # bytes after the image hide a dropped stretch
                continue
            by_writer.setdefault(name.split("_")[0], (name, data))
        chosen = [name for name, _ in list(by_writer.values())[:3]]
    return {name: files[name] for name in chosen}


def cuts(data, n=36):
    step = max(1, len(data) // n)
    return [data[:k] for k in sorted(set(range(8, len(data), step)) | {len(data) - 1})]


def flips(data, n, seed):
    rng = random.Random(seed)
    for _ in range(n):
        buf = bytearray(data)
        for _ in range(rng.choice((1, 2))):
            pos = rng.randrange(len(buf))
            buf[pos] ^= 1 << rng.randrange(8)
        yield bytes(buf)


def drops(data, n=12, seed=0):
    """A stretch of the file removed (a lost chunk, strip, scan or frame)."""
    rng = random.Random(seed)
    for _ in range(n):
        a = rng.randrange(len(data) // 8, len(data) - 2)
        b = min(len(data) - 1, a + rng.randrange(1, max(2, len(data) // 6)))
        yield data[:a] + data[b:]


def splices(data, other):
    half = len(data) // 2
    return [data[:half] + other[len(other) // 2:], data + other, data[:half] + data]


def catalogue(family):
    """(label, bytes, kind) of every damaged file made from the family's bases."""
    chosen = bases(family)
    assert chosen, family
    names = sorted(chosen)
    out = []
    for i, name in enumerate(names):
        data = chosen[name]
        other = chosen[names[(i + 1) % len(names)]]
        out += [(f"{name} cut {len(c)}", c, "cut") for c in cuts(data)]
        out += [(f"{name} drop {k}", d, "drop") for k, d in enumerate(drops(data, seed=i))]
        out += [(f"{name} splice {k}", s, "splice") for k, s in enumerate(splices(data, other))]
        out += [(f"{name} flip {k}", f, "flip") for k, f in enumerate(flips(data, 24, i))]
    return chosen, out


def imdecode(data):
    try:
        return imc.imdecode(data, -1)
    except imc.error:   # as cv2 raises (a header's size of 0, past its limits)
        return None


def recognised(report):
    return "no codec recognises" not in report["message"]


def first_page(data):
    """imc.check of the first page only, as imc.decode sees the file."""
    return imc.decode(data, -1, fail_on="none", report=True)[1]


def strict(fn, *args, **kw):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # a warning here would be a bug
            return fn(*args, **kw), None
    except imc.error as e:
        return None, e


def same_pixels(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_damaged_files_are_reported_exactly(family):
    codec = imc.probe(next(iter(bases(family).values()))).format
    chosen, cases = catalogue(family)
    intact = {name: imc.imdecode(data, -1) for name, data in chosen.items()}
    intact_pages = {name: imc.decode_all(data, -1) for name, data in chosen.items()}
    raised = 0
    for label, buf, kind in cases:
        base = label.split(" ")[0]
        if family in CV2_READS and not cv2_known_wrong(family, kind, buf):
            assert_same_decode(buf, -1, label, allow_uninitialized=True)
        loose = imdecode(buf)
        report = imc.check(buf)
        if not recognised(report):
            continue   # no longer this format (a cut or flipped signature)
        pages, error = strict(imc.decode_all, buf, -1)
        assert (error is None) == report["complete"], (label, report, error)
        if error is not None:
            raised += 1
            assert error.damage["kind"] in ("error", "truncated"), (label, error.damage)
        # the first page, as imc.decode reads it
        one = first_page(buf) if loose is not None else None
        img, error = strict(imc.decode, buf, -1)
        if loose is None:
            assert error is not None, label
        else:
            assert (error is None) == one["complete"], (label, one, error)
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                partial = imc.decode(buf, -1, partial=True)
            damage = [w for w in seen if issubclass(w.category, imc.DamageWarning)]
            assert same_pixels(partial, loose), label
            assert len(damage) == (0 if one["complete"] else 1), (label, one)
            assert len(seen) == len(damage), [str(w.message) for w in seen]
        visible = kind == "cut" or (kind == "drop" and codec in SEES_DROPS) or \
            (kind == "flip" and codec in SEES_FLIPS)
        if visible and error is None:
            assert same_pixels(img, intact[base]), (label, "complete, but not the intact image")
        if visible and pages is not None and kind != "splice":
            assert len(pages) == len(intact_pages[base]), label
            assert all(map(same_pixels, pages, intact_pages[base])), label
    assert raised > len(cases) // 4, (family, raised, len(cases))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_clean_files_never_raise_or_warn(family):
    files = decodable(clean_files(family))
    assert len(files) >= 3, family
    for name, data in files.items():
        report = imc.check(data)
        assert report["complete"] and report["kind"] in ("none", "warning"), (name, report)
        img, error = strict(imc.decode, data, -1)
        assert error is None, (name, error)
        pages, error = strict(imc.decode_all, data, -1)
        assert error is None, (name, error)
        assert same_pixels(img, imc.imdecode(data, -1)), name


def test_sample_images_never_raise_or_warn():
    files = sample_files(".jpg", ".png", ".tif", ".tiff", ".gif", ".bmp", ".webp", ".jp2",
                         ".exr", ".hdr", ".pgm", ".ppm")
    assert len(files) >= 40
    for path in files:
        data = path.read_bytes()
        report = imc.check(data)
        assert report["complete"], (path.name, report)
        _, error = strict(imc.decode, data, -1)
        assert error is None, (path.name, error)


def test_clean_files_number_several_hundred():
    total = sum(len(decodable(clean_files(f))) for f in FAMILIES)
    assert total >= 300, total


def test_info_check_says_what_check_says(tmp_path):
    cases = []
    for family in ("jpeg", "png", "tiff", "gif", "webp", "bmp"):
        _, made = catalogue(family)
        cases += made[::9]
    paths = []
    for i, (_, buf, _) in enumerate(cases):
        path = tmp_path / f"{i:04d}.img"
        path.write_bytes(buf)
        paths.append(str(path))
    r = run_cli("info", "--check", "--json", *paths)
    rows = {row["file"]: row for row in map(json.loads, r.stdout.splitlines())}
    compared = 0
    for path, (label, buf, _) in zip(paths, cases):
        try:
            imc.probe(buf)
        except imc.error:
            continue   # info reports the header error itself, without --check
        report, row = imc.check(buf), rows[path]
        assert row["complete"] == report["complete"], (label, row, report)
        assert row["damage"] == report["message"] and row["page"] == report["page"], label
        assert row["check"] == {"none": "ok"}.get(report["kind"], report["kind"]), label
        compared += 1
    assert compared > len(cases) // 2
    assert r.returncode == (1 if any(not row.get("complete", False) for row in rows.values())
                            else 0)
