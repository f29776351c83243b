"""GIF: decoding with newest cv2's semantics, checked against reference
compositors, and encoding checked by Pillow and ImageMagick.

cv2 4.6 has no GIF decoder. The reference for compositing is ImageMagick's
`convert -coalesce`, cross-checked with Pillow's ImageSequence (both must
agree on every frame of the files they wrote). For the hand-built structures
(gifbuild: no global table, local tables, offsets, interlace, every disposal)
it is the GIF89a compositing rules applied to the indexes the test wrote,
with cv2's conventions: the canvas starts as the background color with alpha
0, disposal 2 restores that, a transparent index leaves the canvas alone.
Transparent pixels carry the background color, as in cv2."""
import subprocess

import numpy as np
import pytest

import variants_modern as M
from helpers import ALL_FLAGS, SWEEP_FLAGS, cv2, imc, imc_decode, requires_codec, tool
from test_damage import corruptions, offsets

pytestmark = requires_codec("gif")

TOOL_VARIANTS = [n for n in M.gif_variants() if not n.startswith("gb_")]
SPEC_VARIANTS = list(M.gif_specs())


# ---- references --------------------------------------------------------------
def header_background(data):
    """RGB of the background index when the global table holds it, else None."""
    flags, bg = data[10], data[11]
    if not flags & 0x80 or bg >= 2 << (flags & 7):
        return None
    return tuple(data[13 + 3 * bg:16 + 3 * bg])


def has_transparency(data):
    text = subprocess.run([tool("giftext")], input=data, capture_output=True).stdout
    return b"Transparency on: yes" in text


def tool_reference(data):
    """RGBA frames from ImageMagick, checked against Pillow; transparent
    pixels take the background color."""
    ims = M.magick_frames(data)
    pil, _, _ = M.pil_frames(data)
    assert len(ims) == len(pil)
    bg = header_background(data) or (0, 0, 0)
    for k, (a, b) in enumerate(zip(ims, pil)):
        assert np.array_equal(a[..., 3], b[..., 3]), f"ImageMagick and Pillow disagree on frame {k}"
        opaque = a[..., 3] == 255
        assert np.array_equal(a[opaque], b[opaque]), f"ImageMagick and Pillow disagree on frame {k}"
        a[~opaque] = bg + (0,)
    return ims


def lookup(index, local, global_):
    """cv2's color for an index: local table, global table, or with no table
    black and white for 0 and 1 and gray i for other indexes."""
    if local and index < len(local):
        return local[index]
    if global_ and index < len(global_):
        return global_[index]
    assert not local and not global_
    v = 255 if index == 1 else index
    return (v, v, v)


def spec_reference(spec):
    """RGBA frames of a gifbuild spec, composited by the GIF89a rules."""
    w, h, global_, bg, _ = spec["screen"]
    background = global_[bg] + (0,) if global_ and bg < len(global_) else None
    canvas = np.zeros((h, w, 4), np.uint8)
    if background:
        canvas[:] = background
    local, frames = None, []
    for im in spec["images"]:
        idx, left, top = im["idx"], im.get("left", 0), im.get("top", 0)
        disposal, _, transparent = im.get("gce") or (0, 0, None)
        local = im.get("colors") or (None if global_ else local)
        before = canvas.copy()
        ih, iw = min(idx.shape[0], h - top), min(idx.shape[1], w - left)
        for y in range(ih):
            for x in range(iw):
                if idx[y, x] != transparent:
                    canvas[top + y, left + x] = lookup(idx[y, x], local, global_) + (255,)
        frames.append(canvas.copy())
        if disposal == 2 and background:
            canvas[top:top + ih, left:left + iw] = background
        elif disposal == 3:
            canvas = before
    return frames


@pytest.fixture(scope="module")
def references():
    refs = {n: tool_reference(M.gif_variants()[n]) for n in TOOL_VARIANTS}
    refs.update({n: spec_reference(s) for n, s in M.gif_specs().items()})
    return refs


