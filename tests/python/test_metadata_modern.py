"""Metadata blobs in WebP, AVIF and JPEG XL: read byte-identical to what
exiftool and Pillow extract from files other tools wrote (cwebp, webpmux,
avifenc, cjxl, exiftool itself), written so that exiftool, Pillow and imc
read them back identically, with the pixels of a file written without them;
kinds a format cannot hold refused, damaged and cut files never giving a
wrong blob. Animated output goes through the C API (ctypes), which the
Python module's animation calls do not give metadata to."""
import ctypes
import functools
import io
import struct
import warnings

import numpy as np
import pytest
from PIL import Image, ImageCms

import test_metadata
from helpers import BUILD, cv2, imc, requires_codec, run, tool
from test_metadata import exiftool_blob, oracle, srgb_icc

KIND_NUMBER = {"exif": 0, "xmp": 1, "icc": 2, "cicp": 3}


def s15(v):
    return struct.pack(">i", round(v * 65536))


def tag_xyz(x, y, z):
    return b"XYZ " + bytes(4) + s15(x) + s15(y) + s15(z)


@functools.lru_cache(None)
def table_icc():
    """An RGB profile whose tone curves are 16-point tables, which no
    enumerated colour space (JPEG XL's, cICP's) expresses: a profile a
    writer has to keep as bytes."""
    points = [round(65535 * (i / 15) ** (1.8 if i < 8 else 2.6)) for i in range(16)]
    curve = b"curv" + bytes(4) + struct.pack(">I", 16) + struct.pack(">16H", *points)
    text = b"imc table curves\0"
    tags = [(b"desc", b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(78)),
            (b"wtpt", tag_xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", tag_xyz(0.4361, 0.2225, 0.0139)),
            (b"gXYZ", tag_xyz(0.3851, 0.7169, 0.0971)), (b"bXYZ", tag_xyz(0.1431, 0.0606, 0.7141)),
            (b"cprt", b"text" + bytes(4) + b"none" + bytes(4)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    at, entries, body = 128 + 4 + 12 * len(tags), b"", b""
    for sig, data in tags:
        data += bytes(-len(data) % 4)
        entries += sig + struct.pack(">II", at + len(body), len(data))
        body += data
    size = at + len(body)
    header = (struct.pack(">I", size) + b"none" + bytes([2, 0x40, 0, 0]) + b"mntrRGB XYZ " +
              bytes(12) + b"acsp" + bytes(28) + s15(0.9642) + s15(1.0) + s15(0.8249) + bytes(48))
    profile = header + struct.pack(">I", len(tags)) + entries + body
    assert ImageCms.ImageCmsProfile(io.BytesIO(profile)).profile.profile_description == \
        "imc table curves"
    return profile


def exif_blob(make="imc test"):
    return test_metadata.exif_blob(1, make)


XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
       b'<dc:title>imc modern</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>'
       b'<?xpacket end="w"?>')
ALL = {"exif": exif_blob(), "xmp": XMP, "icc": srgb_icc()}


def image(h=48, w=64, channels=3):
    img = (np.arange(h * w * channels) % 251).astype(np.uint8).reshape(h, w, channels)
    return img[..., 0] if channels == 1 else img


def write(path, data):
    path.write_bytes(data)
    return path


def metadata(data):
    """imc.metadata as a dict, failing on any refusal warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        blobs = imc.metadata(data)
    assert len({k for k, _ in blobs}) == len(blobs), blobs
    return dict(blobs)


def cut_files_give_only_whole_blobs(data, whole, step=1):
    """Every prefix of data: each blob imc gives is the whole file's."""
    refused = 0
    for n in range(1, len(data), step):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                blobs = imc.metadata(data[:n])
            except imc.error as e:  # too short to tell the format
                assert e.code == imc.ERR_UNKNOWN_FORMAT, n
                continue
        refused += bool(caught)
        assert all(whole.get(kind) == blob for kind, blob in blobs), n
    return refused


def webp_chunks(data):
    chunks, at = [], 12
    while at + 8 <= len(data):
        fourcc, n = struct.unpack("<4sI", data[at:at + 8])
        chunks.append((fourcc, data[at + 8:at + 8 + n]))
        at += 8 + n + (n & 1)
    return chunks


def webp_file(chunks):
    body = b"".join(c + struct.pack("<I", len(d)) + d + bytes(len(d) & 1) for c, d in chunks)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def boxes(data):
    """Top-level ISOBMFF boxes (AVIF, JPEG XL's container) as (type, body)."""
    out, at = [], 0
    while at + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[at:at + 8])
        out.append((kind, data[at + 8:at + n]))
        at += n
    return out


def box_file(parts):
    return b"".join(struct.pack(">I", 8 + len(d)) + k + d for k, d in parts)


# ---- the C API for several frames ------------------------------------------------
class CImage(ctypes.Structure):
    _fields_ = [("rows", ctypes.c_int), ("cols", ctypes.c_int), ("channels", ctypes.c_int),
                ("depth", ctypes.c_int), ("step", ctypes.c_size_t), ("data", ctypes.c_void_p),
                ("owner", ctypes.c_void_p)]


class CBlob(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("data", ctypes.c_char_p), ("size", ctypes.c_size_t)]


class CMetadata(ctypes.Structure):
    _fields_ = [("blobs", ctypes.POINTER(CBlob)), ("count", ctypes.c_size_t),
                ("refused", ctypes.c_int), ("message", ctypes.c_char * 128),
                ("owner", ctypes.c_void_p)]


class CEncodeOptions(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("order", ctypes.c_int),
                ("metadata", ctypes.POINTER(CMetadata))]


class CBuffer(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_uint8)), ("size", ctypes.c_size_t),
                ("capacity", ctypes.c_size_t)]


