"""The animation API of newest cv2 (Animation, imdecodeanimation,
imreadanimation, imencodeanimation, imwriteanimation) and imc's raising
variants, across GIF, AVIF and JPEG XL; and the formats in the multi-image
API (imdecodemulti, imcount, imencodemulti)."""
import numpy as np
import pytest

import variants_modern as M
from helpers import cv2, imc

ANIMATED = [".gif", ".avif", ".jxl"]
LOSSLESS = {".gif": [], ".avif": [], ".jxl": [imc.IMWRITE_JPEGXL_DISTANCE, 0]}


def stored(frame, ext):
    """The frame as the format keeps it: GIF has no color under transparency
    (imc writes transparent black)."""
    if ext != ".gif" or frame.ndim < 3 or frame.shape[2] < 4:
        return frame
    return np.where(frame[..., 3:] == 0, 0, frame).astype(frame.dtype)


def make_animation(alpha=True, loop=0):
    anim = imc.Animation(loop)
    anim.frames = M.moving_frames(4, alpha=alpha)
    anim.durations = [10, 20, 30, 40]
    return anim


def test_animation_object_like_cv2():
    a = imc.Animation()
    assert (a.loop_count, a.bgcolor, a.durations, a.frames) == (0, (0.0, 0.0, 0.0, 0.0), [], [])
    assert imc.Animation(70000).loop_count == 0 and imc.Animation(-1).loop_count == 0
    assert imc.Animation(5, (1, 2, 3)).bgcolor == (1.0, 2.0, 3.0, 0.0)


@pytest.mark.parametrize("ext", ANIMATED)
def test_round_trip(ext, tmp_path):
    anim = make_animation(loop=4)
    ok, buf = imc.imencodeanimation(ext, anim, LOSSLESS[ext])
    assert ok and buf.dtype == np.uint8 and buf.ndim == 1
    ok, back = imc.imdecodeanimation(buf)
    assert ok and len(back.frames) == 4 and back.durations == [10, 20, 30, 40]
    assert back.loop_count == (0 if ext == ".avif" else 4)  # libavif 0.11 stores no loop count
    for got, want in zip(back.frames, anim.frames):
        assert np.array_equal(got, stored(want, ext))
    path = tmp_path / ("a" + ext)
    assert imc.imwriteanimation(str(path), anim, LOSSLESS[ext])
    assert imc.imcount(str(path)) == 4
    ok, read = imc.imreadanimation(str(path), 1, 2)
    assert ok and len(read.frames) == 2 and read.durations == [20, 30]
    assert np.array_equal(read.frames[0], stored(anim.frames[1], ext))
    # the multi-image API sees the same frames
    ok, pages = imc.imreadmulti(str(path), flags=cv2.IMREAD_UNCHANGED)
    assert ok and all(np.array_equal(p, stored(f, ext)) for p, f in zip(pages, anim.frames))
    ok, pages = imc.imreadmulti(str(path), 2, 5, flags=cv2.IMREAD_COLOR)
    assert ok and len(pages) == 2
    assert np.array_equal(pages[0], stored(anim.frames[2], ext)[..., :3])


def test_start_and_count_like_cv2():
    data = imc.encode_animation(".gif", make_animation())
    assert len(imc.imdecodeanimation(data, -3)[1].frames) == 4       # start < 0: from 0
    assert len(imc.imdecodeanimation(data, 1, -1)[1].frames) == 3    # count < 0: all
    assert imc.imdecodeanimation(data, 0, 0)[0] is False            # count 0: nothing
    assert imc.imdecodeanimation(data, 4)[0] is False               # past the end
    assert len(imc.imdecodeanimation(data, 2, 100)[1].frames) == 2
    with pytest.raises(imc.error) as e:
        imc.decode_animation(data, start=9)
    assert e.value.code == imc.ERR_NO_PAGE
    assert imc.imdecodeanimation(b"not an image")[0] is False


def test_flags_rgb_and_still_images():
    data = imc.encode_animation(".gif", make_animation())
    gray = imc.decode_animation(data, cv2.IMREAD_GRAYSCALE)
    assert all(f.ndim == 2 for f in gray.frames)
    rgb = imc.decode_animation(data, rgb=True)
    assert np.array_equal(rgb.frames[1], stored(make_animation().frames[1], ".gif")[..., [2, 1, 0, 3]])
    still = imc.imdecodeanimation(cv2.imencode(".png", M.photo())[1])[1]
    assert len(still.frames) == 1 and still.durations == [1000] and still.loop_count == 0


def test_limits_apply_to_every_frame():
    """decode_animation and decode_all take decode()'s limit keywords."""
    data = imc.encode_animation(".gif", make_animation())
    h, w = make_animation().frames[0].shape[:2]
    assert len(imc.decode_animation(data, max_pixels=h * w).frames) == 4
    assert len(imc.decode_all(data, max_width=w, max_height=h)) == 4
    for call in (lambda **k: imc.decode_animation(data, **k), lambda **k: imc.decode_all(data, **k)):
        for limit in ({"max_pixels": h * w - 1}, {"max_width": w - 1}, {"max_height": h - 1},
                      {"max_bytes": 100}):
            with pytest.raises(imc.error) as e:
                call(**limit)
            assert e.value.code == imc.ERR_LIMITS, limit
        with pytest.raises(TypeError):
            call(max_frames=1)
        with pytest.raises(ValueError):
            call(orientation="sideways")


def test_formats_without_animation():
    anim = make_animation()
    ok, buf = imc.imencodeanimation(".png", anim)
    assert ok is False and buf.size == 0
    with pytest.raises(imc.error) as e:
        imc.encode_animation(".jpg", anim)
    assert e.value.code == imc.ERR_UNSUPPORTED
    with pytest.raises(imc.error):
        imc.imencodeanimation(".nope", anim)
    anim.durations = anim.durations[:2]
    with pytest.raises(imc.error):
        imc.imencodeanimation(".gif", anim)
    with pytest.raises(imc.error):
        imc.imencodeanimation(".gif", imc.Animation())
    assert [f["name"] for f in imc.formats() if f["animation"]] == ["gif", "avif", "webp", "jxl"]


def test_imwriteanimation_failures(tmp_path):
    anim = make_animation()
    assert imc.imwriteanimation(str(tmp_path / "missing" / "a.gif"), anim) is False
    assert imc.imwriteanimation(str(tmp_path / "a.png"), anim) is False
    assert not (tmp_path / "a.png").exists()


@pytest.mark.parametrize("ext", ANIMATED)
def test_encodemulti(ext):
    frames = M.moving_frames(3)
    ok, buf = imc.imencodemulti(ext, frames, LOSSLESS[ext])
    assert ok and imc.count(buf) == 3
    ok, back = imc.imdecodemulti(buf, cv2.IMREAD_COLOR)
    assert ok and all(np.array_equal(b, f) for b, f in zip(back, frames))
    ok, one = imc.imdecodemulti(buf, cv2.IMREAD_COLOR, range=(1, 2))
    assert ok and len(one) == 1 and np.array_equal(one[0], frames[1])


def test_have_image_reader_and_writer_for_every_new_format():
    for ext in ANIMATED:
        assert imc.have_image_reader(ext) and imc.have_image_writer(ext)
        assert imc.haveImageWriter("x" + ext)
