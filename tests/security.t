#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# security.t - gupsync as root on a shared machine (TAP): every input that
# another local user could prepare - a results directory and its name, a
# file in it, a planted journal, the environment under `sudo -E` - is tried
# in the exact shape of the finding it guards against.  Each case asserts
# that no marker file appears (a command ran) and no target file changes
# (a write went through a link), and what gupsync said instead.
#
# Runs as root, as CI does; as another user the root-only cases skip.
# shellcheck disable=SC2016
set -u
cd "$(dirname "$0")/.." || exit 1
G=${GUPSYNC:-$PWD/gupsync}
T=$(mktemp -d /tmp/gupsync-security-XXXXXX) || exit 1
trap 'cd /; rm -rf "$T"' EXIT
export GUPSYNC_JOURNAL=$T/journal.d/knobs.journal
mkdir -m 0700 "$T/journal.d" "$T/cwd"
n=0
ok() {	# ok STATUS NAME [LOG]
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		echo "not ok $n - $2"; [ -n "${3:-}" ] && cut -c1-300 "$3" | sed "s/^/# /" | tail -20; fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
# nothing_ran: no marker anywhere under $T, and the target unchanged.
nothing_ran() {
	[ -z "$(find "$T" -name M -print -quit)" ] &&
		[ "$(cat "$T/target")" = precious ]
}
reset_target() { find "$T" -name M -delete; echo precious > "$T/target"; }
gs() { (cd "$T/cwd" && "$G" "$@") > "$T/log" 2>&1; rc=$?; }
echo "1..18"

# One tiny real run to plot, compare and copy about.
"$G" run gup-fast --threads 1 --page-size 4K --trials 2 --duration 20ms \
	--warmup 5ms --quiet --output "$T/res" > "$T/run.log" 2>&1
RUN=$(ls -d "$T"/res/gup-fast-* 2>/dev/null | head -1)
if [ -z "$RUN" ] || ! command -v gnuplot > /dev/null; then
	for _ in $(seq 18); do skip "no tiny run or no gnuplot ($(tail -1 "$T/run.log"))"; done
	exit 0
fi
reset_target

# ---- names that reach gnuplot -----------------------------------------------
cp -r "$RUN" "$T/cwd/<touch M #"
gs plot '<touch M #'
nothing_ran; ok $? "plot of a directory named '<touch M #' runs nothing (exit $rc)" "$T/log"
gs plot -o '|touch M #' "$RUN"
nothing_ran; ok $? "plot -o '|touch M #' runs nothing (exit $rc)" "$T/log"
gs report --no-plots "$RUN" '<touch M #'
r1=$rc; gs report "$RUN" '<touch M #'
nothing_ran; ok $? "report RUN '<touch M #' runs nothing (exit $r1, $rc)" "$T/log"

# ---- writes through links ---------------------------------------------------
cp -r "$RUN" "$T/r-link"
mkdir -p "$T/r-link/plots/data"
for f in rate_per_s.png rate_per_s.svg gup_fast_ns.png gup_fast_ns.svg; do
	ln -sf "$T/target" "$T/r-link/plots/$f"
	ln -sf "$T/target" "$T/r-link/plots/data/${f%.*}.dat"
done
gs plot "$T/r-link"
nothing_ran && [ -L "$T/r-link/plots/rate_per_s.png" -o -f "$T/r-link/plots/rate_per_s.png" ]
ok $? "symlinks at plots/NAME.png and plots/data/NAME.dat: replaced, not followed (exit $rc)" "$T/log"

cp -r "$RUN" "$T/r-dirlink"; mkdir "$T/elsewhere"
ln -s "$T/elsewhere" "$T/r-dirlink/plots"
gs plot "$T/r-dirlink"
[ "$rc" != 0 ] && [ -z "$(ls "$T/elsewhere")" ]
ok $? "plots/ a symlink to another directory: refused, nothing written there (exit $rc)" "$T/log"

cp -r "$RUN" "$T/r-open"; mkdir -m 0777 "$T/r-open/plots"
gs plot "$T/r-open"
[ "$rc" != 0 ] && [ -z "$(ls "$T/r-open/plots")" ] && grep -q "writable by" "$T/log"
ok $? "a world-writable plots/: refused with the reason (exit $rc)" "$T/log"

if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	cp -r "$RUN" "$T/r-theirs"; mkdir "$T/r-theirs/plots"
	chown nobody "$T/r-theirs/plots"
	gs plot "$T/r-theirs"
	[ "$rc" != 0 ] && [ -z "$(ls "$T/r-theirs/plots")" ] && grep -q "owned by" "$T/log"
	ok $? "plots/ owned by another user: refused with the reason (exit $rc)" "$T/log"
else
	skip "not root, or no user nobody"
fi

# ---- the knob journal -------------------------------------------------------
reset_target
ln -s "$T/target" "$T/link"
printf '%s\t%s\n' "$T/link" owned > "$GUPSYNC_JOURNAL"
gs list
r1=$rc; gs run gup-fast --dry-run --threads 1
nothing_ran; ok $? "a planted journal line (a link outside the allowlist) writes nothing (list $r1, run $rc)" "$T/log"
printf '%s\t%s\n' /sys/kernel/mm/ksm/run 0 > "$GUPSYNC_JOURNAL"
chmod 0666 "$GUPSYNC_JOURNAL"
gs restore
[ "$rc" != 0 ] && grep -qi "writable" "$T/log"
ok $? "a journal writable by others is refused (restore exit $rc)" "$T/log"
rm -f "$GUPSYNC_JOURNAL"
mkdir -m 0777 "$T/open.d"
printf '%s\t%s\n' "$T/link" owned > "$T/open.d/j"
(cd "$T/cwd" && GUPSYNC_JOURNAL=$T/open.d/j "$G" restore) > "$T/log" 2>&1
nothing_ran; ok $? "GUPSYNC_JOURNAL in a world-writable directory is not honoured" "$T/log"

# ---- environment and working directory --------------------------------------
reset_target
mkdir -p "$T/cwd/plots" "$T/evilplots" "$T/home"
for d in "$T/cwd/plots" "$T/evilplots"; do
	for s in "$(dirname "$G")"/plots/*.gp; do
		echo "system('touch $T/M')" > "$d/$(basename "$s")"
	done
done
echo "system('touch $T/M')" > "$T/home/.gnuplot"
gs plot -o "$T/p1" "$RUN"
r1=$rc
(cd "$T/cwd" && HOME=$T/home GNUPLOT_LIB=$T/evilplots "$G" plot -o "$T/p2" "$RUN") > "$T/log" 2>&1
nothing_ran; ok $? "./plots in the working directory and HOME/.gnuplot are never loaded (exit $r1, $?)" "$T/log"
if [ "$(id -u)" = 0 ]; then
	(cd "$T/cwd" && GUPSYNC_PLOTS=$T/evilplots "$G" plot -o "$T/p3" "$RUN") > "$T/log" 2>&1
	nothing_ran; ok $? "GUPSYNC_PLOTS is ignored as root" "$T/log"
	printf '#!/bin/sh\ntouch %s/M\n' "$T" > "$T/evil.sh"; chmod +x "$T/evil.sh"
	(cd "$T/cwd" && GUPSYNC_VM_SCRIPT=$T/evil.sh "$G" vm --help) > "$T/log" 2>&1
	nothing_ran; ok $? "GUPSYNC_VM_SCRIPT is ignored as root" "$T/log"
else
	skip "not root"; skip "not root"
fi

# A TMPDIR whose name would end a uprobe_events line is not used.
D=$T/$'tmp\n-:injected'; mkdir -p "$D"
(cd "$T/cwd" && TMPDIR=$D "$G" run uprobe-replace --trials 1 --duration 20ms \
	--warmup 5ms --quiet --output "$T/up") > "$T/log" 2>&1
rc=$?
[ -z "$(ls -A "$D")" ] && { [ "$rc" = 0 ] || [ "$rc" = 4 ]; }
ok $? "a TMPDIR with a newline is not used for the uprobe copy (exit $rc)" "$T/log"

# ---- strings from files reach the terminal escaped ----------------------------
cp -r "$RUN" "$T/r-esc"
python3 - "$T/r-esc/meta.json" <<'PY'
import json, sys
p = sys.argv[1]; m = json.load(open(p))
def poison(o, key=""):
    if isinstance(o, dict):
        return {k: v if key == "bench" and k == "name" else poison(v, k)
                for k, v in o.items()}
    if isinstance(o, list):
        return [poison(v) for v in o]
    if isinstance(o, str):
        return o + "\x1b]0;owned\x07\x1b[2J"
    return o
json.dump(poison(m), open(p, "w"))
PY
gs compare "$RUN" "$T/r-esc"
r1=$rc; cp "$T/log" "$T/log1"; gs report --no-plots "$RUN" "$T/r-esc"
! grep -q $'\x1b' "$T/log1" "$T/log"
ok $? "compare and report print no raw escape from meta.json (exit $r1, $rc)" "$T/log1"
mkdir "$T/cwd/$(printf 'esc\033]0;x\007')"
gs plot "$T/cwd/$(printf 'esc\033]0;x\007')"
[ "$rc" = 2 ] && ! grep -q $'\x1b' "$T/log"
ok $? "a run directory named with an escape sequence: refused, printed escaped (exit $rc)" "$T/log"

# ---- resources ---------------------------------------------------------------
gs run collapse --threads 64 --regions 1024 --placement none --dry-run
[ "$rc" = 2 ] && grep -q "GiB" "$T/log"
ok $? "collapse --threads 64 --regions 1024 --placement none --dry-run: refused with the memory (exit $rc)" "$T/log"
gs run gup-fast --threads 4096 --placement none --dry-run
[ "$rc" = 2 ] && grep -q -- "--oversubscribe" "$T/log"
ok $? "--threads 4096 on this machine needs --oversubscribe, whatever the placement (exit $rc)" "$T/log"
