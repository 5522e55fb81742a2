/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm.h - gupsync on a kernel of your choice: `gupsync vm` (run it inside
 * QEMU on another kernel, where gupsync.ko gives the k-* benchmarks their
 * /dev/gupsync; the device's helpers are in kdev.h).
 *
 * The work (fetching Debian's kernel, building gupsync.ko against it, the
 * initramfs, booting, bringing results back) is shell plumbing around
 * apt-get, make, cpio and qemu, so it lives in vm/gupsync-vm; this command
 * finds that script next to the gupsync binary and hands it the
 * arguments, with GUPSYNC_BIN set to this binary (the one the guest runs),
 * in a minimal environment (vm.c says which variables pass).
 */
#ifndef GUPSYNC_VM_H
#define GUPSYNC_VM_H

#include <stddef.h>
#include <stdint.h>

/* kdev_open() and the ioctl ABI, for code that still reaches them
 * through this header (tests/test_kmod_args.c). */
#include "kdev.h"

#define VM_SCRIPT_ENV "GUPSYNC_VM_SCRIPT" /* overrides the script's path */
#define VM_SCRIPT_REL "vm/gupsync-vm"	  /* relative to the binary's dir */

/* The script's path for a gupsync binary at exe: $GUPSYNC_VM_SCRIPT (not
 * as root), else <dir of exe>/vm/gupsync-vm.  Returns 0, or -1 with err filled. */
int vm_script_path(const char *exe, char *out, size_t len, char *err,
		   size_t errlen);

/* `gupsync vm ARGS`: argv[0] is "vm".  Returns only on failure (exit
 * status), else the script replaces this process. */
int cmd_vm(int argc, char **argv, const char *cmdline);

#endif
