// SPDX-License-Identifier: GPL-2.0
/* workers.c - see workers.h. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpuload.h"
#include "futexhash.h"
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
	cpu_set_t set;
	int rc;

	pthread_attr_init(&attr);
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
	if (!p->w || !p->tid || !p->setup_rc) {
		free(p->w), free(p->tid), free(p->setup_rc), free(p);
		return NULL;
	}
	memset(p->w, 0, sizeof(*p->w) * p->n);
	pthread_mutex_init(&p->lock, NULL);
	pthread_barrier_init(&p->start, NULL, p->n + 1);
	pthread_barrier_init(&p->end, NULL, p->n + 1);
	for (unsigned i = 0; i < p->n; i++) {
		struct worker *w = &p->w[i];

		w->stop = &p->stop;
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

int pool_window(struct pool *p, unsigned mode, uint64_t warmup_ns,
		uint64_t dur_ns, struct counters *ctr, struct counters *tctr,
		struct mode_result *res, double **samples, size_t *nsamples,
		char *err, size_t len)
{
	uint64_t c0[BENCH_MAX_COUNTERS] = { 0 }, c1[BENCH_MAX_COUNTERS] = { 0 };
	uint64_t t0v[BENCH_MAX_COUNTERS] = { 0 }, t1v[BENCH_MAX_COUNTERS] = { 0 };
	uint64_t ops0 = 0, ops1 = 0, bg0 = 0, bg1 = 0, t0, t1;
	struct cpuload l0 = { 0 }, l1 = { 0 };
	int lok;
	size_t nc = ctr ? counters_n(ctr) : 0;

	memset(res, 0, sizeof(*res));
	p->stop = 0;
	for (unsigned i = 0; i < p->n; i++) {
		p->w[i].mode = mode;
		p->w[i].nsamples = p->w[i].dropped = 0;
	}
	pthread_barrier_wait(&p->start);
	sleep_ns(warmup_ns);
	if (ctr)
		counters_read(ctr, c0);
	if (tctr)
		counters_read(tctr, t0v);
	lok = cpuload_read(NULL, &l0);
	t0 = now_ns();
	for (unsigned i = 0; i < p->n; i++) {
		uint64_t c = __atomic_load_n(&p->w[i].count, __ATOMIC_RELAXED);

		*(p->w[i].bg ? &bg0 : &ops0) += c;
		p->w[i].measuring = 1;
	}
	sleep_ns(dur_ns);
	for (unsigned i = 0; i < p->n; i++) {
		p->w[i].measuring = 0;
		*(p->w[i].bg ? &bg1 : &ops1) +=
			__atomic_load_n(&p->w[i].count, __ATOMIC_RELAXED);
	}
	t1 = now_ns();
	lok |= cpuload_read(NULL, &l1);
	if (ctr)
		counters_read(ctr, c1);
	if (tctr)
		counters_read(tctr, t1v);
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&p->end);

	if (p->err[0]) {
		snprintf(err, len, "%s", p->err);
		return -1;
	}
	res->ops = ops1 - ops0;
	res->elapsed_ns = t1 - t0;
	res->ops_per_s = res->ops * 1e9 / res->elapsed_ns;
	res->ns_per_op = res->ops ? (double)res->elapsed_ns * p->nmeasured / res->ops : 0;
	res->bg_ops = bg1 - bg0;
	res->bg_ops_per_s = res->bg_ops * 1e9 / res->elapsed_ns;
	if (lok == 0)
		cpuload_delta(&l0, &l1, res->elapsed_ns, &res->other_cpus,
			      &res->steal_cpus);
	else
		res->other_cpus = res->steal_cpus = NAN;
	for (size_t i = 0; i < nc && i < BENCH_MAX_COUNTERS; i++)
		res->delta[i] = c1[i] - c0[i];
	for (size_t i = 0; i < counters_n(tctr) && i < BENCH_MAX_COUNTERS; i++)
		res->tdelta[i] = t1v[i] - t0v[i];
	if (samples) {
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
	}
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
	pthread_barrier_destroy(&p->start);
	pthread_barrier_destroy(&p->end);
	free(p->w), free(p->tid), free(p->setup_rc), free(p);
}
