// SPDX-License-Identifier: GPL-2.0
/* workers.c - see workers.h. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpuload.h"
#include "futexhash.h"
#include "slices.h"
#include "workers.h"

struct pool {
	struct point *pt;
	const struct bench *b;
	unsigned n;		/* all workers: measured, then background */
	unsigned nmeasured;
	struct worker *w;	/* n workers, each cache-line aligned */
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

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void sleep_ns(uint64_t ns)
{
	struct timespec ts = { ns / 1000000000ull, ns % 1000000000ull };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

static void worker_error(struct pool *p, const char *msg)
{
	pthread_mutex_lock(&p->lock);
	if (!p->err[0])
		snprintf(p->err, sizeof(p->err), "%s", msg);
	pthread_mutex_unlock(&p->lock);
}

static void run_latency(struct pool *p, struct worker *w)
{
	char msg[128];

	while (worker_running(w)) {
		uint64_t t0 = now_ns();
		int rc = p->b->op(w);
		uint64_t t1 = now_ns();

		if (rc < 0) {
			snprintf(msg, sizeof(msg), "%s: operation failed: %s",
				 p->b->name, strerror(-rc));
			worker_error(p, msg);
			return;
		}
		if (w->measuring) {
			if (w->nsamples < w->cap)
				w->samples[w->nsamples++] = (double)(t1 - t0);
			else
				w->dropped++;
		}
		worker_tick(w);
	}
}

/*
 * A paired window: loop() once per slice, in the schedule's mode.  The
 * clock is read here, at slice boundaries only; worker_running() ends the
 * loop when the leader's count reaches slice_end or the index moves.
 */
static void run_slices(struct pool *p, struct worker *w)
{
	bool leader = w->id == 0, was = w->measuring;
	uint64_t k = __atomic_load_n(&p->slice, __ATOMIC_ACQUIRE);
	uint64_t t0 = now_ns(), c0 = w->count;

	for (;;) {
		uint64_t t1, c1;
		bool is;

		w->slice_seen = k;
		w->mode = slice_mode(p->pair, p->flip, k - p->slice0);
		w->slice_end = leader ? c0 + p->slice_ops : UINT64_MAX;
		p->b->loop(w);
		t1 = now_ns();
		c1 = w->count;
		is = w->measuring;
		if (was && is) {
			if (p->nrecs[w->id] < SLICE_MAX_RECS)
				p->recs[w->id][p->nrecs[w->id]++] =
					(struct slice_rec){ k - p->slice0, c1 - c0, t1 - t0 };
			else
				w->dropped++;
		}
		if (__atomic_load_n(&p->stop, __ATOMIC_RELAXED))
			break;
		if (leader)
			__atomic_store_n(&p->slice, k + 1, __ATOMIC_RELEASE);
		k = __atomic_load_n(&p->slice, __ATOMIC_ACQUIRE);
		t0 = t1, c0 = c1, was = is;
	}
	w->slice_seen = __atomic_load_n(&p->slice, __ATOMIC_ACQUIRE);
	w->slice_end = UINT64_MAX;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = (struct pool *)w->priv;
	int rc;

	w->priv = NULL;
	w->tid = gettid();
	rc = p->b->worker_setup ? p->b->worker_setup(p->pt, w) : BENCH_OK;
	p->setup_rc[w->id] = rc;
	pthread_barrier_wait(&p->start);	/* setup done */
	for (;;) {
		pthread_barrier_wait(&p->start);
		if (p->quit)
			break;
		w->cpu_seen[0] = sched_getcpu();
		if (w->bg)
			p->b->bg_loop(w);
		else if (p->pairing)
			run_slices(p, w);
		else if (p->b->kind == BENCH_THROUGHPUT)
			p->b->loop(w);
		else
			run_latency(p, w);
		w->cpu_seen[1] = sched_getcpu();
		pthread_barrier_wait(&p->end);
	}
	if (rc == BENCH_OK && p->b->worker_teardown)
		p->b->worker_teardown(p->pt, w);
	return NULL;
}

static int spawn(struct pool *p, unsigned i, char *err, size_t len)
{
	pthread_attr_t attr;
	sigset_t sigs;
	cpu_set_t set;
	int rc;

	pthread_attr_init(&attr);
	/* The signals that end a run go to the main thread only: it blocks
	 * them while it saves, and a worker must not take one then (the
	 * handler would exit mid-save and leave a temporary file). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	pthread_attr_setsigmask_np(&attr, &sigs);
	if (p->pt->pus[i] >= 0) {
		CPU_ZERO(&set);
		CPU_SET(p->pt->pus[i], &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	rc = pthread_create(&p->tid[i], &attr, worker_main, &p->w[i]);
	pthread_attr_destroy(&attr);
	if (rc)
		snprintf(err, len, "pthread_create(worker %u on PU %d): %s", i,
			 p->pt->pus[i], strerror(rc));
	return rc ? -1 : 0;
}

static struct pool *pool_alloc(struct point *pt)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pt = pt;
	p->b = pt->bench;
	p->n = pt->nthreads + pt->nbg;
	p->nmeasured = pt->nthreads;
	p->w = aligned_alloc(CACHELINE, sizeof(*p->w) * p->n);
	p->tid = calloc(p->n, sizeof(*p->tid));
	p->setup_rc = calloc(p->n, sizeof(int));
	p->recs = calloc(p->nmeasured, sizeof(*p->recs));
	p->nrecs = calloc(p->nmeasured, sizeof(*p->nrecs));
	if (!p->w || !p->tid || !p->setup_rc || !p->recs || !p->nrecs) {
		free(p->w), free(p->tid), free(p->setup_rc), free(p->recs);
		free(p->nrecs), free(p);
		return NULL;
	}
	p->slice_ops = SLICE_FIRST_OPS;
	for (unsigned m = 0; m < BENCH_MAX_MODES; m++)
		p->last_ns[m] = NAN;
	memset(p->w, 0, sizeof(*p->w) * p->n);
	pthread_mutex_init(&p->lock, NULL);
	pthread_barrier_init(&p->start, NULL, p->n + 1);
	pthread_barrier_init(&p->end, NULL, p->n + 1);
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];

		w->stop = &p->stop;
		/* Slices never end a background worker's loop. */
		w->slice = i >= p->nmeasured ? &p->no_slice : &p->slice;
		w->slice_end = UINT64_MAX;
		w->id = i;
		w->pu = pt->pus[i];
		w->pt = pt;
		w->bg = i >= p->nmeasured;
		w->priv = p;	/* handed over to worker_main, then cleared */
		if (p->b->kind == BENCH_LATENCY && !w->bg) {
			w->cap = WORKER_MAX_SAMPLES;
			w->samples = malloc(w->cap * sizeof(double));
		}
	}
	return p;
}

