# SPDX-License-Identifier: GPL-2.0
# Functions of vm/gupsync-vm (sourced): accelerator, boot, results.

TCG_NOTE="TCG (emulated CPU): timings are NOT representative of hardware"

# How TCG runs the vCPUs and what the guest's clock follows (--tcg).  The
# guest's soft-lockup watchdog (kernel/watchdog.c) reports a CPU whose
# hrtimer finds its stopper work unrun for 2*watchdog_thresh (20 s) of
# guest time.  Under QEMU's default, MTTCG, each vCPU is a host thread and
# guest time is host time: a vCPU thread the host does not run for 20 s
# is "stuck" to the guest, and so is a sibling spinning for it in
# smp_call_function() or stop_machine().  KVM guests escape the first case
# with kvmclock's PVCLOCK_GUEST_STOPPED (kvm_check_and_clear_guest_paused());
# TCG has no such thing.
#   single: one host thread runs the vCPUs in turn, moving on at every
#     PAUSE (cpu_relax() in each kernel spin-wait: csd_lock_wait(),
#     multi_cpu_stop(), wait_for_master_cpu()) and at least every 100 ms
#     (the round-robin kick timer), so no vCPU waits for a sibling the
#     host descheduled; the guest can only look stuck if the host does
#     not run QEMU's one thread for 20 s.
#   icount: the same one thread, and guest time follows the instructions
#     executed (sleep=off skips idle time), so host load cannot look like
#     a lockup at all.  But QEMU before 8.1 gives the whole instruction
#     budget up to the next timer to the first vCPU it runs (the fix,
#     "accel/tcg/tcg-accel-ops-rr: ensure fairness with icount", came in
#     2023): a vCPU 0 that busy-waits without PAUSE starves vCPU 1.  Boot
#     does exactly that: do_boot_cpu() loops on schedule() until the AP
#     checks in, while the AP needs CPU time to get past
#     wait_for_master_cpu().  Seen with QEMU 7.2 and -smp 2: the AP took
#     5-24 s to come up on every boot (0.2 s with single), and some boots
#     never finished (vm.t, 2 in 7 runs).
#   auto (the default): icount with one vCPU, single with more.
# GUPSYNC_VM_TCG sets the default (tests/vm.t measures the modes with it).
tcg_args() {
	TCG_MODE=$tcg
	[ "$tcg" = auto ] && { [ "$smp" = 1 ] && TCG_MODE=icount || TCG_MODE=single; }
	case $TCG_MODE in
	icount) TCG_ARGS=(-accel tcg -icount shift=auto,sleep=off) ;;
	single) TCG_ARGS=(-accel tcg,thread=single) ;;
	mttcg) TCG_ARGS=(-accel tcg,thread=multi) ;;
	esac
}

# Under icount the guest's TSC counts QEMU's virtual nanoseconds (1 GHz),
# so a jiffy is 1e9/HZ TSC cycles: the delay loop's value, given to the
# guest (lpj=) because calibrating it on each secondary CPU, a wait for
# timer ticks while the vCPUs take turns, costs ~100 s of boot.  HZ from
# the guest kernel's config, 250 (Debian's) when there is none.
icount_lpj() {
	local hz
	hz=$(sed -n 's/^CONFIG_HZ=\([0-9]*\)$/\1/p' "$WORK/root/boot/config-$KREL" 2>/dev/null)
	echo $(( 1000000000 / ${hz:-250} ))
}

# QEMU arguments for accelerator $1, serial results into file $2.
qemu_args() {
	# loglevel=5: warnings reach the console, so a soft lockup or an oops
	# shows its CPU, RIP and call trace there, not only the BUG line (six
	# boot-time warnings cost nothing); a guest that hangs sends no dmesg.
	local cpu=max append="console=ttyS0 quiet loglevel=5 panic=-1 gupsync.accel=$1"
	local bios=() accel_args=()
	[ "$1" = kvm ] && cpu=host
	[ -n "${3:-}" ] && append="$append $3"
	[ "$1" = tcg ] && [ "$TCG_MODE" = icount ] && append="$append lpj=$(icount_lpj)"
	# qboot: a firmware made for direct kernel boot, quicker and quieter
	# than SeaBIOS (which also resets the terminal).
	[ -f /usr/share/qemu/qboot.rom ] && bios=(-bios qboot.rom)
	[ "$1" = tcg ] && accel_args=("${TCG_ARGS[@]}") || accel_args=(-accel "$1")
	# debug-threads: vCPU threads named "CPU n/TCG" (or /KVM) on the host,
	# so top, ps -L and a post-mortem can tell them apart.
	QEMU=(qemu-system-x86_64 -name gupsync,debug-threads=on -no-user-config -nodefaults -nographic -no-reboot "${bios[@]}"
	      "${accel_args[@]}" -cpu "$cpu" -smp "$smp" -m "$mem"
	      -kernel "$KIMG" -initrd "$WORK/initramfs.cpio" -append "$append"
	      -serial mon:stdio -serial "file:$2")
}

