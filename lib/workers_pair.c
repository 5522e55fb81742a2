// SPDX-License-Identifier: GPL-2.0
/* workers_pair.c - windows of paired slices (slices.h); see workers.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers_priv.h"

/*
 * A paired window: loop() once per slice, in the schedule's mode.  The
 * clock is read here, at slice boundaries only; worker_running() ends the
 * loop when the leader's count reaches slice_end or the index moves.
 */
void pool_run_slices(struct pool *p, struct pool_worker *pw)
{
	struct worker *w = &pw->w;
	bool leader = w->id == 0, was = w->ctl_.measuring;
	uint64_t k = __atomic_load_n(&p->slice, __ATOMIC_ACQUIRE);
	uint64_t t0 = now_ns(), c0 = w->count;

	for (;;) {
		uint64_t t1, c1;
		bool is;

		w->ctl_.slice_seen = k;
		w->mode = slice_mode(p->pair, p->flip, k - p->slice0);
		w->ctl_.slice_end = leader ? c0 + p->slice_ops : UINT64_MAX;
		p->b->loop(w);
		t1 = now_ns();
		c1 = w->count;
		is = w->ctl_.measuring;
		if (was && is) {
			if (p->nrecs[w->id] < SLICE_MAX_RECS)
				p->recs[w->id][p->nrecs[w->id]++] =
					(struct slice_rec){ k - p->slice0, c1 - c0, t1 - t0 };
			else
				pw->dropped++;
		}
		if (__atomic_load_n(&p->stop, __ATOMIC_RELAXED))
			break;
		if (leader)
			__atomic_store_n(&p->slice, k + 1, __ATOMIC_RELEASE);
		k = __atomic_load_n(&p->slice, __ATOMIC_ACQUIRE);
		t0 = t1, c0 = c1, was = is;
	}
	w->ctl_.slice_seen = __atomic_load_n(&p->slice, __ATOMIC_ACQUIRE);
	w->ctl_.slice_end = UINT64_MAX;
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

/* ---- latency pairs: calls in slices ------------------------------------ */

/* One timed call in mode; false (and the window aborted) on an error. */
static bool lat_call(struct pool *p, struct pool_worker *pw, unsigned mode,
		     uint64_t *ns)
{
	struct worker *w = &pw->w;
	uint64_t t0 = now_ns();
	int rc = p->b->op(w);
	uint64_t t1 = now_ns();
	char msg[128];

	if (rc < 0) {
		snprintf(msg, sizeof(msg), "%s: operation failed: %s",
			 p->b->name, strerror(-rc));
		pool_worker_error(p, msg);
		__atomic_store_n(&p->lat_abort, 1, __ATOMIC_RELAXED);
		return false;
	}
	*ns += t1 - t0;
	if (pw->nsamples < pw->cap) {
		pw->samples[pw->nsamples] = (double)(t1 - t0);
		pw->smode[pw->nsamples++] = (uint8_t)mode;
	}
	worker_tick(w);
	return true;
}

/* Leader, every worker between calls: the mode of the slice about to
 * start, entered if it changed (a knob: every worker meets it). */
static void lat_enter(struct pool *p, unsigned *cur)
{
	unsigned m = slice_mode(p->pair, p->flip, p->slice - p->slice0);
	char msg[320];

	if (m == *cur || !p->b->mode_enter)
		return;
	*cur = m;
	if (p->b->mode_enter(p->pt, m) != BENCH_OK) {
		snprintf(msg, sizeof(msg), "%s: preparing mode %s: %s",
			 p->b->name, p->b->modes[m].name, p->pt->skip_reason);
		pool_worker_error(p, msg);
		p->lat_quit = 1;
	}
}

/* Leader, every worker between calls: the counts, the background's ops
 * and the time since the last boundary go to the mode of the slice that
 * just ended, when it was measured. */
static void lat_count(struct pool *p, unsigned mode, bool measured)
{
	uint64_t now[BENCH_MAX_COUNTERS] = { 0 }, bg = 0, t;
	size_t nc = p->slice_ctr ? counters_n(p->slice_ctr) : 0;

	if (nc)
		counters_read(p->slice_ctr, now);
	for (unsigned i = p->nmeasured; i < p->n; i++)
		bg += __atomic_load_n(&p->w[i].w.count, __ATOMIC_RELAXED);
	t = now_ns();
	if (measured) {
		for (size_t i = 0; i < nc && i < BENCH_MAX_COUNTERS; i++)
			p->mdelta[mode][i] += now[i] - p->cprev[i];
		p->mbg[mode] += bg - p->bgprev;
		p->mwall[mode] += t - p->tprev;
	}
	memcpy(p->cprev, now, sizeof(now));
	p->bgprev = bg;
	p->tprev = t;
}

/* One worker's calls in slice k: the leader's until slice_lat_done(),
 * the others' until the leader has closed k (one call at least). */
static uint64_t lat_slice_calls(struct pool *p, struct pool_worker *pw,
				uint64_t k, uint64_t *ns)
{
	struct worker *w = &pw->w;
	bool leader = w->id == 0;
	uint64_t calls = 0;

	while (lat_call(p, pw, w->mode, ns)) {
		calls++;
		if (__atomic_load_n(&p->stop, __ATOMIC_RELAXED))
			break;
		if (leader ? slice_lat_done(calls, *ns, p->slice_ns) :
		    __atomic_load_n(&p->lat_closed, __ATOMIC_ACQUIRE) == k + 1)
			break;
		if (__atomic_load_n(&p->lat_abort, __ATOMIC_RELAXED))
			break;
	}
	if (leader)
		__atomic_store_n(&p->lat_closed, k + 1, __ATOMIC_RELEASE);
	return calls;
}

/*
 * A latency pair's window.  Per slice: the leader enters its mode, all
 * measured workers start together (slice_go), each makes its calls, all
 * meet (slice_done), the leader reads the counters and moves the index.
 * A slice counts (its record, its samples, its counts) when the worker
 * was measuring from its start to its end.
 */
void pool_run_lat_slices(struct pool *p, struct pool_worker *pw)
{
	struct worker *w = &pw->w;
	bool leader = w->id == 0;
	unsigned cur = BENCH_MAX_MODES;

	if (leader)
		lat_count(p, 0, false);
	for (;;) {
		uint64_t k, ns = 0, calls;
		size_t s0 = pw->nsamples;
		bool was, is;

		if (leader)
			lat_enter(p, &cur);
		pthread_barrier_wait(&p->slice_go);
		if (p->lat_quit)
			break;
		k = __atomic_load_n(&p->slice, __ATOMIC_ACQUIRE);
		w->ctl_.slice_seen = k;
		w->mode = slice_mode(p->pair, p->flip, k - p->slice0);
		was = worker_measuring(w);
		calls = lat_slice_calls(p, pw, k, &ns);
		is = worker_measuring(w);
		if (was && is && calls && p->nrecs[w->id] < SLICE_MAX_RECS)
			p->recs[w->id][p->nrecs[w->id]++] =
				(struct slice_rec){ k - p->slice0, calls, ns };
		else if (was && is && calls)
			pw->dropped++;
		else
			pw->nsamples = s0;	/* warm-up or cut by the end */
		pthread_barrier_wait(&p->slice_done);
		if (leader) {
			lat_count(p, w->mode, was && is);
			p->lat_quit = __atomic_load_n(&p->stop, __ATOMIC_RELAXED) ||
				      p->lat_abort;
			if (!p->lat_quit)
				__atomic_store_n(&p->slice, k + 1, __ATOMIC_RELEASE);
		}
	}
	w->ctl_.slice_seen = __atomic_load_n(&p->slice, __ATOMIC_ACQUIRE);
}

/* Every worker's samples of mode into one array (caller frees). */
static int lat_samples(const struct pool *p, unsigned mode, double **out,
		       size_t *n)
{
	size_t total = 0, k = 0;

	for (unsigned i = 0; i < p->nmeasured; i++)
		total += p->w[i].nsamples;
	*n = 0;
	*out = malloc((total ? total : 1) * sizeof(double));
	if (!*out)
		return -1;
	for (unsigned i = 0; i < p->nmeasured; i++)
		for (size_t j = 0; j < p->w[i].nsamples; j++)
			if (p->w[i].smode[j] == mode)
				(*out)[k++] = p->w[i].samples[j];
	*n = k;
	return 0;
}

/* Before a latency pair's window: per-sample modes, fresh counts. */
static int lat_prepare(struct pool *p, uint64_t slice_ns,
		       struct counters *ctr, char *err, size_t len)
{
	for (unsigned i = 0; i < p->nmeasured; i++) {
		struct pool_worker *pw = &p->w[i];

		if (!pw->smode)
			pw->smode = malloc(pw->cap ? pw->cap : 1);
		if (!pw->smode) {
			snprintf(err, len, "out of memory for sample modes");
			return -1;
		}
		pw->nsamples = 0;
	}
	p->slice_ns = slice_ns;
	p->slice_ctr = ctr;
	p->lat_closed = 0;
	p->lat_quit = p->lat_abort = 0;
	memset(p->mdelta, 0, sizeof(p->mdelta));
	memset(p->mbg, 0, sizeof(p->mbg));
	memset(p->mwall, 0, sizeof(p->mwall));
	return 0;
}

/* After it: the samples by mode, each mode's counts its own. */
static int lat_finish(struct pool *p, struct bench_pair pair,
		      struct counters *ctr, struct mode_result *res,
		      struct pair_info *info, char *err, size_t len)
{
	for (unsigned m = 0; m < 2; m++) {
		unsigned mode = m ? pair.test : pair.base;

		if (lat_samples(p, mode, &info->samples[m], &info->nsamples[m]) < 0) {
			free(info->samples[0]);
			info->samples[0] = NULL;
			snprintf(err, len, "out of memory for latency samples");
			return -1;
		}
		for (size_t i = 0; ctr && i < counters_n(ctr) && i < BENCH_MAX_COUNTERS; i++)
			res[mode].delta[i] = p->mdelta[mode][i];
		res[mode].bg_ops = p->mbg[mode];
		res[mode].bg_ops_per_s = p->mwall[mode] ?
			p->mbg[mode] * 1e9 / p->mwall[mode] : 0;
	}
	return 0;
}

int pool_pair_window(struct pool *p, struct bench_pair pair, bool flip,
		     uint64_t slice_ns, uint64_t warmup_ns, uint64_t dur_ns,
		     struct counters *ctr, struct mode_result *res,
		     struct pair_info *info, char *err, size_t len)
{
	struct window_raw raw;
	struct slice_sum *sums;
	bool lat = p->b->kind == BENCH_LATENCY;
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
	if (lat && lat_prepare(p, slice_ns, ctr, err, len) < 0)
		return -1;
	p->pairing = true;
	if (pool_timed(p, warmup_ns, dur_ns, ctr, NULL, &raw, err, len) < 0)
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
		/* Throughput: counters are read around the window, not per
		 * slice: each mode gets the pair's events (an upper bound per
		 * op).  Latency: lat_finish() puts each mode's own. */
		pool_fill_common(&raw, ctr, NULL, x);
		if (x->ops)
			p->last_ns[mode] = x->ns_per_op;
	}
	if (lat && lat_finish(p, pair, ctr, res, info, err, len) < 0) {
		free(sums);
		return -1;
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
