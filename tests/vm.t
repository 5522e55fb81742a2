#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm.t - `gupsync vm` and gupsync.ko in a QEMU guest (TAP, run by prove).
#
# Installs what the VM needs (vm/gupsync-vm --prepare: qemu, busybox-static,
# Debian's kernel headers, the kernel image downloaded into build/vm), then
# boots Debian 12's kernel under TCG (a few seconds a boot):
#   - the module loads, every ioctl returns sane values, bad arguments get
#     the right errno, a seeded fuzz leaves the device working
#     (build/tests/test_kmod_args inside the guest), and k-ipi, k-rcu and
#     k-gup produce results;
#   - `gupsync vm -- run gup-fast` (accelerator auto: KVM if a probe boot
#     works, else TCG) brings results back, labelled;
#   - a guest whose kernel taints itself with a warning, or panics, fails
#     the command;
#   - `gupsync check` in the 6.1 guest, whose uprobe_write_opcode() still
#     puts a new page in place of the probed one (__replace_page(), no
#     refcount check), finds the uprobe hole: both held uprobe lines NOT
#     PROTECTED with the held page's PFN moved and the views parted, the
#     control replaced, and check.json saying the same.
# No timing is asserted.  Skipped, with the reason, where the packages
# cannot be installed or the machine is not x86-64.
set -u
cd "$(dirname "$0")/.." || exit 1
GUPSYNC=${GUPSYNC:-$PWD/gupsync}
TESTBIN=$(dirname "$GUPSYNC")/build/tests/test_kmod_args
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0 skip_why=
SHORT="--duration 100ms --warmup 20ms --trials 2"
NTESTS=15

