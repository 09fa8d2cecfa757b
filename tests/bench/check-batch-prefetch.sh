#!/bin/sh
# The batch path's speed rests on its prefetches, which no functional test
# can see: a batch without them gives the same verdicts at half the speed.
# GCC 12 once dropped all of them from a template version of
# Engine::run_batch (tests/bench/README.md, session 12). This counts them in
# the optimized library.
#   check-batch-prefetch.sh OBJDUMP liblvs_core.a
set -eu
asm=$(mktemp)
trap 'rm -f "$asm"' EXIT
"$1" -d -C --no-show-raw-insn "$2" >"$asm"
n=$(awk '
  /^[0-9a-f]+ <.*>:$/ { inside = index($0, "lvs::Engine::run_batch(") > 0 }
  inside && /prefetch/ { n++ }
  END { print n + 0 }' "$asm")
if [ "$n" -lt 3 ]; then
  echo "Engine::run_batch holds $n prefetch instructions; expected 3 (the tags of a packet's two home groups, the cache line of its first candidate entry)" >&2
  exit 1
fi
echo "Engine::run_batch holds $n prefetch instructions"
