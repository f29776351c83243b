"""Metadata blobs (EXIF, XMP, ICC, cICP) in JPEG, PNG and TIFF: read
byte-identical to what exiftool extracts from files other tools wrote,
written so that exiftool, Pillow and imc read them back identically, refused
when malformed, carried over by `imc convert` and imc.dask. The C API's
checks run through the Python module (the same calls)."""
import functools
import hashlib
import io
import json
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageCms

import variants as V
from helpers import cv2, imc, run, run_cli, tool

KINDS = ("exif", "xmp", "icc", "cicp")


@functools.lru_cache(None)
def srgb_icc():
    """A real profile (littleCMS's sRGB, through Pillow; its header holds the
    time it was made, so one per run)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def large_icc(size=150_000):
    """A profile longer than one JPEG segment: sRGB's header with the size
    fixed, padded (a reader keeps it whole or not at all)."""
    base = srgb_icc()
    blob = bytearray(base + bytes(range(256)) * ((size - len(base)) // 256 + 1))[:size]
    blob[:4] = struct.pack(">I", size)
    return bytes(blob)


def exif_blob(orientation=6, make="imc test"):
    e = Image.Exif()
    e[0x0112] = orientation
    e[0x010F] = make
    return e.tobytes()[6:]  # Pillow's starts with "Exif\0\0"


XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
       b'<dc:title>imc</dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def image(h=48, w=64):
    return (np.arange(h * w * 3) % 251).astype(np.uint8).reshape(h, w, 3)


def exiftool_blob(path, tag):
    return run([tool("exiftool"), "-b", f"-{tag}", str(path)]).stdout


def oracle(path):
    """What exiftool extracts, by imc's kind names (absent kinds left out)."""
    got = {k: exiftool_blob(path, t) for k, t in
           (("exif", "EXIF"), ("xmp", "XMP"), ("icc", "ICC_Profile"))}
    return {k: v for k, v in got.items() if v}


def first_of_each(blobs):
    out = {}
    for kind, blob in blobs:
        out.setdefault(kind, blob)
    return out


# ---- files written by other tools ---------------------------------------------
@pytest.mark.parametrize("ext", [".jpg", ".png", ".tif"])
def test_files_written_by_exiftool(ext, tmp_path):
    """cv2 writes the pixels, exiftool the metadata (its own EXIF, XMP and
    the ICC profile, each where the format keeps it)."""
    path = tmp_path / f"e{ext}"
    cv2.imwrite(str(path), image())
    icc = tmp_path / "p.icc"
    icc.write_bytes(srgb_icc())
    run([tool("exiftool"), "-q", "-overwrite_original", "-Artist=imc", "-ExposureTime=1/50",
         "-Orientation#=6", "-XMP-dc:Title=imc test", f"-ICC_Profile<={icc}", str(path)])
    want = oracle(path)
    assert want["icc"] == srgb_icc() and b"imc test" in want["xmp"]
    if ext != ".tif":
        assert want["exif"][:4] in (b"II*\0", b"MM\0*")
    got = first_of_each(imc.metadata(path.read_bytes()))
    assert got == want  # TIFF: no EXIF blob (its tags are the file's own IFDs), as exiftool
    img, meta = imc.decode(path.read_bytes(), -1, metadata=True)
    assert meta == want and np.array_equal(img, cv2.imread(str(path), -1))


def test_jp2_written_by_exiftool_is_read_not_written(tmp_path):
    """JPEG 2000: the header box's colr ICC profile and Adobe's XMP uuid box
    (read only: see docs/compat.md)."""
    path, icc = tmp_path / "j.jp2", tmp_path / "p.icc"
    path.write_bytes(imc.encode(".jp2", image()))
    icc.write_bytes(srgb_icc())
    run([tool("exiftool"), "-q", "-overwrite_original", "-XMP-dc:Title=imc test",
         f"-ICC_Profile<={icc}", str(path)])
    want = oracle(path)
    assert set(want) == {"icc", "xmp"} and want["icc"] == srgb_icc()
    assert first_of_each(imc.metadata(path.read_bytes())) == want
    assert np.array_equal(imc.decode(path.read_bytes(), -1),
                          cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), -1))
    with pytest.raises(imc.error) as e:
        imc.encode(".jp2", image(), metadata={"icc": srgb_icc()})
    assert e.value.code == imc.ERR_UNSUPPORTED
    assert imc.metadata(imc.encode(".j2k", image())) == []


