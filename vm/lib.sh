# SPDX-License-Identifier: GPL-2.0
# Functions of vm/gupsync-vm (sourced): dependencies, kernel, module,
# initramfs.  Booting and collecting results are in vm/boot.sh.

# Install the Debian packages the VM needs, the way `make run` does.
vm_deps() {
	local debs=$VM_DEBS missing="" p
	[ -z "$kernel$build" ] || debs=${debs/linux-headers-amd64/}
	command -v dpkg-query >/dev/null || return 0
	for p in $debs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" -eq 0 ] ||
		unavailable "missing Debian packages:$missing; install them with: sudo make vm-deps"
	"$REPO/tools/deps.sh" $missing || unavailable "installing$missing failed"
}

# Debian 12's kernel: the release the installed linux-headers-amd64 points
# to, its image fetched with apt-get download into the cache and unpacked
# there (only ./boot), so nothing of it is installed on the host.
debian_kernel() {
	local dep rel ver dir deb off
	dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64) ||
		unavailable "linux-headers-amd64 is not installed: run make vm-deps"
	rel=${dep%% *}; rel=${rel#linux-headers-}
	ver=$(dpkg-query -W -f='${Version}' "linux-headers-$rel")
	dir=$CACHE/debian/$rel
	if [ ! -f "$dir/vmlinuz" ]; then
		mkdir -p "$dir/deb"
		say "downloading linux-image-$rel ($ver) into $dir (not installed on the host)"
		apt_download "$dir/deb" "linux-image-$rel=$ver"
		deb=$(ls "$dir"/deb/linux-image-"$rel"_*.deb)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/deb" --wildcards './boot/*' ||
			die "dpkg-deb --fsys-tarfile $deb: cannot unpack ./boot"
		mv "$dir/deb/boot/vmlinuz-$rel" "$dir/vmlinuz"
		mv "$dir/deb/boot/config-$rel" "$dir/config"
		rm -rf "$dir/deb"
	fi
	# Debian compresses with xz (CONFIG_KERNEL_XZ): the payload starts at
	# the xz magic; unpacked, vmlinux boots through PVH.
	if [ ! -f "$dir/vmlinux" ]; then
		off=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$dir/vmlinuz" | cut -d: -f1)
		# xz stops after its stream; tail's SIGPIPE is not a failure.
		[ -n "$off" ] && xz -dc --single-stream \
			< <(tail -c +$((off + 1)) "$dir/vmlinuz") > "$dir/vmlinux.tmp" 2>/dev/null &&
			mv "$dir/vmlinux.tmp" "$dir/vmlinux" || rm -f "$dir/vmlinux.tmp"
	fi
	KIMG=$dir/vmlinuz
	pvh_capable "$dir/vmlinux" && KIMG=$dir/vmlinux
	KBUILD=/usr/src/linux-headers-$rel
	KREL=$rel
	[ -d "$KBUILD" ] || unavailable "$KBUILD missing: linux-headers-$rel is not installed"
}

# apt-get download into dir; with stale package lists, update once (root).
apt_download() {
	local dir=$1 pkg=$2
	(cd "$dir" && apt-get download -q "$pkg" > download.log 2>&1) && return 0
	if [ "$(id -u)" -eq 0 ]; then
		say "apt-get download $pkg failed; running apt-get update once"
		apt-get update -qq >&2 &&
			(cd "$dir" && apt-get download -q "$pkg" > download.log 2>&1) && return 0
	fi
	cat "$dir/download.log" >&2
	unavailable "apt-get download $pkg failed (see above)"
}

# An ELF vmlinux with the PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY, 18)
# boots without the bzImage decompressor.
pvh_capable() {
	[ -f "$1" ] && readelf -n "$1" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'
}

# The build tree a self-built image came from: walk up to the directory
# holding .config and Module.symvers.
find_tree() {
	local d
	d=$(dirname "$(readlink -f "$1")")
	while [ "$d" != / ]; do
		[ -f "$d/.config" ] && [ -f "$d/Module.symvers" ] && { echo "$d"; return 0; }
		d=$(dirname "$d")
	done
	return 1
}

# The release modules must match (vermagic): UTS_RELEASE as built.
tree_release() {
	local rel
	rel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$1/include/generated/utsrelease.h" 2>/dev/null)
	[ -n "$rel" ] || rel=$(cat "$1/include/config/kernel.release" 2>/dev/null) ||
		rel=$(make -s -C "$1" kernelrelease 2>/dev/null) ||
		die "cannot tell the kernel release of $1 (no include/config/kernel.release)"
	echo "$rel"
}