class CError(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("sys_errno", ctypes.c_int),
                ("message", ctypes.c_char * 256)]


def encode_frames(ext, frames, blobs, params=()):
    """imc_encode_multi with opts.metadata: an animated file of `frames`."""
    lib = ctypes.CDLL(str(BUILD / "libimc.so"))
    frames = [np.ascontiguousarray(f) for f in frames]
    images = (CImage * len(frames))(*[
        CImage(f.shape[0], f.shape[1], f.shape[2], 0, f.strides[0], f.ctypes.data, None)
        for f in frames])
    values = [bytes(v) for v in blobs.values()]
    arr = (CBlob * len(values))(*[CBlob(KIND_NUMBER[k], v, len(v)) for k, v in zip(blobs, values)])
    md = CMetadata(arr, len(values), 0, b"", None)
    opts = CEncodeOptions(ctypes.sizeof(CEncodeOptions), 0, ctypes.pointer(md))
    p = (ctypes.c_int * max(len(params), 1))(*params)
    out, err = CBuffer(), CError()
    rc = lib.imc_encode_multi(ext.encode(), images, ctypes.c_size_t(len(frames)), p,
                              ctypes.c_size_t(len(params)), ctypes.byref(opts), ctypes.byref(out),
                              ctypes.byref(err))
    assert rc == 0, err.message
    data = ctypes.string_at(out.data, out.size)
    lib.imc_buffer_free(ctypes.byref(out))
    return data


def frames_of(data):
    return imc.decode_all(data, imc.IMREAD_UNCHANGED)


# ==== WebP ============================================================================
webp = requires_codec("webp")


def pil_webp_blobs(data):
    """What Pillow (libwebp's demuxer) finds, by imc's kind names."""
    im = Image.open(io.BytesIO(data))
    got = {"exif": im.info.get("exif"), "xmp": im.info.get("xmp"), "icc": im.info.get("icc_profile")}
    return {k: v for k, v in got.items() if v}