def test_jpeg_from_imagemagick_with_a_profile_over_several_segments(tmp_path):
    src, icc, out = tmp_path / "s.png", tmp_path / "big.icc", tmp_path / "m.jpg"
    cv2.imwrite(str(src), image())
    icc.write_bytes(large_icc())
    run([tool("convert"), str(src), "-profile", str(icc), str(out)])
    data = out.read_bytes()
    assert data.count(b"ICC_PROFILE\0") == 3  # 150 000 bytes: three APP2 segments
    assert first_of_each(imc.metadata(data))["icc"] == large_icc() == exiftool_blob(out, "ICC_Profile")


def test_jpeg_extended_xmp_is_reassembled(tmp_path):
    """exiftool moves a large XMP property into extended XMP chunks; imc
    gives the main packet (as exiftool -b -XMP) then the extended packet,
    whose MD5 is the GUID the main packet names."""
    path, text = tmp_path / "x.jpg", tmp_path / "d.txt"
    path.write_bytes(imc.encode(".jpg", image()))
    text.write_text("word " * 30000)
    run([tool("exiftool"), "-q", "-overwrite_original", f"-XMP-dc:Description<={text}", str(path)])
    blobs = imc.metadata(path.read_bytes())
    assert [k for k, _ in blobs] == ["xmp", "xmp"]
    main, extended = blobs[0][1], blobs[1][1]
    assert main == exiftool_blob(path, "XMP")
    guid = run([tool("exiftool"), "-s3", "-HasExtendedXMP", str(path)]).stdout.split()[0]
    assert hashlib.md5(extended).hexdigest().upper().encode() == guid
    assert extended.count(b"word ") == 30000
    assert imc.decode(path.read_bytes(), metadata=True)[1]["xmp"] == main


# ---- what imc writes ------------------------------------------------------------
ALL = {"exif": exif_blob(), "xmp": XMP, "icc": srgb_icc()}


@pytest.mark.parametrize("ext,blobs", [
    (".jpg", ALL), (".png", {**ALL, "cicp": bytes([9, 16, 0, 1])}),
    (".tif", {"xmp": XMP, "icc": srgb_icc()}), (".jpg", {"icc": large_icc(200_000)})])
def test_written_blobs_read_back_by_exiftool_pillow_and_imc(ext, blobs, tmp_path):
    img = image()
    data = imc.encode(ext, img, metadata=blobs)
    path = tmp_path / f"w{ext}"
    path.write_bytes(data)
    assert {k: v for k, v in oracle(path).items()} == {k: v for k, v in blobs.items()
                                                        if k != "cicp"}
    assert first_of_each(imc.metadata(data)) == blobs
    pil = Image.open(io.BytesIO(data))
    if "icc" in blobs:
        assert pil.info["icc_profile"] == blobs["icc"]
    if "exif" in blobs:
        assert pil.getexif()[0x0112] == 6 and pil.getexif()[0x010F] == "imc test"
    # The pixels are what they are without metadata, and cv2 4.6 reads them.
    plain = imc.encode(ext, img)
    assert np.array_equal(imc.decode(data, -1, orientation="ignore"),
                          imc.decode(plain, -1, orientation="ignore"))
    assert np.array_equal(cv2.imdecode(np.frombuffer(data, np.uint8), -1),
                          cv2.imdecode(np.frombuffer(plain, np.uint8), -1))


