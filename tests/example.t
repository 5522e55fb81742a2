#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# example.t - the README's example benchmark (tests/example_bench.c) is
# one file: linked into a gupsync (build/tests/gupsync-example, where it
# replaces ipi-broadcast), it is listed, dry-runs, runs for a few ms, and
# `sweep` and `variants` find it through its descriptor's .sweep and
# .variant fields alone: sweep runs it with its own short set, variants
# runs and tabulates it as the IPI side.  The tiny runs send membarrier
# IPIs and (variants' RCU side, rcu-wait) switch rcu_expedited through a
# private knobs journal, restored.  Correctness only: no number is judged.
# Emits TAP.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
E=${GUPSYNC_EXAMPLE:-$ROOT/build/tests/gupsync-example}
if [ ! -x "$E" ]; then
	echo "1..0 # SKIP $E not built (make build/tests/gupsync-example)"
	exit 0
fi
tmp=$(mktemp -d /tmp/gupsync-example-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
export GUPSYNC_JOURNAL=$tmp/journal
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what" "$(tail -3 "$tmp/err" 2>/dev/null)"; fi; }
echo "1..10"

# The README shows its op and descriptor: the same lines as the file.
awk '/^    static int ex_op\(/ { on = 1 }
     on { l = $0; sub(/^    /, "", l); print l; if (l ~ /^BENCH_REGISTER\(example\);/) exit }' \
	"$ROOT/README.md" >"$tmp/readme"
sed -n '/^static int ex_op(/,/^BENCH_REGISTER(example);/p' "$ROOT/tests/example_bench.c" >"$tmp/file"
if [ -s "$tmp/file" ] && diff -u "$tmp/file" "$tmp/readme" >"$tmp/diff"; then
	ok "README's \"Adding a benchmark\" shows tests/example_bench.c as it is"
else
	not_ok "README's \"Adding a benchmark\" shows tests/example_bench.c as it is" \
		"$(head -8 "$tmp/diff")"
fi

"$E" list >"$tmp/out" 2>"$tmp/err"
check "listed by its name, in ipi-broadcast's place" \
	eval 'grep -q "^example " "$tmp/out" && ! grep -q "^ipi-broadcast " "$tmp/out"'

"$E" run example --dry-run >"$tmp/out" 2>"$tmp/err"
check "run --dry-run: exit 0 and its header" \
	grep -qE '^# example: [0-9]+ data points, [0-9]+ trials each' "$tmp/out"

# sweep: in the set by its .sweep order, run with its own short set.
"$E" sweep --help >"$tmp/out" 2>"$tmp/err"
check "sweep --help lists it in the set" \
	grep -qE '^Benchmarks of the set: .*(^| )example(,|$)' "$tmp/out"
"$E" sweep -- --dry-run >"$tmp/out" 2>"$tmp/err"
check "sweep runs it with its .sweep.short_args" \
	eval 'grep -q "^gupsync: sweep \[[0-9]*/[0-9]*\][^:]*: gupsync run example --bg-threads=[0-9].* --victim=spin" "$tmp/err" &&
	      grep -qE "^# example: [0-9]+ data points" "$tmp/out"'

# variants: the IPI side by its .variant.
"$E" variants --help >"$tmp/out" 2>"$tmp/err"
check "variants --help names it as the IPI side" \
	grep -q 'tabulate runs of example and rcu-wait' "$tmp/out"

# Tiny real runs: a few ms per window.
tiny="--duration=5ms --warmup=1ms --trials=2"
"$E" run example --bg-threads=1 --victim=spin $tiny --output="$tmp/r" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 4 ]; then
	ok "tiny run # SKIP $(grep -m1 skipped "$tmp/err")"
else
	check "tiny run: exit 0, summary.csv with its metrics" \
		eval '[ $rc -eq 0 ] && grep -q ",ipis_per_op,1," "$tmp"/r/example-*/summary.csv &&
		      grep -q ",victim_slowdown_pct,%," "$tmp"/r/example-*/summary.csv'
fi
"$E" variants --output="$tmp/v" -- $tiny >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 4 ]; then
	ok "variants runs it # SKIP every point skipped here"
	ok "variants tabulates it # SKIP every point skipped here"
else
	check "variants runs it (exit $rc)" \
		eval '[ $rc -eq 0 ] && grep -q "^gupsync variants: gupsync run example --bg-threads=0-" "$tmp/err"'
	check "variants tabulates it as the IPI variant" \
		eval 'grep -q "^# method: example example-" "$tmp/out" &&
		      grep -qE "^ *0 .*[0-9]" "$tmp/out"'
fi
check "no knobs journal left behind" test ! -e "$GUPSYNC_JOURNAL"
