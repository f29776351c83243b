"""Everything outside the project that the tests, the variant generators, the
fuzz corpus script, the bench and the examples use, each with the Debian
package that provides it. helpers.tool() finds programs only through this
table, and test_setup.py holds every entry (and every program and module the
sources use) against dev's PACKAGES with dpkg: a dependency cannot be used
without ./dev deps installing it.

Kept free of third-party imports: it must load, and name the missing
package, on a machine where nothing is installed yet."""
import os
import shutil
import subprocess
from pathlib import Path

# program -> package
PROGRAMS = {
    "sh": "dash",  # essential
    "bash": "bash",  # essential
    "groff": "groff-base",
    "dpkg-query": "dpkg",  # essential
    "dpkg-deb": "dpkg",  # essential
    "dpkg-buildpackage": "dpkg-dev",
    "lintian": "lintian",
    "git": "git",
    "gcc": "gcc",
    "nm": "binutils",
    "meson": "meson",
    "pkg-config": "pkg-config",
    "mypy": "mypy",
    "patchelf": "patchelf",  # meson-python needs it to build a wheel
    "valgrind": "valgrind",
    "tmux": "tmux",
    "Xvfb": "xvfb",
    "xdotool": "xdotool",
    "convert": "imagemagick",
    "import": "imagemagick",
    "cjpeg": "libjpeg-turbo-progs",
    "djpeg": "libjpeg-turbo-progs",
    "jpegtran": "libjpeg-turbo-progs",
    "cwebp": "webp",
    "dwebp": "webp",
    "gif2webp": "webp",
    "img2webp": "webp",
    "webpmux": "webp",
    "tiffcp": "libtiff-tools",
    "tiffcrop": "libtiff-tools",
    "tiffset": "libtiff-tools",
    "tiff2bw": "libtiff-tools",
    "opj_compress": "libopenjp2-tools",
    "opj_decompress": "libopenjp2-tools",
    "exrenvmap": "openexr",
    "exrheader": "openexr",
    "exrmaketiled": "openexr",
    "exrmultipart": "openexr",
    "exrstdattr": "openexr",
    "gifbuild": "giflib-tools",
    "giftext": "giflib-tools",
    "avifdec": "libavif-bin",
    "avifenc": "libavif-bin",
    "cjxl": "libjxl-tools",
    "djxl": "libjxl-tools",
    "exiftool": "libimage-exiftool-perl",  # the metadata oracle
    **{name: "netpbm" for name in (
        "pamchannel", "pamdepth", "pamditherbw", "pamrgbatopng", "pamstack", "pamtopam", "pamtopfm",
        "pamtopnm", "pfmtopam", "pgmtopbm", "pgmtopgm", "pnmdepth", "pnmquant", "pnmtoplainpnm",
        "pngtopam", "pnmtopng", "pnmtorast", "rasttopnm", "ppmtobmp", "ppmtopgm", "ppmtoppm")},
}

# third-party Python module (top-level name) -> package
MODULES = {
    "numpy": "python3-numpy",
    "cv2": "python3-opencv",
    "PIL": "python3-pil",
    "pytest": "python3-pytest",
    "tifffile": "python3-tifffile",
    "dask": "python3-dask",
    "distributed": "python3-distributed",
    "pandas": "python3-pandas",
}

# ImageMagick writes EXR only with its "extra" coders, which apt installs
# only as a recommendation (and ./dev installs without recommendations).
IMAGEMAGICK_EXR_CODER = "/usr/lib/x86_64-linux-gnu/ImageMagick-6.*/modules-Q16/coders/exr.so"

# files (glob patterns) the tests read -> package
FILES = {
    "/usr/share/doc/opencv-doc/examples/data/fruits.jpg": "opencv-doc",
    IMAGEMAGICK_EXR_CODER: "libmagickcore-6.q16-6-extra",
    "/usr/lib/python3.*/ensurepip/__init__.py": "python3-venv",  # python3 -m venv (with pip)
    "/usr/lib/*/libvips.so.42": "libvips42",          # bench/thumbnails.py, through ctypes
    "/usr/lib/*/libturbojpeg.so.0": "libturbojpeg0",  # bench/bench.py, through ctypes
}


class MissingDependency(RuntimeError):
    pass


def missing(what, package):
    return MissingDependency(f"{what} is not installed: it comes with the Debian package "
                             f"{package}, which must be in PACKAGES in ./dev (./dev deps installs it)")


def program_path(name):
    """Where a program of PROGRAMS is, preferring the distribution's binary
    (/usr/local/bin may hold stand-ins of the same name)."""
    if name not in PROGRAMS:
        raise KeyError(f"{name} is not in tests/python/external.py's PROGRAMS: add it with "
                       "the Debian package that provides it, and that package to ./dev's PACKAGES")
    for cand in (f"/usr/bin/{name}", shutil.which(name)):
        if cand and os.access(cand, os.X_OK):
            return cand
    raise missing(f"the program {name}", PROGRAMS[name])


# ---- the checkout: what git shows, ignored files included ------------------------
ROOT = Path(__file__).resolve().parents[2]


def git_status():
    r = subprocess.run([program_path("git"), "-C", str(ROOT), "status", "--porcelain", "--ignored"],
                       capture_output=True, text=True, check=True)
    return set(r.stdout.splitlines())
