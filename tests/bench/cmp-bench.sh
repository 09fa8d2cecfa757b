#!/bin/bash
# Compare core_bench binaries on a VM whose speed drifts: runs each binary
# ROUNDS times, alternating, 3 repetitions per run, and prints the best,
# median and worst items/s over all repetitions, per benchmark and binary
# (iterations/s for a benchmark that counts no items), and the median in ns.
#   tests/bench/cmp-bench.sh FILTER ROUNDS OLD/core_bench NEW/core_bench ...
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 FILTER ROUNDS BINARY..." >&2
  exit 2
fi
filter=$1
rounds=$2
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq "$rounds"); do
  i=0
  for b in "$@"; do
    "$b" --benchmark_filter="$filter" --benchmark_repetitions=3 --benchmark_format=json \
      2>/dev/null >"$out/$i.$r.json"
    i=$((i + 1))
  done
done
python3 - "$out" "$@" <<'PY'
import collections, glob, json, statistics, sys
out, bins = sys.argv[1], sys.argv[2:]
for i, b in enumerate(bins):
    rates = collections.defaultdict(list)
    for f in glob.glob(f"{out}/{i}.*.json"):
        for bm in json.load(open(f))["benchmarks"]:
            if bm.get("run_type") != "iteration":
                continue
            if "items_per_second" in bm:
                rates[bm["name"]].append(bm["items_per_second"] / 1e6)
            else:  # no item count (BM_SchedulerPick): iterations per second from the time
                scale = {"ns": 1e3, "us": 1.0, "ms": 1e-3}[bm["time_unit"]]
                rates[bm["name"]].append(scale / bm["real_time"])
    for name, v in sorted(rates.items()):
        print(f"{b:40s} {name:45s} best {max(v):7.2f}  median {statistics.median(v):7.2f}  "
              f"worst {min(v):7.2f}  M/s (n={len(v)}; median {1e3 / statistics.median(v):.0f} ns)")
PY