@webp
def test_webp_set_by_webpmux(tmp_path):
    plain, out = tmp_path / "p.webp", tmp_path / "m.webp"
    src = tmp_path / "s.png"
    cv2.imwrite(str(src), image())
    run([tool("cwebp"), "-quiet", str(src), "-o", str(plain)])
    for kind, blob in (("icc", srgb_icc()), ("exif", exif_blob()), ("xmp", XMP)):
        (tmp_path / kind).write_bytes(blob)
        run([tool("webpmux"), "-set", kind, str(tmp_path / kind), str(plain), "-o", str(out)])
        plain.write_bytes(out.read_bytes())
    data = out.read_bytes()
    assert [k for k, _ in imc.metadata(data)] == ["icc", "exif", "xmp"]  # file order
    assert metadata(data) == oracle(out) == pil_webp_blobs(data) == ALL
    img, meta = imc.decode(data, -1, metadata=True)
    assert meta == ALL and np.array_equal(img, cv2.imdecode(np.frombuffer(data, np.uint8), -1))


@webp
def test_webp_from_a_jpeg_by_cwebp_keeps_the_jpegs_blobs(tmp_path):
    jpg, out = tmp_path / "s.jpg", tmp_path / "c.webp"
    jpg.write_bytes(imc.encode(".jpg", image(), metadata=ALL))
    run([tool("exiftool"), "-q", "-overwrite_original", "-Artist=cwebp test", str(jpg)])
    run([tool("cwebp"), "-quiet", "-metadata", "all", str(jpg), "-o", str(out)])
    want = oracle(jpg)
    assert set(want) == set(ALL) and b"cwebp test" in want["exif"]
    assert metadata(out.read_bytes()) == want == oracle(out)


@webp
def test_webp_written_by_pillow_and_exiftool(tmp_path):
    buf = io.BytesIO()
    Image.fromarray(image()).save(buf, "WEBP", exif=b"Exif\0\0" + exif_blob(),
                                  icc_profile=srgb_icc(), xmp=XMP)
    assert metadata(buf.getvalue()) == ALL
    path = tmp_path / "e.webp"
    path.write_bytes(imc.encode(".webp", image()))
    run([tool("exiftool"), "-q", "-overwrite_original", "-Artist=imc", "-XMP-dc:Title=x",
         f"-ICC_Profile<={write(tmp_path / 'p.icc', table_icc())}", str(path)])
    want = oracle(path)
    assert set(want) == set(ALL) and want["icc"] == table_icc()
    assert metadata(path.read_bytes()) == want == pil_webp_blobs(path.read_bytes())


@webp
@pytest.mark.parametrize("params,channels", [([], 3), ([imc.IMWRITE_WEBP_QUALITY, 80], 3),
                                             ([], 4), ([imc.IMWRITE_WEBP_QUALITY, 60], 1)])
def test_webp_written_blobs_read_back(params, channels, tmp_path):
    img = image(channels=4)[..., :channels] if channels > 1 else image(channels=1)
    img = np.ascontiguousarray(img)
    data = imc.encode(".webp", img, params, metadata=ALL)
    path = write(tmp_path / "w.webp", data)
    assert metadata(data) == oracle(path) == pil_webp_blobs(data) == ALL
    assert Image.open(io.BytesIO(data)).getexif()[0x010F] == "imc test"
    plain = imc.encode(".webp", img, params)
    # the image chunk is libwebp's, unchanged: the same pixels, for cv2 4.6 too
    assert [d for c, d in webp_chunks(data) if c in (b"VP8 ", b"VP8L", b"ALPH")] == \
        [d for c, d in webp_chunks(plain) if c in (b"VP8 ", b"VP8L", b"ALPH")]
    assert np.array_equal(imc.decode(data, -1), imc.decode(plain, -1))
    assert np.array_equal(cv2.imdecode(np.frombuffer(data, np.uint8), -1),
                          cv2.imdecode(np.frombuffer(plain, np.uint8), -1))
    assert imc.metadata(plain) == []


