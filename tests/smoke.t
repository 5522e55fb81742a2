#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# smoke.t - the gupsync driver end to end, as a user meets it: commands,
# bad input rejected before any file exists, a dry run, two tiny real runs
# that must not share a directory, and a run interrupted by SIGINT that
# must leave a consistent results directory.  Emits TAP for prove.
#
# Everything goes to a temporary --output directory and a private knob
# journal (GUPSYNC_JOURNAL), so neither results/ nor another run's journal
# is touched.  No assertion depends on a timing; the only waits are
# generous upper bounds that turn a hang into a failure.
#
# Conditions are passed to check() as single-quoted eval strings, expanded
# when checked; shellcheck cannot see through that:
# shellcheck disable=SC2016,SC2034,SC2317
set -u

G=${GUPSYNC:-./gupsync}
tmp=$(mktemp -d /tmp/gupsync-smoke-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
export GUPSYNC_JOURNAL=$tmp/journal

# Keep runs tiny: one PU, short windows, a few trials.
SHORT=(--threads 1 --duration 20ms --warmup 5ms --quiet)
TINY=("${SHORT[@]}" --page-size 4K --trials 3)
FIRST_SAVE_WAIT=200	# x 0.1 s: upper bound for the first point to be saved
EXIT_WAIT=100		# x 0.1 s: upper bound for exiting after SIGINT
SIGINT_STATUS=130	# 128 + SIGINT: the shell's status of a death by SIGINT
MEASURING_DELAY=0.3	# s after the first save: well inside the next point

n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		while IFS= read -r l; do echo "#   $l"; done <<<"$line"
	done
}
# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# Run gupsync with stdout/stderr/status in $out, $errs, $rc (never on
# our stdout, which is TAP).
gs() {
	"$G" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	out=$(<"$tmp/stdout")
	errs=$(<"$tmp/stderr")
}

json_ok() {
	if command -v python3 >/dev/null; then
		python3 -m json.tool "$1" >/dev/null 2>&1
	elif command -v jq >/dev/null; then
		jq empty "$1" >/dev/null 2>&1
	else	# no parser: at least a whole object
		[ "$(head -c 1 "$1")" = "{" ] && [ "$(tail -c 2 "$1" | tr -d '\n')" = "}" ]
	fi
}

no_tmp_files() { [ -z "$(find "$1" -name '*.tmp*' 2>/dev/null)" ]; }
# Data rows of a CSV (lines after the header).
rows() { echo $(($(wc -l <"$1") - 1)); }
# The values of column NAME of a CSV (fields before it hold no commas),
# in order / distinct.
csv_column_seq() {
	awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
			   k { print $k }' "$1" | tr '\n' ' '
}
csv_column() { csv_column_seq "$1" "$2" | tr ' ' '\n' | sort -u | tr '\n' ' '; }

# Each point meta.json calls done has its trials, and trials.csv holds
# exactly the trials meta.json counts; prints what disagrees.
cat >"$tmp/points.py" <<'EOF'
import json, sys
meta = json.load(open(sys.argv[1]))
try:
    # empty until the first trial (meta.json is written from the start)
    rows = max(0, sum(1 for _ in open(sys.argv[2])) - 1)
except OSError as e:
    sys.exit(print("meta.json lists points, but %s" % e))
bad = [p["params"] for p in meta["points"]
       if p["status"] == "done" and p["trials"] == 0]
total = sum(p["trials"] for p in meta["points"])
if bad:
    print("points marked done with 0 trials: %s" % bad)
elif total != rows:
    print("meta.json counts %d trials, trials.csv has %d rows" % (total, rows))
EOF

# points_agree LABEL META: meta.json's points agree with trials.csv.
points_agree() {
	local why
	if ! command -v python3 >/dev/null; then
		skip "$1: meta.json points vs trials.csv: no python3"
		return
	fi
	why=$(python3 "$tmp/points.py" "$2" "$(dirname "$2")/trials.csv" 2>&1)
	if [ -z "$why" ]; then
		ok "$1: meta.json points agree with trials.csv"
	else
		not_ok "$1: meta.json points agree with trials.csv" "$why"
	fi
}

if [ ! -x "$G" ]; then
	echo "1..0 # SKIP $G not built (make gupsync)"
	exit 0
fi

