"""A second oracle, independent of cv2: every variant file of the formats
below is decoded with IMREAD_UNCHANGED by imc, by cv2 4.6 and by a reader
that shares no code with cv2's (oracles.py says which). Unless the file is
named below, all three must agree exactly. Named files are where they do
not, each with its reason and its own exact check:

  CV2_WRONG    cv2 4.6 gives wrong pixels, or refuses a valid file for a
               bug (not a choice); imc gives the oracle's (and
               docs/compat.md names the case)
  CONVENTION   cv2 and the oracle differ by convention; imc keeps cv2's
               pixels, checked as the oracle's through that convention
  REFUSED      cv2 refuses a file the oracle reads; imc refuses it too,
               with an error (docs/compat.md)
  UNDEFINED    the file breaks its specification and readers differ: imc
               keeps cv2's result

A file the oracle cannot read must fail there for one of the reasons its
format lists in UNREADABLE (layouts it cannot give as stored, or damage).

Beside the generated variants, real files made by other people: the images
Debian packages ship (./dev deps unpacks them into IMC_SAMPLES_DIR)."""
import os
import re
from pathlib import Path

import numpy as np
import pytest

import oracles as O
import variants as V
import variants_bmp_sun as BS
import variants_exr as E
import variants_jpeg2000 as J
import variants_pxm as P
import variants_tiff as T
import variants_webp as W
from helpers import ALL_FLAGS, cv2, cv2_decode, describe, imc, imc_decode


