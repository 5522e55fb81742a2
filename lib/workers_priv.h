/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workers_priv.h - the worker pool's insides, private to workers.c (the
 * pool and plain windows) and workers_pair.c (windows of paired slices).
 * Others use workers.h; benchmarks see only their struct worker.
 */
#ifndef GUPSYNC_WORKERS_PRIV_H
#define GUPSYNC_WORKERS_PRIV_H

#include <pthread.h>

#include "cpuload.h"
#include "slices.h"
#include "workers.h"

/* A worker with the harness's own fields, which its benchmark never sees:
 * it is handed &pw->w only.  w comes first, so the array keeps every
 * worker's counter in a cache line of its own (bench.h). */
struct pool_worker {
	struct worker w;
	struct pool *pool;
	int tid;		/* its thread id (gettid) */
	void *priv;		/* what the harness allocated for w.priv */
	double *samples;	/* BENCH_LATENCY, measured workers */
	uint8_t *smode;		/* a latency pair's window: each sample's mode */
	size_t nsamples, cap, dropped;
	int cpu_seen[2];	/* sched_getcpu() at start/end of a window */
};

static inline struct pool_worker *pool_worker_of(struct worker *w)
{
	return (struct pool_worker *)w;	/* w is its first member */
}

struct pool {
	struct point *pt;
	const struct bench *b;
	unsigned n;		/* all workers: measured, then background */
	unsigned nmeasured;
	struct pool_worker *w;	/* n workers, each cache-line aligned */
	void **privs;		/* their w.priv, by id: pt->worker_priv */
	pthread_t *tid;
	pthread_barrier_t start, end;
	volatile int stop;
	volatile int quit;
	int *setup_rc;
	char err[256];		/* first worker error */
	pthread_mutex_t lock;
	/* Paired slices (slices.h): the leader writes the index. */
	volatile uint64_t slice;
	uint64_t no_slice;	/* background workers' index: never moves */
	bool pairing;		/* this window alternates p->pair */
	bool flip;		/* BAAB instead of ABBA */
	struct bench_pair pair;
	uint64_t slice0, slice_ops;
	struct slice_rec **recs; /* per measured worker, SLICE_MAX_RECS */
	size_t *nrecs, recs_dropped;
	double last_ns[BENCH_MAX_MODES]; /* ns per op, last window of a mode */
	/* A latency pair (workers_pair.c): the measured workers meet between
	 * slices, the leader switches the mode (mode_enter) and reads the
	 * counters there, and every worker is between calls meanwhile. */
	pthread_barrier_t slice_go, slice_done;
	uint64_t slice_ns;	/* the leader's call time that ends a slice */
	volatile uint64_t lat_closed; /* k + 1: the leader ended slice k */
	volatile int lat_quit, lat_abort;
	struct counters *slice_ctr;
	uint64_t cprev[BENCH_MAX_COUNTERS], bgprev, tprev;
	/* Per mode, over its measured slices: counter deltas, background
	 * ops and wall time from boundary to boundary. */
	uint64_t mdelta[BENCH_MAX_MODES][BENCH_MAX_COUNTERS];
	uint64_t mbg[BENCH_MAX_MODES], mwall[BENCH_MAX_MODES];
	int kthreads[CPULOAD_MAX_KTHREADS];	/* the bench's driven kthreads */
	size_t nkthreads;
};

/* What every window reads around its timed part. */
struct window_raw {
	uint64_t c0[BENCH_MAX_COUNTERS], c1[BENCH_MAX_COUNTERS];
	uint64_t t0v[BENCH_MAX_COUNTERS], t1v[BENCH_MAX_COUNTERS];
	uint64_t ops0, ops1, bg0, bg1, t0, t1;
	struct cpuload l0, l1;
	int lok;
};

/* workers.c: start the workers, warm up, time dur_ns with the counters
 * read around it, stop the workers; then the window-wide parts of a
 * result (counters, background, other CPUs). */
int pool_timed(struct pool *p, uint64_t warmup_ns, uint64_t dur_ns,
	       struct counters *ctr, struct counters *tctr,
	       struct window_raw *raw, char *err, size_t len);
void pool_fill_common(const struct window_raw *raw, struct counters *ctr,
		      struct counters *tctr, struct mode_result *res);

/* workers.c: the first worker error wins (pool_timed returns it). */
void pool_worker_error(struct pool *p, const char *msg);

/* workers_pair.c: a worker's part of a paired window (throughput, and
 * latency: calls in slices). */
void pool_run_slices(struct pool *p, struct pool_worker *pw);
void pool_run_lat_slices(struct pool *p, struct pool_worker *pw);

#endif
