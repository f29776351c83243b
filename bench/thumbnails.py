"""The thumbnail rows of the benchmark (bench.py): imc.thumbnail against
libvips' vips_thumbnail_buffer (C, through ctypes; skipped when libvips is
not installed), Pillow's thumbnail with draft, and cv2's full imdecode +
resize(INTER_AREA), on the same inputs to the same size, one thread each,
interleaved. Printed: MP/s of input, imc's ratio to each, PSNR of each
against Pillow's LANCZOS on the fully decoded image, and peak memory of one
thumbnail (imc vs libvips)."""
import ctypes
import io
import statistics
import subprocess
import sys
import time

import numpy as np
import cv2
import imc


class Vips:
    """vips_thumbnail_buffer to pixels in memory; one thread, no cache."""

    def __init__(self):
        self.lib = ctypes.CDLL("libvips.so.42")
        if self.lib.vips_init(b"imc-bench") != 0:
            raise OSError("vips_init failed")
        self.lib.vips_concurrency_set(1)
        self.lib.vips_cache_set_max(0)
        self.lib.vips_image_write_to_memory.restype = ctypes.c_void_p

    def thumbnail(self, data, width, height):
        out = ctypes.c_void_p()
        rc = self.lib.vips_thumbnail_buffer(ctypes.c_char_p(data), ctypes.c_size_t(len(data)),
                                            ctypes.byref(out), ctypes.c_int(width), b"height",
                                            ctypes.c_int(height), None)
        if rc != 0:
            raise RuntimeError("vips_thumbnail_buffer failed")
        size = ctypes.c_size_t()
        mem = self.lib.vips_image_write_to_memory(out, ctypes.byref(size))
        w, h = self.lib.vips_image_get_width(out), self.lib.vips_image_get_height(out)
        bands = self.lib.vips_image_get_bands(out)
        pixels = np.frombuffer(ctypes.string_at(mem, size.value), np.uint8).reshape(h, w, bands)
        self.lib.g_free(ctypes.c_void_p(mem))
        self.lib.g_object_unref(out)
        return pixels[:, :, ::-1] if bands == 3 else pixels   # RGB -> BGR


def pillow_thumbnail(data, size):
    from PIL import Image
    im = Image.open(io.BytesIO(data))
    im.draft("RGB", (size * 2, size * 2))      # Pillow's own reducing_gap
    im.thumbnail((size, size), Image.LANCZOS)
    return np.asarray(im.convert("RGB"))[:, :, ::-1]


def reference(data, shape):
    from PIL import Image
    im = Image.open(io.BytesIO(data)).convert("RGB")
    return np.asarray(im.resize((shape[1], shape[0]), Image.LANCZOS))[:, :, ::-1]


def inputs(c):
    from bench import photo_like
    big24 = photo_like(6000, 4000, seed=3)
    two = photo_like(1632, 1224, seed=4)
    jpeg = lambda img: cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()  # noqa: E731
    return [("jpeg 24 MP", jpeg(big24)), ("jpeg 12 MP", c.jpeg_big), ("jpeg 2 MP", jpeg(two)),
            ("png 3 MP", cv2.imencode(".png", c.big[:1500, :2000])[1].tobytes()),
            ("webp 3 MP", cv2.imencode(".webp", c.big[:1500, :2000], [cv2.IMWRITE_WEBP_QUALITY, 80])[1]
             .tobytes())]


def timed(fns, reps):
    """Medians of interleaved repetitions of each function."""
    times = [[] for _ in fns]
    for f in fns:
        f()
    for _ in range(reps):
        for i, f in enumerate(fns):
            t = time.perf_counter()
            f()
            times[i].append(time.perf_counter() - t)
    return [statistics.median(t) for t in times]


PEAK = """
if {who!r} == 'imc':
    import imc
    run = lambda: imc.thumbnail(data, 256, 256)
else:
    from thumbnails import Vips
    v = Vips()
    run = lambda: v.thumbnail(data, 256, 256)
run()
gc.collect()
before = status('VmRSS')
open('/proc/self/clear_refs', 'w').write('5')
run()
print(status('VmHWM') - before)
"""


def peak_memory(data):
    from bench import PEAK_PRELUDE
    path = "/tmp/imc-bench-thumb.jpg"
    with open(path, "wb") as f:
        f.write(data)
    out = {}
    for who in ("imc", "libvips"):
        code = (PEAK_PRELUDE + PEAK).format(path=[p for p in sys.path if p], file=path, who=who)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if r.returncode == 0:
            out[who] = int(r.stdout.split()[-1])
    return out


def thumbnail_rows(c, reps):
    cv2.setNumThreads(1)
    try:
        vips = Vips()
    except OSError:
        vips = None
        print("thumbnails: libvips.so.42 not found (apt libvips42): its columns are skipped")
    print(f"{'thumbnail':24}{'MP':>6}{'imc MP/s':>10}{'vips':>8}{'Pillow':>8}{'cv2':>8}"
          f"{'/vips':>7}{'/Pillow':>8}{'/cv2':>7}   PSNR imc / vips / Pillow / cv2 (dB)")
    for name, data in inputs(c):
        info = imc.probe(data)
        mp = info.width * info.height / 1e6
        for size in (256, 1024):
            ours = imc.thumbnail(data, size, size)
            shape = ours.shape
            fns = [lambda: imc.thumbnail(data, size, size),
                   (lambda: vips.thumbnail(data, size, size)) if vips else None,
                   lambda: pillow_thumbnail(data, size),
                   lambda: cv2.resize(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR),
                                      (shape[1], shape[0]), interpolation=cv2.INTER_AREA)]
            live = [f for f in fns if f]
            t = iter(timed(live, reps))
            times = [next(t) if f else None for f in fns]
            ref = reference(data, shape)
            quality = []
            for f in fns:
                out = f() if f else None
                quality.append("-" if out is None or out.shape != shape else f"{cv2.PSNR(out, ref):.1f}")
            rate = [f"{mp / x:8.0f}" if x else f"{'-':>8}" for x in times]
            ratio = [f"{x / times[0]:6.2f}x" if x else f"{'-':>7}" for x in times[1:]]
            print(f"{name + ' to ' + str(size):24}{mp:6.1f}{mp / times[0]:10.0f}{''.join(rate[1:])}"
                  f"{ratio[0]:>7}{ratio[1]:>8}{ratio[2]:>7}   {' / '.join(quality)}", flush=True)
    if vips:
        big = inputs(c)[0][1]
        peaks = peak_memory(big)
        print("peak memory added by one 24 MP jpeg to 256 px: " +
              ", ".join(f"{who} {v / 1024:.0f} KiB" for who, v in peaks.items()))
