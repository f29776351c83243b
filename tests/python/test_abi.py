"""libimc.so's ABI: it exports the functions imc.h declares with IMC_API and
nothing else, each at a symbol version of src/libimc.map, and no symbol of
abi/libimc.symbols (the released ABI) has disappeared. A function added on
purpose is added to that list (and, after a release, to a new version node)."""
import re

from helpers import BUILD, RELEASE, ROOT, run, tool

ABI = ROOT / "abi" / "libimc.symbols"


def exported():
    lib = next(p for p in (RELEASE / "libimc.so", BUILD / "libimc.so") if p.exists())
    out = run([tool("nm"), "-D", "--defined-only", str(lib)], text=True).stdout
    return {fields[2] for fields in (line.split() for line in out.splitlines())
            if len(fields) == 3 and fields[1] != "A"}  # A: the version nodes themselves


def declared():
    header = (ROOT / "include" / "imc.h").read_text()
    return set(re.findall(r"IMC_API\s[^;(]*?\b(imc_\w+)\s*\(", header))


def test_no_released_symbol_disappeared():
    missing = sorted(set(ABI.read_text().split()) - exported())
    assert not missing, f"libimc.so no longer exports {missing}: that breaks every program " \
                        "linked against it"


def test_exports_exactly_what_the_header_declares_at_a_version():
    syms = exported()
    names = {s.split("@")[0] for s in syms}
    assert all("@@IMC_" in s for s in syms), sorted(s for s in syms if "@@IMC_" not in s)
    assert names == declared(), (sorted(names - declared()), sorted(declared() - names))
    new = sorted(syms - set(ABI.read_text().split()))
    assert not new, f"new exported symbols: add them to {ABI.relative_to(ROOT)}: {new}"
