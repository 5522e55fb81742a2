// SPDX-License-Identifier: GPL-2.0
/*
 * plot_cdf.c - latency CDFs from samples.csv: their data files and
 * figures; see plot_cdf.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>

#include "bench.h"
#include "plot_cdf.h"
#include "plot_gnuplot.h"

#define PL_CDF_POINTS 1000	/* per CDF curve: enough for a smooth line */
#define NS_PER_US 1e3

/*
 * Which of run 0's CDF points (first rows pts[0..n)) each samples row of
 * run i belongs to, -1 for none: once per run, as samples.csv can hold
 * millions of rows.  Rows of one point come together: the last point
 * found is tried first.
 */
static long *pl_row_points(const struct pl_fig *fg, size_t i,
			   const size_t *pts, long n)
{
	const struct rundir *r0 = &fg->runs[0], *ri = &fg->runs[i];
	const char *const *names = (const char *const *)r0->samples.head;
	long *of = malloc((ri->samples.nrows + 1) * sizeof(*of)), last = -1;

	for (size_t r = 0; of && r < ri->samples.nrows; r++) {
		if (last < 0 || !rundir_same_point(r0, &r0->samples, pts[last], ri,
						   &ri->samples, r, names, r0->nparams))
			for (last = n - 1; last >= 0; last--)
				if (rundir_same_point(r0, &r0->samples, pts[last], ri,
						      &ri->samples, r, names,
						      r0->nparams))
					break;
		of[r] = last;
	}
	return of;
}

/* Latencies (us) of one run, point and mode, sorted; returns the count. */
static size_t pl_latencies(const struct pl_fig *fg, size_t i, long p,
			   const char *mode, double **out)
{
	const struct csv *si = &fg->runs[i].samples;
	int mc = csv_col(si, "mode"), lc = csv_col(si, "latency_ns");
	size_t n = 0;

	*out = malloc((si->nrows ? si->nrows : 1) * sizeof(double));
	for (size_t r = 0; *out && fg->row_point[i] && r < si->nrows; r++) {
		double v;

		if (fg->row_point[i][r] != p || strcmp(csv_get(si, r, (size_t)mc), mode))
			continue;
		v = csv_num_at(si, r, (size_t)lc);
		if (!isnan(v))
			(*out)[n++] = v / NS_PER_US;
	}
	if (n)
		gsl_sort(*out, 1, n);
	return n;
}

/* One CDF block: at most PL_CDF_POINTS + 1 steps at evenly spaced
 * ranks. */
static void pl_cdf_block(FILE *f, const char *title, const double *x, size_t n)
{
	size_t steps = n < PL_CDF_POINTS ? n - 1 : PL_CDF_POINTS;

	fprintf(f, "\"%s\"\n", title);
	for (size_t j = 0; j <= steps; j++) {
		size_t idx = steps ? (size_t)llround((double)j * (n - 1) / steps) : 0;

		fprintf(f, "%.6g %.6g\n", x[idx], (double)(idx + 1) / n);
	}
	fprintf(f, "\n\n");
}

/* The modes of a samples.csv, in order of appearance (at most cap). */
static size_t pl_modes(const struct csv *s, const char **modes, size_t cap)
{
	int mc = csv_col(s, "mode");
	size_t n = 0;

	for (size_t r = 0; mc >= 0 && r < s->nrows; r++) {
		const char *m = csv_get(s, r, (size_t)mc);
		size_t k = 0;

		while (k < n && strcmp(modes[k], m))
			k++;
		if (k == n && n < cap)
			modes[n++] = m;
	}
	return n;
}

/* The CDFs of run i at run 0's samples row p0: one curve per mode, the
 * colour the mode's, the dash the run's. */
static void pl_cdf_run(struct pl_fig *fg, struct pl_curves *cv, FILE *f,
		       size_t i, long p)
{
	const char *modes[BENCH_MAX_MODES];
	size_t nm = pl_modes(&fg->runs[i].samples, modes, BENCH_MAX_MODES);

	for (size_t m = 0; m < nm && cv->n < PL_MAX_CURVES; m++) {
		double *x;
		size_t n = pl_latencies(fg, i, p, modes[m], &x);
		int c = cv->n;

		snprintf(cv->label[c], sizeof(cv->label[c]), "%s%s%c", modes[m],
			 fg->n > 1 ? " " : "", fg->n > 1 ? (int)('A' + i) : 0);
		cv->lc[c] = (int)m + 1;
		cv->dt[c] = (int)i + 1;
		cv->pt[c] = PL_PT_CIRCLE;
		if (n) {
			pl_cdf_block(f, cv->label[c], x, n);
			cv->n++;
		}
		free(x);
	}
}

static int pl_cdf_point(struct pl_fig *fg, long p, const char *label)
{
	struct pl_curves cv = { 0 };
	char name[256] = "cdf", t1[384];
	FILE *f;

	if (label[0])
		snprintf(name, sizeof(name), "cdf-%s", label);
	for (char *c = name; *c; c++)
		if (*c == ' ' || *c == '/' || *c == ':')
			*c = *c == ' ' ? '-' : '_';
	if (!(f = pl_data(fg, name)))
		return -1;
	for (size_t i = 0; i < fg->n; i++)
		pl_cdf_run(fg, &cv, f, i, p);
	fclose(f);
	snprintf(t1, sizeof(t1), "%s: latency CDF%s%s", rundir_bench(&fg->runs[0]),
		 label[0] ? ", " : "", label);
	return pl_render(fg, "latency_cdf.gp", name, &cv, t1,
			 "latency (us, log scale)", "fraction of operations <= latency");
}

int pl_cdfs(struct pl_fig *fg)
{
	const struct rundir *r0 = &fg->runs[0];
	const struct csv *s = &r0->samples;
	size_t *pts;
	long n = s->nrows ? rundir_points(s, r0->nparams, &pts) : 0;
	int rc = 0;

	if (n < 0)
		return -1;
	for (size_t i = 0; i < fg->n && n; i++)
		fg->row_point[i] = pl_row_points(fg, i, pts, n);
	for (long p = 0; p < n && rc == 0; p++) {
		char label[256] = "", kv[128];

		/* Only the parameters that vary between points name a CDF. */
		for (size_t k = 0; k < r0->nparams; k++) {
			bool varies = false;

			for (long q = 0; q < n && !varies; q++)
				varies = strcmp(csv_get(s, pts[q], k), csv_get(s, pts[0], k));
			snprintf(kv, sizeof(kv), "%s=%s", s->head[k], csv_get(s, pts[p], k));
			pl_cat(label, sizeof(label), varies ? kv : "");
		}
		rc = pl_cdf_point(fg, p, label);
	}
	for (size_t i = 0; i < fg->n && n; i++)
		free(fg->row_point[i]);
	if (n)
		free(pts);
	return rc;
}
