#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# benches.t - every registered benchmark (`gupsync list`) dry-runs through
# the real binary with its defaults: exit 0, a sane header ("# NAME: N
# data points, T trials each", the estimate, the placement), no word on
# stderr, nothing written.  The descriptors and derive() are checked in
# tests/test_benches.c; this is the driver's side.  Dry runs only: nothing
# is measured, no knob is touched.  Emits TAP.
set -u
G=$(readlink -f "${GUPSYNC:-./gupsync}")
tmp=$(mktemp -d /tmp/gupsync-benches-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

names=$("$G" list | awk '/^[a-z0-9]/ { print $1 }')
count=$(echo "$names" | grep -c .)
echo "1..$((count * 2 + 1))"
if [ "$count" -ge 1 ]; then ok "gupsync list names $count benchmarks"
else not_ok "gupsync list names benchmarks" "none"; fi
mkdir "$tmp/cwd"
for b in $names; do
	(cd "$tmp/cwd" && "$G" run "$b" --dry-run) >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ -z "$(ls -A "$tmp/cwd")" ]; then
		ok "$b: --dry-run exits 0, quiet on stderr, writes nothing"
	else
		not_ok "$b: --dry-run exits 0, quiet on stderr, writes nothing" \
			"exit $rc" "$(head -3 "$tmp/err")" "$(ls -A "$tmp/cwd")"
	fi
	head=$(head -1 "$tmp/out")
	if [[ $head =~ ^"# $b: "[1-9][0-9]*" data points, "[1-9][0-9]*" trials each" ]] &&
	   grep -q '^# estimated: about [0-9]' "$tmp/out" &&
	   grep -q '^# PUs: ' "$tmp/out"; then
		ok "$b: header names it, its points and trials, the estimate and the PUs"
	else
		not_ok "$b: header names it, its points and trials, the estimate and the PUs" \
			"$(head -4 "$tmp/out")"
	fi
done
