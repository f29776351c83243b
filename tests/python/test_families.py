"""Every file of every variant family (families.py) and every opencv-doc
sample decodes to exactly what cv2.imdecode gives, for every flag."""
import pytest

import families as F
from helpers import ALL_FLAGS, assert_same_decode, requires_codec, sample_files

CASES = [pytest.param(family, name, marks=requires_codec(F.FAMILIES[family][1]),
                      id=f"{family}/{name}")
         for family in F.FAMILIES for name in F.members(family)]


@pytest.mark.parametrize("family,name", CASES)
def test_variant_every_flag(family, name):
    data = F.FAMILIES[family][0]()[name]
    for flags in ALL_FLAGS:
        assert_same_decode(data, flags, name)


@pytest.mark.parametrize("path", sample_files(".jpg", ".png"), ids=lambda p: p.name)
def test_sample_every_flag(path):
    data = path.read_bytes()
    for flags in ALL_FLAGS:
        assert_same_decode(data, flags, path.name)


def test_one_skip_rule_for_codecs_not_built(monkeypatch):
    """A codec this build lacks is skipped with its name, unless ./dev test
    (which builds them all) says every codec must be there."""
    monkeypatch.delenv("IMC_ALL_CODECS", raising=False)
    mark = requires_codec("no-such-codec")
    assert mark.args == (True,) and "no-such-codec" in mark.kwargs["reason"]
    assert requires_codec("png").args == (False,)
    monkeypatch.setenv("IMC_ALL_CODECS", "1")
    assert requires_codec("no-such-codec").args == (False,)