def premultiplied(o):
    """libtiff's RGBA reader: unassociated alpha multiplied in, rounded."""
    o = o.astype(np.uint32)
    a = o[:, :, 3:]
    return np.dstack([(o[:, :, :3] * a + 127) // 255, a]).astype(np.uint8)


def file_order(o):
    return o[:, :, [2, 1, 0, 3][:o.shape[2]]] if o.ndim == 3 else o


def plain_scaled(data):
    """cv2 scales plain (ASCII) 8-bit PGM / PPM samples to 0..255, rounding;
    raw ones it keeps as stored."""
    a, maxval, _ = O.read_pnm(data)
    return O.bgr(((a.astype(np.uint32) * 255 + maxval // 2) // maxval).astype(np.uint8))


def cmyk_close(got, o):
    """CMYK to BGR: cv2's formula (c * k / 255, inverted Adobe CMYK) and
    djpeg's differ in rounding, by at most 2."""
    return got.shape == o.shape and np.abs(got.astype(int) - o.astype(int)).max() <= 2


def sun_in_map(data, got, o):
    """Indices past a short colormap have no colour: cv2 (and imc) give
    black, rasttopnm whatever follows; only the others are compared."""
    maplen = int.from_bytes(data[28:32], "big")
    w, h = got.shape[1], got.shape[0]
    pitch = (w + 1) & ~1
    idx = np.frombuffer(data, np.uint8, pitch * h, 32 + maplen).reshape(h, pitch)[:, :w]
    inside = idx < maplen // 3
    return np.array_equal(got[inside], o[inside]) and not got[~inside].any()


FORMATS = {
    "tiff": (lambda: {**T.variants(), **T.planar_variants(), **T.tifffile_variants()}, O.tiff),
    "png": (lambda: {**V.png_variants(), **V.png_exif_variants()}, O.png),
    "jpeg": (lambda: {**V.jpeg_variants(), **V.jpeg_exif_variants()}, O.jpeg),
    "webp": (W.still_variants, O.webp),
    "pnm": (P.pnm_variants, O.pnm),
    "pam": (P.pam_variants, O.pam),
    "pfm": (P.pfm_variants, O.read_pfm),
    "sunras": (BS.sun_variants, O.sunras),
    "bmp": (BS.bmp_variants, O.pillow),
    "jpeg2000": (J.jpeg2000_variants, O.jpeg2000),
    "exr": (E.exr_variants, O.exr),
}

CV2_WRONG = {
    "tiff": {**{f"orient_{o}_rgba_tiles": "8-bit tiles of a right-to-left orientation: each tile "
                                          "mirrored in its own place" for o in (2, 3, 6, 7)},
             **{name: "separate planes read as interleaved samples"
                for name in T.planar_variants() if not name.startswith("planar_u8")},
             **{name: "uncompressed tiles of a size not a multiple of 1024 bytes refused "
                      "(libtiff's check against its rounded read buffer, unmapped)"
                for name in T.tifffile_variants() if name != "tifffile_rgba_tiles16"}},
    "pam": {"netpbm_bw": "MAXVAL 1 samples read as packed bits"},
    "jpeg2000": {**{name: "sYCC converted with cvtColor's YUV2BGR (analog YUV coefficients)"
                    for name in ("box_raw_sycc_444", "box_rgb_enumcs_sycc")},
                 "box_palette": "a JP2 palette (pclr) typed by the codestream's one component: "
                                "IMREAD_UNCHANGED gives its colours as gray"},
    "bmp": {name: "an OS/2 file typed gray whatever its colours (IMREAD_UNCHANGED loses them)"
            for name in ("im_os2_24", "im_os2_4", "im_os2_8", "ppmtobmp_os2_24", "ppmtobmp_os2_4",
                         "ppmtobmp_os2_8")},
    "sunras": {**{name: "8-bit gray without a colormap read through an all-zero table (black)"
                  for name in ("cv2_gray", "cv2_gray_w1", "cv2_gray_w2", "cv2_gray_w3",
                               "cv2_gray_w5")},
               **{name: "1-bit without a colormap read as black (gray) or with 0 black (color)"
                  for name in ("pnm_standard_1", "pnm_standard_1_w1", "pnm_standard_1_w8",
                               "pnm_standard_1_w9")}},
}

# name -> (reason, check(data, imc's image, oracle's image))
CONVENTION = {
    "tiff": {**{name: ("unassociated alpha: libtiff's RGBA reader (cv2's 8-bit path) "
                       "premultiplies it", lambda d, g, o: np.array_equal(g, premultiplied(o)))
                for name in ("pil_rgba_deflate", "im_tiles", "planar_u8_rgba_strips",
                             "planar_u8_rgba_strips5", "planar_u8_rgba_tiles",
                             "planar_u8_rgba_zlib")}},
    "png": {"pil_L_trns": ("gray with tRNS: cv2 keeps one channel and drops the transparency",
                           lambda d, g, o: np.array_equal(g, o[:, :, 0]))},
    "jpeg": {name: ("CMYK / YCCK to BGR: rounding of the conversion",
                    lambda d, g, o: cmyk_close(g, o))
             for name in ("pil_cmyk", "pil_cmyk_big", "im_ycck")},
    "pnm": {name: ("plain 8-bit samples scaled to 0..255 (raw ones are not)",
                   lambda d, g, o: np.array_equal(g, plain_scaled(d)))
            for name in ("netpbm_plain_pgm_maxval15", "netpbm_plain_ppm_maxval15")},
    # cv2 writes its BGR memory as it is, labelled RGB, and reads samples
    # back in file order: kept, or every PAM cv2 ever wrote would change.
    "pam": {name: ("colour samples in file order (an RGB file gives R first)",
                   lambda d, g, o: np.array_equal(g, file_order(o)))
            for name in ("cv2_bgra16_tt", "cv2_bgra_tt", "cv2_rgb", "cv2_rgb16_tt", "cv2_rgb_tt",
                         "im_rgb", "im_rgb16", "im_rgba", "netpbm_rgb", "netpbm_rgb16",
                         "netpbm_rgb_alpha", "netpbm_rgb_alpha16", "netpbm_rgb_maxval1000",
                         *(f"tiny_{k}_{s}" for k in ("rgb", "rgba")
                           for s in ("10x4", "13x1", "1x1", "2x5", "5x2", "9x3")))},
    "pfm": {name: ("samples multiplied by 1 / |scale| (the scale's sign is the byte order)",
                   lambda d, g, o: np.array_equal(g, o * np.float32(1 / abs(pfm_scale(d)))))
            for name in ("netpbm_big_scale", "netpbm_little_scale")},
    "sunras": {"map_48_entries": ("colormap shorter than the indices", sun_in_map)},
    "bmp": {**{name: ("16-bit samples widened as v << 3 (v << 2 for 6-bit green), not scaled to "
                      "0..255", lambda d, g, o: np.array_equal(g, widened_16bit(d, o)))
               for name in ("im_v3_RGB555_bi_rgb", "im_v3_RGB555_masks",
                            "im_v3_RGB555_masks_top_down", "im_v3_RGB565_bi_rgb",
                            "im_v3_RGB565_masks", "im_v5_565_top_down")},
            "v1_40_32_bitfields": ("32-bit BI_BITFIELDS keeps its 4th byte as alpha",
                                   lambda d, g, o: np.array_equal(g[:, :, :3], o))},
}


def widened_16bit(data, o):
    green = 2 if BS.Bmp(data).masks_565() else 3
    return np.dstack([o[:, :, 0] >> 3 << 3, o[:, :, 1] >> green << green, o[:, :, 2] >> 3 << 3])

# Outside the format's specification, where no reader is right: imc = cv2.
UNDEFINED = {
    "jpeg2000": {"box_rgb_enumcs_gray": "three components labelled gray"},
    "sunras": {"map_not_multiple_of_3": "a colormap length that is not a multiple of 3"},
    "bmp": {**{name: "RLE edge cases (deltas, repeated end codes, no end code): the readers "
                     "(Pillow, ImageMagick, netpbm) disagree among themselves"
               for name in ("rle4_deltas", "rle4_double_eol", "rle4_eol_eob", "rle4_odd_double_eol",
                            "rle4_odd_eol_eob", "rle4_odd_top_down", "rle4_top_down",
                            "rle8_double_eol")},
            "palette_4_colors_used_3": "indices past the palette",
            "palette_8_colors_used_8": "indices past the palette",
            "offset_zero": "pixel data offset 0 (the headers read as pixels)",
            "im_gray_palette": "RLE8 with a row's padding coded as a run past the row's end "
                               "(ImageMagick): cv2 carries it into the next row, shifting every "
                               "row; Pillow and ImageMagick drop it"},
}

REFUSED = {
    "tiff": {"im_float16": "16-bit float samples"},
    "pam": {"cv2_bgra_no_tt": "no TUPLTYPE with 4 channels",
            "cv2_gray16_no_tt": "no TUPLTYPE at 16 bits"},
    "pfm": {"im_comment_in_header": "a comment in the header"},
    "sunras": {**{name: "RT_FORMAT_RGB and RT_BYTE_ENCODED rasters (cv2 tests its image type "
                        "instead of the file's)"
                  for name in ("im_24_rgb", "im_32_rgb", "im_gray_rgb", "pnm_rle_1", "pnm_rle_8",
                               "pnm_rle_gray", "type_rgb_8")},
               "maptype_raw": "RMT_RAW colormaps",
               "bad_width_0": "width 0"},
    "jpeg2000": {**{name: "signed, sub-sampled or offset components, 2 or 5 components, e-YCC, "
                          "gray + alpha with IMREAD_UNCHANGED"
                    for name in ("box_rgb_enumcs_eycc", "box_rgba_as_gray", "opj_raw_2comp",
                                 "opj_raw_5comp", "opj_raw_signed", "opj_raw_yuv420",
                                 "opj_rgb_offset", "opj_rgb_subsampled", "opj_rgb_tile_offset",
                                 "pil_LA")}},
    "bmp": {**{name: "RLE runs or literals past the end of a row (ImageMagick codes a row's "
                     "padding as pixels) or no end code"
               for name in ("im_v3_rle8", "im_v3_rle8_16colors", "im_v5_rle8",
                            "rle4_literal_past_row", "rle4_no_end", "rle4_odd_literal_past_row",
                            "rle4_odd_run_past_row", "rle4_run_past_row", "rle8_literal_past_row",
                            "rle8_no_end", "rle8_run_past_row")},
            **{name: "16-bit BI_BITFIELDS masks inside a V4/V5 header (cv2 reads them after it)"
               for name in ("im_v5_555", "im_v5_565", "im_v5_RGB555_masks_after",
                            "im_v5_RGB565_masks_after")},
            "palette_1_colors_used_256": "more palette colours than 1 bit can index",
            "os2_bpp_16": "16 bits in an OS/2 header",
            "bad_rle4_at_8": "RLE4 at 8 bits"},
}

UNREADABLE = {
    "exr": r"EXR compression [4-9]|EXR version flags|EXR channels|sub-sampled",
    "jpeg2000": r"CMYK images shall|Only 1 to 16 bits|packints",
    "tiff": r"photometric|packints|not supported",
    "png": r"^$",
    "jpeg": r"^$",
    "webp": r"^$",
    "pnm": r"^$",
    "pam": r"^$",
    "pfm": r"^$",
    "sunras": r"rasttopnm: .*(invalid depth|Negative|unable to read|non-standard colorm|"
              r"Unexpected end|does not know)|writing PGM file|^/usr/bin/rasttopnm: $",
    "bmp": r"Pillow: .*(DecompressionBomb|[Tt]runcated|Unsupported BMP|cannot identify|"
           r"invalid palette size|not enough|unknown raw mode)",
}


def pfm_scale(data):
    return float(data.split(maxsplit=4)[3])


def same(a, b):
    return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and \
        a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


CASES = [(fmt, name) for fmt, (make, _) in FORMATS.items() for name in sorted(make())]


def test_named_files_exist():
    """Every file named above is one of the variants (no stale entries)."""
    for table in (CV2_WRONG, CONVENTION, REFUSED, UNDEFINED):
        for fmt, names in table.items():
            assert set(names) <= set(FORMATS[fmt][0]()), (fmt, set(names) - set(FORMATS[fmt][0]()))


@pytest.mark.parametrize("fmt,name", CASES)
def test_against_second_oracle(fmt, name):
    make, oracle = FORMATS[fmt]
    data = make()[name]
    got, theirs = imc_decode(data, cv2.IMREAD_UNCHANGED), cv2_decode(data, cv2.IMREAD_UNCHANGED)
    try:
        want = oracle(data)
    except O.Unsupported as e:
        assert re.search(UNREADABLE[fmt], str(e)), f"the oracle failed unexpectedly: {e}"
        assert name not in {**CV2_WRONG.get(fmt, {}), **CONVENTION.get(fmt, {})}
        return
    if name in CV2_WRONG.get(fmt, {}):
        assert same(got, want), f"imc {describe(got)} differs from the oracle"
        assert not same(theirs, want), f"cv2 agrees with the oracle: {CV2_WRONG[fmt][name]}?"
    elif name in CONVENTION.get(fmt, {}):
        reason, check = CONVENTION[fmt][name]
        assert same(got, theirs), "imc keeps cv2's pixels here"
        assert check(data, got, want), f"imc is not the oracle's image through: {reason}"
    elif name in UNDEFINED.get(fmt, {}):
        assert same(got, theirs), "imc keeps cv2's result here"
    elif name in REFUSED.get(fmt, {}):
        assert isinstance(got, str) or got is None, f"imc decodes it: {describe(got)}"
        with pytest.raises(imc.error):
            imc.decode(data, cv2.IMREAD_UNCHANGED)
    else:
        assert same(got, want), f"imc {describe(got)} vs oracle {describe(want)}"
        assert same(theirs, want), f"cv2 {describe(theirs)} vs oracle {describe(want)}: " \
                                   "if cv2 is wrong here, name the file in CV2_WRONG"


@pytest.mark.parametrize("name", sorted(T.planar_variants()))
def test_planar_tiff_every_flag_as_its_contiguous_twin(name):
    """Planes decoded into pixels for every flag exactly as the same image
    stored contiguously, which imc (and, at depths 4.6 converts, cv2) reads
    right."""
    data, twin = T.planar_variants()[name], T.contiguous_twin(name)
    for flags in ALL_FLAGS:
        got, want = imc_decode(data, flags), imc_decode(twin, flags)
        assert describe(got) == describe(want) and (not isinstance(got, np.ndarray) or
                                                    same(got, want)), f"{name} flags={flags}"
        theirs = cv2_decode(twin, flags)
        if isinstance(theirs, np.ndarray):
            assert same(want, theirs), f"{name} flags={flags}: imc vs cv2 on the contiguous twin"


# ---- real files from Debian packages -----------------------------------------
SAMPLES_DIR = Path(os.environ.get("IMC_SAMPLES_DIR", Path.home() / ".cache" / "imc-samples"))
REAL_ORACLES = {".png": O.png, ".jpg": O.jpeg, ".jpeg": O.jpeg, ".tif": O.tiff, ".tiff": O.tiff,
                ".gif": O.pillow, ".bmp": O.pillow, ".webp": O.webp}
# file name -> (what differs, check(imc's image, cv2's, the oracle's))
REAL_NAMED = {
    "multipage_rgb.tif": ("64-bit float colour, which cv2 4.6 cannot convert to BGR (it raises); "
                          "imc reads it as newer cv2", lambda g, c, o: same(g, o) and c is None),
    "no_time_for_that_tiny.gif": ("GIF: newest cv2 gives BGRA, opaque here; Pillow's palette image "
                                  "has no alpha", lambda g, c, o: same(g[:, :, :3], o)
                                  and (g[:, :, 3] == 255).all()),
    "truncated.jpg": ("damaged (djpeg: premature end, bogus Huffman table): imc gives cv2's "
                      "outcome (None)", lambda g, c, o: g is None and c is None),
}


def real_files():
    return sorted(p for p in SAMPLES_DIR.glob("*/*") if p.suffix.lower() in REAL_ORACLES)


def test_real_files_are_there():
    """./dev deps unpacked the sample images (a missing set fails, not skips)."""
    names = {p.name for p in real_files()}
    assert len(names) >= 40 and {"astronaut.png", "multipage.tif", "retina.jpg"} <= names, \
        f"no sample images in {SAMPLES_DIR}: run ./dev deps"
    assert set(REAL_NAMED) <= names


@pytest.mark.parametrize("path", real_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_file_against_second_oracle(path):
    data = path.read_bytes()
    got, theirs = imc_decode(data, cv2.IMREAD_UNCHANGED), cv2_decode(data, cv2.IMREAD_UNCHANGED)
    theirs = theirs if isinstance(theirs, np.ndarray) else None
    try:
        want = REAL_ORACLES[path.suffix.lower()](data)
    except O.Unsupported as e:
        want = e
    if path.name in REAL_NAMED:
        reason, check = REAL_NAMED[path.name]
        assert check(got, theirs, want), reason
        return
    assert not isinstance(want, Exception), f"the oracle cannot read it: {want}"
    assert same(got, want), f"imc {describe(got)} vs oracle {describe(want)}"
    assert same(theirs, want), f"cv2 {describe(theirs)} vs oracle {describe(want)}"
