"""AVIF: decoding with newest cv2's semantics, against avifdec (the same
libavif 0.11 that imc links: same pixels by construction, still checked), and
encoding read back by avifdec.

cv2 4.6 has no AVIF. Newest cv2 asks libavif for BGR(A) at the output depth
(8 bits, or the file's 10 / 12 bits in 16-bit samples, not rescaled), copies
a monochrome image's Y plane (convertTo with scale 2^(8 - depth) for 8-bit
output), converts channel counts with cvtColor and applies the EXIF
orientation; the expected images below are built that way from avifdec's
output with cv2 4.6's own cvtColor / resize / convertScaleAbs / rotate."""

import numpy as np
import pytest

import variants_modern as M
from helpers import ALL_FLAGS, SWEEP_FLAGS, cv2, imc, imc_decode, requires_codec, run, tool
from test_damage import assert_fails_cleanly, corruptions, offsets

pytestmark = requires_codec("avif")

EIGHT_BIT = ["enc_420", "enc_422", "enc_444_q", "enc_lossless", "enc_limited", "enc_alpha",
             "enc_alpha_lossless", "enc_gray400", "enc_gray444", "enc_odd_1x1", "enc_odd_7x3",
             "enc_sequence"]
HIGH_BIT = ["enc_10bit", "enc_12bit_422"]
ROTATE = {3: cv2.ROTATE_180, 6: cv2.ROTATE_90_CLOCKWISE, 8: cv2.ROTATE_90_COUNTERCLOCKWISE}


def oriented(img, flags, orientation):
    if isinstance(img, str) or flags == -1 or flags & 128 or orientation not in ROTATE:
        return img
    return cv2.rotate(img, ROTATE[orientation])


@pytest.mark.parametrize("name", EIGHT_BIT)
def test_8bit_for_every_flag(name):
    data = M.avif_variants()[name]
    ref = M.avifdec(data)
    for flags in ALL_FLAGS:
        M.assert_image(imc_decode(data, flags), M.expected_8u(ref, flags), f"{name} flags={flags}")


@pytest.mark.parametrize("name", HIGH_BIT)
def test_high_bit_depth(name):
    """16-bit samples in the file's range; 8-bit output converted by libavif."""
    data = M.avif_variants()[name]
    bits = 10 if "10bit" in name else 12
    ref8, ref16 = M.avifdec(data, 8), M.avifdec(data, 16)
    raw = imc.imdecode(data, cv2.IMREAD_UNCHANGED)
    assert raw.dtype == np.uint16 and raw.max() < 1 << bits
    scaled = raw.astype(np.float64) * 65535 / ((1 << bits) - 1)
    assert np.abs(scaled - ref16).max() <= 65535 / ((1 << bits) - 1)
    for flags in ALL_FLAGS:
        want = M.expected_8u(ref8, flags)
        if M.keeps_depth(flags):  # 16-bit: cvtColor and resize of the raw samples
            want = M.resize_reduced(M.convert_channels(raw, M.wanted_channels(3, flags)), flags)
        M.assert_image(imc_decode(data, flags), want, f"{name} flags={flags}")


def test_monochrome_high_bit_depth_copies_luma():
    data = M.avif_variants()["enc_10bit_gray"]
    raw = imc.imdecode(data, cv2.IMREAD_UNCHANGED)
    assert raw.ndim == 2 and raw.dtype == np.uint16 and raw.max() < 1024
    ref16 = M.avifdec(data, 16)
    ref16 = ref16[..., 0] if ref16.ndim == 3 else ref16
    assert np.abs(raw * (65535 / 1023) - ref16).max() <= 65535 / 1023
    gray8 = cv2.convertScaleAbs(raw, alpha=1 / 4)  # cv2's convertTo(CV_8U, 1/4)
    for flags in ALL_FLAGS:
        base = raw if M.keeps_depth(flags) else gray8
        want = M.resize_reduced(M.convert_channels(base, M.wanted_channels(1, flags)), flags)
        M.assert_image(imc_decode(data, flags), want, f"flags={flags}")


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_exif_orientation(orientation):
    data = M.avif_exif_variants()[f"exif_{orientation}"]
    ref = M.avifdec(data)  # avifdec 0.11 applies neither irot nor EXIF
    assert imc.probe(data).orientation == orientation
    for flags in ALL_FLAGS:
        want = oriented(M.expected_8u(ref, flags), flags, orientation)
        M.assert_image(imc_decode(data, flags), want, f"orientation {orientation} flags={flags}")


def test_sequence_frames_and_timing():
    data = M.avif_variants()["enc_sequence"]
    assert imc.count(data) == 3
    anim = imc.decode_animation(data)
    assert anim.durations == [100, 100, 100] and anim.loop_count == 0
    for k in range(3):
        assert np.array_equal(anim.frames[k], M.avifdec(data, index=k))
        assert np.array_equal(imc.decode_all(data, -1, start=k, count=1)[0], anim.frames[k])


