#!/usr/bin/env python3
"""imc vs cv2, in one process, on the same images, interleaved.

For every operation each input is timed REPS times alternating imc and cv2;
the medians are summed over the inputs. Printed per operation: megapixels,
MP/s of each, the ratio imc/cv2 (speed: >1 means imc is faster) and, for
encoders, output size relative to cv2's. Both run single-threaded.

    ./dev bench                 # the whole table
    ./dev bench --quick         # fewer repetitions and inputs
    ./dev bench --only png      # operations whose name contains "png"
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import cv2
import imc

SAMPLES = Path("/usr/share/doc/opencv-doc/examples/data")


def photo_like(width, height, seed=1):
    """A large photo-like image: a real sample scaled up, with fine grain so
    that it compresses like a camera photo rather than a smooth blow-up."""
    base = cv2.imread(str(SAMPLES / "baboon.jpg"))
    big = cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(seed).normal(0, 6, big.shape)
    return np.clip(big + noise, 0, 255).astype(np.uint8)


class Corpus:
    def __init__(self, quick):
        jpgs = sorted(SAMPLES.glob("*.jpg"))
        pngs = sorted(SAMPLES.glob("*.png"))
        if quick:
            jpgs, pngs = jpgs[::4], pngs[::3]
        self.jpeg = [p.read_bytes() for p in jpgs]
        big = photo_like(4000, 3000)                       # 12 MP
        self.big_bgr = big
        self.jpeg_big = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
        self.png = [p.read_bytes() for p in pngs]
        imgs = [cv2.imread(str(p), cv2.IMREAD_UNCHANGED) for p in pngs]
        self.png_rgb = [cv2.imencode(".png", i[:, :, :3])[1].tobytes() for i in imgs
                        if i.ndim == 3]
        self.png_rgba = [cv2.imencode(".png", cv2.cvtColor(i, cv2.COLOR_BGR2BGRA) if i.shape[2] == 3
                                      else i)[1].tobytes() for i in imgs if i.ndim == 3]
        self.png_gray = [cv2.imencode(".png", i if i.ndim == 2 else cv2.cvtColor(i[:, :, :3], cv2.COLOR_BGR2GRAY))[1].tobytes() for i in imgs]
        self.png_16 = [cv2.imencode(".png", i[:, :, :3].astype(np.uint16) * 257)[1].tobytes()
                       for i in imgs if i.ndim == 3]
        self.png_palette = []
        try:
            from PIL import Image
            import io
            for i in imgs:
                if i.ndim == 3:
                    b = io.BytesIO()
                    Image.fromarray(i[:, :, 2::-1]).quantize(256).save(b, "PNG")
                    self.png_palette.append(b.getvalue())
        except ImportError:
            pass
        self.png_big = cv2.imencode(".png", big[:1500, :2000])[1].tobytes()
        self.sources = [cv2.imread(str(p), cv2.IMREAD_COLOR) for p in jpgs] + [big[:1500, :2000]]
        self.tiny_jpeg = cv2.imencode(".jpg", cv2.resize(big, (64, 64)))[1].tobytes()


def pixels(buf_or_img):
    if isinstance(buf_or_img, np.ndarray) and buf_or_img.ndim >= 2:
        return buf_or_img.shape[0] * buf_or_img.shape[1]
    info = imc.probe(buf_or_img)
    return info.width * info.height


def timed(fn, reps):
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return ts


def compare(label, cases, reps, sizes=None):
    """cases: [(pixels, imc_fn, cv2_fn)]. Returns a result row."""
    t_imc = t_cv2 = 0.0
    mp = 0.0
    for px, f_imc, f_cv2 in cases:
        f_imc(), f_cv2()                      # warm up caches and allocators
        a, b = [], []
        for _ in range(reps):                 # interleaved, so drift hits both
            a += timed(f_imc, 1)
            b += timed(f_cv2, 1)
        t_imc += statistics.median(a)
        t_cv2 += statistics.median(b)
        mp += px / 1e6
    row = {"op": label, "inputs": len(cases), "mp": mp, "imc": mp / t_imc, "cv2": mp / t_cv2,
           "ratio": t_cv2 / t_imc}
    if sizes:
        row["size"] = sizes[0] / sizes[1]
    return row


def decode_cases(bufs, flags):
    out = []
    for b in bufs:
        arr = np.frombuffer(b, np.uint8)
        out.append((pixels(b), lambda b=b: imc.imdecode(b, flags), lambda a=arr: cv2.imdecode(a, flags)))
    return out


def encode_op(imgs, ext, params, reps):
    cases, sizes = encode_cases(imgs, ext, params)
    return compare("", cases, reps, sizes)


def encode_cases(imgs, ext, params):
    cases, s_imc, s_cv2 = [], 0, 0
    for img in imgs:
        cases.append((pixels(img), lambda i=img: imc.imencode(ext, i, params),
                      lambda i=img: cv2.imencode(ext, i, params)))
        s_imc += imc.imencode(ext, img, params)[1].size
        s_cv2 += cv2.imencode(ext, img, params)[1].size
    return cases, (s_imc, s_cv2)


def calls_per_second(fn, seconds=1.0):
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(50):
            fn()
        n += 50
    return n / (time.perf_counter() - t0)


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
    jpeg_all = c.jpeg + [c.jpeg_big]
    for name, flags in (("COLOR", 1), ("GRAYSCALE", 0), ("UNCHANGED", -1), ("REDUCED_COLOR_2", 17),
                        ("REDUCED_COLOR_4", 33), ("REDUCED_COLOR_8", 65)):
        ops.append((f"decode jpeg {name}", lambda f=flags: compare("", decode_cases(jpeg_all, f), reps)))
    for name, params in (("q95 (default)", []), ("q90", [1, 90]), ("progressive", [2, 1]),
                         ("optimize", [3, 1])):
        ops.append((f"encode jpeg {name}",
                    lambda p=params: encode_op(c.sources, ".jpg", p, reps)))
    for name, bufs in (("8-bit RGB", c.png_rgb + [c.png_big]), ("8-bit RGBA", c.png_rgba),
                       ("gray", c.png_gray), ("palette", c.png_palette), ("16-bit", c.png_16)):
        if bufs:
            ops.append((f"decode png {name}", lambda b=bufs: compare("", decode_cases(b, -1), reps)))
    for name, params in (("default", []), ("compression 3", [16, 3]), ("compression 9", [16, 9])):
        # cv2's level 9 runs near 1 MP/s: a smaller set keeps the run short
        slow = params == [16, 9]
        srcs = c.sources[:4] + [c.sources[-1][:500, :700]] if slow else c.sources
        ops.append((f"encode png {name}",
                    lambda p=params, s=srcs, r=(max(1, reps // 2) if slow else reps):
                    encode_op(s, ".png", p, r)))

    print(f"imc {imc.__version__} vs OpenCV {cv2.__version__}; {reps} interleaved repetitions, "
          f"medians; single thread")
    print(f"{'operation':34}{'inputs':>7}{'MP':>8}{'imc MP/s':>10}{'cv2 MP/s':>10}{'imc/cv2':>9}{'size':>8}")
    for name, run in ops:
        if args.only and args.only not in name:
            continue
        r = run()
        size = f"{r['size']:.3f}" if "size" in r else ""
        print(f"{name:34}{r['inputs']:>7}{r['mp']:>8.1f}{r['imc']:>10.1f}{r['cv2']:>10.1f}"
              f"{r['ratio']:>8.2f}x{size:>8}", flush=True)

    if not args.only or "python" in args.only:
        tiny = c.tiny_jpeg
        arr = np.frombuffer(tiny, np.uint8)
        a = calls_per_second(lambda: imc.imdecode(tiny, 1))
        b = calls_per_second(lambda: cv2.imdecode(arr, 1))
        print(f"{'python call, 64x64 jpeg decode':34}{'':>7}{'':>8}{a:>9.0f}/s{b:>9.0f}/s{a / b:>8.2f}x")
    print("ratio = cv2 time / imc time (above 1: imc is faster); size = imc bytes / cv2 bytes")


if __name__ == "__main__":
    sys.exit(main())
