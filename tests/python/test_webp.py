"""WebP: decoding equals cv2.imdecode for every flag on files from cv2,
Pillow and libwebp's tools; encoded bytes equal cv2.imencode's; animated
files decode to the frames libwebp composites (as newer cv2 and Pillow do)
and several images encode to an animation."""
import io
import random

import numpy as np
import pytest
from PIL import Image, ImageSequence

import variants as V
import variants_webp as W
from helpers import SWEEP_FLAGS, assert_same_decode, cv2, imc, requires_codec
from test_damage import corruptions, offsets

pytestmark = requires_codec("webp")

QUALITY = cv2.IMWRITE_WEBP_QUALITY


def pillow_frames(data):
    """Pillow's composited frames, as BGR(A)."""
    frames = []
    for f in ImageSequence.Iterator(Image.open(io.BytesIO(data))):
        rgba = np.array(f.convert("RGBA"))
        frames.append(rgba[:, :, [2, 1, 0, 3]])
    return frames


@pytest.mark.parametrize("name", sorted(W.animated_variants()))
def test_animation_frames_equal_pillow(name):
    data = W.animated_variants()[name]
    want = pillow_frames(data)
    assert imc.count(data) == len(want)
    for flags in (cv2.IMREAD_UNCHANGED, cv2.IMREAD_COLOR, cv2.IMREAD_GRAYSCALE, cv2.IMREAD_ANYCOLOR):
        ok, got = imc.imdecodemulti(data, flags)
        assert ok and len(got) == len(want)
        for i, (g, w) in enumerate(zip(got, want)):
            if g.ndim == 2:
                w = cv2.cvtColor(w, cv2.COLOR_BGRA2GRAY)   # cv2's own gray formula
            elif g.shape[2] == 3:
                w = w[:, :, :3]
            assert g.shape == w.shape and np.array_equal(g, w), (name, flags, i)


def test_animation_imdecode_gives_first_frame():
    """cv2 4.6 returns None for animations; imc returns frame 0, as newer cv2."""
    for name, data in W.animated_variants().items():
        first = imc.decode_all(data, cv2.IMREAD_COLOR)[0]
        assert np.array_equal(imc.imdecode(data, cv2.IMREAD_COLOR), first), name
        reduced = imc.imdecode(data, cv2.IMREAD_REDUCED_COLOR_2)
        assert np.array_equal(reduced, cv2.resize(first, (first.shape[1] // 2, first.shape[0] // 2),
                                                  interpolation=cv2.INTER_LINEAR_EXACT))


def test_animation_ranges_and_files(tmp_path):
    data = W.animated_variants()["gif2webp"]
    every = imc.decode_all(data, cv2.IMREAD_UNCHANGED)
    assert len(every) == 5
    for start, count in ((0, 1), (1, 2), (3, 0), (4, 1), (2, 10)):
        part = imc.decode_all(data, cv2.IMREAD_UNCHANGED, start, count)
        want = every[start:start + count] if count else every[start:]
        assert len(part) == len(want) and all(np.array_equal(a, b) for a, b in zip(part, want))
    with pytest.raises(imc.error) as e:
        imc.decode_all(data, -1, start=5)
    assert e.value.code == imc.ERR_NO_PAGE
    p = tmp_path / "anim.webp"
    p.write_bytes(data)
    assert imc.imcount(str(p)) == 5
    ok, frames = imc.imreadmulti(str(p), 1, 3, flags=cv2.IMREAD_UNCHANGED)
    assert ok and all(np.array_equal(a, b) for a, b in zip(frames, every[1:4]))
    rgb = imc.decode_all(data, cv2.IMREAD_UNCHANGED, rgb=True)
    assert np.array_equal(rgb[2][:, :, [2, 1, 0, 3]], every[2])


def test_still_image_counts_one():
    data = W.still_variants()["cv2_lossless_bgra"]
    assert imc.count(data) == 1
    ok, pages = imc.imdecodemulti(data, cv2.IMREAD_UNCHANGED)
    assert ok and len(pages) == 1 and np.array_equal(pages[0], cv2.imdecode(np.frombuffer(data, np.uint8), -1))


# ---- Encoding ----------------------------------------------------------------
def same_visible(got, want):
    """Equal where alpha > 0: lossless WebP drops the colour of transparent
    pixels (unless asked for -exact), as cv2's files do too."""
    if want.ndim == 3 and want.shape[2] == 4:
        seen = want[:, :, 3] > 0
        return np.array_equal(got[:, :, 3], want[:, :, 3]) and np.array_equal(got[seen], want[seen])
    return np.array_equal(got, want)


def images():
    img = V.photo()
    return {"bgr": img, "bgra": V.photo_alpha(), "gray": cv2.cvtColor(img, cv2.COLOR_BGR2GRAY),
            "u16": img.astype(np.uint16) * 300, "f32": img.astype(np.float32) * 1.3 - 20,
            "tiny": V.photo(1, 1), "odd": V.photo_alpha(13, 7)}


PARAMS = [[], [QUALITY, 80], [QUALITY, 1], [QUALITY, 0], [QUALITY, -5], [QUALITY, 100],
          [QUALITY, 101], [QUALITY, 5000], [cv2.IMWRITE_JPEG_QUALITY, 50, QUALITY, 10],
          [QUALITY, 60, cv2.IMWRITE_JPEG_QUALITY, 50]]


@pytest.mark.parametrize("layout", sorted(images()))
def test_encode_bytes_equal_cv2(layout):
    img = images()[layout]
    for params in PARAMS:
        ok, got = imc.imencode(".webp", img, params)
        assert ok and got.tobytes() == cv2.imencode(".webp", img, params)[1].tobytes(), params


def test_quality_only_counts_first():
    """cv2 reads IMWRITE_WEBP_QUALITY only as the first param: elsewhere the
    file is lossless, which cv2 reads back unchanged."""
    img = V.photo_alpha()
    data = imc.encode(".webp", img, [cv2.IMWRITE_PNG_COMPRESSION, 3, QUALITY, 10])
    assert same_visible(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED), img)