# ok STATUS NAME [LOG]: a failed check shows its log as TAP comments;
# once the VM cannot be had, the rest are skipped with the reason.
ok() {
	n=$((n + 1))
	if [ -n "$skip_why" ]; then
		echo "ok $n - $2 # SKIP $skip_why"
	elif [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && sed 's/^/# /' "$3" | tail -40
	fi
}
# A guest that hangs costs minutes under TCG, not the default half hour.
vm() { "$GUPSYNC" vm --timeout 240 --output "$TMP/results" "$@"; }

[ -x "$GUPSYNC" ] || { echo "1..0 # SKIP no gupsync binary at $GUPSYNC"; exit 0; }
echo "1..$NTESTS"
# The command itself, and bad options refused before anything boots.
"$GUPSYNC" vm --help > "$TMP/help.log" 2>&1
ok $(( $? != 0 )) "gupsync vm --help finds and runs vm/gupsync-vm" "$TMP/help.log"
"$GUPSYNC" vm --smp 0 -- list > "$TMP/bad.log" 2>&1
ok $(( $? != 2 )) "--smp 0 is a usage error (exit 2)" "$TMP/bad.log"
"$GUPSYNC" vm --accel xen -- list > "$TMP/bad.log" 2>&1
ok $(( $? != 2 )) "--accel xen is a usage error (exit 2)" "$TMP/bad.log"
"$GUPSYNC" vm --tcg fast -- list > "$TMP/bad.log" 2>&1
ok $(( $? != 2 )) "--tcg fast is a usage error (exit 2)" "$TMP/bad.log"
GUPSYNC_VM_TCG=fast "$GUPSYNC" vm -- list > "$TMP/bad.log" 2>&1
ok $(( $? != 2 )) "GUPSYNC_VM_TCG=fast is a usage error (exit 2)" "$TMP/bad.log"

if [ "$(uname -m)" != x86_64 ]; then
	skip_why="the guest kernel is x86-64; this is $(uname -m)"
elif [ ! -x "$TESTBIN" ]; then
	skip_why="no $TESTBIN (make it first)"
else
	# exit 4: packages or the kernel image cannot be had here (skip);
	# anything else, a module that does not build, is a failure.
	"$GUPSYNC" vm --prepare > "$TMP/prepare.log" 2>&1
	prep=$?
	[ "$prep" = 4 ] && skip_why="VM prerequisites unavailable: $(tail -1 "$TMP/prepare.log")"
fi
ok "${prep:-0}" "gupsync vm --prepare: packages, kernel, gupsync.ko built" "$TMP/prepare.log"
if [ -n "$skip_why" ] || [ "${prep:-0}" != 0 ]; then
	skip_why=${skip_why:-gupsync vm --prepare failed}
	while [ "$n" -lt "$NTESTS" ]; do ok 0 "boots the guest"; done
	exit 0
fi
# Work directories (kept by failed boots) go with $TMP.
export GUPSYNC_VM_WORK=$TMP/work

# One boot: the ioctl tests and fuzz, then the three k-* benches.
smoke_boot() {
	rm -rf "$TMP"/results/k-*
	vm --accel tcg --smp 2 --add "$TESTBIN" --guest-cmd \
		"CMOCKA_MESSAGE_OUTPUT=TAP test_kmod_args &&
		 gupsync run k-ipi $SHORT && gupsync run k-rcu $SHORT &&
		 gupsync run k-gup $SHORT --pages-per-call 1,16" > "$TMP/smoke.log" 2>&1
}
# A guest whose kernel reported a soft lockup or an RCU stall, or that ran
# past --timeout: what the console caught (the BUG line, which CPU, its
# RIP and call trace) as TAP comments, and the console log kept in
# build/vm/ for the post-mortem.  No second boot, after a lockup or a
# timeout: the 2-vCPU guests run --tcg single (auto), where one host
# thread runs both vCPUs in turn, so a loaded host slows the guest but
# leaves no vCPU spinning for a sibling the host descheduled (MTTCG can:
# a soft lockup), and every vCPU gets its turn (QEMU 7.2's icount gave
# the whole budget to vCPU 0: 2 of 7 vm.t runs hung in SMP bring-up);
# the 1-vCPU guests run icount.  A lockup or timeout now is the guest
# kernel's or the module's, and would happen again.  GUPSYNC_VM_TCG
# picks another mode (to measure the difference).
TCG_WANT=${GUPSYNC_VM_TCG:-auto} TCG_WANT1=${GUPSYNC_VM_TCG:-auto}
[ "$TCG_WANT" = auto ] && TCG_WANT=single TCG_WANT1=icount
# tcg_arg MODE: what the "booting:" line shows for a TCG mode.
tcg_arg() {
	case $1 in icount) echo '-accel tcg -icount shift=auto,sleep=off' ;;
	single) echo '-accel tcg,thread=single' ;; mttcg) echo '-accel tcg,thread=multi' ;; esac
}
report_hang() {
	local log=$TMP/$1.log keep
	grep -qE 'soft lockup|rcu_.*stall|ran past --timeout' "$log" || return 0
	keep=$PWD/build/vm/vm.t-$1-$(date +%Y%m%d-%H%M%S).log
	cp "$log" "$keep" 2>/dev/null || keep="(not kept: cp failed)"
	echo "# $1 guest: soft lockup, RCU stall or timeout; console log kept as $keep"
	tr -d '\r' < "$log" | grep -E -A40 'soft lockup|rcu_.*stall|ran past --timeout' |
		grep -vE ' (R[SB]P|R[A-D]X|R[SD]I|R[0-9]+|[CDEFG]S|CR[0-4]|DR[0-7]):|Code:|^--$' |
		head -60 | sed 's/^/#   /'
}
smoke_boot
rc=$?
report_hang smoke
tr -d '\r' < "$TMP/smoke.log" > "$TMP/smoke.txt"
grep -q '^ok [0-9]' "$TMP/smoke.txt" && ! grep -q '^not ok' "$TMP/smoke.txt"
tap=$?
ok $(( rc != 0 || tap != 0 )) \
	"guest: module loads, ioctls sane, bad arguments rejected, fuzz survived" "$TMP/smoke.txt"

# Each k-* bench left a labelled run directory with a number in it.
bad=0
for b in k-ipi k-rcu k-gup; do
	d=$(ls -d "$TMP"/results/$b-*-vm-*-tcg 2>/dev/null | head -1)
	if [ -z "$d" ] || ! grep -q '"timing_representative_of_hardware": false' "$d/vm.json" ||
	   ! grep -q "\"tcg\": \"$TCG_WANT: " "$d/vm.json" ||
	   ! grep -qE ',(all_ipi_ns|sync_rcu_ns|get_ns),ns,lower,2,[0-9]' "$d/summary.csv"; then
		echo "$b: missing or unlabelled results (${d:-none})" >> "$TMP/kbench.log"
		# what was there instead: the label and the headline rows
		[ -n "$d" ] && grep -hE '"tcg"|"timing_rep' "$d/vm.json" >> "$TMP/kbench.log" 2>&1
		[ -n "$d" ] && grep -hE ',(all_ipi_ns|sync_rcu_ns|get_ns),' "$d/summary.csv" >> "$TMP/kbench.log" 2>&1
		bad=1
	fi
