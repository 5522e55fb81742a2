#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# odirect.t - the O_DIRECT paths from the command line (issue 12): bad
# options get one line and exit 2 with nothing written; `gupsync check`
# shows the held O_DIRECT read (odirect-fuse) for collapse and KSM, the
# proof that GUP-fast pinned it, and the loop-device race; afterwards no
# loop device, FUSE mount or server process is left.  The FUSE hold and
# the loop device's cleanup after SIGKILL are tests/test_fusehold.c and
# tests/test_loopdev.c.  Needs root; emits TAP.
set -u
G=${GUPSYNC:-./gupsync}
tmp=$(mktemp -d /tmp/gupsync-odirect-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
export GUPSYNC_JOURNAL=$tmp/journal
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi

# Bad input: exit 2, one line, nothing written.
"$G" run collapse --bg-io foo --output "$tmp/o" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "collapse --bg-io foo: exit 2" [ $rc -eq 2 ]
check "collapse --bg-io foo: one line naming the choices" \
	eval '[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "futex, odirect" "$tmp/err"'
check "collapse --bg-io foo: nothing written" [ ! -e "$tmp/o" ]
"$G" check --race-time=abc --output "$tmp/o" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "check --race-time=abc: exit 2, nothing written" \
	eval '[ $rc -eq 2 ] && [ ! -e "$tmp/o" ]'

# The paths, with short races.
mounts_before=$(grep -c fuse /proc/1/mountinfo)
"$G" check --race-time=200ms --output=- >"$tmp/out" 2>"$tmp/err"
rc=$?
check "check: exit 0" [ $rc -eq 0 ]
for p in collapse ksm; do
	if grep -qE "^$p/odirect-fuse +PROTECTED .*arrived" "$tmp/out" ||
	   grep -qE "^$p/odirect-fuse +SKIPPED" "$tmp/out"; then
		ok "check: $p/odirect-fuse PROTECTED (or SKIPPED with a reason)"
	else
		not_ok "check: $p/odirect-fuse PROTECTED (or SKIPPED with a reason)" \
			"$(grep "^$p/odirect-fuse" "$tmp/out")"
	fi
done
check "check: the odirect-fuse path line" \
	grep -q "^# odirect-fuse path: mmap_lock per read" "$tmp/out"
# A failure shows the line and check's stderr (TAP comments).
for p in odirect odirect-ksm; do
	if grep -qE "^race/$p +(PROTECTED|SKIPPED).* 0 violations" "$tmp/out"; then
		ok "check: race/$p ran with 0 violations (or was skipped)"
	else
		not_ok "check: race/$p ran with 0 violations (or was skipped)" \
			"$(grep -E "^race/$p " "$tmp/out")" "$(tail -5 "$tmp/err")"
	fi
done
check "no loop device left" eval '[ -z "$(losetup -a 2>/dev/null | grep gupsync-loop)" ]'
check "no FUSE mount left in the init namespace" \
	[ "$(grep -c fuse /proc/1/mountinfo)" -eq "$mounts_before" ]
check "no FUSE server process left" eval '! pgrep -f gupsync-fusehold >/dev/null'
echo "1..$n"
