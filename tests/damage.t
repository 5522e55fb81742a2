#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# damage.t - the damage matrix (issue 15): damaged copies of small real run
# directories (tests/fixtures/runs: two gup-fast runs and an rcu-wait run
# over bg-threads 0,1, as `gupsync run` wrote them), and every reader run
# on every copy: validate, compare (both ways), report, plot, variants and
# run --resume.  For each: either a clear error (a nonzero exit, no crash,
# no hang, one line naming what is wrong) or, where the damage is harmless
# (CRLF line endings, an extra column), the same output as the intact
# directory.  The input directory is checksum-identical afterwards, and
# validate fails on every damaged copy (passes on the harmless ones).
# A torn last line is the one damage run --resume repairs: it completes
# the run, and the directory validates afterwards.  Emits TAP for prove.
#
# shellcheck disable=SC2016
set -u

G=${GUPSYNC:-./gupsync}
FX=$(cd "$(dirname "$0")" && pwd)/fixtures/runs
DAMAGE=$(cd "$(dirname "$0")" && pwd)/damage/damage.py
READ_WAIT=30	# s: upper bound for one reader on a small directory
EXIT_TIMEOUT=124
EXIT_SIGNAL=128
tmp=$(mktemp -d /tmp/gupsync-damage-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
export GUPSYNC_JOURNAL=$tmp/journal

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		while IFS= read -r l; do echo "#   $l"; done <<<"$line"
	done
}

if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 is needed to damage the fixtures"
	exit 0
fi

# Run the reader with a bound; status in $rc, output in $tmp/out, $tmp/err.
rd() {
	timeout "$READ_WAIT" "$G" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}

# Regular files' checksums, the other entries' types (a FIFO is not read).
sums() {
	(cd "$1" && find . -printf '%p %y\n' | sort &&
	 find . -type f -print0 | sort -z | xargs -0 md5sum)
}

# The intact copies, and what each reader prints for them.
cp -a "$FX/gup-fast-a" "$tmp/A" && cp -a "$FX/gup-fast-b" "$tmp/B" &&
	cp -a "$FX/rcu-wait" "$tmp/R" || exit 1
X=$tmp/X
reference() {	# BASE: the readers' output on an intact copy at $X
	rm -rf "$X" && cp -a "$tmp/$1" "$X"
	rd compare "$X" "$tmp/$2" && cp "$tmp/out" "$tmp/ref.compare.$1"
	rd compare "$tmp/$2" "$X" && cp "$tmp/out" "$tmp/ref.compareb.$1"
	rd report --no-plots "$X" "$tmp/$2" && cp "$tmp/out" "$tmp/ref.report.$1"
	rd variants "$X"; cp "$tmp/out" "$tmp/ref.variants.$1"
	echo "$rc" >"$tmp/ref.variants_rc.$1"
}
reference A B
reference R R

# One reader on the damaged copy: a clear error or the intact output.
judge() {	# LABEL REF|- READER ARGS...
	local label=$1 ref=$2 what
	shift 2
	rd "$@"
	what="$label: $*"
	if [ "$rc" -ge "$EXIT_SIGNAL" ] || [ "$rc" -eq "$EXIT_TIMEOUT" ]; then
		not_ok "$what: no crash, no hang" "exit $rc" "$(head -c 300 "$tmp/err")"
	elif [ "$rc" -ne 0 ] && ! grep -q . "$tmp/err" && ! grep -q . "$tmp/out"; then
		not_ok "$what: an error says what is wrong" "exit $rc, no message"
	elif [ "$rc" -eq 0 ] && [ "$ref" != - ] && ! cmp -s "$ref" "$tmp/out"; then
		not_ok "$what: exit 0 means the intact directory's numbers" \
			"$(diff "$ref" "$tmp/out" | head -8)"
	else
		ok "$what (exit $rc)"
	fi
}