def test_png_cicp_and_compressed_xmp_are_read():
    """A cICP chunk, and XMP in a compressed iTXt (allowed, if rare): built
    by hand with zlib, the oracle."""
    ihdr = struct.pack(">IIBBBBB", 2, 1, 8, 0, 0, 0, 0)
    itxt = b"XML:com.adobe.xmp\0\1\0\0\0" + zlib.compress(XMP)
    data = V.png_build([(b"IHDR", ihdr), (b"cICP", bytes([9, 16, 0, 1])), (b"iTXt", itxt),
                        (b"IDAT", zlib.compress(b"\0\x10\x20")), (b"IEND", b"")])
    assert imc.metadata(data) == [("cicp", bytes([9, 16, 0, 1])), ("xmp", XMP)]
    assert imc.decode(data, 0).tolist() == [[0x10, 0x20]]


def test_exif_given_with_its_jpeg_prefix_is_stored_without_it():
    data = imc.encode(".png", image(), metadata={"exif": b"Exif\0\0" + exif_blob()})
    assert imc.metadata(data) == [("exif", exif_blob())]


@pytest.mark.parametrize("ext,blobs,code,words", [
    (".jpg", {"icc": b"\0" * 200}, "ERR_ARG", "ICC profile is malformed"),
    (".png", {"icc": srgb_icc()[:-1]}, "ERR_ARG", "ICC profile is malformed"),
    (".jpg", {"exif": b"not a tiff header"}, "ERR_ARG", "TIFF header"),
    (".tif", {"xmp": b"plain text"}, "ERR_ARG", "not XML"),
    (".png", {"cicp": b"\1\2\3"}, "ERR_ARG", "4 bytes"),
    (".png", {"cicp": b"\1\2\3\2"}, "ERR_ARG", "4 bytes"),
    (".jpg", {"exif": b""}, "ERR_ARG", "empty"),
    (".jpg", [("xmp", XMP), ("xmp", XMP)], "ERR_ARG", "more than one xmp"),
    (".jpg", {"cicp": bytes([1, 13, 0, 1])}, "ERR_UNSUPPORTED", "jpeg cannot hold cicp"),
    (".jpg", {"xmp": b"<" + b"x" * 65504}, "ERR_LIMITS", "extended XMP"),
    (".jpg", {"exif": b"MM\0*" + bytes(65528)}, "ERR_LIMITS", "APP1"),
])
def test_malformed_or_unstorable_blobs_are_refused(ext, blobs, code, words):
    with pytest.raises(imc.error) as e:
        imc.encode(ext, image(), metadata=blobs)
    assert e.value.code == getattr(imc, code) and words in str(e.value)


def test_unknown_kinds_and_formats_without_metadata():
    with pytest.raises(ValueError):
        imc.encode(".png", image(), metadata={"gps": b"x"})
    with pytest.raises(imc.error) as e:
        imc.encode(".bmp", image(), metadata={"icc": srgb_icc()})
    assert e.value.code == imc.ERR_UNSUPPORTED and "bmp cannot hold icc" in str(e.value)
    assert imc.metadata_kinds_written(".bmp") == []
    assert imc.metadata_kinds_written(".jpg") == ["exif", "xmp", "icc"]
    assert imc.metadata_kinds_written(".png") == list(KINDS)
    assert imc.metadata(imc.encode(".bmp", image())) == []


# ---- damaged metadata is reported, not trusted -----------------------------------
def icc_segments(profile, count, numbers):
    """APP2 ICC segments carrying `profile` split in `count` parts, with
    the sequence numbers given."""
    parts = np.array_split(np.frombuffer(profile, np.uint8), count)
    return [b"ICC_PROFILE\0" + bytes([n, count]) + p.tobytes() for n, p in zip(numbers, parts)]


