#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# resume.t - resume to the trial: a single-point run killed with SIGKILL in
# the middle of its first (and only) point leaves a meta.json that says
# "running" and the trials that had finished; `gupsync run --resume`
# completes the point from the next trial and keeps those trials as they
# were.  Emits TAP for prove.
#
# No assertion depends on a timing: the kill waits until trials.csv holds
# finished trials, and the point has far more trials than that; the waits
# are upper bounds that turn a hang into a failure.
set -u

G=${GUPSYNC:-./gupsync}
tmp=$(mktemp -d /tmp/gupsync-resume-XXXXXX) || exit 1
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
export GUPSYNC_JOURNAL=$tmp/journal

TRIALS=50		# far more than are done before the kill
KILL_AFTER=2		# finished trials on disk before the SIGKILL
SAVE_WAIT=300		# x 0.1 s: upper bound for those trials to be saved
RUN=(run gup-fast --threads 1 --duration 5ms --warmup 1ms --quiet
     --trials "$TRIALS" --output "$tmp")

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "#   $2"; }
check() { local desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }
rows() { [ -f "$1" ] && echo $(($(wc -l <"$1") - 1)) || echo 0; }
status() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("status"))' "$1"; }

echo "1..6"
if ! command -v python3 >/dev/null; then
	for i in 1 2 3 4 5 6; do echo "ok $i # SKIP no python3"; done
	exit 0
fi

"$G" "${RUN[@]}" >"$tmp/run.out" 2>&1 &
pid=$!
d=
for ((i = 0; i < SAVE_WAIT; i++)); do
	d=$(find "$tmp" -maxdepth 1 -type d -name 'gup-fast-*' | head -1)
	[ -n "$d" ] && [ "$(rows "$d/trials.csv")" -ge "$KILL_AFTER" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
saved=$(rows "$d/trials.csv")
check "killed in the middle of the point ($saved of $TRIALS trials saved)" \
	eval '[ "$saved" -ge "$KILL_AFTER" ] && [ "$saved" -lt "$TRIALS" ]'
check "meta.json written from the start, status running" \
	eval '[ "$(status "$d/meta.json")" = running ]'
cp "$d/trials.csv" "$tmp/before.csv"

"$G" run --resume "$d" >"$tmp/resume.out" 2>&1
rc=$?
check "resume exits 0" eval '[ $rc -eq 0 ]' || tail -3 "$tmp/resume.out" | sed 's/^/#   /'
check "resume completes the point: $TRIALS trials" \
	eval '[ "$(rows "$d/trials.csv")" -eq "$TRIALS" ] && [ "$(status "$d/meta.json")" = complete ]'
check "the trials that had finished are kept as they were" \
	eval '[ "$(head -n $((saved + 1)) "$d/trials.csv")" = "$(cat "$tmp/before.csv")" ]'
seq=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "trial") k = i; next }
	       { printf "%s ", $k }' "$d/trials.csv")
check "trials numbered 0..$((TRIALS - 1)) once each, resumed at trial $saved" \
	eval '[ "$seq" = "$(seq -s " " 0 $((TRIALS - 1))) " ]'
exit $failed
