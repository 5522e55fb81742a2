#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# args.t - arguments and exits (issue 20): bare `gupsync` is usage on
# stderr and exit 2; extra arguments are refused; conflicting options are
# an error; a --output whose parent is missing is bad input (exit 2,
# nothing created); --placement none dry runs say "unbound"; a run ended
# by a signal says the exact `gupsync run --resume DIR`.  Emits TAP.
set -u
G=${GUPSYNC:-./gupsync}
tmp=$(mktemp -d /tmp/gupsync-args-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
export GUPSYNC_JOURNAL=$tmp/journal
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
expect() {	# NAME RC [grep pattern in stderr] -- CMD...
	local name=$1 want=$2 pat=$3; shift 4
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ $rc -eq "$want" ] && { [ -z "$pat" ] || grep -q -- "$pat" "$tmp/err"; }; then
		ok "$name"
	else
		not_ok "$name" "exit $rc, wanted $want" "$(head -c 300 "$tmp/err")"
	fi
}

expect "bare gupsync: usage on stderr, exit 2" 2 "usage: gupsync COMMAND" -- "$G"
expect "gupsync list foo: refused" 2 "takes no arguments" -- "$G" list foo
expect "--trials with --target-time: an error" 2 "give one" -- \
	"$G" run gup-fast --trials 3 --target-time 10s --dry-run
expect "--budget with --target-time: an error" 2 "give one" -- \
	"$G" run gup-fast --budget 30s --target-time 10s --dry-run
expect "default --budget: not a duration" 2 "budget" -- \
	"$G" default --budget soon
expect "sweep --budget: under a second" 2 "budget" -- \
	"$G" sweep --budget 10ms -- --dry-run
expect "--output with a missing parent: exit 2" 2 "does not exist" -- \
	"$G" run gup-fast --output "$tmp/no/such" --trials 2 --duration 10ms
expect "--output - for a run: refused" 2 "always writes its run directory" -- \
	"$G" run gup-fast --output - --trials 2 --duration 10ms
if [ ! -e "$tmp/no" ]; then ok "--output with a missing parent: nothing created"
else not_ok "--output with a missing parent: nothing created"; fi
expect "--placement none --dry-run" 0 "" -- "$G" run gup-fast --placement none --dry-run
if grep -q "PUs: none, 1 workers unbound" "$tmp/out" && ! grep -q -- "-1" "$tmp/out"; then
	ok "--placement none --dry-run says unbound, not -1"
else
	not_ok "--placement none --dry-run says unbound, not -1" "$(tail -1 "$tmp/out")"
fi

# variants on a directory of runs: runs of other benchmarks are left out,
# each said; a run named alone that is not a variant is an error.
FX=$(cd "$(dirname "$0")" && pwd)/fixtures/runs
expect "variants DIR of runs: other benchmarks left out" 0 \
	"gup-fast-a: a run of gup-fast, not of a variant: left out" -- "$G" variants "$FX"
expect "variants RUN of another benchmark: refused" 2 "is a run of gup-fast" -- \
	"$G" variants "$FX/gup-fast-a"

# Several runs a side: report and compare take them (copies of one
# fixture each side), name them and use the hierarchical CI.
F="$(dirname "$0")/fixtures/runs"
for x in a b; do for i in 1 2; do cp -r "$F/gup-fast-$x" "$tmp/$x$i"; done; done
"$G" report --no-plots "$tmp/a1,$tmp/a2" "$tmp/b1,$tmp/b2" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -q '^Runs:    2 of A, 2 of B: A1 ' "$tmp/out" &&
   grep -q 'hierarchical' "$tmp/out" && grep -q 'gup_fast_rel' "$tmp/out"; then
	ok "report A1,A2 B1,B2: the runs named, hierarchical CI"
else
	not_ok "report A1,A2 B1,B2: the runs named, hierarchical CI" "exit $rc" \
		"$(head -c 300 "$tmp/out")" "$(head -c 300 "$tmp/err")"
fi
"$G" compare "$tmp/a1,$tmp/a2" "$tmp/b1,$tmp/b2" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && grep -q '2 runs of A, 2 of B' "$tmp/out"; then
	ok "compare A1,A2 B1,B2: two sides"
else
	not_ok "compare A1,A2 B1,B2: two sides" "exit $rc" "$(head -c 300 "$tmp/err")"
fi

# A run ended by SIGTERM names the resume command (needs the machine).
"$G" run gup-fast --threads 1 --trials 50 --duration 100ms --warmup 10ms \
	--output "$tmp/r" >/dev/null 2>"$tmp/err" &
pid=$!
for ((i = 0; i < 100; i++)); do
	compgen -G "$tmp/r/gup-fast-*/meta.json" >/dev/null && break
	sleep 0.1
done
sleep 1
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
d=$(compgen -G "$tmp/r/gup-fast-*" | head -1)
if [ $rc -eq 143 ] && [ -n "$d" ] && grep -qx "  gupsync run --resume $d" "$tmp/err"; then
	ok "SIGTERM: the exact resume command"
else
	not_ok "SIGTERM: the exact resume command" "exit $rc" "$(tail -c 300 "$tmp/err")"
fi
echo "1..$n"