def jpeg_with_segments(payloads):
    """imc's JPEG of image() with APP2 segments inserted after SOI."""
    data = imc.encode(".jpg", image())
    segs = b"".join(b"\xff\xe2" + struct.pack(">H", len(p) + 2) + p for p in payloads)
    return data[:2] + segs + data[2:]


@pytest.mark.parametrize("numbers,count", [([1, 3], 2), ([1, 1], 2), ([2], 2), ([0, 1], 2)])
def test_misnumbered_icc_segments_are_refused(numbers, count):
    data = jpeg_with_segments(icc_segments(srgb_icc(), count, numbers))
    with pytest.warns(UserWarning, match="metadata blob.*left out: jpeg: .*ICC"):
        assert imc.metadata(data) == []
    assert imc.decode(data).shape == (48, 64, 3)  # the pixels are not the metadata's


def test_blobs_an_encoder_would_refuse_are_not_read():
    """What only looks like EXIF or a profile is left out on reading too, so
    that a blob read always goes back into an encoder."""
    data = imc.encode(".jpg", image())
    bogus = b"\xff\xe1" + struct.pack(">H", 2 + 6 + 10) + b"Exif\0\0" + b"not a tiff"
    with pytest.warns(UserWarning, match="jpeg: the EXIF blob does not start with a TIFF header"):
        assert imc.metadata(data[:2] + bogus + data[2:]) == []
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    png = V.png_build([(b"IHDR", ihdr), (b"iCCP", b"p\0\0" + zlib.compress(b"x" * 300)),
                       (b"IDAT", zlib.compress(b"\0\0")), (b"IEND", b"")])
    with pytest.warns(UserWarning, match="png: the ICC profile is malformed"):
        assert imc.metadata(png) == []


def test_reordered_icc_segments_are_reassembled_by_number():
    data = jpeg_with_segments(icc_segments(srgb_icc(), 3, [1, 2, 3])[::-1])
    assert imc.metadata(data) == [("icc", srgb_icc())]


def test_png_iccp_that_does_not_inflate_or_inflates_too_far():
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = (b"IDAT", zlib.compress(b"\0\0"))
    bad = V.png_build([(b"IHDR", ihdr), (b"iCCP", b"p\0\0" + b"\x78\x9c garbage"), idat,
                       (b"IEND", b"")])
    with pytest.warns(UserWarning, match="does not inflate"):
        assert imc.metadata(bad) == []
    bomb = V.png_build([(b"IHDR", ihdr), (b"iCCP", b"p\0\0" + zlib.compress(bytes(80 << 20), 9)),
                        idat, (b"IEND", b"")])
    with pytest.warns(UserWarning, match="past 64 MiB"):
        assert imc.metadata(bomb) == []


def test_cut_files_give_only_whole_blobs():
    data = imc.encode(".jpg", image(), metadata=ALL)
    for n in range(3, len(data), 97):  # from the 3 bytes that say JPEG
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            blobs = imc.metadata(data[:n])
        assert all(blob == ALL[kind] for kind, blob in blobs), n


