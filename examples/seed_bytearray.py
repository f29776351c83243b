#!/usr/bin/env python3
"""The same decode-and-show with the bytes read into a bytearray first (a
file, or the body of an HTTP response), on imc unchanged.

Usage: seed_bytearray.py [IMAGE_FILE_OR_URL] [WAIT_MS]  (default: a sample
from opencv-doc, wait for a key). Prints the key waitKey returned."""
import sys
import urllib.request

import numpy as np

import imc as cv2  # the point: cv2's API, imc underneath

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/doc/opencv-doc/examples/data/fruits.jpg"
delay = int(sys.argv[2]) if len(sys.argv) > 2 else 0

if "://" in src:
    with urllib.request.urlopen(src) as resp:
        data = bytearray(resp.read())
else:
    with open(src, "rb") as f:
        data = bytearray(f.read())

image = cv2.imdecode(np.asarray(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
print("decoded %s: %s %s" % (src, image.shape, image.dtype))
cv2.imshow("Bytearray", image)
print("key %d" % cv2.waitKey(delay), flush=True)
cv2.destroyWindow("Bytearray")