def native(rgba, transparency):
    """The frame as imc's IMREAD_UNCHANGED gives it: BGRA, or BGR."""
    bgra = rgba[..., [2, 1, 0, 3]]
    return np.ascontiguousarray(bgra if transparency else bgra[..., :3])


# ---- decoding ----------------------------------------------------------------------
@pytest.mark.parametrize("name", TOOL_VARIANTS + SPEC_VARIANTS)
def test_first_frame_for_every_flag(name, references):
    data = M.gif_variants()[name]
    first = native(references[name][0], has_transparency(data))
    for flags in ALL_FLAGS:
        M.assert_image(imc_decode(data, flags), M.expected_8u(first, flags), f"{name} flags={flags}")


@pytest.mark.parametrize("name", TOOL_VARIANTS + SPEC_VARIANTS)
def test_every_frame(name, references):
    data = M.gif_variants()[name]
    want = [native(f, has_transparency(data)) for f in references[name]]
    assert imc.count(data) == len(want)
    for flags in (cv2.IMREAD_UNCHANGED, cv2.IMREAD_ANYCOLOR, cv2.IMREAD_COLOR,
                  cv2.IMREAD_GRAYSCALE, cv2.IMREAD_REDUCED_COLOR_2):
        ok, got = imc.imdecodemulti(data, flags)
        assert ok and len(got) == len(want)
        for k, (g, w) in enumerate(zip(got, want)):
            # as in cv2, imdecodemulti ignores the REDUCED_* sizes
            M.assert_image(g, M.expected_8u(w, flags & ~0x70), f"{name} frame {k} flags={flags}")
    for start in range(1, len(want)):  # skipping frames still composites them
        M.assert_image(imc.decode_all(data, -1, start=start, count=1)[0], want[start],
                       f"{name} from {start}")


@pytest.mark.parametrize("name", [n for n in TOOL_VARIANTS if "anim" in n])
def test_durations_and_loop_count_like_pillow(name):
    data = M.gif_variants()[name]
    _, durations, loop = M.pil_frames(data)
    anim = imc.decode_animation(data)
    assert anim.durations == durations
    # newest cv2: the NETSCAPE count + 1 (plays), 0 forever, 1 without the block
    assert anim.loop_count == (1 if loop is None else 0 if loop == 0 else loop + 1)


def test_spec_durations_and_loop_count():
    anim = imc.decode_animation(M.gif_variants()["gb_anim_disposals"])
    assert anim.durations == [100, 200, 300, 400, 50]
    assert anim.loop_count == 3
    still = imc.decode_animation(M.gif_variants()["gb_interlaced"])
    assert still.durations == [1000] and still.loop_count == 1  # cv2's defaults


def test_background_color_and_types():
    data = M.gif_variants()["gb_anim_disposals"]
    info = imc.probe(data)
    assert (info.format, info.width, info.height, info.channels, info.dtype) == \
        ("gif", 31, 23, 4, "uint8")
    g16 = M.gif_specs()["gb_anim_disposals"]["screen"][2]
    assert imc.decode_animation(data).bgcolor == tuple(float(c) for c in g16[5][::-1]) + (0.0,)
    assert imc.probe(M.gif_variants()["pil_photo"]).channels == 3
    assert imc.imdecode(M.gif_variants()["pil_gray"], -1).shape == (157, 203, 3)


def test_rgb_order():
    data = M.gif_variants()["pil_anim_disposal3"]
    bgr = imc.decode_all(data, -1)
    rgb = imc.decode_all(data, -1, rgb=True)
    for a, b in zip(bgr, rgb):
        assert np.array_equal(a[..., [2, 1, 0, 3]], b)
    assert np.array_equal(imc.decode(data, 1, rgb=True), imc.decode(data, 1)[..., ::-1])


# ---- damaged data -----------------------------------------------------------------
DAMAGE = ["pil_photo", "pil_rgba", "im_photo_interlaced", "pil_anim_disposal2",
          "im_anim_optimized", "gb_anim_disposals", "gb_no_table", "pil_tiny_1x1"]