# ---- cv2 4.12's functions ---------------------------------------------------------
def test_cv2_with_metadata_round_trip(tmp_path):
    img = image()
    types = [imc.IMAGE_METADATA_EXIF, imc.IMAGE_METADATA_ICCP, imc.IMAGE_METADATA_CICP]
    blobs = [np.frombuffer(exif_blob(), np.uint8), np.frombuffer(srgb_icc(), np.uint8),
             np.array([1, 13, 0, 1], np.uint8)]
    with pytest.warns(UserWarning, match="type 3 is not supported when encoding '.jpg'"):
        ok, buf = imc.imencodeWithMetadata(".jpg", img, types, blobs, [imc.IMWRITE_JPEG_QUALITY, 90])
    assert ok and buf.dtype == np.uint8 and buf.ndim == 1
    got, got_types, got_blobs = imc.imdecodeWithMetadata(buf, flags=imc.IMREAD_UNCHANGED)
    assert np.array_equal(got, imc.imdecode(imc.imencode(".jpg", img, [1, 90])[1], -1))
    assert got_types.dtype == np.int32 and got_types.tolist() == [[0], [2]]
    assert [b.shape for b in got_blobs] == [(1, len(exif_blob())), (1, len(srgb_icc()))]
    assert got_blobs[0].tobytes() == exif_blob() and got_blobs[1].tobytes() == srgb_icc()
    path = tmp_path / "c.png"
    assert imc.imwriteWithMetadata(str(path), img, [1, 3], [XMP, bytes([1, 13, 0, 1])])
    img2, t2, b2 = imc.imreadWithMetadata(str(path))  # IMREAD_ANYCOLOR by default
    assert np.array_equal(img2, img) and t2.tolist() == [[1], [3]]
    assert b2[0].tobytes() == XMP and b2[1].tobytes() == bytes([1, 13, 0, 1])
    assert imc.imdecodeWithMetadata(b"not an image") == (None, (), ())
    assert imc.imreadWithMetadata(str(tmp_path / "missing.png")) == (None, (), ())
    _, none_types, none_blobs = imc.imdecodeWithMetadata(imc.encode(".png", img))
    assert none_types == () and none_blobs == ()


def test_decode_metadata_with_report():
    data = imc.encode(".png", image(), metadata={"icc": srgb_icc()})
    img, report, meta = imc.decode(data, report=True, metadata=True)
    assert img.shape == (48, 64, 3) and report["ok"] and meta == {"icc": srgb_icc()}
    assert imc.decode(data, metadata=True)[1] == {"icc": srgb_icc()}
    assert imc.decode(imc.encode(".png", image()), metadata=True)[1] == {}


def test_exif_set_orientation_both_byte_orders():
    for order in ("II", "MM"):
        e = Image.Exif()
        e[0x0112] = 8
        e.endian = "<" if order == "II" else ">"
        blob = e.tobytes()[6:]
        assert blob[:2] == order.encode()
        turned = imc.exif_set_orientation(blob, 1)
        assert len(turned) == len(blob)
        parsed = Image.Exif()
        parsed.load(b"Exif\0\0" + turned)
        assert parsed[0x0112] == 1 and parsed[0x010F if 0x010F in parsed else 0x0112]
        out = Image.open(io.BytesIO(imc.encode(".png", image(), metadata={"exif": turned})))
        assert out.getexif()[0x0112] == 1
    no_orientation = Image.Exif()
    no_orientation[0x010F] = "x"
    blob = no_orientation.tobytes()[6:]
    assert imc.exif_set_orientation(blob, 1) == blob
    with pytest.raises(ValueError):
        imc.exif_set_orientation(b"Exif\0\0", 1)


# ---- transcoding carries metadata -----------------------------------------------
@pytest.fixture
def tagged_jpg(tmp_path):
    """A JPEG with EXIF orientation 6, an ICC profile and XMP."""
    path = tmp_path / "in.jpg"
    path.write_bytes(imc.encode(".jpg", image(), metadata=ALL))
    return path


@pytest.mark.parametrize("ext", [".png", ".tif", ".jpg", ".webp", ".avif", ".jxl"])
def test_convert_carries_metadata_and_resets_orientation(tagged_jpg, tmp_path, ext):
    out = tmp_path / f"out{ext}"
    r = run_cli("convert", tagged_jpg, out)
    assert r.returncode == 0, r.stderr
    got = first_of_each(imc.metadata(out.read_bytes()))
    held = imc.metadata_kinds_written(ext)
    if ext == ".avif":  # libavif always describes the colours (an nclx box): cICP read back
        assert got.pop("cicp")
    assert set(got) == set(ALL) & set(held)
    assert got["icc"] == srgb_icc() and got["xmp"] == XMP
    if "exif" in held:
        assert got["exif"] == imc.exif_set_orientation(exif_blob(), 1)
        assert run([tool("exiftool"), "-s3", "-n", "-Orientation", str(out)]).stdout.strip() == b"1"
    # the turn is in the pixels: 48 x 64 became 64 x 48
    assert imc.decode(out.read_bytes(), -1).shape[:2] == (64, 48)