@webp
def test_webp_animation_with_metadata(tmp_path):
    frames = [image(channels=4), 255 - image(channels=4)]
    data = encode_frames(".webp", frames, ALL)
    path = write(tmp_path / "a.webp", data)
    assert [c for c, _ in webp_chunks(data)][:3] == [b"VP8X", b"ICCP", b"ANIM"]
    assert metadata(data) == oracle(path) == pil_webp_blobs(data) == ALL
    plain = encode_frames(".webp", frames, {})
    got, want = frames_of(data), frames_of(plain)
    assert len(got) == 2 and all(np.array_equal(a, b) for a, b in zip(got, want))


@webp
def test_webp_chunks_the_vp8x_flags_do_not_announce_are_ignored():
    """As libwebp's demuxer (and so Pillow) reads them; exiftool reads any."""
    data = bytearray(imc.encode(".webp", image(), metadata=ALL))
    data[20] &= ~0x2C  # ICC, EXIF, XMP flags
    assert metadata(bytes(data)) == pil_webp_blobs(bytes(data)) == {}
    data[20] |= 0x08
    assert metadata(bytes(data)) == {"exif": exif_blob()}


@webp
def test_webp_exif_with_a_jpeg_prefix_and_malformed_chunks(tmp_path):
    chunks = webp_chunks(imc.encode(".webp", image(), metadata=ALL))
    prefixed = webp_file([(c, b"Exif\0\0" + d if c == b"EXIF" else d) for c, d in chunks])
    path = write(tmp_path / "p.webp", prefixed)
    assert metadata(prefixed)["exif"] == exif_blob() == exiftool_blob(path, "EXIF")
    bad = webp_file([(c, d[:-1] if c == b"ICCP" else b"not tiff" if c == b"EXIF" else d)
                     for c, d in chunks])
    with pytest.warns(UserWarning, match="2 metadata blob.*webp: the ICC profile is malformed"):
        assert dict(imc.metadata(bad)) == {"xmp": XMP}
    assert imc.decode(bad).shape == (48, 64, 3)


@webp
def test_webp_cannot_hold_cicp():
    assert imc.metadata_kinds_written(".webp") == ["exif", "xmp", "icc"]
    with pytest.raises(imc.error) as e:
        imc.encode(".webp", image(), metadata={"cicp": bytes([1, 13, 0, 1])})
    assert e.value.code == imc.ERR_UNSUPPORTED and "webp cannot hold cicp" in str(e.value)


@webp
def test_webp_cut_files():
    data = imc.encode(".webp", image(), [imc.IMWRITE_WEBP_QUALITY, 50], metadata=ALL)
    assert cut_files_give_only_whole_blobs(data, ALL) > 0  # cut chunks are reported
    with pytest.warns(UserWarning, match="webp: the xmp chunk runs past the end"):
        assert dict(imc.metadata(data[:-2])) == {"icc": srgb_icc(), "exif": exif_blob()}


# ==== AVIF ============================================================================
avif = requires_codec("avif")


def exiftool_cicp(path):
    """exiftool's reading of the nclx colr box (its numbers), None without."""
    out = run([tool("exiftool"), "-n", "-s3", "-ColorPrimaries", "-TransferCharacteristics",
               "-MatrixCoefficients", str(path)]).stdout.split()
    return tuple(int(v) for v in out) if out else None


@avif
def test_avif_by_avifenc(tmp_path):
    src, out = tmp_path / "s.png", tmp_path / "e.avif"
    cv2.imwrite(str(src), image())
    for kind, blob in ALL.items():
        write(tmp_path / kind, blob)
    run([tool("avifenc"), "-s", "10", "--icc", str(tmp_path / "icc"), "--exif",
         str(tmp_path / "exif"), "--xmp", str(tmp_path / "xmp"), "--cicp", "9/16/9", "-r", "full",
         str(src), str(out)])
    data = out.read_bytes()
    assert [k for k, _ in imc.metadata(data)] == ["icc", "cicp", "exif", "xmp"]
    assert metadata(data) == {**oracle(out), "cicp": bytes([9, 16, 9, 1])}
    assert oracle(out) == ALL and exiftool_cicp(out) == (9, 16, 9)
    img, meta = imc.decode(data, -1, metadata=True)
    assert meta == metadata(data) and img.shape == (48, 64, 3)


