"""Bounded runs of every libFuzzer target from seeds the test suite generates.
Skipped unless IMC_FUZZ_DIR names a fuzz build (./dev test sets it)."""
import os
import subprocess
import sys

import pytest

from helpers import ROOT

FUZZ_DIR = os.environ.get("IMC_FUZZ_DIR")
SECONDS = int(os.environ.get("IMC_FUZZ_SECONDS", "20"))
# Every target the fuzz build made: fuzz/meson.build lists them (one per
# fuzz target of the codec manifest, plus the codec-neutral ones).
TARGETS = (ROOT / FUZZ_DIR / "fuzz" / "targets").read_text().split() if FUZZ_DIR else []


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    r = subprocess.run([sys.executable, str(ROOT / "fuzz" / "make_corpus.py"), str(out)],
                       capture_output=True, text=True, errors="replace")
    assert r.returncode == 0, f"fuzz/make_corpus.py failed:\n{r.stderr[-3000:]}"
    return out


@pytest.mark.skipif(not FUZZ_DIR, reason="IMC_FUZZ_DIR not set")
@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_target(target, corpus, tmp_path):
    exe = (ROOT / FUZZ_DIR / "fuzz" / target).resolve()
    assert exe.exists(), exe
    # The fuzzers carry clang's sanitizer runtime: no preloaded gcc runtime.
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
    # Through a shell that forks: Linux carries a process's peak RSS across
    # execve, and libFuzzer would read this (sanitized, long-lived) test
    # process's peak as its own and stop at once with "out-of-memory".
    # Libraries echo bytes of the fuzzed input in their messages: not UTF-8.
    r = subprocess.run(["sh", "-c", '"$@"; exit $?', "sh", str(exe), f"-max_total_time={SECONDS}",
                        "-timeout=10", "-rss_limit_mb=2560", f"-artifact_prefix={tmp_path}/",
                        "-print_final_stats=1", str(corpus / target)],
                       env=env, capture_output=True, text=True, errors="replace", timeout=SECONDS + 120)
    runs = [line for line in r.stderr.splitlines() if line.startswith("stat::number_of_executed_units")]
    assert r.returncode == 0 and not list(tmp_path.iterdir()), r.stderr[-3000:]
    assert runs and int(runs[0].split(":")[-1]) > 100, r.stderr[-2000:]