@pytest.mark.parametrize("name", DAMAGE)
def test_truncation(name):
    """A frame cut short fails (as in cv2, which refuses the whole file);
    frames complete before the cut still decode."""
    data = M.gif_variants()[name]
    frames = imc.decode_all(data, -1)
    for off in offsets(len(data)):
        cut = data[:off]
        for flags in SWEEP_FLAGS:
            got, want = imc_decode(cut, flags), M.expected_8u(frames[0], flags)
            assert got is None or isinstance(want, str) or got.shape[:2] == want.shape[:2]
        try:
            got = imc.decode_all(cut, -1)
        except imc.error as e:
            assert e.code in (imc.ERR_TRUNCATED, imc.ERR_CORRUPT, imc.ERR_UNKNOWN_FORMAT)
            continue
        assert len(got) <= len(frames)
        for k, g in enumerate(got):
            # the cut may drop the control blocks that make the type BGRA
            want = frames[k][..., :g.shape[2]]
            assert np.array_equal(g, want), f"{name}[:{off}] frame {k}"


@pytest.mark.parametrize("name", DAMAGE)
def test_corruption(name):
    data = M.gif_variants()[name]
    for trial, buf in enumerate(corruptions(data, 150, name, head=800, aim=0.6)):
        for flags in (-1, 1, 0):
            got = imc_decode(bytes(buf), flags)
            assert got is None or (got.dtype == np.uint8 and got.size > 0)
        try:
            imc.count(bytes(buf))
            imc.decode_all(bytes(buf), -1)
        except imc.error:
            pass


def test_bad_headers():
    good = M.gif_variants()["pil_few_colors"]
    assert imc_decode(good[:5], 1) is None                     # shorter than the version
    assert imc_decode(b"GIF88a" + good[6:], 1) is None         # cv2 wants 87a or 89a
    assert imc_decode(good[:6] + b"\0\0" + good[8:], 1) is None  # zero width
    assert imc_decode(good[:13 + 3 * 32] + b";", 1) is None    # no image at all
    with pytest.raises(imc.error) as e:
        imc.decode(good[:6] + b"\0\0" + good[8:])
    assert e.value.code == imc.ERR_CORRUPT


# ---- encoding ---------------------------------------------------------------------
def pil_read(data):
    return M.pil_frames(data)


def test_few_colors_are_lossless():
    for img in (M.few_colors(), M.few_colors(1, 1, 1), M.few_colors(200, 3, 256, seed=9)):
        data = imc.encode(".gif", img)
        frames, _, _ = pil_read(data)
        assert np.array_equal(frames[0][..., 2::-1], img)
        assert np.array_equal(imc.decode(data, -1), img)


def test_gray_and_rgb_input():
    gray = cv2.cvtColor(M.few_colors(), cv2.COLOR_BGR2GRAY)
    frames, _, _ = pil_read(imc.encode(".gif", gray))
    assert np.array_equal(frames[0][..., 0], gray) and np.array_equal(frames[0][..., 1], gray)
    img = M.few_colors()
    assert np.array_equal(imc.decode(imc.encode(".gif", img[..., ::-1].copy(), rgb=True)), img)


def test_photo_is_quantized_within_tolerance():
    img = M.photo()
    data = imc.encode(".gif", img)
    frames, _, _ = pil_read(data)
    back = np.ascontiguousarray(frames[0][..., 2::-1])
    assert imc.PSNR(back, img) > 25
    assert len(np.unique(back.reshape(-1, 3), axis=0)) <= 256
    small = imc.encode(".gif", img, [imc.IMWRITE_GIF_QUALITY, imc.IMWRITE_GIF_COLORTABLE_SIZE_8])
    colors = np.unique(imc.decode(small).reshape(-1, 3), axis=0)
    assert len(colors) <= 8 and imc.PSNR(imc.decode(small), img) > 15


