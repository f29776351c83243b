"""imc beside the fastest PNG codecs of the field, from ../shared/peers when it
is there (Wuffs' and fpnge's sources with drivers; skipped, saying why, when it
is not): PNG decode, imc vs Wuffs vs libspng, on real-world files as shipped
by Debian packages (many writers) and on the same images rewritten by Pillow,
ImageMagick, netpbm's pnmtopng (libpng's defaults) and cv2; the shipped files
through Python, imc vs Pillow vs cv2; PNG encode, imc vs cv2 vs fpnge, speed
and size.

    ./dev bench --only peers
"""
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import cv2

ROOT = Path(__file__).resolve().parents[1]
PEERS = Path(os.environ.get("IMC_PEERS_DIR", ROOT.parent / "shared" / "peers"))
SAMPLES_DIR = Path(os.environ.get("IMC_SAMPLES_DIR", Path.home() / ".cache" / "imc-samples"))
# PNGs that packages dev installs ship (and some machines have besides), in several writers' hands
SHIPPED = [Path("/usr/share/doc/opencv-doc"), SAMPLES_DIR, Path("/usr/share/icons/Adwaita")]


def shipped_pngs(min_bytes=20_000):
    """8-bit PNGs of at least min_bytes, in a fixed order."""
    files = []
    for top in SHIPPED:
        if top.is_dir():
            files += sorted(p for p in top.rglob("*.png") if p.stat().st_size >= min_bytes)
    return files


def build_drivers(build_dir, out):
    """Builds the peer drivers against build_dir's libimc; (paths, None) or (None, why not)."""
    script = PEERS / "build.sh"
    if not script.exists():
        return None, f"no {script}"
    r = subprocess.run(["sh", str(script), str(build_dir), str(out)], capture_output=True, text=True)
    if r.returncode != 0:
        return None, f"build.sh failed: {r.stderr.strip()[-300:]}"
    return (out / "png_peers", out / "libfpnge.so"), None


@contextlib.contextmanager
def quiet_stderr():
    """cv2's libpng prints warnings about the files' ICC profiles: not here."""
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def rewrite(files, writer, out):
    """The same images written by `writer` into out/; returns their paths."""
    with quiet_stderr():
        return rewrite_all(files, writer, out)


def rewrite_all(files, writer, out):
    from PIL import Image
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for i, src in enumerate(files):
        dst = out / f"{i:04d}.png"
        if writer == "Pillow":
            with Image.open(src) as im:
                im.save(dst, "PNG")
        elif writer == "ImageMagick":
            subprocess.run(["convert", str(src), "-strip", str(dst)], check=True, capture_output=True)
        elif writer == "pnmtopng (libpng defaults)":
            img = cv2.imread(str(src), cv2.IMREAD_COLOR)
            ppm = out / "in.ppm"
            cv2.imwrite(str(ppm), img)
            with open(dst, "wb") as f:
                subprocess.run(["pnmtopng", str(ppm)], check=True, stdout=f, stderr=subprocess.DEVNULL)
        elif writer == "cv2":
            cv2.imwrite(str(dst), cv2.imread(str(src), cv2.IMREAD_UNCHANGED))
        done.append(dst)
    return done


def decode_row(driver, build_dir, label, files):
    env = dict(os.environ, LD_LIBRARY_PATH=str(build_dir))
    r = subprocess.run([str(driver)] + [str(f) for f in files], capture_output=True, text=True, env=env)
    m = re.search(r"(\d+) 8-bit PNGs, ([\d.]+) MP: imc ([\d.]+)\s+wuffs ([\d.]+)\s+libspng ([\d.]+)", r.stdout)
    if not m:
        print(f"  {label}: no result ({r.stderr.strip()[-200:]})")
        return None
    n, mp, imc_, wuffs, spng = (float(x) for x in m.groups())
    print(f"  {label:40} {int(n):>4} files {mp:7.1f} MP   imc {imc_:6.1f}  Wuffs {wuffs:6.1f}  "
          f"libspng {spng:6.1f} MP/s   imc/Wuffs {imc_ / wuffs:5.2f}x  imc/libspng {imc_ / spng:5.2f}x",
          flush=True)
    return imc_ / wuffs