# CASE BASE OTHER FILE KIND [ARG] [harmless]
case_() {
	local base=$1 other=$2 file=$3 kind=$4 arg=${5:-} harmless=${6:-}
	local label="$base $file $kind${arg:+ $arg}" before vrc
	rm -rf "$X" "$tmp/plots" && cp -a "$tmp/$base" "$X"
	python3 "$DAMAGE" "$X" "$file" "$kind" $arg || {
		not_ok "$label: damage.py"; return; }
	before=$(sums "$X")
	rd validate "$X"
	vrc=$rc
	if [ -n "$harmless" ] && [ "$vrc" -eq 0 ]; then
		ok "$label: validate passes a harmless change"
	elif [ -z "$harmless" ] && [ "$vrc" -eq 1 ] && grep -q "$X" "$tmp/out"; then
		ok "$label: validate names the problem"
	else
		not_ok "$label: validate" "exit $vrc" "$(head -c 300 "$tmp/out" "$tmp/err")"
	fi
	judge "$label" "$tmp/ref.compare.$base" compare "$X" "$tmp/$other"
	judge "$label" "$tmp/ref.compareb.$base" compare "$tmp/$other" "$X"
	judge "$label" "$tmp/ref.report.$base" report --no-plots "$X" "$tmp/$other"
	judge "$label" - plot -o "$tmp/plots" "$X"
	if [ "$(cat "$tmp/ref.variants_rc.$base")" -eq 0 ]; then
		judge "$label" "$tmp/ref.variants.$base" variants "$X"
	else
		judge "$label" - variants "$X"
	fi
	# A torn last line (torn, nonl, a copy cut halfway) is what resume
	# repairs: resume_torn below.
	if [ -z "$harmless" ] && [ "$kind" != torn ] && [ "$kind" != nonl ] &&
	   [ "$kind" != half ]; then
		judge "$label" - run --resume "$X"
		[ "$rc" -ne 0 ] && ok "$label: resume refuses" ||
			not_ok "$label: resume refuses" "exit 0"
	fi
	if [ "$before" = "$(sums "$X")" ]; then
		ok "$label: the input is unchanged"
	else
		not_ok "$label: the input is unchanged" \
			"$(diff <(echo "$before") <(sums "$X") | head -6)"
	fi
}

# Damage every file can take.
GENERIC="nul torn nonl empty garbage half headonly dup delete fifo symloop dir"
CELLS="abc blank huge junk hex inf neg nan"

for f in summary.csv trials.csv; do
	for k in $GENERIC; do case_ A B "$f" "$k"; done
	case_ A B "$f" crlf "" harmless
	case_ A B "$f" extracol "" harmless
	case_ A B "$f" param bg-threads
	case_ A B "$f" param threads
done
for k in $CELLS; do
	case_ A B summary.csv "$k" median
	case_ A B trials.csv "$k" private_ns_per_op
	case_ A B trials.csv "$k" trial
done
for c in better unit median metric n; do case_ A B summary.csv drop "$c"; done
for c in trial private_ns_per_op shared_ops_per_s; do
	case_ A B trials.csv drop "$c"
done
case_ A B summary.csv flip
for k in nul torn dup half fifo; do case_ A B evidence.csv "$k"; done
for k in nul torn dup half garbage fifo; do case_ A B slices.csv "$k"; done
case_ A B slices.csv abc ns_per_op
case_ A B slices.csv neg ops
case_ A B evidence.csv abc ns_per_op
case_ A B evidence.csv drop mode
for k in nul half garbage empty emptyobj format nometrics delete fifo symloop; do
	case_ A B meta.json "$k"
done
# Directories from before meta.json's "format" (1.0) read as they did.
case_ A B meta.json noformat "" harmless
case_ R R meta.json noformat "" harmless
case_ A B meta.json otherbench pin-fast
case_ A B meta.json trials 2

# A latency run: samples.csv too.  (Format 1.1 numbers each sample in its
# window, so a duplicated one is seen.)
for k in $GENERIC; do case_ R R samples.csv "$k"; done
case_ R R samples.csv crlf "" harmless
for k in $CELLS; do
	case_ R R samples.csv "$k" latency_ns
	case_ R R trials.csv "$k" normal_p50_ns
done
for c in latency_ns mode trial sample; do case_ R R samples.csv drop "$c"; done
case_ R R samples.csv param bg-threads
for k in torn nul dup flip; do case_ R R summary.csv "$k"; done
case_ R R trials.csv torn
case_ R R trials.csv param bg-threads

# Runs of two benchmarks: plot refuses them as compare and report do.
for cmd in "compare" "report --no-plots" "plot -o $tmp/plots"; do
	rd $cmd "$tmp/A" "$tmp/R"
	if [ "$rc" -ne 0 ] && [ "$rc" -lt "$EXIT_TIMEOUT" ] && grep -q "rcu-wait" "$tmp/err"; then
		ok "${cmd%% *} refuses runs of gup-fast and rcu-wait"
	else
		not_ok "${cmd%% *} refuses runs of gup-fast and rcu-wait" "exit $rc" \
			"$(head -c 300 "$tmp/err")"
	fi
done