def test_transparency_threshold():
    img = np.dstack([M.few_colors(), np.full((47, 61), 255, np.uint8)])
    img[:9, :13, 3] = 0
    img[10:20, 20:30, 3] = 100  # partial alpha: opaque unless the threshold is above it
    for threshold, transparent in ((1, img[..., 3] == 0), (101, img[..., 3] < 101), (0, None)):
        data = imc.encode(".gif", img, [imc.IMWRITE_GIF_TRANSPARENCY, threshold])
        frames, _, _ = pil_read(data)
        got = imc.decode(data, -1)
        if transparent is None:
            assert got.shape[2] == 3 and np.array_equal(got, img[..., :3])
            continue
        assert np.array_equal(frames[0][..., 3] == 0, transparent)
        assert np.array_equal(got[..., 3] == 0, transparent)
        assert np.array_equal(got[~transparent][:, :3], img[~transparent][:, :3])


def test_animation_round_trip_through_pillow_and_imagemagick(tmp_path):
    frames = M.moving_frames(5, alpha=True)
    anim = imc.Animation(3)
    anim.frames, anim.durations = frames, [20, 40, 60, 80, 1000]
    ok, buf = imc.imencodeanimation(".gif", anim)
    assert ok
    data = buf.tobytes()
    pil, durations, loop = pil_read(data)
    assert durations == [20, 40, 60, 80, 1000] and loop == 2
    ims = M.magick_frames(data)
    for k, f in enumerate(frames):
        t = f[..., 3] == 0
        for ref in (pil[k], ims[k]):
            assert np.array_equal(ref[..., 3] == 0, t)
            assert np.array_equal(ref[~t][:, :3], f[~t][:, 2::-1])
    back = imc.decode_animation(data)
    assert back.durations == [20, 40, 60, 80, 1000] and back.loop_count == 3
    path = tmp_path / "a.gif"
    assert imc.imwriteanimation(str(path), anim)
    assert path.read_bytes() == data and imc.imcount(str(path)) == 5


def test_multi_page_defaults_and_local_tables():
    frames = [M.few_colors(seed=s) for s in range(3)]
    data = imc.encode_all(".gif", frames)
    pil, durations, loop = pil_read(data)
    assert durations == [1000] * 3 and loop == 0  # cv2: 1 s each, forever
    assert all(np.array_equal(p[..., 2::-1], f) for p, f in zip(pil, frames))
    local = imc.encode_all(".gif", frames, [imc.IMWRITE_GIF_COLORTABLE, 1])
    text = subprocess.run([tool("giftext")], input=local, capture_output=True).stdout
    assert text.count(b"Image Has Color Map") == 3
    assert all(np.array_equal(a, b) for a, b in zip(imc.decode_all(local), frames))
    many = [M.photo(61, 47), M.photo(61, 47, "fruits.jpg")]
    for params in ([], [imc.IMWRITE_GIF_COLORTABLE, 1]):
        got = imc.decode_all(imc.encode_all(".gif", many, params))
        assert all(imc.PSNR(g, f) > 22 for g, f in zip(got, many))


def test_encoding_errors():
    with pytest.raises(imc.error) as e:
        imc.encode_all(".gif", [M.few_colors(), M.few_colors(60, 47)])
    assert e.value.code == imc.ERR_ARG
    with pytest.raises(imc.error):
        imc.encode(".gif", np.zeros((1, 70000, 3), np.uint8))
    anim = imc.Animation()
    anim.frames, anim.durations = [M.few_colors()], [-5]
    with pytest.raises(imc.error):
        imc.imencodeanimation(".gif", anim)
    anim.durations = [700000]
    with pytest.raises(imc.error):
        imc.imencodeanimation(".gif", anim)


def test_reader_and_writer_are_reported():
    assert imc.have_image_reader(".gif") and imc.have_image_writer("x.gif")
    assert imc.have_image_reader(M.gif_variants()["pil_photo"])
    assert imc.haveImageWriter(".GIF")
    assert any(f["name"] == "gif" and f["animation"] for f in imc.formats())
