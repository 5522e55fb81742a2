// SPDX-License-Identifier: GPL-2.0
/* rundir_cross.c - the files of a run directory against each other; see
 * rundir_ld.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rundir_ld.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

bool ld_same_point(const struct csv *a, size_t ra, const struct csv *b,
		       size_t rb, size_t np)
{
	for (size_t k = 0; k < np; k++)
		if (strcmp(csv_get(a, ra, k), csv_get(b, rb, k)))
			return false;
	return true;
}

/* summary.csv row r: n and median are those of its trials. */
static int cross_summary_row(struct ld *c, const char *file, size_t r,
			     double *x)
{
	const struct csv *s = &c->rd->summary, *t = &c->rd->trials;
	size_t np = c->rd->nparams, n = 0, want;
	int tc = csv_col(t, csv_get(s, r, np));
	double med, got;

	if (tc < 0)
		return ld_problem(c, "%s:%zu: metric '%s' has no column in trials.csv",
			       file, s->line[r], csv_get(s, r, np));
	for (size_t q = 0; q < t->nrows; q++)
		if (ld_same_point(s, r, t, q, np) &&
		    !isnan(x[n] = csv_num_at(t, q, (size_t)tc)))
			n++;
	want = (size_t)csv_num_at(s, r, (size_t)csv_col(s, "n"));
	/* Resume: the trial on a torn last line of trials.csv is gone from
	 * it but still counted in summary.csv, which resume rewrites. */
	if (c->flags & RUNDIR_TORN_OK && c->rd->trials.torn_line && want == n + 1)
		return 0;
	if (n != want)
		return ld_problem(c, "%s:%zu: n is %zu, trials.csv has %zu values of %s "
			       "for this point", file, s->line[r], want, n,
			       csv_get(s, r, np));
	if (!n)
		return 0;
	qsort(x, n, sizeof(*x), cmp_double);
	med = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
	got = csv_num_at(s, r, (size_t)csv_col(s, "median"));
	if (isnan(got) || fabs(got - med) > MEDIAN_REL_TOL * fmax(fabs(med), 1e-9))
		return ld_problem(c, "%s:%zu: median of %s is %s, its trials in "
			       "trials.csv give %.9g", file, s->line[r],
			       csv_get(s, r, np), csv_get(s, r,
			       (size_t)csv_col(s, "median")), med);
	return 0;
}

int ld_cross_summary(struct ld *c)
{
	char file[RUNDIR_PATH_MAX + 32];
	double *x;
	int rc = 0;

	snprintf(file, sizeof(file), "%s/summary.csv", c->rd->path);
	if (!c->rd->trials.ncols) {
		const struct csv *s = &c->rd->summary;
		int nc = csv_col(s, "n");

		for (size_t r = 0; c->full && r < s->nrows; r++)
			if (csv_num_at(s, r, (size_t)nc) > 0)
				return ld_problem(c, "%s:%zu: n is %s, but trials.csv is "
					       "absent or empty", file, s->line[r],
					       csv_get(s, r, (size_t)nc));
		return 0;
	}
	x = malloc((c->rd->trials.nrows + 1) * sizeof(*x));
	if (!x)
		return ld_problem(c, "%s: out of memory", file);
	for (size_t r = 0; r < c->rd->summary.nrows && !rc; r++)
		rc = cross_summary_row(c, file, r, x);
	free(x);
	return rc;
}

/* The proof pass leaves one evidence.csv row per mode of a done point. */
static int evidence_of_point(const struct ld *c, const json_t *params)
{
	const struct csv *e = &c->rd->evidence;
	size_t want = json_array_size(json_object_get(json_object_get(
		c->rd->meta, "bench"), "modes")), n = 0;

	if (!e->ncols || !want)
		return 0;
	for (size_t r = 0; r < e->nrows; r++) {
		bool same = true;

		for (size_t k = 0; k < c->rd->nparams && same; k++) {
			const char *v = json_string_value(json_object_get(params,
									  e->head[k]));

			same = v && !strcmp(v, csv_get(e, r, k));
		}
		n += same;
	}
	return n == want ? 0 : -1;
}

/* Each point meta.json calls done has its rows in summary.csv and
 * evidence.csv. */
