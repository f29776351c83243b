"""imc.h's IMREAD / IMWRITE enums are the one list of constants: the name
table behind imc_constants() (src/constants.c, which takes each value from
the enum) must name every enumerator, and nothing else, with its value; and
each equals cv2's where cv2 4.6 defines it."""
import re

from helpers import ROOT, cv2, imc

ENUMERATOR = re.compile(r"^\s*IMC_((?:IMREAD|IMWRITE)_\w+)\s*=\s*(-?(?:0x[0-9a-fA-F]+|\d+))", re.M)


def header_constants():
    text = (ROOT / "include" / "imc.h").read_text()
    return {name: int(value, 0) for name, value in ENUMERATOR.findall(text)}


def table_constants():
    return {name: getattr(imc._imc, name) for name in dir(imc._imc)
            if name.startswith(("IMREAD_", "IMWRITE_"))}


def test_the_table_holds_every_enumerator_of_imc_h():
    header, table = header_constants(), table_constants()
    assert len(header) > 100
    assert sorted(set(header) - set(table)) == [], "in imc.h, missing from src/constants.c"
    assert sorted(set(table) - set(header)) == [], "in src/constants.c, not an imc.h enumerator"
    assert {k: v for k, v in table.items() if header[k] != v} == {}


def test_values_are_cv2s():
    both = {k: v for k, v in table_constants().items() if hasattr(cv2, k)}
    assert len(both) > 50
    assert {k: (v, getattr(cv2, k)) for k, v in both.items() if getattr(cv2, k) != v} == {}