# ---- commands -------------------------------------------------------------
gs list
check "list exits 0 and lists gup-fast" \
	eval '[ $rc -eq 0 ] && grep -q "^gup-fast " <<<"$out"'
gs help
check "help exits 0 and prints usage" \
	eval '[ $rc -eq 0 ] && grep -q "usage: gupsync" <<<"$out"'
gs frobnicate
check "an unknown command exits 2 and names it" \
	eval '[ $rc -eq 2 ] && grep -q "frobnicate" <<<"$errs"'
gs run no-such-bench
check "an unknown benchmark exits 2 and names it" \
	eval '[ $rc -eq 2 ] && grep -q "no-such-bench" <<<"$errs"'
gs run gup-fast --help
check "run gup-fast --help exits 0 and lists --threads" \
	eval '[ $rc -eq 0 ] && grep -q -- "--threads" <<<"$out"'

# ---- bad input: exit 2, one clear line, no file ---------------------------
# args | what the message must name | what it must say is allowed
bad_cases=(
	"--threads 0|--threads|allowed: 1\\.\\."
	"--threads abc|--threads|allowed"
	"--page-size 3K|--page-size|allowed"
	"--duration 5parsecs|--duration|allowed"
	"--placement foo|--placement|compact"
	"--threads 999|--threads|[0-9]+ PUs"
	"--bogus|--bogus|--help"
	"extra|extra|--name=value"
	"--unit x|--unit|pu, core"
	"--topology bogus:1|--topology|synthetic"
	"--placement list|--cpu-list|--cpu-list 0-3"
	"--cpu-list 0|--cpu-list|--placement list"
	"--placement list --cpu-list 0,0|--placement|twice|more than once|duplicate"
	"--bg-threads 1|--bg-threads|allowed: 0"
)
for c in "${bad_cases[@]}"; do
	IFS='|' read -r args name allowed <<<"$c"
	# shellcheck disable=SC2086 # split the case's arguments on purpose
	gs run gup-fast $args --output "$tmp/bad"
	if [ $rc -ne 2 ]; then
		not_ok "bad '$args': exit 2" "got exit $rc" "stderr: $errs"
	elif ! grep -q -- "$name" <<<"$errs" || ! grep -Eq -- "$allowed" <<<"$errs"; then
		not_ok "bad '$args': message names $name and what is allowed" \
			"stderr: $errs"
	elif [ -e "$tmp/bad" ] || [ -e "$GUPSYNC_JOURNAL" ]; then
		not_ok "bad '$args': no file created" "$(find "$tmp/bad" 2>&1)"
	else
		ok "bad '$args': exit 2, names $name and what is allowed, no files"
	fi
done

# ---- dry runs ---------------------------------------------------------------
gs run gup-fast --topology "package:2 core:4 pu:2" --threads 1-4 \
	--output "$tmp/dry"
if [ $rc -eq 0 ] && [ "$(grep -c '^[^#].*PUs:' <<<"$out")" -eq 4 ] &&
   grep -Eq 'threads=4 .*PUs: [0-9]+ [0-9]+ [0-9]+ [0-9]+' <<<"$out"; then
	ok "synthetic topology: dry run prints 4 placements"
else
	not_ok "synthetic topology: dry run prints 4 placements" "exit $rc" \
		"stdout: $out" "stderr: $errs"
fi
check "synthetic topology: dry run writes nothing" \
	eval '[ ! -e "$tmp/dry" ] && [ ! -e "$GUPSYNC_JOURNAL" ]'
gs run gup-fast --threads 1 --dry-run --output "$tmp/dry"
check "--dry-run on this machine exits 0, prints a placement, writes nothing" \
	eval '[ $rc -eq 0 ] && grep -q "PUs:" <<<"$out" && [ ! -e "$tmp/dry" ]'

# ---- a tiny real run --------------------------------------------------------
gs run gup-fast "${TINY[@]}" --output "$tmp/run"
run_rc=$rc
run_out=$out
dirs=("$tmp"/run/gup-fast-*)
if [ $run_rc -eq 4 ]; then
	skip "tiny run skipped by gupsync: $(tail -n 1 <<<"$out")"
	real=0
