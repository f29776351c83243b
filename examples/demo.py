#!/usr/bin/env python3
"""The decode/encode workflow people write with cv2, run on imc unchanged:
bytes -> image, JPEG q90 and PNG in memory, write, read back, decode,
then sizes and PSNR. Usage: demo.py [IMAGE] [OUTDIR]"""
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import imc as cv2  # the point: cv2's API, imc underneath

src = Path(sys.argv[1] if len(sys.argv) > 1 else
           "/usr/share/doc/opencv-doc/examples/data/fruits.jpg")
out = Path(sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="imc-demo-"))
out.mkdir(parents=True, exist_ok=True)

# 1. Bytes from somewhere (a file here; a socket or a database elsewhere).
raw = np.asarray(bytearray(src.read_bytes()), dtype="uint8")
t = time.perf_counter()
image = cv2.imdecode(raw, cv2.IMREAD_COLOR)
t_decode = time.perf_counter() - t
print(f"decoded {src.name}: {image.shape[1]}x{image.shape[0]}, {image.shape[2]} channels, "
      f"{image.dtype}, {raw.size} bytes in, {t_decode * 1000:.1f} ms")

# 2. Encode in memory.
ok_jpg, jpg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
ok_png, png = cv2.imencode(".png", image)
assert ok_jpg and ok_png

# 3. Write, read back, decode.
cv2.imwrite(str(out / "demo.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
cv2.imwrite(str(out / "demo.png"), image)
jpg_back = cv2.imread(str(out / "demo.jpg"))
png_back = cv2.imread(str(out / "demo.png"))
jpg_mem = cv2.imdecode(jpg, cv2.IMREAD_COLOR)

print(f"{'':14}{'bytes':>10}{'ratio':>8}{'PSNR dB':>10}")
for name, buf, back in (("JPEG q90", jpg, jpg_back), ("PNG", png, png_back)):
    psnr = cv2.PSNR(image, back)
    shown = "lossless" if np.array_equal(image, back) else f"{psnr:.2f}"
    print(f"{name:14}{buf.size:>10}{image.nbytes / buf.size:>8.1f}{shown:>10}")
assert np.array_equal(jpg_back, jpg_mem), "file and memory paths disagree"
assert np.array_equal(png_back, image), "PNG must be lossless"
print(f"files written to {out}")

# 4. The same steps in OpenCV, when it is installed, give the same pixels.
try:
    import cv2 as opencv
except ImportError:
    opencv = None
if opencv is not None and hasattr(opencv, "imdecode"):
    same = (np.array_equal(opencv.imdecode(raw, 1), image) and
            opencv.imencode(".jpg", image, [1, 90])[1].tobytes() == jpg.tobytes())
    print(f"identical to OpenCV {opencv.__version__}: {'yes' if same else 'NO'}")
    sys.exit(0 if same else 1)
