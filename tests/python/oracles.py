"""Second oracles: decoders independent of cv2 (and of imc), each giving an
image in the layout imc.imdecode(data, IMREAD_UNCHANGED) returns (BGR/BGRA
sample order, native depth, a 2-D array for one channel), or raising
Unsupported when that reader cannot decode the file or cannot give its
samples as stored.

  TIFF  tifffile (its own TIFF parser and codecs; libtiff is not used)
  PNG   Pillow (its own PNG reader over zlib), netpbm's pngtopam for 16-bit
        colour (Pillow narrows 16-bit RGB to 8 bits)
  JPEG  djpeg (the same libjpeg-turbo: equality expected)
  WebP  dwebp (libwebp's own tool)
  JPEG 2000   opj_decompress (OpenJPEG's own tool; its colour conversion is
        its own code, not the library's) to TIFF, read by tifffile
  Sun raster   netpbm's rasttopnm
  BMP, GIF   Pillow
  PBM/PGM/PPM, PAM, PFM   read here from the netpbm specifications (raw
        samples, nothing scaled), nothing else used"""
import io
import re
import subprocess

import numpy as np
from PIL import Image

from helpers import tool, tool_env


class Unsupported(Exception):
    pass


def bgr(rgb):
    """RGB(A) sample order to BGR(A); one channel as a 2-D array."""
    a = np.asarray(rgb)
    if a.ndim == 3 and a.shape[2] == 1:
        return a[:, :, 0]
    if a.ndim == 3 and a.shape[2] in (3, 4):
        return np.ascontiguousarray(a[:, :, [2, 1, 0, 3][:a.shape[2]]])
    return np.ascontiguousarray(a)


def orient(img, orientation):
    """TIFF / EXIF orientation 1-8 applied: the stored rows as displayed."""
    ops = {1: lambda a: a, 2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1],
           4: lambda a: a[::-1], 5: lambda a: a.swapaxes(0, 1),
           6: lambda a: a.swapaxes(0, 1)[:, ::-1], 7: lambda a: a.swapaxes(0, 1)[::-1, ::-1],
           8: lambda a: a.swapaxes(0, 1)[::-1]}
    return np.ascontiguousarray(ops.get(orientation, ops[1])(img))


