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
#include <string.h>

#include "run.h"
#include "stats.h"
#include "text.h"

#define ORDER_MAX 64	/* trials shown in the order string */
#define REGIMES_WIDTH TEXT_WIDTH

/* One metric of one point: its regimes appended to buf ("op_p50_ns
 * 2986|1.381e+04 ns (LLHHLH)": the two groups' medians and the trials in
 * order, L or H); returns whether found (buf NULL: only that). */
static bool point_regimes(const struct run *r, size_t i, size_t k, char *buf,
			  size_t len)
{
	const struct run_point *rp = &r->points[i];
	double x[rp->ntrials ? rp->ntrials : 1];
	char order[ORDER_MAX + 4];
	const char *unit = r->cols[k].unit;
	struct regimes g;
	size_t n = 0, o = 0;

	for (size_t t = 0; t < rp->ntrials; t++)
		if (!isnan(rp->vals[t * r->ncols + k]))
			x[n++] = rp->vals[t * r->ncols + k];
	if (stats_regimes(x, n, &g) < 0 || !g.found)
		return false;
	if (!buf)	/* only whether */
		return true;
	for (size_t t = 0; t < n && o < ORDER_MAX; t++)
		order[o++] = x[t] <= g.cut ? 'L' : 'H';
	order[o] = 0;
	if (n > ORDER_MAX)
		snprintf(order + o, sizeof(order) - o, "...");
	text_append(buf, len, "%s%s %.4g|%.4g%s%s (%s)", buf[0] ? "; " : "",
		    r->cols[k].name, g.med_lo, g.med_hi,
		    strcmp(unit, "1") ? " " : "", strcmp(unit, "1") ? unit : "",
		    order);
	return true;
}

/*
 * One line (wrapped) per point with regimes, for the first headline
 * metric that has them ("; +1 metric" for the others).  The groups'
 * spreads and sizes are not printed: the order string shows the sizes,
 * trials.csv holds every trial.
 */
#define REGIMES_POINTS 2	/* points listed; the rest counted */

void run_print_regimes(const struct run *r)
{
	bool any = false;
	size_t shown = 0, more = 0;

	for (size_t i = 0; i < r->npoints; i++) {
		char label[256], msg[1024] = "";

		if (r->points[i].status != BENCH_OK || !r->points[i].vals)
			continue;
		/* The first headline metric with regimes; the others counted. */
		size_t others = 0;

		for (size_t k = 0; k < r->ncols; k++) {
			if (!r->cols[k].headline)
				continue;
			if (msg[0])
				others += point_regimes(r, i, k, NULL, 0);
			else
				point_regimes(r, i, k, msg, sizeof(msg));
		}
		if (!msg[0])
			continue;
		if (others)
			text_append(msg, sizeof(msg), "; +%zu metric%s", others,
				    others > 1 ? "s" : "");
		if (!any) {
			fputs("# ", stdout);
			text_wrap(stdout, 2, "#   ", REGIMES_WIDTH, "regimes: "
				  "trials in two groups L|H; the median is neither's "
				  "(README)");
		}
		any = true;
		if (shown == REGIMES_POINTS) {
			more++;
			continue;
		}
		shown++;
		run_point_label(r, i, label, sizeof(label));
		printf("#   %s%s", label, label[0] ? ": " : "");
		text_wrap(stdout, 4 + strlen(label) + (label[0] ? 2 : 0), "#     ",
			  REGIMES_WIDTH, msg);
	}
	if (more)
		printf("#   and %zu more point%s (trials.csv has every trial)\n",
		       more, more > 1 ? "s" : "");
	fflush(stdout);	/* as the footer: before anything on stderr */
}
