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

#include "futexhash.h"
#include "workers_priv.h"

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

void pool_worker_error(struct pool *p, const char *msg)
{
	pthread_mutex_lock(&p->lock);
	if (!p->err[0])
		snprintf(p->err, sizeof(p->err), "%s", msg);
	pthread_mutex_unlock(&p->lock);
}

static void run_latency(struct pool *p, struct pool_worker *pw)
{
	struct worker *w = &pw->w;
	char msg[128];

	while (worker_running(w)) {
		uint64_t t0 = now_ns();
		int rc = p->b->op(w);
		uint64_t t1 = now_ns();

		if (rc < 0) {
			snprintf(msg, sizeof(msg), "%s: operation failed: %s",
				 p->b->name, strerror(-rc));
			pool_worker_error(p, msg);
			return;
		}
		if (w->ctl_.measuring) {
			if (pw->nsamples < pw->cap)
				pw->samples[pw->nsamples++] = (double)(t1 - t0);
			else
				pw->dropped++;
		}
		worker_tick(w);
	}
}

/* The benchmark's per-worker state, on the worker's own thread so that
 * its memory is first touched there: BENCH_OK or BENCH_FAIL. */
static int worker_priv(struct pool *p, struct pool_worker *pw)
{
	char msg[128];

	if (!p->b->worker_priv_size)
		return BENCH_OK;
	pw->priv = pw->w.priv = calloc(1, p->b->worker_priv_size);
	/* Read by the main thread after the start barrier. */
	p->privs[pw->w.id] = pw->priv;
	if (pw->priv)
		return BENCH_OK;
	snprintf(msg, sizeof(msg), "out of memory for worker %u's state "
		 "(%zu bytes)", pw->w.id, p->b->worker_priv_size);
	pool_worker_error(p, msg);
	return BENCH_FAIL;
}

static void *worker_main(void *arg)
{
	struct pool_worker *pw = arg;
	struct worker *w = &pw->w;
	struct pool *p = pw->pool;
	int rc;

	pw->tid = gettid();
	rc = worker_priv(p, pw);
	if (rc == BENCH_OK && p->b->worker_setup)
		rc = p->b->worker_setup(p->pt, w);
	p->setup_rc[w->id] = rc;
	pthread_barrier_wait(&p->start);	/* setup done */
	for (;;) {
		pthread_barrier_wait(&p->start);
		if (p->quit)
			break;
		pw->cpu_seen[0] = sched_getcpu();
		if (w->bg)
			p->b->bg_loop(w);
		else if (p->pairing && p->b->kind == BENCH_LATENCY)
			pool_run_lat_slices(p, pw);
		else if (p->pairing)
			pool_run_slices(p, pw);
		else if (p->b->kind == BENCH_THROUGHPUT)
			p->b->loop(w);
		else
			run_latency(p, pw);
		pw->cpu_seen[1] = sched_getcpu();
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
	p->privs = calloc(p->n, sizeof(*p->privs));
	if (!p->w || !p->tid || !p->setup_rc || !p->recs || !p->nrecs ||
	    !p->privs) {
		free(p->w), free(p->tid), free(p->setup_rc), free(p->recs);
		free(p->nrecs), free(p->privs), free(p);
		return NULL;
	}
	p->slice_ops = SLICE_FIRST_OPS;
	for (unsigned m = 0; m < BENCH_MAX_MODES; m++)
		p->last_ns[m] = NAN;
	memset(p->w, 0, sizeof(*p->w) * p->n);
	pthread_mutex_init(&p->lock, NULL);
	pthread_barrier_init(&p->start, NULL, p->n + 1);
	pthread_barrier_init(&p->end, NULL, p->n + 1);
	pthread_barrier_init(&p->slice_go, NULL, p->nmeasured ? p->nmeasured : 1);
	pthread_barrier_init(&p->slice_done, NULL, p->nmeasured ? p->nmeasured : 1);
	for (unsigned i = 0; i < p->n; i++) {
		struct pool_worker *pw = &p->w[i];
		struct worker *w = &pw->w;

		pw->pool = p;
		w->ctl_.stop = &p->stop;
		/* Slices never end a background worker's loop. */
		w->ctl_.slice = i >= p->nmeasured ? &p->no_slice : &p->slice;
		w->ctl_.slice_end = UINT64_MAX;
		w->id = i;
		w->pu = pt->pus[i];
		w->pt = pt;
		w->bg = i >= p->nmeasured;
		if (p->b->kind == BENCH_LATENCY && !w->bg) {
			pw->cap = WORKER_MAX_SAMPLES;
			pw->samples = malloc(pw->cap * sizeof(double));
		}
	}
	pt->worker_priv = p->privs;
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
		if (p->b->kind == BENCH_LATENCY && !p->w[i].w.bg &&
		    !p->w[i].samples) {
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
	if (rc == BENCH_FAIL && p->err[0])
		snprintf(err, len, "%s: %s", p->b->name, p->err);
	else if (rc == BENCH_FAIL)
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

int pool_timed(struct pool *p, uint64_t warmup_ns, uint64_t dur_ns,
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
		struct worker *w = &p->w[i].w;
		uint64_t c = __atomic_load_n(&w->count, __ATOMIC_RELAXED);

		*(w->bg ? &raw->bg0 : &raw->ops0) += c;
		w->ctl_.measuring = 1;
	}
	sleep_ns(dur_ns);
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i].w;

		w->ctl_.measuring = 0;
		*(w->bg ? &raw->bg1 : &raw->ops1) +=
			__atomic_load_n(&w->count, __ATOMIC_RELAXED);
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

void pool_fill_common(const struct window_raw *raw, struct counters *ctr,
		      struct counters *tctr, struct mode_result *res)
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
		struct worker *w = &p->w[i].w;

		w->mode = mode;
		p->w[i].nsamples = p->w[i].dropped = 0;
		w->ctl_.slice_seen = *w->ctl_.slice;
	}
	if (pool_timed(p, warmup_ns, dur_ns, ctr, tctr, &raw, err, len) < 0)
		return -1;
	res->ops = raw.ops1 - raw.ops0;
	res->elapsed_ns = raw.t1 - raw.t0;
	res->ops_per_s = res->ops * 1e9 / res->elapsed_ns;
	res->ns_per_op = res->ops ? (double)res->elapsed_ns * p->nmeasured / res->ops : 0;
	pool_fill_common(&raw, ctr, tctr, res);
	if (res->ops)
		p->last_ns[mode] = res->ns_per_op;
	return samples ? collect_samples(p, samples, nsamples, err, len) : 0;
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
		free(p->w[i].samples), free(p->w[i].smode), free(p->w[i].priv);
	for (unsigned i = 0; i < p->nmeasured; i++)
		free(p->recs[i]);
	free(p->recs), free(p->nrecs);
	pthread_barrier_destroy(&p->start);
	pthread_barrier_destroy(&p->end);
	pthread_barrier_destroy(&p->slice_go);
	pthread_barrier_destroy(&p->slice_done);
	p->pt->worker_priv = NULL;
	free(p->privs);
	free(p->w), free(p->tid), free(p->setup_rc), free(p);
}
