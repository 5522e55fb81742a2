/* SPDX-License-Identifier: GPL-2.0 */
/*
 * victim.h - what the background workers (--bg-threads) do: the targets
 * of the IPI benches (tlb-shootdown, ipi-broadcast) and the load on the
 * other CPUs of rcu-wait.  Where a worker spends its time decides what an
 * IPI or a grace period finds there, so each kind is one such place:
 *   idle      returns at once: no worker at all on that CPU
 *   spin      user space; reads one byte of each of its pages in turn (so
 *             its TLB holds them), or with no pages only counts
 *   syscall   getppid() loop: in the kernel with IRQs on, so an IPI is
 *             taken at once
 *   gup       a GUP-fast loop: shared FUTEX_WAKE on a word of its own
 *             page (no waiters):
 *             get_futex_key() -> get_user_pages_fast(), a walk with IRQs
 *             off, so an IPI waits for it and it is an RCU reader (as
 *             bench/gup_fast.c)
 *   sleep     short naps: its CPU idles, so it is skipped (lazy TLB, not
 *             running the mm, no quiescent state to wait for)
 * Each worker also keeps, per mode, the share of its last window (warm-up
 * included) it was on CPU: its thread CPU time (the first field of
 * /proc/self/task/<tid>/schedstat) over wall time.  On a loaded or
 * overcommitted machine a "busy" worker is often off CPU, and an IPI or a
 * grace period then finds nothing to wait for.
 */
#ifndef GUPSYNC_VICTIM_H
#define GUPSYNC_VICTIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"

enum victim_kind {
	VICTIM_IDLE, VICTIM_SPIN, VICTIM_SYSCALL, VICTIM_GUP, VICTIM_SLEEP,
};
/* By kind, NULL-terminated: "idle", "spin", "syscall", "gup", "sleep". */
extern const char *const victim_names[];

/* The kind called 'name', -1 if none is. */
int victim_kind(const char *name);
/* Whether a worker of this kind runs on its CPU whenever it is not
 * preempted (spin, syscall, gup), rather than idling or absent. */
bool victim_busy(int kind);

/* What one worker is to do (worker_setup fills it from the options). */
struct victim_spec {
	int kind;		/* enum victim_kind */
	const char *pages;	/* spin: pages to read (e.g. the initiator's),
				 * or NULL: npages pages of its own */
	size_t npages;		/* spin: 0 = read nothing, only count */
	uint64_t sleep_ns;	/* sleep: each nap */
};

struct victim {
	enum victim_kind kind;
	const volatile char *pages; /* spin: reads one byte of each page */
	size_t npages;
	char *own;		/* memory this worker mapped (pages or futex) */
	size_t own_size;
	uint32_t *futex_word;	/* gup: shared FUTEX_WAKE on this word */
	uint64_t sleep_ns;
	/* Share of each mode's last run (warm-up + window) this thread was
	 * on CPU; NaN until it has run that mode. */
	double oncpu[BENCH_MAX_MODES];
};

/*
 * The bench hooks.  victim_worker_setup() (from worker_setup, for a
 * background worker) puts a struct victim at w->priv, mapping its memory
 * on its own PU; BENCH_OK, or BENCH_SKIP with the reason noted.
 * victim_bg_loop() and victim_worker_teardown() fit .bg_loop and
 * .worker_teardown as they are (a worker without a victim is left alone).
 */
int victim_worker_setup(struct point *pt, struct worker *w,
			const struct victim_spec *s);
void victim_bg_loop(struct worker *w);
void victim_worker_teardown(struct point *pt, struct worker *w);

#endif