int pool_start(struct point *pt, struct pool **out, char *err, size_t len)
{
	struct pool *p = pool_alloc(pt);
	char fh[160];
	int rc = BENCH_OK;

	if (!p) {
		snprintf(err, len, "out of memory for %u workers", pt->nthreads);
		return BENCH_FAIL;
	}
	for (unsigned i = 0; i < p->n; i++) {
		if (p->b->kind == BENCH_LATENCY && !p->w[i].bg && !p->w[i].samples) {
			snprintf(err, len, "out of memory for latency samples");
			return BENCH_FAIL; /* threads not started: leak is fine, we exit */
		}
		if (spawn(p, i, err, len) < 0)
			return BENCH_FAIL;
	}
	pthread_barrier_wait(&p->start);	/* every worker_setup done */
	p->nkthreads = cpuload_kthreads(NULL, p->b->driven_kthreads, p->kthreads,
					CPULOAD_MAX_KTHREADS);
	/* The kernel sizes a per-process hash by the threads that exist. */
	futex_hash_now(fh, sizeof(fh));
	point_note(pt, "futex_hash", "%s", fh);
	for (unsigned i = 0; i < p->n; i++)
		if (p->setup_rc[i] != BENCH_OK && rc == BENCH_OK)
			rc = p->setup_rc[i];
	if (rc == BENCH_FAIL)
		snprintf(err, len, "%s: worker setup failed%s%s", p->b->name,
			 pt->skip_reason[0] ? ": " : "", pt->skip_reason);
	*out = p;
	return rc;
}

size_t pool_tids(const struct pool *p, int *tids, size_t cap)
{
	size_t n = 0;

	for (unsigned i = 0; i < p->nmeasured && n < cap; i++)
		tids[n++] = p->w[i].tid;
	return n;
}

/* Start the workers, warm up, time dur_ns with the counters read around
 * it, stop the workers. */
