// SPDX-License-Identifier: GPL-2.0
/*
 * plot_data.c - the data files of the figures; see plot_data.h.
 *
 * Points come from trials.csv: per data point, the median over trials of
 * the quantity (one metric, or a sum of counters per operation) and its
 * 95% CI (stats_compute(), as in summary.csv; where a point had too few
 * trials for a CI, min..max).  A curve is one run and one combination of
 * the parameters that vary, other than threads (the x axis): the same
 * combination keeps its colour across runs, and each run its own point
 * type, so that an A/B overlay pairs up at a glance.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot_data.h"
#include "safefile.h"
#include "stats.h"
#include "text.h"

/* gnuplot point types per run: circle, square, triangle, diamond. */
static const int pl_run_pt[] = { PL_PT_CIRCLE, 5, 9, 13 };

/* ---- data files ------------------------------------------------------- */

FILE *pl_data(struct pl_fig *fg, const char *name)
{
	(void)name;
	if (unlinkat(fg->workfd, PL_WORK_DATA, 0) < 0 && errno != ENOENT) {
		text_fmt(fg->err, fg->len, "unlink(%s/%s): %s", fg->work,
			 PL_WORK_DATA, strerror(errno));
		return NULL;
	}
	return safefile_create_at(fg->workfd, PL_WORK_DATA, fg->err, fg->len);
}

/* Append word s to the label in buf, space-separated. */
void pl_cat(char *buf, size_t len, const char *s)
{
	if (*s)
		text_append(buf, len, "%s%s", buf[0] ? " " : "", s);
}

/* ---- curves from trials.csv ------------------------------------------- */

struct pl_pt {
	int curve;
	double x, y, lo, hi;
};

static int pl_pt_cmp(const void *a, const void *b)
{
	const struct pl_pt *p = a, *q = b;

	if (p->curve != q->curve)
		return p->curve - q->curve;
	return (p->x > q->x) - (p->x < q->x);
}

/* The curve of run i at trials row r: its index, -1 when too many. */
static int pl_curve(const struct pl_fig *fg, struct pl_curves *cv, size_t i,
		    size_t r, const char *prefix, int dt)
{
	const struct rundir *rd = &fg->runs[i];
	char combo[192] = "", label[256] = "", kv[128];
	int k, c;

	for (size_t j = 0; j < fg->nlabel; j++)
		if ((k = rundir_param(rd, fg->label_params[j])) >= 0) {
			snprintf(kv, sizeof(kv), "%s=%s", fg->label_params[j],
				 csv_get(&rd->trials, r, (size_t)k));
			pl_cat(combo, sizeof(combo), kv);
		}
	pl_cat(label, sizeof(label), prefix);
	snprintf(kv, sizeof(kv), "%c", (int)('A' + i));
	pl_cat(label, sizeof(label), fg->n > 1 ? kv : "");
	pl_cat(label, sizeof(label), fg->placement_differs ? rundir_placement(rd) : "");
	pl_cat(label, sizeof(label), combo);
	for (c = 0; c < cv->n; c++)
		if (!strcmp(cv->label[c], label))
			return c;
	if (cv->n == PL_MAX_CURVES)
		return -1;
	for (k = 0; k < cv->ncombos && strcmp(cv->combo[k], combo); k++)
		;
	if (k == cv->ncombos)
		snprintf(cv->combo[cv->ncombos++], sizeof(cv->combo[0]), "%s", combo);
	snprintf(cv->label[c], sizeof(cv->label[c]), "%s", label);
	cv->lc[c] = k + 1;
	cv->pt[c] = pl_run_pt[i % (sizeof(pl_run_pt) / sizeof(pl_run_pt[0]))];
	cv->dt[c] = dt ? dt : (int)i + 1;	/* 0: dashes tell the runs apart */
	return cv->n++;
}

/* Median and CI over the trials of the point at row p of the sum of
 * columns cols[0..nc); -1 when no trial has them all. */