@avif
def test_avif_exif_with_a_jpeg_prefix(tmp_path):
    """avifenc stores the prefix and its length as the TIFF header offset;
    libavif 0.11 hands over the bytes after the offset field, prefix and
    all: imc drops it, as exiftool."""
    src, out = tmp_path / "s.png", tmp_path / "p.avif"
    cv2.imwrite(str(src), image())
    run([tool("avifenc"), "-s", "10", "--exif",
         str(write(tmp_path / "x", b"Exif\0\0" + exif_blob())), str(src), str(out)])
    assert metadata(out.read_bytes())["exif"] == exif_blob() == exiftool_blob(out, "EXIF")


@avif
def test_avif_cicp_only_from_an_nclx_box(tmp_path):
    """Without a colr nclx box libavif reports the AV1 sequence header's
    values (avifdec shows them): they are not the container's cICP."""
    src, out = tmp_path / "s.png", tmp_path / "n.avif"
    cv2.imwrite(str(src), image())
    run([tool("avifenc"), "-s", "10", "--cicp", "9/16/9", "-r", "limited", str(src), str(out)])
    data = out.read_bytes()
    assert metadata(data) == {"cicp": bytes([9, 16, 9, 0])}
    at = data.index(b"colrnclx")
    stripped = write(tmp_path / "s.avif", data[:at] + b"free" + data[at + 4:])
    assert exiftool_cicp(stripped) is None
    info = run([tool("avifdec"), "--info", str(stripped)]).stdout
    assert b"Color Primaries: 9" in info and b"Transfer Char. : 16" in info
    assert metadata(stripped.read_bytes()) == {}
    assert np.array_equal(imc.decode(stripped.read_bytes(), -1), imc.decode(data, -1))


@avif
@pytest.mark.parametrize("params", [[], [imc.IMWRITE_AVIF_QUALITY, 70]])
def test_avif_written_blobs_read_back(params, tmp_path):
    """cICP gives the primaries and transfer; the matrix and range are the
    coding's, which imc keeps (identity lossless, BT.601 lossy; full), so the
    pixels are those written without metadata."""
    img = image()
    blobs = {**ALL, "cicp": bytes([9, 16, 0, 1])}
    data = imc.encode(".avif", img, params, metadata=blobs)
    path = write(tmp_path / "w.avif", data)
    plain = imc.encode(".avif", img, params)
    matrix = 0 if not params else 6
    assert oracle(path) == ALL
    assert metadata(data) == {**ALL, "cicp": bytes([9, 16, matrix, 1])}
    assert exiftool_cicp(path) == (9, 16, matrix)
    assert metadata(plain) == {"cicp": bytes([2, 2, 0, 1]) if not params else bytes([1, 13, 6, 1])}
    assert np.array_equal(imc.decode(data, -1), imc.decode(plain, -1))
    if not params:
        assert np.array_equal(imc.decode(data, -1), img)


@avif
def test_avif_sequence_with_metadata(tmp_path):
    frames = [image(), 255 - image()]
    blobs = {**ALL, "cicp": bytes([1, 8, 6, 1])}
    params = [imc.IMWRITE_AVIF_QUALITY, 80]
    data = encode_frames(".avif", frames, blobs, params)
    path = write(tmp_path / "s.avif", data)
    assert data[4:12] == b"ftypavis" and oracle(path) == ALL
    assert metadata(data) == {**ALL, "cicp": bytes([1, 8, 6, 1])}
    got, want = frames_of(data), frames_of(encode_frames(".avif", frames, {}, params))
    assert len(got) == 2 and all(np.array_equal(a, b) for a, b in zip(got, want))


@avif
def test_avif_malformed_profile_is_refused(tmp_path):
    src, out = tmp_path / "s.png", tmp_path / "b.avif"
    cv2.imwrite(str(src), image())
    run([tool("avifenc"), "-s", "10", "--icc", str(write(tmp_path / "p", b"\0" * 200)), str(src),
         str(out)])
    with pytest.warns(UserWarning, match="avif: the ICC profile is malformed"):
        assert [k for k, _ in imc.metadata(out.read_bytes())] == ["cicp"]


