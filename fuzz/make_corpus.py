#!/usr/bin/env python3
"""Writes seed corpora for the fuzz targets from the test suite's generated
variants (tests/python/variants.py): python3 fuzz/make_corpus.py DIR"""
import hashlib
import os
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent / "tests" / "python"))
import variants as V  # noqa: E402
import variants_pxm as P  # noqa: E402
import variants_bmp_sun as BS  # noqa: E402
import variants_tiff as T  # noqa: E402
import variants_webp as W  # noqa: E402
import variants_exr as VE  # noqa: E402
import variants_jpeg2000 as VJ  # noqa: E402
import variants_modern as VM  # noqa: E402


def write(dirpath, data):
    dirpath.mkdir(parents=True, exist_ok=True)
    (dirpath / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def main(out):
    out = Path(out)
    jpegs = {**V.jpeg_variants(), **V.jpeg_exif_variants()}
    pngs = {**V.png_variants(), **V.png_exif_variants(), **V.png_damaged_variants()}
    small = lambda d: len(d) <= 64 * 1024  # noqa: E731  (big seeds slow the fuzzer down)
    for i, data in enumerate(d for d in jpegs.values() if small(d)):
        write(out / "fuzz_jpeg", data)
        write(out / "fuzz_decode", bytes([i % 32]) + data)
        write(out / "fuzz_probe", data)
    for i, data in enumerate(d for d in pngs.values() if small(d)):
        write(out / "fuzz_png", data)
        write(out / "fuzz_decode", bytes([i % 32]) + data)
        write(out / "fuzz_probe", data)
    per_codec = {
        "fuzz_pnm": {**P.pnm_variants(), **P.pnm_header_variants()},
        "fuzz_pam": {**P.pam_variants(), **P.pam_header_variants()},
        "fuzz_pfm": {**P.pfm_variants(), **P.pfm_header_variants()},
        "fuzz_hdr": {**P.hdr_variants(), **P.hdr_header_variants()},
        "fuzz_bmp": BS.bmp_variants(),
        "fuzz_sunras": BS.sun_variants(),
        "fuzz_webp": {**W.still_variants(), **W.animated_variants()},
        "fuzz_tiff": {**T.variants(), **T.multipage_variants(), **T.planar_variants()},
    }
    for target, files in per_codec.items():
        for i, data in enumerate(d for d in files.values() if small(d)):
            write(out / target, data)
            write(out / "fuzz_decode", bytes([i % 32]) + data)
            write(out / "fuzz_probe", data)
    for i, data in enumerate(d for d in VJ.jpeg2000_variants().values() if small(d)):
        write(out / ("fuzz_j2k" if data[:4] == VJ.J2K_SIGNATURE else "fuzz_jp2"), data)
        write(out / "fuzz_decode", bytes([i % 32]) + data)
        write(out / "fuzz_probe", data)
    for i, data in enumerate(d for d in VE.exr_variants().values() if small(d)):
        write(out / "fuzz_exr", data)
        write(out / "fuzz_decode", bytes([i % 32]) + data)
        write(out / "fuzz_probe", data)
    modern = {"fuzz_gif": VM.gif_variants(), "fuzz_avif": {**VM.avif_variants(), **VM.avif_exif_variants()},
              "fuzz_jxl": VM.jxl_variants()}
    for target, variants in modern.items():
        for i, data in enumerate(d for d in variants.values() if small(d)):
            write(out / target, data)
            write(out / "fuzz_decode", bytes([i % 32]) + data)
            write(out / "fuzz_probe", data)
    for i in range(64):
        write(out / "fuzz_encode", bytes([i, i * 7 % 256, 5 + i, 9 + 2 * i, i % 8]) +
              os.urandom(64))
    keys = [b"a", b"\x1b", b"\x1b[D", b"\x1bOP", b"\x1b[15~", b"\x7f", b"\xc3\xa9", b"\x1b[1;5A"]
    for i in range(64):  # image header, samples, then terminal input
        head = bytes([i % 7, i % 3, 1 + i, 2 + 3 * i % 64, 1 + i % 80, i % 40, i % 4, i % 3])
        write(out / "fuzz_display", head + os.urandom(32 + i) + keys[i % len(keys)])
    print(f"seed corpora in {out}: " + ", ".join(
        f"{d.name} {len(list(d.iterdir()))}" for d in sorted(out.iterdir())))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus")