pick_kernel() {
	if [ -z "$kernel" ] && [ -z "$build" ]; then
		debian_kernel
	else
		[ -n "$build" ] || build=$(find_tree "$kernel") ||
			usage_err "--kernel $kernel: no build tree found above it; give --build DIR"
		KBUILD=$(readlink -f "$build")
		KREL=$(tree_release "$KBUILD")
		if [ -n "$kernel" ]; then
			KIMG=$(readlink -f "$kernel")
		elif pvh_capable "$KBUILD/vmlinux"; then
			KIMG=$KBUILD/vmlinux
		else
			KIMG=$KBUILD/arch/x86/boot/bzImage
		fi
		# A bzImage from a tree whose vmlinux has the PVH note: boot that.
		case $KIMG in */arch/x86/boot/bzImage)
			pvh_capable "$KBUILD/vmlinux" && KIMG=$KBUILD/vmlinux ;;
		esac
		[ -f "$KIMG" ] || die "no kernel image in $KBUILD (build it, or give --kernel)"
	fi
	say "kernel $KREL: $KIMG$(pvh_capable "$KIMG" && echo ' (PVH boot)')"
}

# gupsync.ko, built in the cache (one directory per release and build
# tree) so the source tree stays clean and two trees of one release do not
# share objects.
build_module() {
	local dir log f
	dir=$CACHE/kmod/$KREL-$(printf '%s' "$KBUILD" | md5sum | cut -c1-8)
	mkdir -p "$dir"
	for f in gupsync_kmod.c gupsync_ioctl.h Kbuild; do	# changed ones only
		cmp -s "$REPO/kmod/$f" "$dir/$f" || cp "$REPO/kmod/$f" "$dir/$f"
	done
	log=$dir/build.log
	if ! make -C "$KBUILD" M="$dir" modules > "$log" 2>&1; then
		cat "$log" >&2
		die "building gupsync.ko against $KBUILD failed (log: $log)"
	fi
	KMOD=$dir/gupsync.ko
}

# Copy a binary and the shared libraries ldd finds for it, at their paths.
copy_with_libs() {
	local root=$1 bin=$2 dest=$3 lib
	install -D -m 755 "$bin" "$root$dest"
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# A newc cpio member for a character device, so building the initramfs
# needs no root (mknod): the kernel opens /dev/console before /init runs,
# and concatenated cpio archives are allowed.
newc_entry() {	# name mode major minor
	local name=$1 mode=$2 maj=$3 min=$4 nlen=$(( ${#1} + 1 )) hdr
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$RANDOM" "$mode" 0 0 1 0 0 0 0 "$maj" "$min" "$nlen" 0)
	printf '%s%s\0' "$hdr" "$name"
	# header (110) + name + NUL, padded to a multiple of 4
	head -c $(( (4 - (110 + nlen) % 4) % 4 )) /dev/zero
}

newc_trailer() {
	newc_entry TRAILER!!! 0 0 0
}

# busybox-static, vm/init, gupsync + libraries, gupsync.ko, --add files,
# and /run.sh with the command.
make_initramfs() {
	local root=$WORK/root f
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,lib/modules,dev,proc,sys,tmp,work}
	install -m 755 /bin/busybox "$root/bin/busybox"
	ldd /bin/busybox >/dev/null 2>&1 && die "/bin/busybox is not static: install busybox-static"
	install -m 755 "$VM_DIR/init" "$root/init"
	install -m 644 "$KMOD" "$root/lib/modules/gupsync.ko"
	# The kernel's config, where gupsync info looks for it, so the
	# guest's results say HZ, PREEMPT, PT_RECLAIM... like the host's.
	local cfg=$CACHE/debian/$KREL/config
	[ -n "${KBUILD:-}" ] && [ -f "$KBUILD/.config" ] && cfg=$KBUILD/.config
	if [ -f "$cfg" ]; then
		mkdir -p "$root/boot"
		install -m 644 "$cfg" "$root/boot/config-$KREL"
	fi
	copy_with_libs "$root" "$GUPSYNC_BIN" /usr/local/bin/gupsync
	for f in "${adds[@]}"; do
		copy_with_libs "$root" "$f" "/usr/local/bin/$(basename "$f")"
	done
	{
		echo 'export PATH=/usr/local/bin:$PATH'
		if [ -n "$guest_cmd" ]; then
			printf '%s\n' "$guest_cmd"
		else
			printf 'gupsync'; printf ' %q' "${GUEST_ARGS[@]}"; printf '\n'
		fi
	} > "$root/run.sh"
	{
		(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0)
		newc_entry dev/console $(( 8#20600 )) 5 1
		newc_trailer
	} > "$WORK/initramfs.cpio" || die "cpio of $root failed"
}

. "$VM_DIR/boot.sh"