elif [ $run_rc -eq 0 ] && [ ${#dirs[@]} -eq 1 ] && [ -d "${dirs[0]}" ]; then
	ok "tiny run exits 0 and creates one run directory"
	real=1
else
	not_ok "tiny run exits 0 and creates one run directory" "exit $run_rc" \
		"stderr: $errs" "dirs: ${dirs[*]}"
	real=0
fi

if [ $real -eq 1 ]; then
	d=${dirs[0]}
	check "tiny run: stdout names the run directory" \
		grep -qF "$d" <<<"$run_out"
	check "tiny run: --quiet prints no progress lines" \
		eval '! grep -q "\[1/1\]" <<<"$errs"'
	check "tiny run: meta.json parses" json_ok "$d/meta.json"
	check "tiny run: meta.json has command, machine and points" \
		eval 'grep -q "\"command\"" "$d/meta.json" &&
		      grep -q "\"machine\"" "$d/meta.json" &&
		      grep -q "\"points\"" "$d/meta.json"'
	check "tiny run: trials.csv header has gup_fast_ns" \
		eval 'head -n 1 "$d/trials.csv" | tr , "\n" | grep -qx gup_fast_ns'
	check "tiny run: trials.csv has 3 data rows" \
		eval '[ "$(rows "$d/trials.csv")" -eq 3 ]'
	check "tiny run: summary.csv has a median column and data" \
		eval 'head -n 1 "$d/summary.csv" | tr , "\n" | grep -qx median &&
		      [ "$(rows "$d/summary.csv")" -gt 0 ]'
	modes=$(csv_column "$d/evidence.csv" mode)
	check "tiny run: evidence.csv has modes control, private, shared ($modes)" \
		eval '[ "$modes" = "control private shared " ]'
	check "tiny run: no temporary files left" no_tmp_files "$tmp/run"
	check "tiny run: knob journal removed" eval '[ ! -e "$GUPSYNC_JOURNAL" ]'

	sum1=$(cksum <"$d/meta.json")
	gs run gup-fast "${TINY[@]}" --output "$tmp/run"
	dirs=("$tmp"/run/gup-fast-*)
	if [ $rc -eq 0 ] && [ ${#dirs[@]} -eq 2 ] &&
	   [ "$(cksum <"$d/meta.json")" = "$sum1" ]; then
		ok "second identical run gets its own directory, first untouched"
	else
		not_ok "second identical run gets its own directory, first untouched" \
			"exit $rc" "dirs: ${dirs[*]}"
	fi
	# --order interleave: trial t of every point, then t+1.
	gs run gup-fast "${SHORT[@]}" --page-size 4K,2M --trials 2 \
		--order interleave --output "$tmp/il"
	m=$(compgen -G "$tmp/il/gup-fast-*/meta.json" | head -n 1)
	if [ $rc -ne 0 ] || [ -z "$m" ]; then
		not_ok "--order interleave run exits 0" "exit $rc" "stderr: $errs"
	else
		t=$(dirname "$m")/trials.csv
		check "--order interleave: trials.csv rows go 0,0,1,1" \
			eval '[ "$(csv_column_seq "$t" trial)" = "0 0 1 1 " ]'
		points_agree "--order interleave" "$m"
	fi
else
	skip "tiny run's files: no run directory"
fi

# ---- info, restore ----------------------------------------------------------
gs info
check "info exits 0 and names the kernel release" \
	eval '[ $rc -eq 0 ] && grep -qF "$(uname -r)" <<<"$out"'
gs info --json
echo "$out" >"$tmp/info.json"
check "info --json exits 0 and parses" \
	eval '[ $rc -eq 0 ] && json_ok "$tmp/info.json"'
gs info --bogus
check "info --bogus exits 2" eval '[ $rc -eq 2 ]'
gs restore
check "restore without a journal: nothing to restore, exit 0" \
	eval '[ $rc -eq 0 ] && grep -q "nothing to restore" <<<"$out"'

# ---- SIGINT -----------------------------------------------------------------
# Knob restore on signals is covered on a fake sysfs by test_knobs; here:
# an interrupted run keeps every point it finished, consistently: no
# temporary file, all four files present and agreeing.  A non-interactive
# shell starts background jobs with SIGINT ignored, this test may itself
# have been started with SIGINT ignored, and gupsync keeps an inherited
# SIG_IGN (as nohup asks): so start it with SIGINT reset to the default.
#
# sigint_case LABEL WHEN: WHEN=measuring signals once the first point is
# saved (summary.csv is written last) and the second is being measured;
# WHEN=saving signals the moment meta.json appears, while the first save
# is still writing the other files.
sigint_case() {
	local label=$1 when=$2 pid st m d i
	local dir=$tmp/int-$when

	env --default-signal=INT "$G" run gup-fast "${SHORT[@]}" \
		--page-size 4K,2M --trials 20 \
		--output "$dir" >"$dir.out" 2>"$dir.err" &
	pid=$!
	if [ "$when" = saving ]; then
		# Busy-wait: the save takes milliseconds.
		until compgen -G "$dir/gup-fast-*/meta.json" >/dev/null; do
			kill -0 $pid 2>/dev/null || break
		done
	else
		for ((i = 0; i < FIRST_SAVE_WAIT; i++)); do
			compgen -G "$dir/gup-fast-*/summary.csv" >/dev/null && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		sleep "$MEASURING_DELAY"
	fi
	if ! kill -INT $pid 2>/dev/null; then
		wait $pid
		st=$?
		if [ $st -eq 0 ]; then
			skip "$label: the run ended before it could be interrupted"
		else
			not_ok "$label: the run failed before the signal" "exit $st" \
				"stderr: $(<"$dir.err")"
		fi
		return
	fi
	for ((i = 0; i < EXIT_WAIT; i++)); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 $pid 2>/dev/null; then
		kill -KILL $pid
		wait $pid
		not_ok "$label: gupsync exits" \
			"still running $((EXIT_WAIT / 10)) s after SIGINT"
	else
		wait $pid
		st=$?
		check "$label: gupsync dies by SIGINT (status $st)" \
			eval '[ $st -eq $SIGINT_STATUS ]'
	fi
	check "$label: no temporary files left" no_tmp_files "$dir"
	check "$label: knob journal removed" eval '[ ! -e "$GUPSYNC_JOURNAL" ]'
	m=$(compgen -G "$dir/gup-fast-*/meta.json" | head -n 1)
	if [ -z "$m" ]; then
		skip "$label: no point finished before the signal, no meta.json"
		return
	fi
	check "$label: meta.json parses" json_ok "$m"
	check "$label: trials, evidence and summary .csv are there too" \
		eval 'd=$(dirname "$m"); [ -f "$d/trials.csv" ] &&
		      [ -f "$d/evidence.csv" ] && [ -f "$d/summary.csv" ]'
	points_agree "$label" "$m"
}

sigint_case "SIGINT while measuring" measuring
sigint_case "SIGINT while saving" saving

# ---- resume ------------------------------------------------------------------
# The run interrupted while measuring carries on in its own directory:
# every point ends done with all its trials, none is run twice.
cat >"$tmp/resumed.py" <<'EOF'
import csv, json, sys
d = sys.argv[1]
meta = json.load(open(d + "/meta.json"))
want = int(sys.argv[2])
bad = [p["params"] for p in meta["points"]
       if p["status"] != "done" or p["trials"] != want]
rows = list(csv.DictReader(open(d + "/trials.csv")))
keys = [(r["page-size"], r["trial"]) for r in rows]
if len(meta["points"]) != 2 or bad:
    print("points not all done with %d trials: %s" % (want, bad or meta["points"]))
elif len(keys) != len(set(keys)) or len(keys) != 2 * want:
    print("trials.csv: %d rows, %d distinct (point, trial)" % (len(keys), len(set(keys))))
elif not meta.get("resumed"):
    print("meta.json does not record the resume")
EOF
m=$(compgen -G "$tmp/int-measuring/gup-fast-*/meta.json" | head -n 1)
if [ -z "$m" ] || ! command -v python3 >/dev/null; then
	skip "resume: no interrupted run with a meta.json (or no python3)"
else
	d=$(dirname "$m")
	gs run --resume "$d"
	check "resume: exits 0" eval '[ $rc -eq 0 ]'
	why=$(python3 "$tmp/resumed.py" "$d" 20 2>&1)
	if [ -z "$why" ]; then
		ok "resume: every point done once, with all its trials"
	else
		not_ok "resume: every point done once, with all its trials" "$why"
	fi
	check "resume: no new run directory" \
		eval '[ "$(compgen -G "$tmp/int-measuring/gup-fast-*/" | wc -l)" -eq 1 ]'
fi
gs run --resume "$tmp/nonexistent"
check "resume of a missing directory exits 2" eval '[ $rc -eq 2 ]'

echo "1..$n"
exit $failed