static int timed(struct pool *p, uint64_t warmup_ns, uint64_t dur_ns,
		 struct counters *ctr, struct counters *tctr,
		 struct window_raw *raw, char *err, size_t len)
{
	memset(raw, 0, sizeof(*raw));
	p->stop = 0;
	pthread_barrier_wait(&p->start);
	sleep_ns(warmup_ns);
	if (ctr)
		counters_read(ctr, raw->c0);
	if (tctr)
		counters_read(tctr, raw->t0v);
	raw->lok = cpuload_read(NULL, &raw->l0);
	cpuload_read_driven(NULL, &raw->l0, p->kthreads, p->nkthreads);
	raw->t0 = now_ns();
	for (unsigned i = 0; i < p->n; i++) {
		uint64_t c = __atomic_load_n(&p->w[i].count, __ATOMIC_RELAXED);

		*(p->w[i].bg ? &raw->bg0 : &raw->ops0) += c;
		p->w[i].measuring = 1;
	}
	sleep_ns(dur_ns);
	for (unsigned i = 0; i < p->n; i++) {
		p->w[i].measuring = 0;
		*(p->w[i].bg ? &raw->bg1 : &raw->ops1) +=
			__atomic_load_n(&p->w[i].count, __ATOMIC_RELAXED);
	}
	raw->t1 = now_ns();
	raw->lok |= cpuload_read(NULL, &raw->l1);
	cpuload_read_driven(NULL, &raw->l1, p->kthreads, p->nkthreads);
	if (ctr)
		counters_read(ctr, raw->c1);
	if (tctr)
		counters_read(tctr, raw->t1v);
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&p->end);
	if (p->err[0]) {
		snprintf(err, len, "%s", p->err);
		return -1;
	}
	return 0;
}

/* The window-wide parts of a result: counters, background, other CPUs. */
static void fill_common(const struct pool *p, const struct window_raw *raw,
			struct counters *ctr, struct counters *tctr,
			struct mode_result *res)
{
	size_t nc = ctr ? counters_n(ctr) : 0;
	uint64_t el = raw->t1 - raw->t0;

	res->bg_ops = raw->bg1 - raw->bg0;
	res->bg_ops_per_s = res->bg_ops * 1e9 / el;
	if (raw->lok == 0)
		cpuload_delta(&raw->l0, &raw->l1, el, &res->other_cpus,
			      &res->steal_cpus, &res->driven_cpus);
	else
		res->other_cpus = res->steal_cpus = res->driven_cpus = NAN;
	for (size_t i = 0; i < nc && i < BENCH_MAX_COUNTERS; i++)
		res->delta[i] = raw->c1[i] - raw->c0[i];
	for (size_t i = 0; i < counters_n(tctr) && i < BENCH_MAX_COUNTERS; i++)
		res->tdelta[i] = raw->t1v[i] - raw->t0v[i];
	(void)p;
}

static int collect_samples(struct pool *p, double **samples, size_t *nsamples,
			   char *err, size_t len)
{
	size_t total = 0, k = 0;

	for (unsigned i = 0; i < p->n; i++)
		total += p->w[i].nsamples;
	*samples = malloc((total ? total : 1) * sizeof(double));
	if (!*samples) {
		snprintf(err, len, "out of memory for %zu samples", total);
		return -1;
	}
	for (unsigned i = 0; i < p->n; i++) {
		memcpy(*samples + k, p->w[i].samples,
		       p->w[i].nsamples * sizeof(double));
		k += p->w[i].nsamples;
	}
	*nsamples = total;
	return 0;
}

int pool_window(struct pool *p, unsigned mode, uint64_t warmup_ns,
		uint64_t dur_ns, struct counters *ctr, struct counters *tctr,
		struct mode_result *res, double **samples, size_t *nsamples,
		char *err, size_t len)
{
	struct window_raw raw;

	memset(res, 0, sizeof(*res));
	p->pairing = false;
	for (unsigned i = 0; i < p->n; i++) {
		p->w[i].mode = mode;
		p->w[i].nsamples = p->w[i].dropped = 0;
		p->w[i].slice_seen = *p->w[i].slice;
	}
	if (timed(p, warmup_ns, dur_ns, ctr, tctr, &raw, err, len) < 0)
		return -1;
	res->ops = raw.ops1 - raw.ops0;
	res->elapsed_ns = raw.t1 - raw.t0;
	res->ops_per_s = res->ops * 1e9 / res->elapsed_ns;
	res->ns_per_op = res->ops ? (double)res->elapsed_ns * p->nmeasured / res->ops : 0;
	fill_common(p, &raw, ctr, tctr, res);
	if (res->ops)
		p->last_ns[mode] = res->ns_per_op;
	return samples ? collect_samples(p, samples, nsamples, err, len) : 0;
}

