#!/bin/bash
# Paired comparison of two core_bench binaries on a VM whose speed drifts
# within minutes: runs A then B, N times, each a short run (2 repetitions of
# 0.4 s), and prints both medians and the median and quartiles of the N
# ratios B/A of runs made back to back. The ratios hold still where the raw
# rates do not (tests/bench/README.md, session 14).
#   tests/bench/ab-bench.sh N A/core_bench B/core_bench [FILTER]
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 N A B [FILTER]" >&2
  exit 2
fi
n=$1
a=$2
b=$3
filter=${4:-BM_EstablishedFlow/1000000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq "$n"); do
  "$a" --benchmark_filter="$filter" --benchmark_min_time=0.4 --benchmark_repetitions=2 \
    --benchmark_format=json 2>/dev/null >"$out/a.$r.json"
  "$b" --benchmark_filter="$filter" --benchmark_min_time=0.4 --benchmark_repetitions=2 \
    --benchmark_format=json 2>/dev/null >"$out/b.$r.json"
done
python3 - "$out" "$n" <<'PY'
import json, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
def rate(path):
    runs = [b for b in json.load(open(path))["benchmarks"] if b.get("run_type") == "iteration"]
    return statistics.mean(b.get("items_per_second", 1e9 / b["real_time"]) for b in runs) / 1e6
a = [rate(f"{out}/a.{r}.json") for r in range(1, n + 1)]
b = [rate(f"{out}/b.{r}.json") for r in range(1, n + 1)]
ratios = sorted(y / x for x, y in zip(a, b))
q = lambda f: ratios[min(len(ratios) - 1, int(f * len(ratios)))]
print(f"A median {statistics.median(a):.2f} M/s, B median {statistics.median(b):.2f} M/s; "
      f"B/A median {statistics.median(ratios):.3f} (quartiles {q(0.25):.3f}..{q(0.75):.3f}), "
      f"B faster in {sum(r > 1 for r in ratios)}/{n}")
PY
