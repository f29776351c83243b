#!/usr/bin/env python3
"""imc vs cv2, in one process, on the same images, interleaved.

Each input of an operation is timed REPS times, alternating imc and cv2; the
medians are summed over the inputs. Printed per operation: megapixels, MP/s
of each, the ratio imc/cv2 (speed: above 1 means imc is faster) and, for
encoders, output size relative to cv2's. Single-threaded unless stated.
Every other format imc has follows (decode and encode, same images; GIF,
AVIF and JPEG XL, which cv2 4.6 lacks, with imc's figures alone). Then: raw
libjpeg-turbo (TurboJPEG) on the same JPEGs for each flag, the floor for any
caller of that library; calls per second on a 64x64 image through the Python
modules; batch decoding on 1 and 2 threads (in a fresh process, alternating);
one 12 MP PNG encoded, an 8-page TIFF and a 12 MP one decoded on 2 threads
against 1;
peak memory while decoding a 12 MP JPEG and PNG; then imc beside the fastest
PNG codecs (bench/peers.py: Wuffs, libspng, fpnge from ../shared/peers, on
real-world PNGs as shipped and as rewritten by Pillow, ImageMagick, libpng's
defaults and cv2), skipped when ../shared/peers is not there.

    ./dev bench                 # the whole table
    ./dev bench --quick         # fewer inputs and repetitions
    ./dev bench --only png      # operations whose name contains "png"
"""
import argparse
import ctypes
import io
import os
import pickle
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("OPENCV_IO_ENABLE_OPENEXR", "1")  # cv2 reads EXR only when asked
import cv2  # noqa: E402
import imc  # noqa: E402

SAMPLES = Path("/usr/share/doc/opencv-doc/examples/data")


def photo_like(width, height, seed=1):
    """A large photo-like image: a real sample scaled up, with grain so that
    it compresses like a camera photo rather than a smooth blow-up."""
    base = cv2.imread(str(SAMPLES / "baboon.jpg"))
    big = cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(seed).normal(0, 6, big.shape)
    return np.clip(big + noise, 0, 255).astype(np.uint8)


def png_bytes_of(pil_image, **options):
    b = io.BytesIO()
    pil_image.save(b, "PNG", **options)
    return b.getvalue()


