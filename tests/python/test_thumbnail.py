"""imc.thumbnail: the documented geometry (fit, fill and crop, one side,
never enlarging unless asked), the EXIF orientation, alpha and depth kept,
every format; quality against an independent high-quality reference
(Pillow's LANCZOS on the fully decoded image) above stated floors; no
aliasing on a zone plate; the encoded, batch, Dask and CLI forms; damage
handled as in imc.decode."""
import io
import warnings

import numpy as np
import pytest

import variants as V
from helpers import imc, run_cli, sample_files

PIL = pytest.importorskip("PIL.Image")


def photo(tiles=3):
    """A detailed real photo, tiled (opencv-doc's leuvenA: 3 x 3 is 2253 x 1689)."""
    src = next(p for p in sample_files(".jpg") if p.name == "leuvenA.jpg")
    img = imc.decode(src.read_bytes())
    return np.ascontiguousarray(np.tile(img, (tiles, tiles, 1)))


def reference(img, size):
    """Pillow's LANCZOS from the full image, in imc's channel order."""
    if img.ndim == 2:
        return np.asarray(PIL.fromarray(img).resize(size, PIL.LANCZOS))
    rgb = np.ascontiguousarray(img[:, :, 2::-1] if img.shape[2] == 3 else img[:, :, [2, 1, 0, 3]])
    out = np.asarray(PIL.fromarray(rgb).resize(size, PIL.LANCZOS))
    return out[:, :, 2::-1] if img.shape[2] == 3 else out[:, :, [2, 1, 0, 3]]


def psnr(a, b):
    err = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 99.0 if err == 0 else 10 * np.log10(255.0 ** 2 / err)


@pytest.fixture(scope="module")
def big():
    img = photo()
    return img, imc.encode(".jpg", img, [imc.IMWRITE_JPEG_QUALITY, 92])


# (box, crop) -> the size the 2253 x 1689 photo gets
GEOMETRY = [
    ((300, 300, False), (300, 225)), ((300, 150, False), (200, 150)), ((300, None, False), (300, 225)),
    ((None, 120, False), (160, 120)), ((300, 300, True), (300, 300)), ((100, 400, True), (100, 400)),
    ((5000, 5000, False), (2253, 1689)), ((5000, 100, True), (2253, 100)),
]


@pytest.mark.parametrize("box,size", GEOMETRY)
def test_geometry(big, box, size):
    img, jpg = big
    w, h, crop = box
    t = imc.thumbnail(jpg, w, h, crop=crop)
    assert (t.shape[1], t.shape[0]) == size and t.dtype == np.uint8 and t.shape[2] == 3


def test_crop_keeps_the_middle(big):
    img, _ = big
    png = imc.encode(".png", img)
    t = imc.thumbnail(png, 300, 300, crop=True)        # 1689 x 1689 of the middle
    ref = reference(img[:, 282:282 + 1689], (300, 300))
    assert psnr(t, ref) > 36      # a box average by 2 first, as Pillow's reducing_gap


def test_upscale_only_when_asked():
    small = V.photo(60, 40)
    data = imc.encode(".png", small)
    assert imc.thumbnail(data, 200, 200).shape == (40, 60, 3)
    assert np.array_equal(imc.thumbnail(data, 200, 200), small)   # nothing to do: the image
    up = imc.thumbnail(data, 120, 120, upscale=True)
    assert up.shape == (80, 120, 3) and psnr(up, reference(small, (120, 80))) > 35


@pytest.mark.parametrize("box", [64, 150, 300, 700, 1000])
def test_quality_against_pillow_lanczos(big, box):
    img, jpg = big
    full = imc.imdecode(jpg, imc.IMREAD_COLOR)
    t = imc.thumbnail(jpg, box, box)
    ref = reference(full, (t.shape[1], t.shape[0]))
    # Pillow's own thumbnail (draft + LANCZOS) on the same file, for scale
    im = PIL.open(io.BytesIO(jpg))
    im.draft("RGB", (box * 2, box * 2))
    im.thumbnail((box, box), PIL.LANCZOS)
    pillow = np.asarray(im.convert("RGB"))[:, :, ::-1]
    ours, theirs = psnr(t, ref), psnr(pillow, ref) if pillow.shape == t.shape else None
    assert ours > 33, (box, ours, theirs)      # the floor: JPEG DCT shrink-on-load costs a few dB
    if theirs is not None:        # where Pillow did no draft it is the reference itself
        assert ours > min(theirs, 60) - 1.0, (box, ours, theirs)