int ld_cross_points(struct ld *c)
{
	const json_t *pts = json_object_get(c->rd->meta, "points"), *p;
	const struct csv *s = &c->rd->summary;
	size_t i;

	json_array_foreach(pts, i, p) {
		const json_t *params = json_object_get(p, "params");
		const char *st = json_string_value(json_object_get(p, "status"));
		bool found = false;

		if (!st || strcmp(st, "done"))
			continue;
		for (size_t r = 0; r < s->nrows && !found; r++) {
			found = true;
			for (size_t k = 0; k < c->rd->nparams && found; k++) {
				const char *v = json_string_value(
					json_object_get(params, s->head[k]));

				found = v && !strcmp(v, csv_get(s, r, k));
			}
		}
		if (!found)
			return ld_problem(c, "%s/summary.csv: no rows of points[%zu], done "
				       "in meta.json", c->rd->path, i);
		if (evidence_of_point(c, params) < 0)
			return ld_problem(c, "%s/evidence.csv: not one row per mode of "
				       "points[%zu], done in meta.json", c->rd->path,
				       i);
	}
	return 0;
}

static bool same_window(const struct csv *a, size_t ra, const struct csv *b,
			size_t rb, size_t np)
{
	return ld_same_point(a, ra, b, rb, np) &&
	       !strcmp(csv_get(a, ra, np), csv_get(b, rb, np)) &&
	       !strcmp(csv_get(a, ra, np + 1), csv_get(b, rb, np + 1));
}

/* Whether the samples of window (point of trials row q, mode, trial) are
 * among the groups. */
static bool have_window(const struct ld *c, const size_t *grp, size_t ng,
			size_t q, const char *mode)
{
	const struct csv *s = &c->rd->samples, *t = &c->rd->trials;
	size_t np = c->rd->nparams;

	for (size_t g = 0; g < ng; g++)
		if (ld_same_point(s, grp[g], t, q, np) &&
		    !strcmp(csv_get(s, grp[g], np), mode) &&
		    !strcmp(csv_get(s, grp[g], np + 1), csv_get(t, q, np)))
			return true;
	return false;
}

/* A trial whose mode did operations has samples of that window. */
static int samples_of_trials(struct ld *c, const char *file, const size_t *grp,
			     size_t ng)
{
	const json_t *modes = json_object_get(json_object_get(c->rd->meta,
							      "bench"), "modes");
	const struct csv *t = &c->rd->trials;
	const json_t *m;
	size_t k;

	json_array_foreach(modes, k, m) {
		const char *mode = json_string_value(json_object_get(m, "name"));
		char col[128];
		int oc;

		if (!mode || json_is_true(json_object_get(m, "proof_only")))
			continue;
		snprintf(col, sizeof(col), "%s_ops_per_s", mode);
		oc = csv_col(t, col);
		for (size_t q = 0; oc >= 0 && q < t->nrows; q++)
			if (csv_num_at(t, q, (size_t)oc) > 0 &&
			    !have_window(c, grp, ng, q, mode))
				return ld_problem(c, "%s: no samples of %s in trial %s of "
					       "the point of trials.csv:%zu", file,
					       mode, csv_get(t, q, c->rd->nparams),
					       t->line[q]);
	}
	return 0;
}

/*
 * samples.csv against trials.csv, both ways: its rows come in windows
 * (point, mode, trial), each a trial in trials.csv; each trial whose mode
 * did operations has its window.  (A header alone is a latency run whose
 * windows saw no operation.)
 */
int ld_cross_samples(struct ld *c)
{
	const struct csv *s = &c->rd->samples, *t = &c->rd->trials;
	const char *kind = json_string_value(json_object_get(
		json_object_get(c->rd->meta, "bench"), "kind"));
	size_t np = c->rd->nparams, ng = 0, *grp;
	char file[RUNDIR_PATH_MAX + 32];
	int rc = 0;

	snprintf(file, sizeof(file), "%s/samples.csv", c->rd->path);
	if (!kind || strcmp(kind, "latency") || !t->nrows)
		return 0;
	if (!s->ncols)
		return c->full ? ld_problem(c, "%s: absent or empty, but trials.csv "
					 "has trials of this latency benchmark",
					 file) : 0;
	grp = malloc((s->nrows + 1) * sizeof(*grp));
	if (!grp)
		return ld_problem(c, "%s: out of memory", file);
	for (size_t r = 0; r < s->nrows; r++)
		if (!ng || !same_window(s, r, s, grp[ng - 1], np))
			grp[ng++] = r;
	/* Resume drops the samples of trials it measures again. */
	for (size_t g = 0; g < ng && !rc && !(c->flags & RUNDIR_TORN_OK); g++) {
		bool found = false;

		for (size_t q = 0; q < t->nrows && !found; q++)
			found = ld_same_point(s, grp[g], t, q, np) &&
				!strcmp(csv_get(s, grp[g], np + 1), csv_get(t, q, np));
		if (!found)
			rc = ld_problem(c, "%s:%zu: trial %s of this point is not in "
				     "trials.csv", file, s->line[grp[g]],
				     csv_get(s, grp[g], np + 1));
	}
	if (!rc && c->full)
		rc = samples_of_trials(c, file, grp, ng);
	free(grp);
	return rc;
}