@avif
def test_avif_cut_files():
    blobs = {**ALL, "cicp": bytes([9, 16, 0, 1])}
    data = imc.encode(".avif", image(), metadata=blobs)
    cut_files_give_only_whole_blobs(data, metadata(data), step=7)


# ==== JPEG XL =========================================================================
jxl = requires_codec("jxl")


def djxl_icc(path, tmp_path):
    """The profile djxl gives a PNG it writes (Pillow's reading)."""
    out = tmp_path / "d.png"
    run([tool("djxl"), str(path), str(out)])
    return Image.open(out).info.get("icc_profile")


@jxl
def test_jxl_from_a_jpeg_by_cjxl_has_brotli_boxes(tmp_path):
    """cjxl's lossless JPEG recompression keeps EXIF and XMP in "brob"
    boxes (which this exiftool, without Compress::Brotli, cannot read: the
    JPEG's own blobs are the oracle) and the profile in the codestream."""
    jpg, out = tmp_path / "s.jpg", tmp_path / "r.jxl"
    jpg.write_bytes(imc.encode(".jpg", image(), metadata=ALL))
    run([tool("exiftool"), "-q", "-overwrite_original", "-Artist=cjxl test", str(jpg)])
    run([tool("cjxl"), "--quiet", str(jpg), str(out)])
    assert [k for k, _ in boxes(out.read_bytes())].count(b"brob") == 2
    want = oracle(jpg)
    assert b"cjxl test" in want["exif"]
    assert metadata(out.read_bytes()) == want
    assert djxl_icc(out, tmp_path) == srgb_icc()


@jxl
@pytest.mark.parametrize("distance", ["0", "1"])
def test_jxl_from_a_png_by_cjxl(distance, tmp_path):
    """cjxl 0.7 keeps only the PNG's profile, as bytes when lossless; lossy
    (XYB), an sRGB profile becomes the enumerated sRGB space, whose profile
    libjxl would synthesize: imc reports none."""
    png, out = tmp_path / "s.png", tmp_path / "c.jxl"
    png.write_bytes(imc.encode(".png", image(), metadata=ALL))
    run([tool("cjxl"), "--quiet", "-d", distance, str(png), str(out)])
    want = {"icc": srgb_icc()} if distance == "0" else {}
    assert metadata(out.read_bytes()) == want
    synthesized = djxl_icc(out, tmp_path)
    assert synthesized and (synthesized == srgb_icc()) == (distance == "0")


@jxl
def test_jxl_boxes_written_by_exiftool(tmp_path):
    """exiftool writes into the container (not into a bare codestream)."""
    data = imc.encode(".jxl", image(), metadata={"icc": table_icc(), "xmp": XMP})
    path = write(tmp_path / "e.jxl", data)
    run([tool("exiftool"), "-q", "-overwrite_original", "-Artist=imc", "-XMP-dc:Title=x",
         str(path)])
    want = oracle(path)
    assert set(want) == {"exif", "xmp"} and want["xmp"] != XMP
    assert metadata(path.read_bytes()) == {**want, "icc": table_icc()}


@jxl
@pytest.mark.parametrize("params", [[imc.IMWRITE_JPEGXL_DISTANCE, 0], []])
def test_jxl_written_boxes_read_back(params, tmp_path):
    """EXIF and XMP boxes change nothing in the codestream."""
    img = image()
    blobs = {"exif": exif_blob(), "xmp": XMP}
    data = imc.encode(".jxl", img, params, metadata=blobs)
    path = write(tmp_path / "w.jxl", data)
    assert metadata(data) == oracle(path) == blobs
    kinds = [k for k, _ in boxes(data)]
    assert kinds[:2] == [b"JXL ", b"ftyp"] and kinds.count(b"Exif") == kinds.count(b"xml ") == 1
    plain = imc.encode(".jxl", img, params)
    assert np.array_equal(imc.decode(data, -1), imc.decode(plain, -1))
    assert imc.metadata(plain) == [] and plain[:2] == b"\xff\x0a"  # a bare codestream