def test_every_format(big):
    img, _ = big
    small = np.ascontiguousarray(img[:600, :900])
    for ext in (".jpg", ".png", ".webp", ".tiff", ".jp2", ".bmp", ".ppm", ".pam", ".sr", ".gif",
                ".avif", ".jxl"):
        data = imc.encode(ext, small)
        decoded = imc.imdecode(data, imc.IMREAD_COLOR)
        t = imc.thumbnail(data, 150, 150)
        assert t.shape == (100, 150, 3), ext
        floor = 28 if ext in (".jpg", ".webp", ".jp2") else 40  # shrink-on-load vs the full decode
        assert psnr(t, reference(decoded, (150, 100))) > floor, ext
    gray = imc.encode(".pgm", small[:, :, 1])
    t = imc.thumbnail(gray, 90, 90, flags=imc.IMREAD_UNCHANGED)
    assert t.shape == (60, 90) and psnr(t, reference(small[:, :, 1], (90, 60))) > 40
    for data in (imc.encode(".exr", small.astype(np.float32) / 255),
                 imc.encode(".hdr", small.astype(np.float32) / 255)):
        t = imc.thumbnail(data, 90, 90, flags=imc.IMREAD_UNCHANGED)
        assert t.dtype == np.float32 and t.shape == (60, 90, 3)


def test_alpha_and_depth_are_kept():
    rgba = V.photo_alpha(400, 300)
    data = imc.encode(".png", rgba)
    t = imc.thumbnail(data, 100, 100, flags=imc.IMREAD_UNCHANGED)
    assert t.shape == (75, 100, 4)
    assert psnr(t[:, :, 3], reference(rgba, (100, 75))[:, :, 3]) > 40
    assert imc.thumbnail(data, 100, 100).shape == (75, 100, 3)
    # premultiplied: a transparent pixel's colour does not bleed into its neighbours
    edge = np.zeros((64, 64, 4), np.uint8)
    edge[:, :32] = (0, 0, 255, 255)                     # opaque red | transparent green
    edge[:, 32:] = (0, 255, 0, 0)
    t = imc.thumbnail(imc.encode(".png", edge), 16, 16, flags=imc.IMREAD_UNCHANGED)
    assert t[:, :, 1].max() <= 2, "green of transparent pixels leaked into visible ones"
    deep = (V.photo(400, 300).astype(np.uint16) * 257)
    t = imc.thumbnail(imc.encode(".png", deep), 100, 100, flags=imc.IMREAD_UNCHANGED)
    assert t.dtype == np.uint16 and t.shape == (75, 100, 3)
    want = reference((deep >> 8).astype(np.uint8), (100, 75))
    assert psnr((t >> 8).astype(np.uint8), want) > 38


def test_exif_orientation_is_applied():
    for name, data in V.jpeg_exif_variants().items():
        if not name.startswith("pil_exif_"):
            continue
        oriented = imc.decode(data, imc.IMREAD_COLOR, orientation="apply")
        t = imc.thumbnail(data, 60, 60)
        h, w = oriented.shape[:2]
        s = min(60 / w, 60 / h, 1)
        assert t.shape[:2] == (round(h * s), round(w * s)), name
        assert psnr(t, reference(oriented, (t.shape[1], t.shape[0]))) > 30, name


def zone_plate(n=2048):
    """cos(pi r^2 / n): the local frequency r / n cycles a pixel, 0.5 at r = n / 2."""
    y, x = np.mgrid[:n, :n].astype(np.float64) - n / 2
    return (127.5 + 127.5 * np.cos(np.pi * (x * x + y * y) / n)).round().astype(np.uint8)


