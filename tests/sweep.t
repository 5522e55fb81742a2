#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sweep.t - sweeps fit the machine they find (issue 20): `gupsync sweep
# --full -- --dry-run` on synthetic topologies of 1, 2, 4, 16 and 256 PUs
# exits 0 and plans every benchmark of the set; a point whose workers do
# not fit is skipped with its reason ("does not fit"), the others placed;
# thread lists stay affordable on big machines (1,2,4,...,N).  Dry runs
# only: nothing is measured.  Emits TAP.
set -u
G=${GUPSYNC:-./gupsync}
tmp=$(mktemp -d /tmp/gupsync-sweep-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

nbench=$("$G" sweep --help | sed -n 's/^Benchmarks of the set: //p' | tr ',' '\n' | grep -c .)
for top in "pu:1" "pu:2" "pu:4" "package:2 core:4 pu:2" \
	   "package:4 l3cache:4 core:8 pu:2"; do
	pus=$(echo "$top" | tr ' ' '\n' | awk -F: '{ p = (p ? p : 1) * $2 } END { print p }')
	"$G" sweep --full -- --dry-run "--topology=$top" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 0 ]; then ok "$pus PUs: exit 0"; else
		not_ok "$pus PUs: exit 0" "exit $rc" "$(tail -2 "$tmp/err")"; fi
	planned=$(grep -c '^# [a-z-]*: [0-9]* data points' "$tmp/out")
	if [ "$planned" -eq "$nbench" ]; then ok "$pus PUs: all $nbench benchmarks planned"
	else not_ok "$pus PUs: all $nbench benchmarks planned" "$planned"; fi
	# Per benchmark: some point placed, or every point skipped as not fitting.
	bad=$(awk '/^# [a-z-]*: [0-9]* data points/ { if (b != "" && !placed && !fit) print b;
			b = $2; placed = 0; fit = 0; next }
		/^[^#].* PUs:/ { placed = 1 } /skipped: does not fit/ { fit = 1 }
		END { if (b != "" && !placed && !fit) print b }' "$tmp/out")
	if [ -z "$bad" ]; then ok "$pus PUs: each benchmark places a point or says why not"
	else not_ok "$pus PUs: each benchmark places a point or says why not" "$bad"; fi
	# No placed point has more workers than PUs.
	over=$(awk -v p="$pus" '/^[^#].* PUs:/ { k = 0; for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9]+$/) k++;
		if (k > p) print }' "$tmp/out" | head -2)
	if [ -z "$over" ]; then ok "$pus PUs: no placed point has more workers than PUs"
	else not_ok "$pus PUs: no placed point has more workers than PUs" "$over"; fi
done
# 256 PUs: the thread list is sampled, not 256 values.
"$G" sweep --full -- --dry-run "--topology=package:4 l3cache:4 core:8 pu:2" 2>"$tmp/err" >/dev/null
if grep -q -- "--threads=1,2,4,8,16,32,64,128,256 " "$tmp/err"; then
	ok "256 PUs: threads 1,2,4,...,256"
else
	not_ok "256 PUs: threads 1,2,4,...,256" "$(grep -m1 -- '--threads=' "$tmp/err")"
fi
# --budget: every benchmark still planned, each with its share, and the
# sum of the fitted estimates said (the model, nothing measured).
"$G" sweep --budget 60s -- --dry-run >"$tmp/out" 2>"$tmp/err"
rc=$?
nb=$(grep -c -- ' --budget=[0-9]*ms' "$tmp/err")
ns=$(grep -c '^gupsync: sweep \[' "$tmp/err")
if [ $rc -eq 0 ] && [ "$nb" -ge 1 ] && [ "$nb" -eq "$ns" ] &&
   grep -q '^gupsync: sweep: [0-9]* benchmarks, about [0-9]* s as set; budget 60 s' "$tmp/err" &&
   grep -q '^# budget [0-9]* s: ' "$tmp/out"; then
	ok "sweep --budget 60s: $ns benchmarks, each with its share"
else
	not_ok "sweep --budget 60s: every benchmark with its share" "exit $rc, $nb of $ns" \
		"$(head -c 400 "$tmp/err")"
fi
echo "1..$n"
