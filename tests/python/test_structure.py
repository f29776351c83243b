"""The structure of the code, read off the built objects (which file calls
into which, by their symbols): no file cycles in the library, the CLI or
the binding; a codec's files are reached only through the registry, and
codecs do not call into each other (shared helpers aside)."""
import collections

import pytest

from helpers import BUILD, ROOT, run, tool

SHARED_CODEC_HELPERS = {"src_codecs_palette.c.o"}


def object_graph(objects):
    defined, used = {}, collections.defaultdict(set)
    for obj in objects:
        for line in run([tool("nm"), str(obj)], text=True).stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDRB":
                defined[parts[2]] = obj.name
            elif len(parts) == 2 and parts[0] == "U":
                used[obj.name].add(parts[1])
    return {obj.name: {defined[s] for s in used[obj.name] if defined.get(s, obj.name) != obj.name}
            for obj in objects}


def cycles(graph):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while not part or part[-1] != v:
                part.append(stack.pop())
                on.discard(part[-1])
            if len(part) > 1:
                found.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def objects(pattern):
    found = sorted(BUILD.glob(pattern))
    assert found, f"no objects match {BUILD}/{pattern}"
    return found


LIBRARY = "libimc.so.*.p/*.o"
PARTS = {"library": LIBRARY, "cli": "imc.p/*.o", "binding": "python/imc/*.p/*.o"}


@pytest.mark.parametrize("part", sorted(PARTS))
def test_no_file_cycles(part):
    graph = object_graph(objects(PARTS[part]))
    assert len(graph) > 1
    assert cycles(graph) == []


def codec_of(name):
    """The codec a library object belongs to ("png" for src_codecs_png_write.c.o)."""
    if not name.startswith("src_codecs_") or name in SHARED_CODEC_HELPERS:
        return None
    rest = name[len("src_codecs_"):]
    folder = rest.split("_")[0]
    return folder if (ROOT / "src" / "codecs" / folder).is_dir() else rest.split(".")[0]


def test_codecs_are_reached_through_the_registry_only():
    graph = object_graph(objects(LIBRARY))
    codecs = {n: codec_of(n) for n in graph if codec_of(n)}
    assert len(set(codecs.values())) >= 10
    wrong = sorted((a, b) for a, targets in graph.items() for b in targets
                   if b in codecs and a != "src_registry.c.o" and codecs.get(a) != codecs[b])
    assert wrong == []


def test_a_folder_codec_is_one_codec():
    assert codec_of("src_codecs_png_fastread.c.o") == "png" == codec_of("src_codecs_png_png.c.o")
    assert codec_of("src_codecs_jpeg2000.c.o") == "jpeg2000"
    assert codec_of("src_codecs_palette.c.o") is None and codec_of("src_decode.c.o") is None