def _pipe_file(cmd, data, suffix, out_suffix=None):
    """A tool that reads and writes files: "{in}" and "{out}" in cmd stand
    for them (both appended when cmd names neither)."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        src, dst = f"{d}/in{suffix}", f"{d}/out{out_suffix or suffix}"
        with open(src, "wb") as f:
            f.write(data)
        if "{in}" not in cmd:
            cmd = [*cmd, "{in}", "{out}"]
        argv = [src if a == "{in}" else dst if a == "{out}" else a for a in cmd]
        r = subprocess.run(argv, capture_output=True, env=tool_env())
        if r.returncode != 0:
            raise Unsupported(f"{cmd[0]}: {r.stderr.decode(errors='replace').strip()[-200:]}")
        with open(dst, "rb") as f:
            return f.read()


def _pipe(cmd, data):
    r = subprocess.run(cmd, input=data, capture_output=True, env=tool_env())
    if r.returncode != 0 or not r.stdout:
        raise Unsupported(f"{cmd[0]}: {r.stderr.decode(errors='replace').strip()[-200:]}")
    return r.stdout


# ---- netpbm, from the specifications ---------------------------------------------
_PNM_HEADER = re.compile(rb"\A(P[1-7])")


def _tokens(data, pos, count):
    """`count` whitespace-separated header tokens from pos, '#' comments skipped."""
    out = []
    while len(out) < count:
        while pos < len(data) and (data[pos:pos + 1].isspace() or data[pos:pos + 1] == b"#"):
            if data[pos:pos + 1] == b"#":
                pos = data.index(b"\n", pos)
            pos += 1
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace() and data[pos:pos + 1] != b"#":
            pos += 1
        out.append(data[start:pos])
    return out, pos + 1  # one whitespace byte ends the header


def read_pnm(data):
    """P1-P6: (samples as stored, maxval, plain). Bits (P1, P4) are 1 for
    black, as stored; raw samples are 1 byte below maxval 256, else 2."""
    kind = data[:2]
    if kind not in (b"P1", b"P2", b"P3", b"P4", b"P5", b"P6"):
        raise Unsupported("not PBM/PGM/PPM")
    bits = kind in (b"P1", b"P4")
    (w, h, *mv), pos = _tokens(data, 2, 2 if bits else 3)
    w, h, maxval = int(w), int(h), 1 if bits else int(mv[0])
    cn = 3 if kind in (b"P3", b"P6") else 1
    plain = kind in (b"P1", b"P2", b"P3")
    if kind == b"P1":
        digits = re.sub(rb"#[^\n]*\n?|\s", b"", data[pos - 1:])
        a = np.frombuffer(digits[:w * h], np.uint8) - ord("0")
    elif plain:
        numbers = re.sub(rb"#[^\n]*", b" ", data[pos - 1:]).split()
        a = np.array([int(t) for t in numbers[:w * h * cn]], np.uint16 if maxval > 255 else np.uint8)
    elif kind == b"P4":
        row = (w + 7) // 8
        packed = np.frombuffer(data, np.uint8, row * h, pos).reshape(h, row)
        a = np.unpackbits(packed, axis=1)[:, :w]
    else:
        a = np.frombuffer(data, ">u1" if maxval < 256 else ">u2", w * h * cn, pos)
        a = a.astype(np.uint8 if maxval < 256 else np.uint16)
    return a.reshape(h, w, cn), maxval, plain


def pnm(data):
    """PBM as 0 (black) / 255, PGM / PPM samples as stored (BGR order)."""
    a, maxval, _ = read_pnm(data)
    if data[:2] in (b"P1", b"P4"):
        a = np.where(a == 1, 0, 255).astype(np.uint8)
    return bgr(a)


def pam(data):
    """PAM samples as stored (RGB turned to BGR); MAXVAL 1 as 0 / 255."""
    a, maxval, _ = read_pam(data)
    if maxval == 1:
        a = np.where(a > 0, 255, 0).astype(np.uint8)
    return bgr(a)


def read_pam(data):
    """P7: WIDTH HEIGHT DEPTH MAXVAL TUPLTYPE ENDHDR, big-endian samples."""
    if data[:3] != b"P7\n":
        raise Unsupported("not PAM")
    end = data.index(b"ENDHDR\n") + len(b"ENDHDR\n")
    fields = {}
    for line in data[3:end].decode("ascii").splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            fields[key] = value.strip()
    w, h, d, maxval = (int(fields[k]) for k in ("WIDTH", "HEIGHT", "DEPTH", "MAXVAL"))
    dtype = ">u1" if maxval < 256 else ">u2"
    a = np.frombuffer(data, dtype, w * h * d, end).reshape(h, w, d)
    return a.astype(np.uint8 if maxval < 256 else np.uint16), maxval, fields.get("TUPLTYPE", "")


def read_pfm(data):
    """PF / Pf: width height scale; rows bottom-up; scale < 0 little-endian."""
    kind = data[:2]
    if kind not in (b"PF", b"Pf"):
        raise Unsupported("not PFM")
    (w, h, scale), pos = _tokens(data, 2, 3)
    w, h, scale = int(w), int(h), float(scale)
    cn = 3 if kind == b"PF" else 1
    a = np.frombuffer(data, "<f4" if scale < 0 else ">f4", w * h * cn, pos)
    a = a.reshape(h, w, cn)[::-1].astype(np.float32)
    return bgr(a)


# ---- per format -----------------------------------------------------------------
def tiff(data):
    """tifffile's reading of the first page: its own parser, sample layout
    and predictors; codecs it has no pure-Python decoder for (LZW, JPEG,
    zstd, WebP, CCITT without imagecodecs) are undone first by libtiff's
    `tiffcp -c none`, which copies the layout as it is."""
    import tifffile
    try:
        return _tifffile_page(tifffile, data)
    except _NeedsLibtiff:
        return _tifffile_page(tifffile, _pipe_file([tool("tiffcp"), "-c", "none"], data, ".tif"))


class _NeedsLibtiff(Exception):
    pass


def _tifffile_page(tifffile, data):
    try:
        with tifffile.TiffFile(io.BytesIO(data)) as t:
            page = t.pages[0]
            photometric, planar, spp = int(page.photometric), int(page.planarconfig), \
                page.samplesperpixel
            orientation = int(page.tags.valueof(274, 1))
            if photometric not in (1, 2) or spp not in (1, 3, 4):
                raise Unsupported(f"photometric {photometric}, {spp} samples: the readers convert")
            try:
                a = page.asarray()
            except ValueError as e:
                if "imagecodecs" in str(e) or "not supported" in str(e):
                    raise _NeedsLibtiff() from None
                raise
    except (Unsupported, _NeedsLibtiff):
        raise
    except Exception as e:  # tifffile raises many kinds for what it cannot read
        raise Unsupported(f"tifffile: {e}") from None
    if planar == 2 and a.ndim == 3 and spp > 1 and a.shape[0] == spp:
        a = np.moveaxis(a, 0, -1)
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    return orient(bgr(a), orientation)
def png(data):
    if data[12:16] == b"IHDR" and data[24] == 16:
        return pngtopam(data)  # Pillow narrows 16-bit colour to 8 bits
    im = Image.open(io.BytesIO(data))
    im.load()
    if im.mode == "P" or im.mode == "PA":
        im = im.convert("RGBA" if "transparency" in im.info or im.mode == "PA" else "RGB")
    elif im.mode == "1":
        im = im.convert("L")
    elif im.mode == "LA":
        a = np.asarray(im)
        return bgr(np.dstack([a[:, :, 0]] * 3 + [a[:, :, 1]]))
    elif im.mode == "L" and "transparency" in im.info:
        im = im.convert("LA")
        a = np.asarray(im)
        return bgr(np.dstack([a[:, :, 0]] * 3 + [a[:, :, 1]]))
    elif im.mode == "RGB" and "transparency" in im.info:
        im = im.convert("RGBA")
    return bgr(np.asarray(im))


def pngtopam(data):
    """netpbm's libpng-based reader: alpha (colour types 4 and 6) as a PAM
    channel, gray + alpha spread to BGRA as cv2 does."""
    alpha = data[25] in (4, 6)
    out = _pipe([tool("pngtopam"), *(["-alphapam"] if alpha else [])], data)
    if alpha:
        a, _, tupltype = read_pam(out)
        if "GRAYSCALE_ALPHA" in tupltype:
            a = np.dstack([a[:, :, 0]] * 3 + [a[:, :, 1]])
    else:
        a = read_pnm(out)[0]
    return bgr(a)


def jpeg(data):
    out = _pipe([tool("djpeg"), "-pnm"], data)
    im = Image.open(io.BytesIO(out))
    return bgr(np.asarray(im))


def webp(data):
    a, _, _ = read_pam(_pipe([tool("dwebp"), "-quiet", "-pam", "-o", "-", "--", "-"], data))
    return bgr(a if _webp_has_alpha(data) else a[:, :, :3])


def _webp_has_alpha(data):
    """VP8X with the alpha flag, or a lossless bitstream whose header says alpha."""
    if data[12:16] == b"VP8X":
        return bool(data[20] & 0x10)
    if data[12:16] == b"VP8L":
        return bool((int.from_bytes(data[21:25], "little") >> 28) & 1)
    return False


def sunras(data):
    """netpbm's rasttopnm, read back from the netpbm specification."""
    a, maxval, _ = read_pnm(_pipe([tool("rasttopnm")], data))
    if maxval == 1:  # PBM: 1 is black
        a = np.where(a == 1, 0, 255).astype(np.uint8)
    return bgr(a)


