/* SPDX-License-Identifier: GPL-2.0 */
/*
 * futexhash.h - which futex hash the process's private futexes use.
 *
 * Since 6.16 a multi-threaded process gets its own futex hash for private
 * futexes (futex_hash_allocate_default() when the second thread appears,
 * with reference counting on every private operation), while shared
 * futexes stay on the global hash.  the GUP-fast benchmark's baseline is a private
 * FUTEX_WAKE, so the moment gupsync starts a worker thread the baseline
 * grows (~70 ns on the 6.18 development VM) and shared - private shrinks,
 * though GUP-fast did not change.  prctl(PR_FUTEX_HASH,
 * PR_FUTEX_HASH_SET_SLOTS, 0) puts the process back on the global hash
 * (one-way: the kernel refuses a private hash afterwards), so the two
 * wakes differ only in the shared-key work and GUP-fast, whatever the
 * thread count or kernel version.
 *
 * The harness calls futex_hash_apply() once per run, before any worker
 * starts; pool_start() records per point what the kernel reports once the
 * workers exist (the slot count depends on the number of threads).
 */
#ifndef GUPSYNC_FUTEXHASH_H
#define GUPSYNC_FUTEXHASH_H

#include <stddef.h>

/* The values of --futex-hash (the order of futex_hash_names). */
enum futex_hash_mode { FUTEX_HASH_GLOBAL, FUTEX_HASH_PROCESS };
extern const char *const futex_hash_names[];

/*
 * What the process uses, from a PR_FUTEX_HASH_GET_SLOTS result: ret is
 * prctl's return value, err its errno when ret < 0.  Writes a phrase for
 * the header and meta.json ("global via prctl(PR_FUTEX_HASH, SET_SLOTS,
 * 0)", "process-private, 16 slots", "pre-6.16 kernel: no per-process
 * hash, global") and returns the slot count (0 = global), or -1 when the
 * kernel has no PR_FUTEX_HASH.  Pure: for the tests.
 */
int futex_hash_describe(int ret, int err, int set_global, char *buf,
			size_t len);

/* Put the process on the mode's hash (global: the prctl; process: leave
 * the kernel's default).  Writes what was done into buf.  Returns 0, or
 * -1 with the failing call and strerror in buf. */
int futex_hash_apply(enum futex_hash_mode mode, char *buf, size_t len);

/* What the kernel reports now (after the workers started). */
int futex_hash_now(char *buf, size_t len);

#endif
