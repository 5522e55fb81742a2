// SPDX-License-Identifier: GPL-2.0
/*
 * regimes.c - the footer's regime lines: when a headline metric's trials
 * at one point fall into two separated groups (stats_regimes()), the
 * median over them belongs to whichever group had more trials by chance,
 * and its CI straddles both.  Say so, with the groups and the trial
 * order, instead of letting the table's one number stand for both.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "run.h"
#include "stats.h"
#include "text.h"

#define ORDER_MAX 64	/* trials shown in the order string */
#define REGIMES_WIDTH TEXT_WIDTH

/* One metric of one point: print its regimes; returns whether found. */
static bool point_regimes(const struct run *r, size_t i, size_t k)
{
	const struct run_point *rp = &r->points[i];
	double x[rp->ntrials ? rp->ntrials : 1];
	char order[ORDER_MAX + 4], label[256], msg[640];
	struct regimes g;
	size_t n = 0, o = 0;

	for (size_t t = 0; t < rp->ntrials; t++)
		if (!isnan(rp->vals[t * r->ncols + k]))
			x[n++] = rp->vals[t * r->ncols + k];
	if (stats_regimes(x, n, &g) < 0 || !g.found)
		return false;
	for (size_t t = 0; t < n && o < ORDER_MAX; t++)
		order[o++] = x[t] <= g.cut ? 'L' : 'H';
	order[o] = 0;
	if (n > ORDER_MAX)
		snprintf(order + o, sizeof(order) - o, "...");
	run_point_label(r, i, label, sizeof(label));
	snprintf(msg, sizeof(msg), "regimes%s%s: %s has two: %.4g %s (%zu "
		 "trials, L) and %.4g %s (%zu trials, H), spreads %.3g; trials "
		 "in order: %s",
	       label[0] ? " at " : "", label, r->cols[k].name, g.med_lo,
	       r->cols[k].unit, g.n_lo, g.med_hi, r->cols[k].unit, g.n_hi,
	       g.spread, order);
	fputs("# ", stdout);
	text_wrap(stdout, 2, "#   ", REGIMES_WIDTH, msg);
	return true;
}

void run_print_regimes(const struct run *r)
{
	bool any = false;

	for (size_t i = 0; i < r->npoints; i++) {
		if (r->points[i].status != BENCH_OK || !r->points[i].vals)
			continue;
		for (size_t k = 0; k < r->ncols; k++)
			if (r->cols[k].headline)
				any |= point_regimes(r, i, k);
	}
	if (any) {
		fputs("#   ", stdout);
		text_wrap(stdout, 4, "#   ", REGIMES_WIDTH, "the median and CI "
			  "of such a point stand for neither group: run longer, "
			  "in ABAB pairs (gupsync ab); README \"Regimes\"");
	}
}