@jxl
@pytest.mark.parametrize("profile", [srgb_icc, table_icc])
@pytest.mark.parametrize("params", [[imc.IMWRITE_JPEGXL_DISTANCE, 0], []])
def test_jxl_written_profile(profile, params, tmp_path):
    """The profile replaces the colour encoding and the samples are coded in
    it (no XYB, even lossy): they decode as given, the profile byte for
    byte. Lossy, they are then not those of sRGB's XYB coding."""
    img, icc = image(), profile()
    data = imc.encode(".jxl", img, params, metadata={**ALL, "icc": icc})
    path = write(tmp_path / "p.jxl", data)
    assert metadata(data) == {**ALL, "icc": icc}
    assert djxl_icc(path, tmp_path) == icc
    got = imc.decode(data, -1).astype(int)
    if params:
        assert np.array_equal(got, img)
        assert np.array_equal(got, imc.decode(imc.encode(".jxl", img, params), -1))
    else:  # within lossy coding's error (converted, they would be tens of levels off)
        assert np.abs(got - img).mean() < 2.5


@jxl
def test_jxl_refusals():
    assert imc.metadata_kinds_written(".jxl") == ["exif", "xmp", "icc"]
    with pytest.raises(imc.error) as e:
        imc.encode(".jxl", image(), metadata={"cicp": bytes([1, 13, 0, 1])})
    assert e.value.code == imc.ERR_UNSUPPORTED and "jxl cannot hold cicp" in str(e.value)
    with pytest.raises(imc.error) as e:  # an RGB profile for gray samples
        imc.encode(".jxl", image()[..., 0], metadata={"icc": srgb_icc()})
    assert e.value.code == imc.ERR_ARG and "ICC profile" in str(e.value)


@jxl
def test_jxl_exif_offset_and_damaged_boxes(tmp_path):
    parts = boxes(imc.encode(".jxl", image(), [imc.IMWRITE_JPEGXL_DISTANCE, 0],
                             metadata={"exif": exif_blob(), "xmp": XMP}))
    # an offset of 6 over a JPEG-style prefix: the TIFF header is where it says
    shifted = box_file([(k, struct.pack(">I", 6) + b"Exif\0\0" + exif_blob() if k == b"Exif"
                         else d) for k, d in parts])
    path = write(tmp_path / "o.jxl", shifted)
    assert metadata(shifted)["exif"] == exif_blob() == exiftool_blob(path, "EXIF")
    past = box_file([(k, struct.pack(">I", 999) + exif_blob() if k == b"Exif" else d)
                     for k, d in parts])
    with pytest.warns(UserWarning, match="jxl: the Exif box's TIFF header offset is past"):
        assert dict(imc.metadata(past)) == {"xmp": XMP}
    assert imc.decode(past).shape == (48, 64, 3)


@jxl
def test_jxl_animation_with_metadata(tmp_path):
    frames = [image(), 255 - image()]
    data = encode_frames(".jxl", frames, {**ALL, "icc": table_icc()},
                         [imc.IMWRITE_JPEGXL_DISTANCE, 0])
    path = write(tmp_path / "a.jxl", data)
    assert metadata(data) == {**ALL, "icc": table_icc()}
    assert {k: v for k, v in oracle(path).items()} == {"exif": exif_blob(), "xmp": XMP}
    got = frames_of(data)
    assert len(got) == 2 and all(np.array_equal(a, b) for a, b in zip(got, frames))


@jxl
def test_jxl_cut_files():
    blobs = {**ALL, "icc": table_icc()}
    data = imc.encode(".jxl", image(), [imc.IMWRITE_JPEGXL_DISTANCE, 0], metadata=blobs)
    assert cut_files_give_only_whole_blobs(data, blobs, step=3) > 0
