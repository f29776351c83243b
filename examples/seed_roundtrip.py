#!/usr/bin/env python3
"""The encode / save / read back / decode workflow, shown at each step, on
imc unchanged: imencode to memory, imwrite to disk, imread it back, imdecode
the memory copy, and look at what came back.

Usage: seed_roundtrip.py [IMAGE_FILE_OR_URL] [OUTDIR]  (default: a sample
from opencv-doc, a temporary directory). Prints what it did and each key."""
import sys
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

import imc as cv2  # the point: cv2's API, imc underneath

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/doc/opencv-doc/examples/data/fruits.jpg"
out = Path(sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="imc-seed-"))
out.mkdir(parents=True, exist_ok=True)

if "://" in src:
    data = urllib.request.urlopen(src).read()
else:
    data = Path(src).read_bytes()
image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
if image is None:
    sys.exit("cannot decode %s" % src)

# encode in memory
ok, encoded = cv2.imencode(".png", image)
print("encoded: %s, %d bytes" % (ok, encoded.size))

# save to disk, read back
path = str(out / "roundtrip.png")
print("saved %s: %s" % (path, cv2.imwrite(path, image)))
from_disk = cv2.imread(path)

# decode the memory copy
from_memory = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
print("read back equal: %s, decoded equal: %s" %
      (np.array_equal(from_disk, image), np.array_equal(from_memory, image)))

cv2.imshow("Read back", from_disk)
print("key %d" % cv2.waitKey(0), flush=True)
cv2.imshow("Decoded", from_memory)
print("key %d" % cv2.waitKey(0), flush=True)
cv2.destroyAllWindows()