class Corpus:
    """The opencv-doc samples plus generated large images."""

    def __init__(self, quick):
        jpgs = sorted(SAMPLES.glob("*.jpg"))
        pngs = sorted(SAMPLES.glob("*.png"))
        if quick:
            jpgs, pngs = jpgs[::4], pngs[::3]
        self.big = photo_like(4000, 3000)                                   # 12 MP
        self.jpeg_big = cv2.imencode(".jpg", self.big, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
        self.jpeg = [p.read_bytes() for p in jpgs] + [self.jpeg_big]
        self.sources = [cv2.imread(str(p), cv2.IMREAD_COLOR) for p in jpgs] + [self.big[:1500, :2000]]
        imgs = [cv2.imread(str(p), cv2.IMREAD_UNCHANGED) for p in pngs]
        color = [i[:, :, :3] for i in imgs if i.ndim == 3] + [self.big[:1500, :2000]]
        enc = lambda i: cv2.imencode(".png", i)[1].tobytes()  # noqa: E731
        self.png_rgb = [enc(i) for i in color]
        self.png_rgba = [enc(cv2.cvtColor(i, cv2.COLOR_BGR2BGRA)) for i in color]
        self.png_gray = [enc(cv2.cvtColor(i, cv2.COLOR_BGR2GRAY)) for i in color]
        self.png_16 = [enc(i.astype(np.uint16) * 257) for i in color]
        from PIL import Image
        self.png_palette = [png_bytes_of(Image.fromarray(np.ascontiguousarray(i[:, :, ::-1])).quantize(256))
                            for i in color]
        pil_gray = [Image.fromarray(cv2.cvtColor(i, cv2.COLOR_BGR2GRAY)) for i in color]
        self.png_1bit = [png_bytes_of(g.convert("1")) for g in pil_gray]           # dithered
        self.png_palette_4bit = [png_bytes_of(Image.fromarray(np.ascontiguousarray(i[:, :, ::-1]))
                                              .quantize(16)) for i in color]        # Pillow: 4 bits
        self.png_2bit = [png_bytes_of(Image.fromarray(np.ascontiguousarray(i[:, :, ::-1]))
                                      .quantize(4), bits=2) for i in color]     # Pillow: 2 bits
        self.png_gray_alpha = [png_bytes_of(Image.fromarray(np.dstack([g, 255 - g]), "LA"))
                               for g in (np.asarray(p) for p in pil_gray)]
        self.png_gray16 = [enc(np.asarray(g).astype(np.uint16) * 257) for g in pil_gray]
        self.png_rgba16 = [enc(cv2.cvtColor(i, cv2.COLOR_BGR2BGRA).astype(np.uint16) * 257)
                           for i in color]
        # Pillow's writer: zlib level 6, adaptive filters (what most tools write)
        self.png_pillow = [png_bytes_of(Image.fromarray(np.ascontiguousarray(i[:, :, ::-1])))
                           for i in color]
        self.png_interlaced = []
        try:  # netpbm writes Adam7-interlaced PNGs
            for i in color[:6]:
                ppm = cv2.imencode(".ppm", i)[1].tobytes()
                out = subprocess.run(["pnmtopng", "-interlace"], input=ppm, capture_output=True,
                                     check=True).stdout
                self.png_interlaced.append(out)
        except (OSError, subprocess.CalledProcessError):
            pass
        self.tiny = cv2.resize(self.big, (64, 64), interpolation=cv2.INTER_AREA)
        self.tiny_jpeg = cv2.imencode(".jpg", self.tiny)[1].tobytes()


def pixels(x):
    if isinstance(x, np.ndarray):
        return x.shape[0] * x.shape[1]
    info = imc.probe(x)
    return info.width * info.height


def compare(cases, reps, sizes=None):
    """cases: [(pixels, imc_fn, cv2_fn)]. Interleaved repetitions, medians."""
    t_imc = t_cv2 = mp = 0.0
    for px, f_imc, f_cv2 in cases:
        f_imc(), f_cv2()                      # warm caches and allocators
        a, b = [], []
        for _ in range(reps):
            t = time.perf_counter()
            f_imc()
            a.append(time.perf_counter() - t)
            t = time.perf_counter()
            f_cv2()
            b.append(time.perf_counter() - t)
        t_imc += statistics.median(a)
        t_cv2 += statistics.median(b)
        mp += px / 1e6
    row = {"inputs": len(cases), "mp": mp, "imc": mp / t_imc, "cv2": mp / t_cv2,
           "ratio": t_cv2 / t_imc}
    if sizes:
        row["size"] = sizes[0] / sizes[1]
    return row


def decode_op(bufs, flags, reps):
    cases = []
    for b in bufs:
        arr = np.frombuffer(b, np.uint8)
        cases.append((pixels(b), lambda b=b: imc.imdecode(b, flags), lambda a=arr: cv2.imdecode(a, flags)))
    return compare(cases, reps)


def encode_op(imgs, ext, params, reps):
    cases, s_imc, s_cv2 = [], 0, 0
    for img in imgs:
        cases.append((pixels(img), lambda i=img: imc.imencode(ext, i, params),
                      lambda i=img: cv2.imencode(ext, i, params)))
        s_imc += imc.imencode(ext, img, params)[1].size
        s_cv2 += cv2.imencode(ext, img, params)[1].size
    return compare(cases, reps, (s_imc, s_cv2))


# Every other format: (extension, params, kind of input). cv2 4.6 writes all
# but the last three; for those only imc's speed is printed.
OTHER_FORMATS = [(".bmp", [], "bgr"), (".ppm", [], "bgr"), (".pgm", [], "gray"), (".pam", [], "bgr"),
                 (".pfm", [], "float"), (".hdr", [], "float"), (".sr", [], "bgr"),
                 (".webp", [], "bgr"), (".webp", [64, 80], "bgr"), (".tiff", [], "bgr"),
                 (".jp2", [], "bgr"), (".exr", [], "float"),
                 (".gif", [], "bgr"), (".avif", [513, 8, 512, 80], "bgr"), (".jxl", [], "bgr")]


def other_inputs(c, kind):
    imgs = c.sources[:3] + [c.sources[-1][:750, :1000]]
    if kind == "gray":
        return [cv2.cvtColor(i, cv2.COLOR_BGR2GRAY) for i in imgs]
    if kind == "float":
        return [i.astype(np.float32) / 255 for i in imgs]
    return imgs


def imc_only_op(imgs, ext, params, reps):
    """Formats cv2 4.6 lacks: imc's MP/s for decode and encode."""
    bufs = [imc.imencode(ext, i, params)[1].tobytes() for i in imgs]
    mp = sum(pixels(i) for i in imgs) / 1e6
    t_dec = t_enc = 0.0
    for img, b in zip(imgs, bufs):
        runs_d, runs_e = [], []
        for _ in range(reps):
            t = time.perf_counter()
            imc.imdecode(b, -1)
            runs_d.append(time.perf_counter() - t)
            t = time.perf_counter()
            imc.imencode(ext, img, params)
            runs_e.append(time.perf_counter() - t)
        t_dec += statistics.median(runs_d)
        t_enc += statistics.median(runs_e)
    return mp / t_dec, mp / t_enc, len(imgs), mp


def turbojpeg_op(bufs, flags, reps, into=False):
    """imc vs raw TurboJPEG (tjDecompress2) on the same files and the same
    output: BGR or gray, full size or scaled as the IMREAD flag asks.
    TurboJPEG writes into one array per file, reused; imc returns a new image
    per call unless `into` (imc.decode(out=...), the same reuse)."""
    try:
        tj = ctypes.CDLL("libturbojpeg.so.0")
    except OSError:
        return None
    tj.tjInitDecompress.restype = ctypes.c_void_p
    handle = ctypes.c_void_p(tj.tjInitDecompress())
    TJPF_BGR, TJPF_GRAY = 1, 6
    scale = {17: 2, 33: 4, 65: 8}.get(flags, 1)
    cases = []
    for b in bufs:
        info = imc.probe(b)
        gray = flags == 0 or (flags == -1 and info.channels == 1)
        w, h = -(-info.width // scale), -(-info.height // scale)  # TurboJPEG's scaled size
        out = np.empty((h, w, 1 if gray else 3), np.uint8)
        raw = lambda b=b, o=out, w=w, h=h, pf=(TJPF_GRAY if gray else TJPF_BGR): tj.tjDecompress2(  # noqa: E731
            handle, b, ctypes.c_ulong(len(b)), o.ctypes.data_as(ctypes.c_void_p), w, 0, h, pf, 0)
        if into:
            fn = lambda b=b, o=imc.decode(b, flags): imc.decode(b, flags, out=o)  # noqa: E731
        else:
            fn = lambda b=b: imc.imdecode(b, flags)  # noqa: E731
        cases.append((w * h, fn, raw))
    return compare(cases, reps)


JPEG_FLAGS = (("COLOR", 1), ("GRAYSCALE", 0), ("UNCHANGED", -1), ("REDUCED_COLOR_2", 17),
              ("REDUCED_COLOR_4", 33), ("REDUCED_COLOR_8", 65))


def calls_per_second(fn, seconds=1.0):
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(50):
            fn()
        n += 50
    return n / (time.perf_counter() - t0)


# Run in a fresh process: the input's bytes and /proc/self/status readings.
PEAK_PRELUDE = """
import gc, sys
sys.path[:0] = {path!r}
data = open({file!r}, 'rb').read()
def status(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
"""

PEAK = PEAK_PRELUDE + """
import numpy, {mod} as m
arg = data if {mod!r} == 'imc' else numpy.frombuffer(data, numpy.uint8)
m.imdecode(arg, 1)          # warm up code paths and allocator pools
gc.collect()
before = status('VmRSS')
open('/proc/self/clear_refs', 'w').write('5')   # restart the high-water mark here
img = m.imdecode(arg, 1)
print(status('VmHWM') - before, img.nbytes, len(data))
"""


BATCH = """
import pickle, sys, time
sys.path[:0] = {path!r}
import numpy, imc
bufs, out = pickle.load(open({file!r}, 'rb'))
times = {{}}
for _ in range({rounds}):           # 1 and 2 threads alternate: drift hits both alike
    for threads in (1, 2):
        for into in (None, out) if out is not None else (None,):
            t0 = time.perf_counter()
            images = imc.decode_batch(bufs, 1, threads=threads, out=into)
            times.setdefault((into is not None, threads), []).append(time.perf_counter() - t0)
            del images                      # freeing them is the caller's later work
print(*(min(times[k]) for k in sorted(times)))
"""


def batch_scaling(bufs, rounds, out=None):
    """Best times of decode_batch on 1 and 2 threads, taken in a fresh process:
    what earlier operations left in this one's allocator (warm heap for the
    main thread, none for a new worker) would favour the 1-thread run. With
    `out` (an array of a slot per buffer) also into that: [new 1, new 2, into
    1, into 2]."""
    path = Path("/tmp/imc-bench-batch.pickle")
    path.write_bytes(pickle.dumps((bufs, out)))
    code = BATCH.format(path=[p for p in sys.path if p], file=str(path), rounds=rounds)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    path.unlink()
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return [float(x) for x in r.stdout.split()]


def peak_memory(path):
    """Peak resident memory added by one decode of `path`, per library."""
    out = {}
    for mod in ("imc", "cv2"):
        code = PEAK.format(path=[p for p in sys.path if p], mod=mod, file=str(path))
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if r.returncode == 0:
            out[mod] = [int(x) for x in r.stdout.split()]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer inputs and repetitions")
    ap.add_argument("--reps", type=int, default=None, help="repetitions per input (default 5, quick 3)")
    ap.add_argument("--only", default="", help="run operations whose name contains this")
    args = ap.parse_args()
    reps = args.reps or (3 if args.quick else 5)
    cv2.setNumThreads(1)
    c = Corpus(args.quick)

    ops = []
    for name, flags in JPEG_FLAGS:
        ops.append((f"decode jpeg {name}", lambda f=flags: decode_op(c.jpeg, f, reps)))
    for name, params in (("q95 (default)", []), ("q90", [1, 90]), ("progressive", [2, 1]),
                         ("optimize", [3, 1])):
        ops.append((f"encode jpeg {name}", lambda p=params: encode_op(c.sources, ".jpg", p, reps)))
    for name, bufs in (("8-bit RGB", c.png_rgb), ("8-bit RGBA", c.png_rgba), ("gray", c.png_gray),
                       ("palette", c.png_palette), ("16-bit", c.png_16),
                       ("interlaced", c.png_interlaced), ("1-bit gray", c.png_1bit),
                       ("4-bit palette", c.png_palette_4bit), ("2-bit palette", c.png_2bit),
                       ("gray+alpha", c.png_gray_alpha), ("16-bit gray", c.png_gray16),
                       ("16-bit RGBA", c.png_rgba16), ("by Pillow", c.png_pillow)):
        if bufs:
            ops.append((f"decode png {name}", lambda b=bufs: decode_op(b, -1, reps)))
    for name, bufs in (("8-bit RGB", c.png_rgb), ("by Pillow", c.png_pillow),
                       ("16-bit", c.png_16), ("palette", c.png_palette)):
        ops.append((f"decode png {name} COLOR", lambda b=bufs: decode_op(b, 1, reps)))
        ops.append((f"decode png {name} GRAYSCALE", lambda b=bufs: decode_op(b, 0, reps)))
    for name, params in (("default", []), ("compression 3", [16, 3]), ("compression 9", [16, 9])):
        slow = params == [16, 9]   # cv2 needs ~1 s per megapixel there: fewer inputs
        srcs = c.sources[:4] + [c.sources[-1][:500, :700]] if slow else c.sources
        ops.append((f"encode png {name}",
                    lambda p=params, s=srcs, r=(max(1, reps // 2) if slow else reps): encode_op(s, ".png", p, r)))

    print(f"imc {imc.__version__} vs OpenCV {cv2.__version__}: {reps} interleaved repetitions, "
          f"medians, one thread; {os.cpu_count()} CPUs")
    print(f"{'operation':34}{'inputs':>7}{'MP':>8}{'imc MP/s':>10}{'cv2 MP/s':>10}{'imc/cv2':>9}{'size':>8}")
    slower = []  # issue 21: never slower than cv2, said out loud
    for name, run in ops:
        if args.only and args.only not in name:
            continue
        r = run()
        if r["ratio"] < 1:
            slower.append(f"{name} {r['ratio']:.2f}x")
        size = f"{r['size']:.3f}" if "size" in r else ""
        print(f"{name:34}{r['inputs']:>7}{r['mp']:>8.1f}{r['imc']:>10.1f}{r['cv2']:>10.1f}"
              f"{r['ratio']:>8.2f}x{size:>8}", flush=True)

    for ext, params, kind in OTHER_FORMATS:
        label = ext[1:] + (f" {params}" if params else "")
        if args.only and args.only not in f"decode encode {label}":
            continue
        if not imc.have_image_writer(ext):
            continue
        imgs = other_inputs(c, kind)
        if not cv2.haveImageWriter(ext) or ext in (".gif", ".avif", ".jxl"):
            dec, enc, n, mp = imc_only_op(imgs, ext, params, max(1, reps // 2))
            print(f"{'decode ' + label:34}{n:>7}{mp:>8.1f}{dec:>10.1f}{'-':>10}{'(no cv2)':>9}")
            print(f"{'encode ' + label:34}{n:>7}{mp:>8.1f}{enc:>10.1f}{'-':>10}{'(no cv2)':>9}")
            continue
        bufs = [cv2.imencode(ext, i, params)[1].tobytes() for i in imgs]
        r = decode_op(bufs, -1, reps)
        print(f"{'decode ' + label:34}{r['inputs']:>7}{r['mp']:>8.1f}{r['imc']:>10.1f}{r['cv2']:>10.1f}"
              f"{r['ratio']:>8.2f}x", flush=True)
        if r["ratio"] < 1:
            slower.append(f"decode {label} {r['ratio']:.2f}x")
        r = encode_op(imgs, ext, params, reps)
        if r["ratio"] < 1:
            slower.append(f"encode {label} {r['ratio']:.2f}x")
        print(f"{'encode ' + label:34}{r['inputs']:>7}{r['mp']:>8.1f}{r['imc']:>10.1f}{r['cv2']:>10.1f}"
              f"{r['ratio']:>8.2f}x{r['size']:>8.3f}", flush=True)

    if not args.only or "turbo" in args.only or "jpeg" in args.only:
        runs = [(name, flags, False) for name, flags in JPEG_FLAGS]
        runs += [(name + ", out=", flags, True) for name, flags in JPEG_FLAGS[:1] + JPEG_FLAGS[2:3]]
        for name, flags, into in runs:
            r = turbojpeg_op(c.jpeg, flags, reps, into)
            if r:
                print(f"{'vs raw TurboJPEG, ' + name:34}{r['inputs']:>7}{r['mp']:>8.1f}"
                      f"{r['imc']:>10.1f}{r['cv2']:>10.1f}{r['ratio']:>8.2f}x   (right: raw TurboJPEG)",
                      flush=True)
        stages = Path(imc.__file__).parents[2] / "bench" / "jpeg_stages"
        if stages.exists():
            print("libjpeg-turbo alone on the 12 MP JPEG (bench/jpeg_stages.c):")
            out = subprocess.run([str(stages), str(reps)], input=c.jpeg_big, capture_output=True)
            print("".join("    " + line + "\n" for line in out.stdout.decode().splitlines()), end="",
                  flush=True)

    if not args.only or "strict" in args.only:
        # what checking for damage costs on clean files: imc.decode (raises for
        # damage, reads JPEG to its EOI and walks PNG's chunks) vs imdecode
        for name, bufs in (("jpeg", c.jpeg), ("png 8-bit RGB", c.png_rgb),
                           ("png palette", c.png_palette)):
            if not bufs:
                continue
            r = compare([(pixels(b), lambda b=b: imc.decode(b, -1), lambda b=b: imc.imdecode(b, -1))
                         for b in bufs], reps)
            print(f"{'strict decode ' + name:34}{r['inputs']:>7}{r['mp']:>8.1f}{r['imc']:>10.1f}"
                  f"{r['cv2']:>10.1f}{r['ratio']:>8.2f}x   (right: imdecode, cv2's mode)", flush=True)

    if not args.only or "thumbnail" in args.only:
        from thumbnails import thumbnail_rows
        thumbnail_rows(c, max(3, reps))

    if not args.only or "python" in args.only:
        arr = np.frombuffer(c.tiny_jpeg, np.uint8)
        a = calls_per_second(lambda: imc.imdecode(c.tiny_jpeg, 1))
        b = calls_per_second(lambda: cv2.imdecode(arr, 1))
        print(f"{'python calls/s, 64x64 jpeg decode':34}{'':>15}{a:>10.0f}{b:>10.0f}{a / b:>8.2f}x")
        a = calls_per_second(lambda: imc.imencode(".jpg", c.tiny))
        b = calls_per_second(lambda: cv2.imencode(".jpg", c.tiny))
        print(f"{'python calls/s, 64x64 jpeg encode':34}{'':>15}{a:>10.0f}{b:>10.0f}{a / b:>8.2f}x")

    if not args.only or "batch" in args.only:
        bufs = c.jpeg * (2 if args.quick else 4)
        shapes = [imc.probe(b) for b in bufs]
        mp = sum(i.width * i.height for i in shapes) / 1e6
        t1, t2 = batch_scaling(bufs, 11)  # best of 11: other tenants of a shared VM steal time
        print(f"{'batch decode jpeg, 2 threads vs 1':34}{len(bufs):>7}{mp:>8.1f}"
              f"{mp / t2:>10.1f}{mp / t1:>10.1f}{t1 / t2:>8.2f}x   (right: 1 thread)")
        # the most common size among them, into one array: no memory to fault in per call
        common = max(set((i.height, i.width) for i in shapes), key=lambda s: sum(
            (i.height, i.width) == s for i in shapes))
        same = [b for b, i in zip(bufs, shapes) if (i.height, i.width) == common]
        mp = len(same) * common[0] * common[1] / 1e6
        n1, n2, t1, t2 = batch_scaling(same, 11, np.empty((len(same),) + common + (3,), np.uint8))
        size = f"{common[1]}x{common[0]}"
        print(f"{'batch ' + size + ', 2 threads vs 1':34}{len(same):>7}{mp:>8.1f}"
              f"{mp / n2:>10.1f}{mp / n1:>10.1f}{n1 / n2:>8.2f}x   (right: 1 thread)")
        print(f"{'batch ' + size + ' out=, 2 vs 1':34}{len(same):>7}{mp:>8.1f}"
              f"{mp / t2:>10.1f}{mp / t1:>10.1f}{t1 / t2:>8.2f}x   (right: 1 thread; into one array)")

    if not args.only or "threads" in args.only or "png" in args.only:
        # one large image on 2 threads (PNG's default level splits it), and
        # against cv2's one thread; best of 11, as batch scaling
        big = cv2.imdecode(np.frombuffer(c.jpeg_big, np.uint8), cv2.IMREAD_COLOR)
        r = compare([(pixels(big), lambda: imc.encode(".png", big, threads=2),
                      lambda: imc.encode(".png", big))], max(reps, 11))
        print(f"{'encode png 12 MP, 2 threads vs 1':34}{1:>7}{r['mp']:>8.1f}{r['imc']:>10.1f}"
              f"{r['cv2']:>10.1f}{r['ratio']:>8.2f}x   (right: 1 thread)", flush=True)
        sizes = [len(imc.encode(".png", big, threads=2)), len(cv2.imencode(".png", big)[1])]
        r = compare([(pixels(big), lambda: imc.encode(".png", big, threads=2),
                      lambda: cv2.imencode(".png", big))], max(3, reps // 2), sizes)
        print(f"{'encode png 12 MP, 2 threads vs cv2':34}{1:>7}{r['mp']:>8.1f}{r['imc']:>10.1f}"
              f"{r['cv2']:>10.1f}{r['ratio']:>8.2f}x{r['size']:>8.3f}", flush=True)

    if not args.only or "threads" in args.only or "tiff" in args.only:
        # an 8-page TIFF (LZW, 3 MP pages) read on 2 threads vs 1
        page = cv2.resize(cv2.imdecode(np.frombuffer(c.jpeg_big, np.uint8), 1), (2000, 1500))
        tif = imc.encode_all(".tif", [page] * 8)
        r = compare([(8 * pixels(page), lambda: imc.decode_all(tif, -1, threads=2),
                      lambda: imc.decode_all(tif, -1))], max(reps, 11))
        print(f"{'decode tiff 8 pages, 2 threads vs 1':34}{1:>7}{r['mp']:>8.1f}{r['imc']:>10.1f}"
              f"{r['cv2']:>10.1f}{r['ratio']:>8.2f}x   (right: 1 thread)", flush=True)
        # one 12 MP TIFF (cv2's LZW strips; Deflate) read on 2 threads vs 1, and vs cv2
        big = cv2.imdecode(np.frombuffer(c.jpeg_big, np.uint8), 1)
        for name, params in (("lzw", []), ("deflate", [imc.IMWRITE_TIFF_COMPRESSION, 8])):
            one = imc.encode(".tif", big, params)
            arr = np.frombuffer(one, np.uint8)
            r = compare([(pixels(big), lambda: imc.decode(one, 1, threads=2),
                          lambda: imc.decode(one, 1))], max(reps, 11))
            v = compare([(pixels(big), lambda: imc.decode(one, 1, threads=2),
                          lambda: cv2.imdecode(arr, 1))], reps)
            print(f"{'decode tiff 12 MP ' + name + ', 2 vs 1':34}{1:>7}{r['mp']:>8.1f}{r['imc']:>10.1f}"
                  f"{r['cv2']:>10.1f}{r['ratio']:>8.2f}x   (right: 1 thread; {v['ratio']:.2f}x cv2)",
                  flush=True)

    if not args.only or "memory" in args.only:
        png_big = cv2.imencode(".png", cv2.imdecode(np.frombuffer(c.jpeg_big, np.uint8), 1))[1].tobytes()
        for ext, data in (("jpg", c.jpeg_big), ("png", png_big)):
            path = Path(f"/tmp/imc-bench-12mp.{ext}")
            path.write_bytes(data)
            peaks = peak_memory(path)
            mib = 1 << 20
            for mod, (peak, decoded, size) in peaks.items():
                print(f"peak memory, 12 MP {ext} decode, {mod}: {peak / mib:.1f} MiB above the input "
                      f"({decoded / mib:.1f} MiB decoded, {size / mib:.1f} MiB input; "
                      f"budget decoded + input + 8 MiB = {(decoded + size) / mib + 8:.1f} MiB)")
            path.unlink()
    if not args.only or "peers" in args.only:
        import peers  # bench/peers.py: Wuffs, libspng and fpnge beside imc, when ../shared/peers is there
        peers.report(Path(imc.__file__).resolve().parents[2], args.quick)
    print("ratio = cv2 time / imc time (above 1: imc is faster); size = imc bytes / cv2 bytes")
    if slower:
        print("SLOWER THAN CV2 (a ratio below 1; paths both take through the same library "
              "sit at 1.00 +- noise): " + "; ".join(slower))
        return 1


if __name__ == "__main__":
    sys.exit(main())