def test_no_aliasing_on_a_zone_plate():
    n, out = 2048, 256                       # 8x: the new Nyquist is at r = n / 16 of the source
    plate = zone_plate(n)
    t = imc.thumbnail(imc.encode(".png", plate), out, out, flags=imc.IMREAD_GRAYSCALE)
    y, x = np.mgrid[:out, :out] - out / 2 + 0.5
    r = np.hypot(x, y) * n / out             # in source pixels
    beyond = (r > 1.6 * n / 16) & (r < n / 2)   # what must be filtered out: above 1.6x Nyquist
    inside = r < 0.5 * n / 16                # what must stay: the slow rings
    assert t[beyond].std() < 4, f"aliasing: std {t[beyond].std():.1f} where only grey belongs"
    assert t[inside].std() > 60, "the rings below the new Nyquist were smoothed away"
    # the measure can fail: nearest-pixel sampling aliases badly there
    nearest = plate[::8, ::8]
    assert nearest[beyond].std() > 40


def test_encoded_and_batch_forms(big):
    img, jpg = big
    t = imc.thumbnail(jpg, 200, 200)
    png = imc.thumbnail(jpg, 200, 200, ext=".png")
    assert isinstance(png, bytes) and np.array_equal(imc.decode(png), t)
    q = imc.thumbnail(jpg, 200, 200, ext=".jpg", params=[imc.IMWRITE_JPEG_QUALITY, 50])
    assert q == imc.encode(".jpg", t, [imc.IMWRITE_JPEG_QUALITY, 50])
    rgb = imc.thumbnail(jpg, 200, 200, rgb=True)
    assert np.array_equal(rgb, t[:, :, ::-1])
    items = [jpg, b"not an image", imc.encode(".png", img[:300, :400])]
    got = imc.thumbnail_batch(items, 100, 100, threads=2)
    assert np.array_equal(got[0], imc.thumbnail(jpg, 100, 100))
    assert isinstance(got[1], imc.error) and got[1].code == imc.ERR_UNKNOWN_FORMAT
    assert np.array_equal(got[2], imc.thumbnail(items[2], 100, 100))
    encoded = imc.thumbnail_batch(items[:1], 100, 100, ext=".png")
    assert np.array_equal(imc.decode(encoded[0]), got[0])
    with pytest.raises(ValueError):
        imc.thumbnail(jpg)
    with pytest.raises(ValueError):
        imc.thumbnail(jpg, -5)
    with pytest.raises(imc.error):
        imc.thumbnail(jpg, 100, flags=imc.IMREAD_REDUCED_COLOR_2)


def test_damage_as_in_decode(big):
    _, jpg = big
    cut = jpg[:len(jpg) // 2]
    with pytest.raises(imc.error) as e:
        imc.thumbnail(cut, 100)
    assert e.value.damage["kind"] == "truncated"
    with pytest.warns(imc.DamageWarning):
        t = imc.thumbnail(cut, 100, partial=True)
    assert t.shape == (75, 100, 3)
    thumb, report = imc.thumbnail(cut, 100, partial=True, report=True)
    assert np.array_equal(thumb, t) and report["complete"] is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        imc.thumbnail(jpg, 100)


def test_dask_and_cli(big, tmp_path):
    import imc.dask
    img, jpg = big
    r = imc.dask.thumbnail_one(("photo", jpg), 120, ext=".png")
    assert r.error is None and r.damage is None
    assert np.array_equal(imc.decode(r.data), imc.thumbnail(jpg, 120))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "photo.jpg").write_bytes(jpg)
    (tmp_path / "in" / "cut.jpg").write_bytes(jpg[:len(jpg) // 2])
    out = run_cli("convert", "--out", str(tmp_path / "out"), "--to", ".png", "--size", "120x120",
                  "-j", "2", str(tmp_path / "in"))
    assert out.returncode == 1 and "cut.jpg: damaged" in out.stderr   # the batch rules hold
    got = imc.read(str(tmp_path / "out" / "photo.png"), imc.IMREAD_UNCHANGED)
    assert np.array_equal(got, imc.thumbnail(jpg, 120, 120, flags=imc.IMREAD_UNCHANGED))
    one = run_cli("convert", "--size", "64x64", "--crop", str(tmp_path / "in" / "photo.jpg"),
                  str(tmp_path / "c.png"))
    assert one.returncode == 0 and imc.read(str(tmp_path / "c.png")).shape == (64, 64, 3)
    bad = run_cli("convert", "--size", "64x", "--crop", str(tmp_path / "in" / "photo.jpg"),
                  str(tmp_path / "d.png"))
    assert bad.returncode != 0 and "--crop needs" in bad.stderr
