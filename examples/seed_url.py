#!/usr/bin/env python3
"""OpenCV's classic "URL to image" example, run on imc unchanged: download
the bytes, wrap them in a NumPy array, decode, show, wait for a key.

Usage: seed_url.py [URL_OR_FILE ...]  (http://, https://, file:// or a path;
default: a sample from opencv-doc). Prints the key each waitKey returned."""
import sys
import urllib.request
from pathlib import Path

import numpy as np

import imc as cv2  # the point: cv2's API, imc underneath


def url_to_image(url):
    # download the image, convert it to a NumPy array, and then read
    # it into OpenCV format
    resp = urllib.request.urlopen(url)
    image = np.asarray(bytearray(resp.read()), dtype="uint8")
    image = cv2.imdecode(image, cv2.IMREAD_COLOR)
    # return the image
    return image


def as_url(arg):
    return arg if "://" in arg else Path(arg).resolve().as_uri()


urls = [as_url(a) for a in sys.argv[1:]] or \
    [as_url("/usr/share/doc/opencv-doc/examples/data/fruits.jpg")]

# loop over the image URLs
for url in urls:
    # download the image URL and display it
    print("downloading %s" % (url))
    image = url_to_image(url)
    cv2.imshow("Image", image)
    key = cv2.waitKey(0)
    print("key %d" % key, flush=True)
cv2.destroyAllWindows()
