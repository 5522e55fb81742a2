/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm.h - gupsync on a kernel of your choice: `gupsync vm` (run it inside
 * QEMU on another kernel) and /dev/gupsync, the device of gupsync.ko that
 * the k-* benchmarks drive (helpers shared by bench/k_*.c).
 *
 * The work (fetching Debian's kernel, building gupsync.ko against it, the
 * initramfs, booting, bringing results back) is shell plumbing around
 * apt-get, make, cpio and qemu, so it lives in vm/gupsync-vm; this command
 * finds that script next to the gupsync binary and hands it the
 * arguments, with GUPSYNC_BIN set to this binary (the one the guest runs).
 */
#ifndef GUPSYNC_VM_H
#define GUPSYNC_VM_H

#include <stddef.h>
#include <stdint.h>

#include "../kmod/gupsync_ioctl.h"
#include "stats.h"

#define VM_SCRIPT_ENV "GUPSYNC_VM_SCRIPT" /* overrides the script's path */
#define VM_SCRIPT_REL "vm/gupsync-vm"	  /* relative to the binary's dir */

/* The script's path for a gupsync binary at exe: $GUPSYNC_VM_SCRIPT, else
 * <dir of exe>/vm/gupsync-vm.  Returns 0, or -1 with err filled. */
int vm_script_path(const char *exe, char *out, size_t len, char *err,
		   size_t errlen);

/* `gupsync vm ARGS`: argv[0] is "vm".  Returns only on failure (exit
 * status), else the script replaces this process. */
int vm_command(int argc, char **argv, const char *cmdline);

/* ---- /dev/gupsync ---- */

#define KDEV_HINT "load gupsync.ko (make -C kmod && insmod kmod/gupsync.ko) " \
		  "or run under `gupsync vm`"

/* Open the device and check its ABI; -1 with the reason in why. */
int kdev_open(struct gupsync_info *info, char *why, size_t len);

/* In-kernel per-iteration times (ns) one worker collected in one mode's
 * timed window: appended while the harness measures, dropped past cap. */
struct ksamples {
	double *v;
	size_t n, cap, dropped;
};

#define KSAMPLES_CAP (1u << 20)

int ksamples_init(struct ksamples *s, size_t cap);
void ksamples_add(struct ksamples *s, const uint64_t *ns, size_t n);
void ksamples_free(struct ksamples *s);
/* Statistics over the samples of n workers; -1 (no samples) leaves every
 * field of out NaN. */
int ksamples_stats(const struct ksamples *const *s, size_t n, struct stats *out);

#endif