def test_round_trips_through_cv2():
    for name, img in images().items():
        if img.dtype != np.uint8:
            continue
        lossless = imc.encode(".webp", img)
        back = cv2.imdecode(np.frombuffer(lossless, np.uint8), cv2.IMREAD_UNCHANGED)
        want = img if img.ndim == 3 else cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        assert same_visible(back, want), name
        lossy = imc.encode(".webp", img, [QUALITY, 90])
        back = cv2.imdecode(np.frombuffer(lossy, np.uint8), cv2.IMREAD_UNCHANGED)
        if min(img.shape[:2]) >= 8:
            assert cv2.PSNR(back[:, :, :3], want[:, :, :3]) > 30, name


def test_rgb_order():
    img = V.photo_alpha()
    for params in ([], [QUALITY, 70]):
        assert imc.encode(".webp", img[:, :, [2, 1, 0, 3]], params, rgb=True) == \
            imc.encode(".webp", img, params)
        assert imc.encode(".webp", img[:, :, 2::-1].copy(), params, rgb=True) == \
            imc.encode(".webp", img[:, :, :3].copy(), params)
    data = W.still_variants()["cwebp_alpha_q50"]
    for flags in (-1, 1):
        bgr, rgb = imc.imdecode(data, flags), imc.decode(data, flags, rgb=True)
        assert np.array_equal(bgr[:, :, [2, 1, 0]], rgb[:, :, :3])
        assert np.array_equal(bgr[:, :, 3:], rgb[:, :, 3:])


def test_encode_errors():
    with pytest.raises(cv2.error):
        cv2.imencode(".webp", V.photo(16384, 20))      # beyond WebP's 16383 pixels
    with pytest.raises(imc.error):
        imc.imencode(".webp", V.photo(16384, 20))


# ---- Animated encoding (newer cv2's imencodemulti / imwritemulti) ------------
def test_encode_animation_lossless():
    frames = W.frames(alpha=True) + [W.frames()[0]]
    data = imc.encode_all(".webp", frames, [QUALITY, 100])
    got = pillow_frames(data)
    assert len(got) == len(frames)
    for f, g in zip(frames, got):
        want = f if f.shape[2] == 4 else np.dstack([f, np.full(f.shape[:2], 255, np.uint8)])
        assert same_visible(g, want)
    assert imc.count(data) == len(frames)
    assert all(np.array_equal(a, b) for a, b in zip(imc.decode_all(data, -1), got))
    info = Image.open(io.BytesIO(data))
    assert info.info.get("loop") == 0
    durations = []
    for f in ImageSequence.Iterator(info):
        f.load()
        durations.append(f.info["duration"])
    assert durations == [1000] * len(frames)