# Does KVM really work here?  A /dev/kvm that exists may still be unable
# to boot a stock kernel (a paravirtual nested KVM, for one): boot the
# guest once with only the probe in /init and see whether it gets there.
# The verdict is kept per host boot, kernel image and QEMU.
kvm_probe() {
	local key verdict log=$WORK/kvm-probe.log rc=0
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { ACCEL_WHY="/dev/kvm is not usable"; return 1; }
	key="$(cat /proc/sys/kernel/random/boot_id) $KIMG $(stat -c %Y "$KIMG") $(qemu-system-x86_64 --version | head -1)"
	if [ -f "$CACHE/kvm-probe" ] && [ "$(head -1 "$CACHE/kvm-probe")" = "$key" ]; then
		verdict=$(sed -n 2p "$CACHE/kvm-probe")
		ACCEL_WHY=$(sed -n 3p "$CACHE/kvm-probe")
		[ "$verdict" = ok ]
		return
	fi
	say "probing KVM (a short boot, at most ${PROBE_TIMEOUT_S}s)"
	qemu_args kvm "$WORK/probe.ttyS1" gupsync.probe=1
	# stderr of the group too: bash reports QEMU's abort ("Aborted") itself.
	{ timeout -k 5 "$PROBE_TIMEOUT_S" "${QEMU[@]}" < /dev/null > "$log" 2>&1; } 2>/dev/null || rc=$?
	if grep -q GUPSYNC-PROBE-OK "$log"; then
		verdict=ok ACCEL_WHY="KVM probe boot reached user space"
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		verdict=fail ACCEL_WHY="KVM probe boot did not reach user space in ${PROBE_TIMEOUT_S}s"
	else
		verdict=fail
		ACCEL_WHY="KVM probe boot failed (qemu exit $rc: $(grep -m1 -iE 'error|fail|assert' "$log" | tr -d '\r' | cut -c1-120))"
	fi
	printf '%s\n%s\n%s\n' "$key" "$verdict" "$ACCEL_WHY" > "$CACHE/kvm-probe"
	[ "$verdict" = ok ]
}

pick_accel() {
	ACCEL=$accel ACCEL_WHY="asked for with --accel $accel"
	if [ "$accel" = auto ]; then
		if kvm_probe; then
			ACCEL=kvm
		else
			ACCEL=tcg
			say "KVM cannot be used: $ACCEL_WHY; falling back to TCG"
		fi
	fi
	[ "$ACCEL" = tcg ] && say "$TCG_NOTE; --tcg $tcg$([ "$tcg" = auto ] && echo " ($TCG_MODE for $smp vCPUs)")"
	[ "$ACCEL" = tcg ] && [ "$TCG_MODE" = icount ] && [ "$smp" -gt 1 ] &&
		say "--tcg icount with $smp vCPUs: QEMU before 8.1 can starve all but vCPU 0 (SMP bring-up of seconds to minutes); --tcg single avoids it"
	return 0
}

boot() {
	local t0 rc=0
	qemu_args "$ACCEL" "$WORK/ttyS1.out"
	say "booting: ${QEMU[*]}"
	t0=$(date +%s%N)
	# stdin only when it is a terminal (then QEMU must stay in the
	# foreground process group to read it: Ctrl-A X quits); a test's or
	# CI's stdin is not ours.
	if [ -t 0 ]; then
		timeout --foreground -k 5 "$timeout" "${QEMU[@]}" 2>&1 |
			tee "$WORK/console.log" || rc=${PIPESTATUS[0]}
	else
		timeout -k 5 "$timeout" "${QEMU[@]}" < /dev/null 2>&1 | tee "$WORK/console.log" || rc=${PIPESTATUS[0]}
	fi
	BOOT_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$rc" = 124 ] || [ "$rc" = 137 ] && fail "guest ran past --timeout ${timeout}s"
	[ "$rc" = 0 ] || fail "qemu exited with status $rc"
	grep -q 'Kernel panic' "$WORK/console.log" && fail "guest kernel panicked"
	return 0
}

# A failed guest: keep the work directory for the post-mortem.
fail() {
	keep=1
	die "$*; console log: $WORK/console.log"
}

