#!/usr/bin/env bash
# Runs fuzz campaigns: fuzz/run.sh [SECONDS] [TARGET...]
# Needs build-fuzz/ (./dev fuzz builds it). Corpora grow in fuzz/corpus/TARGET;
# crashes land in fuzz/crashes/. Exits non-zero if any target found a crash.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${FUZZ_SECONDS:-600}}
shift || true
targets=("$@")
# default: every target the build made (build-fuzz/fuzz/targets, from the codec manifest)
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < build-fuzz/fuzz/targets
[ -d fuzz/corpus ] || /usr/bin/python3 fuzz/make_corpus.py fuzz/corpus
mkdir -p fuzz/crashes
status=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "== $t for ${seconds}s"
  build-fuzz/fuzz/"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 \
    -artifact_prefix="fuzz/crashes/$t-" -print_final_stats=1 "fuzz/corpus/$t" \
    2>"fuzz/$t.log" || status=1
  grep -aE "^Done|stat::number_of_executed_units|stat::peak_rss_mb|cov:" "fuzz/$t.log" | tail -3
  # sanitizer and libFuzzer reports only (libraries print "ERROR" in their own
  # messages, and echo input bytes: -a reads the log as text regardless)
  grep -aE "^==[0-9]+== ?ERROR|^SUMMARY: " "fuzz/$t.log" && status=1
done
exit $status