def test_encode_animation_lossy_default_and_gray():
    frames = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in W.frames()]
    data = imc.encode_all(".webp", frames)                 # libwebp's default: lossy, 75
    got = imc.decode_all(data, cv2.IMREAD_GRAYSCALE)
    assert len(got) == len(frames)
    for f, g in zip(frames, got):
        assert cv2.PSNR(f, g) > 28
    rgb = imc.encode_all(".webp", [f[:, :, ::-1].copy() for f in W.frames()], [QUALITY, 100], rgb=True)
    assert all(np.array_equal(a, b) for a, b in zip(imc.decode_all(rgb, 1), W.frames()))


def test_encode_animation_errors(tmp_path):
    frames = W.frames()
    with pytest.raises(imc.error):
        imc.encode_all(".webp", [frames[0], V.photo(50, 50)])
    assert imc.imwritemulti(str(tmp_path / "a.webp"), frames) is True
    assert imc.imcount(str(tmp_path / "a.webp")) == len(frames)
    ok, buf = imc.imencodemulti(".webp", frames[:1])      # one image: a still file
    assert ok and buf.tobytes() == cv2.imencode(".webp", frames[0])[1].tobytes()


def test_animation_api_durations_and_loops():
    """imc.encode_animation / decode_animation (newer cv2's imencodeanimation):
    per-frame durations and the loop count reach the file, as Pillow reads it,
    and come back."""
    anim = imc.Animation(loopCount=3)
    anim.frames = W.frames(alpha=True)
    anim.durations = [40, 250, 1000][:len(anim.frames)] + [70] * max(0, len(anim.frames) - 3)
    data = imc.encode_animation(".webp", anim, [QUALITY, 100])
    info = Image.open(io.BytesIO(data))
    assert info.info.get("loop") == 3
    seen = []
    for f in ImageSequence.Iterator(info):
        f.load()
        seen.append(f.info["duration"])
    assert seen == anim.durations
    back = imc.decode_animation(data)
    assert back.durations == anim.durations and back.loop_count == 3
    assert all(np.array_equal(a, b) for a, b in zip(back.frames, imc.decode_all(data, -1)))
    ok, anim2 = imc.imdecodeanimation(data)
    assert ok and anim2.durations == anim.durations


def test_huge_animation_canvas_checked_before_allocating():
    """The canvas of an animation is checked against the limits before
    libwebp allocates it (the fuzzer found a 4 GB calloc there)."""
    data = bytearray(next(iter(W.animated_variants().values())))
    assert data[12:16] == b"VP8X"
    data[24:30] = (16383).to_bytes(3, "little") * 2          # a 16384 x 16384 canvas
    data = bytes(data)
    assert imc.count(data) >= 1 and imc.probe(data).width == 16384
    with pytest.raises(imc.error) as e:
        imc.decode(data, -1, max_pixels=1 << 20)
    assert e.value.code == imc.ERR_LIMITS


# ---- Damage ------------------------------------------------------------------
DAMAGE = ["cv2_lossless_bgra", "cv2_q50", "cwebp_alpha_q50", "pil_exif_orient6", "tiny_1x13_lossless"]


@pytest.mark.parametrize("name", DAMAGE)
def test_truncation_sweep(name):
    data = W.still_variants()[name]
    for off in offsets(len(data)):
        for flags in SWEEP_FLAGS:
            assert_same_decode(data[:off], flags, f"{name}[:{off}]")


@pytest.mark.parametrize("name", DAMAGE)
def test_corruption_sweep(name):
    data = W.still_variants()[name]
    for trial, buf in enumerate(corruptions(data, 150, name, head=200, aim=0.5)):
        for flags in (1, -1, 0):
            assert_same_decode(bytes(buf), flags, f"{name} trial {trial}")


@pytest.mark.parametrize("name", ["img2webp_mixed", "gif2webp", "pil_anim_lossy"])
def test_damaged_animations_fail_cleanly(name):
    data = W.animated_variants()[name]
    rng = random.Random(name)
    cases = [data[:off] for off in offsets(len(data))[::3]]
    for _ in range(150):
        buf = bytearray(data)
        pos = rng.randrange(len(buf))
        buf[pos] = rng.randrange(256)
        cases.append(bytes(buf))
    for buf in cases:
        for call in (lambda: imc.decode_all(buf, -1), lambda: imc.count(buf),
                     lambda: imc.decode(buf, 1)):
            try:
                call()
            except imc.error:
                pass