/* The slice length for this window: from the pair's last ns per op. */
static uint64_t calibrate(const struct pool *p, uint64_t slice_ns)
{
	double a = p->last_ns[p->pair.base], b = p->last_ns[p->pair.test];

	if (isnan(a) || isnan(b))
		return p->slice_ops;
	return slice_ops_for(slice_ns, (a + b) / 2);
}

/* One mode's part of a paired window, from its slices. */
static void pair_mode_result(const struct pool *p, const struct slice_sum *s,
			     size_t nk, unsigned mode, struct mode_result *res)
{
	uint64_t ops = 0, ns = 0;

	for (size_t k = 0; k < nk; k++)
		if (s[k].mode == mode)
			ops += s[k].ops, ns += s[k].ns;
	res->ops = ops;
	res->elapsed_ns = ns / p->nmeasured;	/* a worker's time in the mode */
	res->ops_per_s = res->elapsed_ns ? ops * 1e9 / res->elapsed_ns : 0;
	res->ns_per_op = ops ? (double)ns / ops : 0;
}

int pool_pair_window(struct pool *p, struct bench_pair pair, bool flip,
		     uint64_t slice_ns, uint64_t warmup_ns, uint64_t dur_ns,
		     struct counters *ctr, struct mode_result *res,
		     struct pair_info *info, char *err, size_t len)
{
	struct window_raw raw;
	struct slice_sum *sums;
	size_t nk;

	memset(info, 0, sizeof(*info));
	for (unsigned i = 0; i < p->nmeasured; i++) {
		if (!p->recs[i])
			p->recs[i] = malloc(SLICE_MAX_RECS * sizeof(struct slice_rec));
		if (!p->recs[i]) {
			snprintf(err, len, "out of memory for slice records");
			return -1;
		}
		p->nrecs[i] = 0;
	}
	for (unsigned i = 0; i < p->n; i++)
		p->w[i].dropped = 0;
	p->pair = pair;
	p->flip = flip;
	p->slice_ops = calibrate(p, slice_ns);
	p->slice0 = p->slice;
	p->pairing = true;
	if (timed(p, warmup_ns, dur_ns, ctr, NULL, &raw, err, len) < 0)
		return -1;
	p->pairing = false;
	nk = p->slice - p->slice0 + 1;
	p->slice++;	/* the next window starts on a fresh index */
	sums = calloc(nk, sizeof(*sums));
	if (!sums) {
		snprintf(err, len, "out of memory for %zu slices", nk);
		return -1;
	}
	slices_sum((const struct slice_rec *const *)p->recs, p->nrecs,
		   p->nmeasured, pair, flip, sums, nk);
	for (unsigned m = 0; m < 2; m++) {
		unsigned mode = m ? pair.test : pair.base;
		struct mode_result *x = &res[mode];

		memset(x, 0, sizeof(*x));
		pair_mode_result(p, sums, nk, mode, x);
		/* Counters are read around the window, not per slice: each
		 * mode gets the pair's events (an upper bound per op). */
		fill_common(p, &raw, ctr, NULL, x);
		if (x->ops)
			p->last_ns[mode] = x->ns_per_op;
	}
	res[pair.test].pair_n = slices_estimate(sums, nk, pair,
						&res[pair.test].pair_diff_ns,
						&res[pair.test].pair_rel);
	res[pair.test].paired = true;
	info->sums = sums;
	info->nk = nk;
	info->slice_ops = p->slice_ops;
	for (unsigned i = 0; i < p->nmeasured; i++)
		info->dropped += p->w[i].dropped;
	return 0;
}

void pool_cpus_seen(const struct pool *p, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < p->n && off < len; i++) {
		const int *c = p->w[i].cpu_seen;

		off += snprintf(buf + off, len - off, "%s%d", i ? " " : "", c[0]);
		if (c[1] != c[0] && off < len)
			off += snprintf(buf + off, len - off, ">%d", c[1]);
	}
}

void pool_stop(struct pool *p)
{
	if (!p)
		return;
	p->quit = 1;
	pthread_barrier_wait(&p->start);
	for (unsigned i = 0; i < p->n; i++)
		pthread_join(p->tid[i], NULL);
	for (unsigned i = 0; i < p->n; i++)
		free(p->w[i].samples);
	for (unsigned i = 0; i < p->nmeasured; i++)
		free(p->recs[i]);
	free(p->recs), free(p->nrecs);
	pthread_barrier_destroy(&p->start);
	pthread_barrier_destroy(&p->end);
	free(p->w), free(p->tid), free(p->setup_rc), free(p);
}