done
ok $bad "k-ipi, k-rcu, k-gup results came back labelled TCG ($TCG_WANT)" "$TMP/kbench.log"

# The issue's example: gupsync vm -- run gup-fast, accelerator auto.
vm --smp 2 -- run gup-fast $SHORT > "$TMP/gupfast.log" 2>&1
rc=$?
report_hang gupfast
d=$(ls -d "$TMP"/results/gup-fast-*-vm-* 2>/dev/null | head -1)
ok $(( rc != 0 )) "gupsync vm -- run gup-fast exits 0" "$TMP/gupfast.log"
ok $(( $([ -n "$d" ] && [ -f "$d/summary.csv" ] && [ -f "$d/vm.json" ] && echo 0 || echo 1) )) \
	"gup-fast results are back in the host's results directory" "$TMP/gupfast.log"

# A kernel that warned (taint W) or panicked fails the command.
vm --accel tcg --smp 1 --guest-cmd 'echo 512 > /proc/sys/kernel/tainted' > "$TMP/taint.log" 2>&1
rc=$?
report_hang taint
ok $(( rc != 1 )) "a guest kernel warning fails the command" "$TMP/taint.log"
vm --accel tcg --smp 1 --guest-cmd 'echo c > /proc/sysrq-trigger' > "$TMP/panic.log" 2>&1
rc=$?
report_hang panic
ok $(( rc == 0 )) "a guest kernel panic fails the command" "$TMP/panic.log"
grep -qF -- "$(tcg_arg "$TCG_WANT1") -cpu max -smp 1 " "$TMP/taint.log" &&
	grep -qF -- "$(tcg_arg "$TCG_WANT") -cpu max -smp 2 " "$TMP/smoke.log"
ok $? "TCG mode: $TCG_WANT1 for 1 vCPU, $TCG_WANT for 2 (the booting: lines)" "$TMP/taint.log"

# The uprobe hole where it exists: Debian 12's 6.1 still replaces a
# pinned page.  No races (--race-time 0): the verdicts, not their timing.
vm --accel tcg --smp 2 -- check --race-time 0 > "$TMP/check.log" 2>&1
rc=$?
report_hang check
tr -d '\r' < "$TMP/check.log" > "$TMP/check.txt"
bad=$(( rc != 0 ))
grep -q '^uprobe/unpinned  *replaced (' "$TMP/check.txt" || bad=1
for hold in io_uring-pin vmsplice-pin; do
	grep -q "^uprobe/$hold  *NOT PROTECTED (.*PFN 0x[0-9a-f]* -> 0x[0-9a-f]* (the hold keeps the first).*: the held page was replaced)" \
		"$TMP/check.txt" || bad=1
done
grep -q '^# FINDING: uprobe/io_uring-pin' "$TMP/check.txt" || bad=1
ok $bad "6.1 guest: uprobe lines NOT PROTECTED, PFN moved under the hold" "$TMP/check.txt"
d=$(ls -d "$TMP"/results/check-*-vm-*-tcg 2>/dev/null | head -1)
python3 - "$d/check.json" > "$TMP/checkjson.log" 2>&1 <<'PY'
import json, sys
res = {r["path"]: r for r in json.load(open(sys.argv[1]))["results"]}
assert res["uprobe/unpinned"]["verdict"] == "replaced", res["uprobe/unpinned"]
for hold in ("io_uring-pin", "vmsplice-pin"):
    r = res["uprobe/" + hold]
    assert r["verdict"] == "NOT PROTECTED" and r["moved"], r
    assert r["pfn_before"] != r["pfn_after"] and not r["views_agree"], r
    assert "pfn_unregistered" in r, r
PY
ok $? "6.1 guest: check.json records the same verdicts and PFNs" "$TMP/checkjson.log"