# Resume repairs a torn last line: it completes the run (the dropped
# trial measured again), the kept trials are unchanged, and the directory
# validates afterwards (summary.csv's medians are its trials').
resume_torn() {	# BASE FILE KIND
	local label="resume after $1 $2 $3"
	rm -rf "$X" && cp -a "$tmp/$1" "$X"
	python3 "$DAMAGE" "$X" "$2" "$3"
	rd run --resume "$X"
	if [ "$rc" -ne 0 ]; then
		not_ok "$label: completes" "exit $rc" "$(tail -c 300 "$tmp/err")"
		return
	fi
	ok "$label: completes"
	if grep -q "cut short: dropped" "$tmp/err"; then
		ok "$label: says what it dropped"
	else
		not_ok "$label: says what it dropped" "$(tail -c 300 "$tmp/err")"
	fi
	rd validate "$X"
	[ "$rc" -eq 0 ] && ok "$label: validates" ||
		not_ok "$label: validates" "$(cat "$tmp/out")"
	if [ "$(head -n -1 "$tmp/$1/trials.csv")" = "$(head -n -1 "$X/trials.csv")" ]; then
		ok "$label: the other trials are kept as they were"
	else
		not_ok "$label: the other trials are kept as they were"
	fi
	rd compare "$X" "$tmp/$1"
	[ "$rc" -eq 0 ] && ok "$label: compare reads it" ||
		not_ok "$label: compare reads it" "$(cat "$tmp/err")"
}
resume_torn A trials.csv torn
resume_torn A trials.csv nonl
resume_torn A summary.csv torn
resume_torn R samples.csv torn
resume_torn R trials.csv torn

# A directory an older gupsync wrote (format 1.0: no sample column): every
# reader reads it; resume refuses it, naming the format, and writes nothing.
rm -rf "$X" && cp -a "$tmp/R" "$X"
python3 - "$X" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/meta.json"))
m["format"]["minor"] = 0
json.dump(m, open(d + "/meta.json", "w"))
rows = [l.split(",") for l in open(d + "/samples.csv").read().splitlines()]
k = rows[0].index("sample")
open(d + "/samples.csv", "w").write("".join(
    ",".join(r[:k] + r[k + 1:]) + "\n" for r in rows))
PY
before=$(sums "$X")
rd validate "$X"
[ "$rc" -eq 0 ] && ok "format 1.0 samples.csv: validate reads it" ||
	not_ok "format 1.0 samples.csv: validate reads it" "$(cat "$tmp/out")"
rd run --resume "$X"
if [ "$rc" -eq 1 ] && grep -q "format 1.0, but this gupsync writes" "$tmp/err" &&
   [ "$before" = "$(sums "$X")" ]; then
	ok "format 1.0: resume refuses it and writes nothing"
else
	not_ok "format 1.0: resume refuses it and writes nothing" "exit $rc" \
		"$(tail -c 300 "$tmp/err")"
fi

# A run an older gupsync wrote with another metric set (the same format):
# gup_fast_rel taken out of meta.json, trials.csv and summary.csv, whole
# otherwise, its last trial torn off.  Resume refuses at the first trial,
# naming the metric, and writes nothing.
rm -rf "$X" && cp -a "$tmp/A" "$X"
python3 - "$X" <<'PY'
import json, sys
d, gone = sys.argv[1], "gup_fast_rel"
m = json.load(open(d + "/meta.json"))
m["metrics"] = [x for x in m["metrics"] if x["name"] != gone]
json.dump(m, open(d + "/meta.json", "w"))
rows = [l.split(",") for l in open(d + "/trials.csv").read().splitlines()]
k = rows[0].index(gone)
text = "".join(",".join(r[:k] + r[k + 1:]) + "\n" for r in rows)
open(d + "/trials.csv", "w").write(text[:-3])	# torn inside the last row
lines = open(d + "/summary.csv").read().splitlines()
head = lines[0].split(",")
mc = head.index("metric")
open(d + "/summary.csv", "w").write("".join(
    l + "\n" for l in lines if l.split(",")[mc] != gone))
PY
before=$(sums "$X")
rd run --resume "$X"
if [ "$rc" -eq 1 ] && grep -q "metric .* is gup_fast_rel here" "$tmp/err" &&
   [ "$before" = "$(sums "$X")" ]; then
	ok "another metric set: resume refuses it and writes nothing"
else
	not_ok "another metric set: resume refuses it and writes nothing" \
		"exit $rc" "$(tail -c 400 "$tmp/err")"
fi

echo "1..$n"