static int pl_point(const struct rundir *rd, size_t p, const int *cols,
		    size_t nc, struct pl_pt *out)
{
	const struct csv *t = &rd->trials;
	double *v = malloc(t->nrows * sizeof(*v));
	int xc = rundir_param(rd, PL_X_PARAM);
	struct stats st;
	size_t n = 0;

	for (size_t r = p; v && r < t->nrows; r++) {
		double sum = 0;

		if (!rundir_same_point(rd, t, p, rd, t, r,
				       (const char *const *)t->head, rd->nparams))
			continue;
		for (size_t k = 0; k < nc; k++)
			sum += csv_num_at(t, r, (size_t)cols[k]);
		if (!isnan(sum))
			v[n++] = sum;
	}
	if (!n || stats_compute(v, n, &st) < 0) {
		free(v);
		return -1;
	}
	free(v);
	*out = (struct pl_pt){ 0, xc >= 0 ? csv_num_at(t, p, (size_t)xc) : 1.0,
			       st.median, isnan(st.ci_lo) ? st.min : st.ci_lo,
			       isnan(st.ci_hi) ? st.max : st.ci_hi };
	return 0;
}

/* Whether trials row r of rd is in the figure being drawn. */
static bool pl_in_facet(const struct pl_fig *fg, const struct rundir *rd,
			size_t r)
{
	for (size_t k = 0; fg->cur && k < fg->nsplit; k++) {
		int c = rundir_param(rd, fg->split[k]);

		if (c >= 0 && strcmp(csv_get(&rd->trials, r, (size_t)c),
				     fg->cur->val[k]))
			return false;
	}
	return true;
}

/* The points of the quantity cols[] (NULL-terminated) of run i. */
static size_t pl_run_points(struct pl_fig *fg, struct pl_curves *cv, size_t i,
			    const char *const *cols, const char *prefix, int dt,
			    struct pl_pt *pts)
{
	const struct rundir *rd = &fg->runs[i];
	int idx[8];
	size_t nc = 0, n = 0, *rows;
	long np;

	for (; cols[nc] && nc < 8; nc++)
		if ((idx[nc] = csv_col(&rd->trials, cols[nc])) < (int)rd->nparams)
			return 0;	/* this run does not have it */
	np = rundir_points(&rd->trials, rd->nparams, &rows);
	for (long p = 0; p < np; p++)
		if (pl_in_facet(fg, rd, rows[p]) &&
		    pl_point(rd, rows[p], idx, nc, &pts[n]) == 0 &&
		    (pts[n].curve = pl_curve(fg, cv, i, rows[p], prefix, dt)) >= 0)
			n++;
	if (np >= 0)
		free(rows);
	return n;
}

/*
 * Append the curves of one quantity (the sum of the trials.csv columns
 * cols, NULL-terminated) of every run to f as gnuplot index blocks, each
 * led by its quoted title.  Returns 0, -1 when out of memory.
 */
int pl_blocks(struct pl_fig *fg, struct pl_curves *cv, FILE *f,
	      const char *const *cols, const char *prefix, int dt)
{
	struct pl_pt *pts;
	size_t npts = 0, cap = 0;

	for (size_t i = 0; i < fg->n; i++)
		cap += fg->runs[i].trials.nrows;
	pts = malloc((cap ? cap : 1) * sizeof(*pts));
	if (!pts) {
		snprintf(fg->err, fg->len, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < fg->n; i++)
		npts += pl_run_points(fg, cv, i, cols, prefix, dt, pts + npts);
	qsort(pts, npts, sizeof(*pts), pl_pt_cmp);
	for (size_t k = 0; k < npts; k++) {
		if (!k || pts[k].curve != pts[k - 1].curve)
			fprintf(f, "%s\"%s\"\n", k ? "\n\n" : "", cv->label[pts[k].curve]);
		fprintf(f, "%.9g %.9g %.9g %.9g\n", pts[k].x, pts[k].y,
			pts[k].lo, pts[k].hi);
		cv->xmin = fmin(cv->xmin, pts[k].x);
		cv->xmax = fmax(cv->xmax, pts[k].x);
		cv->ymin = fmin(cv->ymin, fmin(pts[k].y, pts[k].lo));
		cv->ymax = fmax(cv->ymax, fmax(pts[k].y, pts[k].hi));
	}
	if (npts)
		fprintf(f, "\n\n");
	free(pts);
	return 0;
}