# ---- encoding ---------------------------------------------------------------------
def test_default_is_lossless_like_cv2_with_libavif_0_11():
    for img in (M.photo(61, 47), M.photo_alpha(61, 47),
                cv2.cvtColor(M.photo(61, 47), cv2.COLOR_BGR2GRAY)):
        data = imc.encode(".avif", img)
        assert np.array_equal(M.avifdec(data), img)
        assert np.array_equal(imc.decode(data, -1), img)
    rgb = M.photo(61, 47)[..., ::-1].copy()
    assert np.array_equal(imc.decode(imc.encode(".avif", rgb, rgb=True)), M.photo(61, 47))


def test_quality_and_speed():
    img = M.photo()
    q95 = imc.encode(".avif", img, [imc.IMWRITE_AVIF_QUALITY, 95])
    q30 = imc.encode(".avif", img, [imc.IMWRITE_AVIF_QUALITY, 30, imc.IMWRITE_AVIF_SPEED, 8])
    assert len(q30) < len(q95) < len(imc.encode(".avif", img))
    assert imc.PSNR(M.avifdec(q95), img) > 35 and imc.PSNR(M.avifdec(q30), img) > 22
    assert np.array_equal(M.avifdec(imc.encode(".avif", img, [imc.IMWRITE_AVIF_QUALITY, 100])), img)


@pytest.mark.parametrize("bits", [10, 12])
def test_high_bit_depth_encoding(bits):
    rng = np.random.default_rng(bits)
    img = rng.integers(0, 1 << bits, (23, 31, 3), dtype=np.uint16)
    data = imc.encode(".avif", img, [imc.IMWRITE_AVIF_DEPTH, bits])
    assert np.array_equal(imc.decode(data, -1), img)
    ref16 = M.avifdec(data, 16)
    assert np.abs(img * (65535 / ((1 << bits) - 1)) - ref16).max() <= 1
    info = run([tool("avifdec"), "--info", M.write("d.avif", data)]).stdout
    assert f"Bit Depth      : {bits}".encode() in info


def test_depth_errors():
    img8, img16 = M.photo(16, 8), M.photo(16, 8).astype(np.uint16)
    for img, params, code in ((img16, [], imc.ERR_ARG), (img8, [imc.IMWRITE_AVIF_DEPTH, 10], imc.ERR_ARG),
                              (img16, [imc.IMWRITE_AVIF_DEPTH, 9], imc.ERR_PARAM)):
        with pytest.raises(imc.error) as e:
            imc.encode(".avif", img, params)
        assert e.value.code == code
    # float input is converted to 8 bits first, as cv2 does
    assert imc.decode(imc.encode(".avif", img8.astype(np.float32)), -1).dtype == np.uint8


def test_animation_through_avifdec():
    frames = M.moving_frames(4, alpha=True)
    anim = imc.Animation()
    anim.frames, anim.durations = frames, [40, 80, 120, 1000]
    ok, buf = imc.imencodeanimation(".avif", anim)
    assert ok
    data = buf.tobytes()
    for k, f in enumerate(frames):
        assert np.array_equal(M.avifdec(data, index=k), f)
    assert imc.decode_animation(data).durations == [40, 80, 120, 1000]
    many = imc.encode_all(".avif", frames[:2])
    assert imc.decode_animation(many).durations == [1000, 1000]  # cv2's default
    with pytest.raises(imc.error):
        imc.encode_all(".avif", [frames[0], frames[1][:20]])


# ---- damaged data -----------------------------------------------------------------
DAMAGE = ["enc_420", "enc_alpha", "enc_10bit", "enc_gray400", "enc_sequence"]


@pytest.mark.parametrize("name", DAMAGE)
def test_truncation(name):
    data = M.avif_variants()[name]
    whole = imc.decode(data, -1)
    for off in offsets(len(data)):
        for flags in SWEEP_FLAGS:
            got = imc_decode(data[:off], flags)
            assert got is None or got.shape[:2] == whole.shape[:2] or flags != -1


@pytest.mark.parametrize("name", DAMAGE)
def test_corruption(name):
    data = M.avif_variants()[name]
    for buf in corruptions(data, 100, name, head=400, aim=0.6):
        assert_fails_cleanly(buf)


def test_reader_and_writer_are_reported():
    assert imc.have_image_reader(".avif") and imc.have_image_writer("x.avif")
    assert imc.have_image_reader(M.avif_variants()["enc_420"])
    assert not imc.have_image_reader(M.avif_variants()["enc_420"][:3])
