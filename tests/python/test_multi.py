"""The multi-image API (cv2's imreadmulti / imcount / imwritemulti and the
newer imdecodemulti / imencodemulti), on every format imc has."""
import numpy as np
import pytest

import variants as V
from helpers import assert_same_file, cv2, imc


def test_single_image_formats_read_as_one_page(tmp_path):
    for name, data in (("a.jpg", V.jpeg_exif_variants()["pil_exif_6"]),
                       ("b.png", V.png_variants()["cv2_rgba16"])):
        p = tmp_path / name
        p.write_bytes(data)
        for flags in (cv2.IMREAD_ANYCOLOR, cv2.IMREAD_UNCHANGED, cv2.IMREAD_COLOR,
                      cv2.IMREAD_REDUCED_COLOR_2, cv2.IMREAD_GRAYSCALE | cv2.IMREAD_ANYDEPTH):
            ok_cv, want = cv2.imreadmulti(str(p), flags=flags)
            ok, got = imc.imreadmulti(str(p), flags=flags)
            assert ok == ok_cv and len(got) == len(want) == 1
            assert got[0].shape == want[0].shape and np.array_equal(got[0], want[0]), (name, flags)
            ok, got = imc.imdecodemulti(data, flags)
            assert ok and np.array_equal(got[0], want[0])
        assert imc.imcount(str(p)) == cv2.imcount(str(p)) == 1
        assert imc.imreadmulti(str(p), 0, 1)[0] is True
        assert cv2.imreadmulti(str(p), 1, 1)[0] is False and imc.imreadmulti(str(p), 1, 1)[0] is False
    assert imc.imreadmulti(str(tmp_path / "missing.png")) == (False, [])
    assert imc.imcount(str(tmp_path / "missing.png")) == 0


def test_decode_multi_errors():
    assert imc.imdecodemulti(b"junk", 1) == (False, [])
    with pytest.raises(imc.error):
        imc.decode_all(b"junk")
    with pytest.raises(imc.error):
        imc.imdecodemulti(b"", 1)
    with pytest.raises(imc.error) as e:
        imc.decode_all(V.jpeg_variants()["pil_420"], start=1)
    assert e.value.code == imc.ERR_NO_PAGE


def test_single_image_formats_refuse_several():
    imgs = [V.photo(), V.photo()]
    for ext in (".png", ".jpg"):
        with pytest.raises(imc.error) as e:
            imc.imencodemulti(ext, imgs)
        assert e.value.code == imc.ERR_UNSUPPORTED
        ok, buf = imc.imencodemulti(ext, imgs[:1])
        assert ok
        assert_same_file(ext, buf, cv2.imencode(ext, imgs[0])[1])


def test_imwritemulti_single(tmp_path):
    p = tmp_path / "one.png"
    assert imc.imwritemulti(str(p), [V.photo()]) is True
    assert np.array_equal(cv2.imread(str(p)), V.photo())
    assert imc.imwritemulti(str(tmp_path / "no" / "x.png"), [V.photo()]) is False
