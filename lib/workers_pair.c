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
		/* Counters are read around the window, not per slice: each
		 * mode gets the pair's events (an upper bound per op). */
		pool_fill_common(&raw, ctr, NULL, x);
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