def jpeg2000(data):
    """opj_decompress (OpenJPEG's own tool, the same library: equality
    expected) to TIFF, read by tifffile; components as stored."""
    import tifffile
    suffix = ".jp2" if data[4:8] == b"jP  " else ".j2k"
    tif = _pipe_file([tool("opj_decompress"), "-quiet", "-i", "{in}", "-o", "{out}"], data, suffix,
                     ".tif")
    try:
        return bgr(tifffile.imread(io.BytesIO(tif)))
    except NotImplementedError as e:  # packed 4/10/12-bit samples need imagecodecs
        raise Unsupported(f"tifffile: {e}") from None


def pillow(data):
    """BMP, GIF (first frame) through Pillow."""
    try:
        im = Image.open(io.BytesIO(data))
        im.load()
    except Exception as e:  # Pillow's reasons: OSError, ValueError, DecompressionBombError...
        raise Unsupported(f"Pillow: {type(e).__name__}: {e}") from None
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif im.mode == "1":
        im = im.convert("L")
    a = np.asarray(im)
    if im.mode in ("I", "I;16", "I;16B"):
        a = a.astype(np.uint16)
    return bgr(a)


# ---- OpenEXR, from the file layout specification --------------------------------
_EXR_TYPES = {0: "<u4", 1: "<f2", 2: "<f4"}
_EXR_LINES = {0: 1, 1: 1, 2: 1, 3: 16}  # none, RLE, ZIPS, ZIP


