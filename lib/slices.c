// SPDX-License-Identifier: GPL-2.0
/* slices.c - paired slices: schedule and estimators; see slices.h. */
#include <math.h>
#include <stdlib.h>

#include "slices.h"
#include "stats.h"

unsigned slice_mode(struct bench_pair p, bool flip, uint64_t k)
{
	/* A B B A: the first and last of every four are the base. */
	bool base = (k % 4 == 0 || k % 4 == 3) != flip;

	return base ? p.base : p.test;
}

void slices_sum(const struct slice_rec *const *recs, const size_t *n,
		unsigned nw, struct bench_pair p, bool flip,
		struct slice_sum *sums, size_t nk)
{
	for (size_t k = 0; k < nk; k++)
		sums[k] = (struct slice_sum){ .mode = slice_mode(p, flip, k) };
	for (unsigned w = 0; w < nw; w++)
		for (size_t i = 0; i < n[w]; i++) {
			const struct slice_rec *r = &recs[w][i];

			if (r->k >= nk)
				continue;
			sums[r->k].ops += r->ops;
			sums[r->k].ns += r->ns;
		}
}

double slice_ns_per_op(const struct slice_sum *s)
{
	return s->ops ? (double)s->ns / (double)s->ops : NAN;
}

static double median_of(double *x, size_t n)
{
	struct stats st;

	return n && stats_compute(x, n, &st) == 0 ? st.median : NAN;
}

size_t slices_estimate(const struct slice_sum *sums, size_t nk,
		       struct bench_pair p, double *diff, double *rel)
{
	size_t np = 0, cap = nk / 2 ? nk / 2 : 1;
	double *d = malloc(cap * sizeof(double)), *q = malloc(cap * sizeof(double));

	*diff = *rel = NAN;
	if (!d || !q) {
		free(d), free(q);
		return 0;
	}
	for (size_t j = 0; j + 1 < nk; j += 2) {
		const struct slice_sum *a = &sums[j], *b = &sums[j + 1];
		const struct slice_sum *base = a->mode == p.base ? a : b;
		const struct slice_sum *test = a->mode == p.base ? b : a;

		if (!a->ops || !b->ops || a->mode == b->mode)
			continue;
		d[np] = slice_ns_per_op(test) - slice_ns_per_op(base);
		q[np] = slice_ns_per_op(test) / slice_ns_per_op(base) - 1.0;
		np++;
	}
	if (np) {
		*diff = median_of(d, np);
		*rel = median_of(q, np);
	}
	free(d), free(q);
	return np;
}

uint64_t slice_ops_for(uint64_t slice_ns, double ns_per_op)
{
	double ops;

	if (!(ns_per_op > 0))
		return SLICE_FIRST_OPS;
	ops = (double)slice_ns / ns_per_op;
	return ops < SLICE_MIN_OPS ? SLICE_MIN_OPS : ops > 1e9 ? 1000000000 :
	       (uint64_t)llround(ops);
}