collect() {
	local b64=$WORK/ttyS1.out x=$WORK/out rc
	grep -q '^GUPSYNC-TAR-END' "$b64" 2>/dev/null ||
		fail "the guest sent no results (crash or panic before the end)"
	# The guest's tar is untrusted (the guest kernel may be broken or
	# hostile): unpacked as root into a fresh directory, owned by root,
	# nothing but regular files and directories kept.
	mkdir "$x"
	sed -n '/^GUPSYNC-TAR-BEGIN/,/^GUPSYNC-TAR-END/p' "$b64" | sed '1d;$d' |
		base64 -d | tar -xz --no-same-owner --no-same-permissions \
			--no-overwrite-dir -C "$x" || fail "the guest's results did not unpack"
	[ -z "$(find "$x" ! -type f ! -type d -print -quit)" ] ||
		fail "the guest's results hold a symlink or special file: $(find "$x" ! -type f ! -type d | head -3)"
	rc=$(head -c 16 "$x/vm/exit_status")
	[[ $rc =~ ^[0-9]{1,3}$ ]] || fail "the guest's exit status '$rc' is not a number"
	check_guest_kernel "$x/vm"
	[ ! -s "$x/vm/insmod.err" ] || say "gupsync.ko did not load in the guest" \
		"($(head -c 512 "$x/vm/insmod.err" | tr -cd '[:print:]')): built against" \
		"$KBUILD for $KREL, the guest runs" \
		"$(head -c 128 "$x/vm/kernel_release" | tr -cd '[:print:]')"
	tag_results "$x"
	[ "$keep" = 1 ] && say "work directory kept: $WORK" || rm -rf "$WORK"
	exit "$rc"
}

# An oops, warning, bad page or lockup in the guest fails the command even
# when the command itself said nothing.
check_guest_kernel() {
	local taint
	taint=$(cat "$1/tainted")
	if [ $(( taint & TAINT_BAD )) -ne 0 ] || grep -qE "$OOPS_RE" "$1/dmesg.txt"; then
		{ grep -E -A20 "$OOPS_RE" "$1/dmesg.txt" || true; } | head -60 >&2
		fail "guest kernel went wrong (tainted=$taint); its dmesg: $1/dmesg.txt"
	fi
}

# Each run directory comes back as <name>-vm-<release>-<accel> with vm.json
# (what ran it) and the guest's dmesg beside the usual files.
tag_results() {
	local x=$1 d dest rel n=0 repr=true
	rel=$(head -c 128 "$x/vm/kernel_release")
	# The release becomes part of a host path: a uname -r, nothing else.
	[[ $rel =~ ^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$ ]] ||
		fail "the guest's kernel release '$(printf '%q' "$rel")' is not a release string"
	[ "$ACCEL" = tcg ] && repr=false
	mkdir -p "$out"
	for d in "$x"/results/*/; do
		[ -d "$d" ] || continue
		[[ $(basename "$d") =~ ^[A-Za-z0-9][A-Za-z0-9._+=-]{0,127}$ ]] ||
			fail "the guest's results directory '$(printf '%q' "$(basename "$d")")' has an unexpected name"
		dest=$out/$(basename "$d")-vm-$rel-$ACCEL
		[ ! -e "$dest" ] && [ ! -L "$dest" ] || fail "$dest exists; not replaced"
		mv -T "$d" "$dest"
		cp "$x/vm/dmesg.txt" "$dest/vm-dmesg.txt"
		vm_json "$rel" "$repr" > "$dest/vm.json"
		if [ "$repr" = true ]; then say "results: $dest"; else say "results: $dest ($TCG_NOTE)"; fi
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || say "the guest command wrote no results directory"
}

json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

vm_json() {
	cat <<EOF
{
  "guest_kernel_release": $(json_str "$1"),
  "kernel_image": $(json_str "$KIMG"),
  "module_built_against": $(json_str "$KBUILD"),
  "accel": "$ACCEL",
  "accel_reason": $(json_str "$ACCEL_WHY"),
  "tcg": $(json_str "$([ "$ACCEL" = tcg ] && echo "$TCG_MODE: ${TCG_ARGS[*]}")"),
  "timing_representative_of_hardware": $2,
  "note": $(json_str "$([ "$2" = false ] && echo "$TCG_NOTE" || echo "KVM guest: virtualized IPIs and timers")"),
  "smp": $smp,
  "mem": $(json_str "$mem"),
  "qemu": $(json_str "$(qemu-system-x86_64 --version | head -1)"),
  "boot_and_run_ms": $BOOT_MS,
  "guest_command": $(json_str "$(tail -1 "$WORK/root/run.sh")")
}
EOF
}