def _exr_header(data):
    import struct
    if data[:4] != b"\x76\x2f\x31\x01":
        raise Unsupported("not OpenEXR")
    if data[5] & 0x3E:  # tiled, long names, deep, multi-part
        raise Unsupported(f"EXR version flags {data[5]:#x}")
    attrs, pos = {}, 8
    while data[pos]:
        name_end = data.index(b"\0", pos)
        kind_end = data.index(b"\0", name_end + 1)
        size, = struct.unpack_from("<i", data, kind_end + 1)
        body = data[kind_end + 5:kind_end + 5 + size]
        attrs[data[pos:name_end].decode()] = body
        pos = kind_end + 5 + size
    channels, at = [], 0
    body = attrs["channels"]
    while body[at]:
        end = body.index(b"\0", at)
        ptype, _, xs, ys = struct.unpack_from("<iB3xii", body, end + 1)
        channels.append((body[at:end].decode(), ptype, xs, ys))
        at = end + 17
    box = struct.unpack("<iiii", attrs["dataWindow"])
    return channels, attrs["compression"][0], box, pos + 1


def _exr_unpack(raw, compression, size):
    """RLE / ZIP(S): the predictor and the two byte halves undone."""
    import zlib
    if compression == 0 or len(raw) == size:  # chunks that do not shrink are stored raw
        return raw
    if compression == 1:
        out, i = bytearray(), 0
        while i < len(raw):
            n = raw[i] - 256 if raw[i] > 127 else raw[i]
            if n < 0:
                out += raw[i + 1:i + 1 - n]
                i += 1 - n
            else:
                out += raw[i + 1:i + 2] * (n + 1)
                i += 2
        t = np.frombuffer(bytes(out), np.uint8)
    else:
        t = np.frombuffer(zlib.decompress(raw), np.uint8)
    t = _exr_predictor(t)
    half = (len(t) + 1) // 2
    out = np.empty(len(t), np.uint8)
    out[0::2], out[1::2] = t[:half], t[half:]
    return out.tobytes()


def _exr_predictor(t):
    d = t.astype(np.int64)
    d[1:] -= 128
    return (np.cumsum(d) & 0xFF).astype(np.uint8)


def exr(data):
    """Float32 BGR(A) from R, G, B (, A), or one channel from Y; halves and
    unsigned ints widened to float32 as cv2 gives them."""
    import struct
    channels, compression, (x0, y0, x1, y1), pos = _exr_header(data)
    if compression not in _EXR_LINES:
        raise Unsupported(f"EXR compression {compression}")
    if any(xs != 1 or ys != 1 for _, _, xs, ys in channels):
        raise Unsupported("sub-sampled EXR channels")
    w, h = x1 - x0 + 1, y1 - y0 + 1
    lines = _EXR_LINES[compression]
    chunks = -(-h // lines)
    offsets = struct.unpack_from(f"<{chunks}Q", data, pos)
    order = sorted(channels, key=lambda c: c[0].encode())
    planes = {name: np.zeros((h, w), np.float32) for name, *_ in order}
    for off in offsets:
        y, size = struct.unpack_from("<ii", data, off)
        n = min(lines, y0 + h - y)
        want = n * w * sum(np.dtype(_EXR_TYPES[t]).itemsize for _, t, _, _ in order)
        raw = _exr_unpack(data[off + 8:off + 8 + size], compression, want)
        at = 0
        for row in range(n):
            for name, ptype, _, _ in order:
                dt = np.dtype(_EXR_TYPES[ptype])
                planes[name][y - y0 + row] = np.frombuffer(raw, dt, w, at).astype(np.float32)
                at += w * dt.itemsize
    if {"R", "G", "B"} <= set(planes) and set(planes) <= {"R", "G", "B", "A"}:
        return np.dstack([planes[c] for c in "BGRA" if c in planes])
    if set(planes) == {"Y"}:
        return planes["Y"]
    raise Unsupported(f"EXR channels {sorted(planes)}")