def test_convert_keeps_orientation_when_pixels_are_not_turned(tagged_jpg, tmp_path):
    out = tmp_path / "kept.png"
    assert run_cli("convert", "--orientation", "ignore", tagged_jpg, out).returncode == 0
    assert first_of_each(imc.metadata(out.read_bytes()))["exif"] == exif_blob()
    assert imc.decode(out.read_bytes(), -1, orientation="ignore").shape[:2] == (48, 64)


@pytest.mark.parametrize("args,left", [
    (["--strip"], set()), (["--strip", "exif,xmp"], {"icc"}), (["--strip=icc"], {"exif", "xmp"}),
    (["--strip", "all"], set())])
def test_convert_strip(tagged_jpg, tmp_path, args, left):
    out = tmp_path / "s.png"
    r = run_cli("convert", *args, tagged_jpg, out)
    assert r.returncode == 0, r.stderr
    assert {k for k, _ in imc.metadata(out.read_bytes())} == left
    assert run_cli("convert", "--strip=gps", tagged_jpg, out).returncode != 0


def test_convert_batch_carries_metadata(tagged_jpg, tmp_path):
    out = tmp_path / "o"
    r = run_cli("convert", "--out", out, "--to", ".png", tagged_jpg)
    assert r.returncode == 0, r.stderr
    assert first_of_each(imc.metadata((out / "in.png").read_bytes()))["icc"] == srgb_icc()


def test_info_lists_kinds_and_sizes(tagged_jpg):
    r = run_cli("info", "--json", tagged_jpg)
    assert json.loads(r.stdout)["metadata"] == [
        {"kind": "exif", "bytes": len(exif_blob())}, {"kind": "xmp", "bytes": len(XMP)},
        {"kind": "icc", "bytes": len(srgb_icc())}]
    row = run_cli("info", tagged_jpg).stdout.splitlines()[1].split()
    assert row[7] == f"exif:{len(exif_blob())},xmp:{len(XMP)},icc:{len(srgb_icc())}"


def test_dask_transcode_carries_metadata(tagged_jpg):
    from imc import dask as imc_dask

    r = imc_dask.transcode_one(tagged_jpg.read_bytes(), ".png")
    assert r.error is None
    got = first_of_each(imc.metadata(r.data))
    assert got["icc"] == srgb_icc() and got["exif"] == imc.exif_set_orientation(exif_blob(), 1)
    r = imc_dask.transcode_one(tagged_jpg.read_bytes(), ".png", strip=("icc",))
    assert {k for k, _ in imc.metadata(r.data)} == {"exif", "xmp"}
    r = imc_dask.transcode_one(tagged_jpg.read_bytes(), ".png", orientation="ignore")
    assert first_of_each(imc.metadata(r.data))["exif"] == exif_blob()
    assert imc.metadata(imc_dask.transcode_one(tagged_jpg.read_bytes(), ".png",
                                               strip="all").data) == []


def test_pages_and_animations_take_metadata():
    pages = imc.encode_all(".tif", [image(), image(20, 30)], metadata={"icc": srgb_icc()})
    assert imc.metadata(pages) == [("icc", srgb_icc())] and imc.count(pages) == 2
    anim = imc.Animation()
    anim.frames, anim.durations = [image(), image()[::-1].copy()], [100, 200]
    webp = imc.encode_animation(".webp", anim, metadata={"xmp": XMP, "icc": srgb_icc()})
    assert first_of_each(imc.metadata(webp)) == {"xmp": XMP, "icc": srgb_icc()}
    with pytest.raises(imc.error) as e:
        imc.encode_animation(".gif", anim, metadata={"icc": srgb_icc()})
    assert e.value.code == imc.ERR_UNSUPPORTED
