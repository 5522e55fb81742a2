/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workers.h - the worker pool: one pinned thread per worker, a start
 * barrier, warm-up, a timed window and a stop flag.
 *
 * Threads are created already bound to their PU (the affinity is set in
 * the pthread attributes, so the thread never runs elsewhere), allocate
 * the benchmark's per-worker state (bench->worker_priv_size) and run its
 * worker_setup() there, so per-worker memory is first touched on the
 * worker's own CPU.  Each window: all workers start together at a
 * barrier, run the mode until the stop flag, and meet at a second barrier.
 * The harness reads the per-worker counters (each in its own cache line)
 * and the perf counters after the warm-up and at the end of the window;
 * nothing is timed inside the workers' loop.
 */
#ifndef GUPSYNC_WORKERS_H
#define GUPSYNC_WORKERS_H

#include <stdint.h>

#include "bench.h"
#include "counters.h"

#define WORKER_MAX_SAMPLES (1u << 20) /* latency samples per worker and window */

struct pool;

/* Start pt->nthreads workers.  Returns BENCH_OK, BENCH_SKIP (reason in
 * pt->skip_reason) or BENCH_FAIL (err). */
int pool_start(struct point *pt, struct pool **out, char *err, size_t len);

/*
 * One window of 'mode': warm-up, then the timed part of dur_ns with the
 * counters read around it.  For BENCH_LATENCY, *samples gets every sample
 * (ns) of the timed part, all workers together (caller frees).
 */
int pool_window(struct pool *p, unsigned mode, uint64_t warmup_ns,
		uint64_t dur_ns, struct counters *ctr, struct counters *tctr,
		struct mode_result *res, double **samples, size_t *nsamples,
		char *err, size_t len);

/* What a paired window leaves besides the results. */
struct pair_info {
	struct slice_sum *sums;	/* per slice, all workers (caller frees) */
	size_t nk;
	uint64_t slice_ops;	/* the leader's ops per slice */
	uint64_t dropped;	/* slices past SLICE_MAX_RECS, not recorded */
	/* BENCH_LATENCY: every call of the measured slices, by mode: [0]
	 * pair.base, [1] pair.test, all workers (caller frees). */
	double *samples[2];
	size_t nsamples[2];
};

/*
 * One window in which the measured workers alternate pair.base and
 * pair.test in slices of about slice_ns (slices.h), dur_ns in all.
 * Fills res[pair.base] and res[pair.test] (ops, ns per op from their
 * slices; the counters of the whole window in each) and the paired
 * medians in res[pair.test].
 *
 * BENCH_LATENCY: a slice is the calls each worker makes until the
 * leader's calls in it took slice_ns (at least one call each); between
 * slices the measured workers wait for each other (blocking, not
 * spinning), the leader calls mode_enter() when the mode changes and
 * reads ctr, so each mode gets the counts of its own slices; ns per op
 * is the mean call time, and info->samples every call by mode.
 */
int pool_pair_window(struct pool *p, struct bench_pair pair, bool flip,
		     uint64_t slice_ns, uint64_t warmup_ns, uint64_t dur_ns,
		     struct counters *ctr, struct mode_result *res,
		     struct pair_info *info, char *err, size_t len);

/* Thread ids of the measured workers; returns how many. */
size_t pool_tids(const struct pool *p, int *tids, size_t cap);

/* The PUs the workers were seen on in the last window ("0 1"). */
void pool_cpus_seen(const struct pool *p, char *buf, size_t len);

void pool_stop(struct pool *p);

uint64_t now_ns(void);
void sleep_ns(uint64_t ns);

#endif