def python_row(label, files, reps=5):
    """imc.imdecode vs Pillow (open + load) vs cv2.imdecode on the same
    files, interleaved, medians summed: the Python-level peers."""
    import io
    from PIL import Image

    def pillow(data):
        with Image.open(io.BytesIO(data)) as im:
            im.load()
    total = {"imc": 0.0, "Pillow": 0.0, "cv2": 0.0}
    mp = 0.0
    with quiet_stderr():
        for f in files:
            mp += time_one(f, reps, total, pillow)
    print(f"  {label:40} {mp:7.1f} MP   imc {mp / total['imc']:6.1f}  Pillow {mp / total['Pillow']:6.1f}  "
          f"cv2 {mp / total['cv2']:6.1f} MP/s   imc/Pillow {total['Pillow'] / total['imc']:5.2f}x  "
          f"imc/cv2 {total['cv2'] / total['imc']:5.2f}x", flush=True)


def time_one(f, reps, total, pillow):
    """Adds one file's medians to total; returns its megapixels (0: skipped)."""
    import imc
    data = Path(f).read_bytes()
    arr = np.frombuffer(data, np.uint8)
    img = imc.imdecode(arr, -1)
    if img is None or img.dtype != np.uint8:
        return 0.0
    runs = {k: [] for k in total}
    for _ in range(reps):
        for k, fn in (("imc", lambda: imc.imdecode(arr, -1)), ("Pillow", lambda: pillow(data)),
                      ("cv2", lambda: cv2.imdecode(arr, -1))):
            t = time.perf_counter()
            fn()
            runs[k].append(time.perf_counter() - t)
    for k in total:
        total[k] += statistics.median(runs[k])
    return img.shape[0] * img.shape[1] / 1e6


def report(build_dir, quick=False):
    print(f"\nPNG peers ({PEERS}): median of 7 interleaved runs per file, one thread")
    if not PEERS.is_dir():
        print(f"  skipped: {PEERS} is not there")
        return
    files = shipped_pngs()
    if quick:
        files = files[::4]
    if not files:
        print("  skipped: no shipped PNGs found under " + ", ".join(map(str, SHIPPED)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="imc-peers-"))
    try:
        drivers, why = build_drivers(build_dir, tmp / "bin")
        if not drivers:
            print(f"  skipped: {why}")
            return
        png_peers, fpnge = drivers
        print("decode (imc IMREAD_UNCHANGED, Wuffs to BGRA without checksums, libspng to RGBA8):")
        decode_row(png_peers, build_dir, "as shipped (many writers)", files)
        for writer in ("Pillow", "ImageMagick", "pnmtopng (libpng defaults)", "cv2"):
            decode_row(png_peers, build_dir, f"rewritten by {writer}",
                       rewrite(files, writer, tmp / re.sub(r"\W+", "_", writer)))
        print("decode through Python (imc.imdecode, Pillow's open + load, cv2.imdecode; UNCHANGED):")
        python_row("as shipped (many writers)", files)
        photos = [p for p in files if p.is_relative_to(SAMPLES_DIR) or "examples" in p.parts][:40]
        print("encode, default level (fpnge at its levels 4 and 1):")
        env = dict(os.environ, PYTHONPATH=str(build_dir / "python"))
        r = subprocess.run([sys.executable, str(PEERS / "bench_fpnge.py"), str(fpnge)] + [str(p) for p in photos],
                           capture_output=True, text=True, env=env)
        for line in (r.stdout.strip() or r.stderr.strip()[-300:]).splitlines():
            print("  " + line)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    report(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build", "--quick" in sys.argv)
