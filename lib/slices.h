/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slices.h - paired modes alternated in fine slices within one window.
 *
 * The host under this VM changes speed on a scale of milliseconds to
 * seconds and slows both modes of a pair alike.  Two 0.5 s windows, one
 * per mode, catch it in different states; slices of ~0.15 ms in ABBA order
 * (A B B A A B ...) see nearly the same state in the two halves of each
 * adjacent pair, and the ratio of a pair cancels what scales both.
 *
 * Schedule: one shared slice index.  Worker 0 (the leader) ends slice k
 * after a calibrated number of its own ops and publishes k+1; every
 * worker sees the change within one op (worker_running() compares the
 * index) and switches mode, so all workers are in the same mode at the
 * same time.  Each worker reads the clock only at its own slice
 * boundaries and records (k, ops, ns) for itself, so a slice's time and
 * ops are exact per worker however late it noticed the boundary.
 *
 * Estimate: slices 2j and 2j+1 always differ in mode (ABBA), and form
 * pair j.  Per pair: diff = test - base and rel = test / base - 1 (ns per
 * op, all workers' ops and time together).  The trial's value is the
 * median over its pairs: robust to the slices a preemption or an
 * interrupt lands in, which a mean is not.  Slices are autocorrelated,
 * so no CI is taken over them: the CI stays over trials.
 */
#ifndef GUPSYNC_SLICES_H
#define GUPSYNC_SLICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"

/* ~800 calls of a 180 ns futex wake.  Shorter slices are hit less often
 * by a timer tick (4 ms at HZ=250) or other interruption, so the median
 * slice is an undisturbed one: on the 2-vCPU VM gup_fast_rel's CI
 * half-width over trials was 0.02% with 150 us slices and 1.2% with
 * 500 us ones (README "Precision"). */
#define SLICE_DEFAULT "150us"
#define SLICE_MIN_NS 10000ull	/* 10 us: still >> a clock read (~30 ns) */
#define SLICE_MAX_NS 100000000ull /* 100 ms: past that, windows would do */
#define SLICE_FIRST_OPS 1000	/* before any ns per op is known */
#define SLICE_MIN_OPS 4		/* a slice of very slow ops: a few of them */
#define SLICE_MAX_RECS (1u << 17) /* per worker and window; more are dropped */

/* Mode of slice k: ABBA from the pair's base (flip: BAAB). */
unsigned slice_mode(struct bench_pair p, bool flip, uint64_t k);

/* What one worker did in one slice. */
struct slice_rec {
	uint64_t k;		/* slice index in the window */
	uint64_t ops;
	uint64_t ns;
};

/* One slice, all workers together. */
struct slice_sum {
	unsigned mode;
	uint64_t ops, ns;	/* ns: the workers' times added up */
};

/*
 * Add the records recs[w][0..n[w]) of nw workers into sums[0..nk) by
 * slice index (slices nobody recorded keep ops 0).  Modes from the
 * schedule.
 */
void slices_sum(const struct slice_rec *const *recs, const size_t *n,
		unsigned nw, struct bench_pair p, bool flip,
		struct slice_sum *sums, size_t nk);

/* ns per op of one slice; NaN without ops. */
double slice_ns_per_op(const struct slice_sum *s);

/*
 * The paired estimates over sums[0..nk): medians over pairs (2j, 2j+1)
 * where both slices have ops.  Returns the number of pairs (0: *diff and
 * *rel NaN).
 */
size_t slices_estimate(const struct slice_sum *sums, size_t nk,
		       struct bench_pair p, double *diff, double *rel);

/* A latency pair (one call timed at a time): whether the leader ends its
 * slice after calls taking ns in all: at least one call, then slice_ns. */
static inline bool slice_lat_done(uint64_t calls, uint64_t ns,
				  uint64_t slice_ns)
{
	return calls >= 1 && ns >= slice_ns;
}

/* Slice length in ops for a target of slice_ns at ns_per_op. */
uint64_t slice_ops_for(uint64_t slice_ns, double ns_per_op);

#endif
