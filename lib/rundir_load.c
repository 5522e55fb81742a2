// SPDX-License-Identifier: GPL-2.0
/*
 * rundir_load.c - the one loader of a run directory and its schema; see
 * rundir.h.  Every check names the file and line, so a damaged directory
 * (cut short, edited by hand, binary garbage) is refused with a reason
 * instead of being read as data.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rundir_ld.h"
#include "text.h"

/* Columns of summary.csv that are statistics of the values themselves
 * (a CI bound or a spread is not). */
static const char *const value_stats[] = {
	"median", "mean", "min", "max", "p10", "p90", "p99", NULL,
};
/* All the statistics columns: numbers (other columns are not read). */
static const char *const all_stats[] = {
	"n", "median", "ci_lo", "ci_hi", "ci_level", "mean", "stddev", "min",
	"max", "p10", "p90", "p99", NULL,
};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static int summary_metric(struct ld *c, const char *file, size_t row)
{
	const struct csv *t = &c->rd->summary;
	size_t n = c->rd->nparams;
	const char *metric = csv_get(t, row, n), *unit = csv_get(t, row, n + 1);
	const char *better = csv_get(t, row, n + 2);
	const json_t *m;

	if (!*metric)
		return ld_problem(c, "%s:%zu: no metric name", file, t->line[row]);
	if (strcmp(better, "higher") && strcmp(better, "lower") && *better)
		return ld_problem(c, "%s:%zu: better '%s' is not higher, lower or empty",
			       file, t->line[row], better);
	if (!json_object_get(c->rd->meta, "metrics"))
		return 0;
	m = ld_meta_metric(c, metric);
	if (!m)
		return ld_problem(c, "%s:%zu: metric '%s' is not in meta.json's metrics",
			       file, t->line[row], metric);
	if (strcmp(json_string_value(json_object_get(m, "unit")), unit) ||
	    strcmp(json_string_value(json_object_get(m, "better")), better))
		return ld_problem(c, "%s:%zu: %s has unit '%s' and better '%s'; "
			       "meta.json says '%s' and '%s'", file, t->line[row],
			       metric, unit, better,
			       json_string_value(json_object_get(m, "unit")),
			       json_string_value(json_object_get(m, "better")));
	return 0;
}

static int summary_rows(struct ld *c, const char *file)
{
	static const char *const key[] = { "metric" };
	const struct csv *t = &c->rd->summary;
	size_t n = c->rd->nparams, cnt;
	double v;

	for (size_t r = 0; r < t->nrows; r++) {
		const char *metric = csv_get(t, r, n);

		if (ld_row_params(c, file, t, r) < 0 || summary_metric(c, file, r) < 0)
			return -1;
		for (size_t k = n + 3; k < t->ncols; k++) {
			bool nn = in_list(t->head[k], value_stats) ?
				  ld_nonneg_metric(metric) : !strcmp(t->head[k], "stddev");

			if (!in_list(t->head[k], all_stats))
				continue;	/* a column no reader reads */
			if (!strcmp(t->head[k], "n")) {
				if (ld_cell_count(c, file, t, r, k, 0, &cnt) < 0)
					return -1;
				if (c->trials && cnt > c->trials)
					return ld_problem(c, "%s:%zu: n %zu: the run has "
						       "%zu trials", file, t->line[r],
						       cnt, c->trials);
			} else if (ld_cell_num(c, file, t, r, k, true, nn, &v) < 0) {
				return -1;
			}
		}
	}
	return ld_unique_key(c, file, t, key, 1);
}

static int load_summary(struct ld *c)
{
	static const char *const cols[] = { "metric", "unit", "better", NULL };
	char file[RUNDIR_PATH_MAX + 32];
	struct csv *t = &c->rd->summary;
	int m;

	if (ld_read_csv(c, "summary.csv", t, false, file, sizeof(file)) < 0)
		return -1;
	m = csv_col(t, "metric");
	if (m < 0)
		return ld_problem(c, "%s: no 'metric' column", file);
	c->rd->nparams = (size_t)m;
	if (ld_header(c, file, t, cols) < 0)
		return -1;
	if (csv_col(t, "n") < 0 || csv_col(t, "median") < 0)
		return ld_problem(c, "%s:1: no 'n' or no 'median' column", file);
	return summary_rows(c, file);
}

/* The metric columns of trials.csv: meta.json's metrics (all but cpus
 * where it has none); other columns are not read. */
static bool trials_typed(const struct ld *c, const char *col)
{
	if (!json_object_get(c->rd->meta, "metrics"))
		return strcmp(col, "cpus");
	return ld_meta_metric(c, col);
}

static int load_trials(struct ld *c)
{
	static const char *const cols[] = { "trial", NULL };
	static const char *const key[] = { "trial" };
	char file[RUNDIR_PATH_MAX + 32];
	struct csv *t = &c->rd->trials;
	size_t n = c->rd->nparams, trial;
	double v;

	if (ld_read_csv(c, "trials.csv", t, true, file, sizeof(file)) < 0)
		return -1;
	if (!t->ncols)
		return 0;
	if (ld_header(c, file, t, cols) < 0)
		return -1;
	for (size_t r = 0; r < t->nrows; r++) {
		if (ld_row_params(c, file, t, r) < 0 ||
		    ld_cell_count(c, file, t, r, n, c->trials, &trial) < 0)
			return -1;
		for (size_t k = n + 1; k < t->ncols; k++)
			if (trials_typed(c, t->head[k]) &&
			    ld_cell_num(c, file, t, r, k, true, ld_nonneg_metric(t->head[k]),
				     &v) < 0)
				return -1;
	}
	return ld_unique_key(c, file, t, key, 1);
}

static int load_evidence(struct ld *c)
{
	static const char *const cols[] = { "mode", NULL };
	static const char *const key[] = { "mode" };
	char file[RUNDIR_PATH_MAX + 32];
	struct csv *t = &c->rd->evidence;
	size_t n = c->rd->nparams;
	double v;

	if (ld_read_csv(c, "evidence.csv", t, true, file, sizeof(file)) < 0)
		return -1;
	if (!t->ncols)
		return 0;
	if (ld_header(c, file, t, cols) < 0)
		return -1;
	for (size_t r = 0; r < t->nrows; r++) {
		if (ld_row_params(c, file, t, r) < 0)
			return -1;
		if (!*csv_get(t, r, n))
			return ld_problem(c, "%s:%zu: no mode", file, t->line[r]);
		for (size_t k = n + 1; k < t->ncols; k++)
			if (ld_cell_num(c, file, t, r, k, true,
				     ld_nonneg_metric(t->head[k]) ||
				     !strcmp(t->head[k], "ops") ||
				     !strcmp(t->head[k], "elapsed_ns"), &v) < 0)
				return -1;
	}
	return ld_unique_key(c, file, t, key, 1);
}

/*
 * slices.csv (benchmarks with paired modes; latency: ns_per_op is the
 * slice's mean call time): the parameters,
 * trial, slice, mode, ops, ns_per_op; one row per slice of a trial.  Only
 * checked (validate, resume): it is there to recompute the estimates.
 */
static int load_slices(struct ld *c)
{
	static const char *const cols[] = { "trial", "slice", "mode", "ops",
					    "ns_per_op", NULL };
	static const char *const key[] = { "trial", "slice" };
	char file[RUNDIR_PATH_MAX + 32];
	struct csv *t = &c->rd->slices;
	size_t n = c->rd->nparams, u;
	double v;

	if (ld_read_csv(c, "slices.csv", t, true, file, sizeof(file)) < 0)
		return -1;
	if (!t->ncols)
		return 0;
	if (ld_header(c, file, t, cols) < 0)
		return -1;
	for (size_t r = 0; r < t->nrows; r++) {
		if (ld_row_params(c, file, t, r) < 0 ||
		    ld_cell_count(c, file, t, r, n, c->trials, &u) < 0 ||
		    ld_cell_count(c, file, t, r, n + 1, 0, &u) < 0 ||
		    ld_cell_count(c, file, t, r, n + 3, 0, &u) < 0 ||
		    ld_cell_num(c, file, t, r, n + 4, false, true, &v) < 0)
			return -1;
		if (!*csv_get(t, r, n + 2))
			return ld_problem(c, "%s:%zu: no mode", file, t->line[r]);
	}
	return ld_unique_key(c, file, t, key, 2);
}

/* meta.json's format minor (0 for a directory from before the field). */
static long long format_minor(const json_t *meta)
{
	return json_integer_value(json_object_get(json_object_get(meta, "format"),
						  "minor"));
}

/*
 * samples.csv: the parameters, mode, trial, sample (format 1.1: the
 * sample's index in its window, so a duplicated row is seen) and
 * latency_ns.  A 1.0 directory has no sample column.
 */
static int load_samples(struct ld *c)
{
	static const char *const cols[] = { "mode", "trial", "latency_ns", NULL };
	static const char *const cols11[] = { "mode", "trial", "sample",
					      "latency_ns", NULL };
	static const char *const key[] = { "mode", "trial", "sample" };
	char file[RUNDIR_PATH_MAX + 32];
	struct csv *t = &c->rd->samples;
	size_t n = c->rd->nparams, trial, idx;
	bool indexed;
	double v;

	if (ld_read_csv(c, "samples.csv", t, true, file, sizeof(file)) < 0)
		return -1;
	if (!t->ncols)
		return 0;
	indexed = t->ncols > n + 2 && !strcmp(t->head[n + 2], "sample");
	if (!indexed && format_minor(c->rd->meta) >= 1)
		return ld_problem(c, "%s:1: no sample column after trial (format "
			       "1.1 has one)", file);
	if (ld_header(c, file, t, indexed ? cols11 : cols) < 0)
		return -1;
	if (t->ncols != n + 3 + indexed)
		return ld_problem(c, "%s:1: %zu columns; expected the parameters, mode, "
			       "trial, sample and latency_ns", file, t->ncols);
	for (size_t r = 0; r < t->nrows; r++)
		if (ld_row_params(c, file, t, r) < 0 ||
		    !*csv_get(t, r, n) ||
		    ld_cell_count(c, file, t, r, n + 1, c->trials, &trial) < 0 ||
		    (indexed && ld_cell_count(c, file, t, r, n + 2, 0, &idx) < 0) ||
		    ld_cell_num(c, file, t, r, n + 2 + indexed, false, true, &v) < 0)
			return c->nproblems ? -1 :
			       ld_problem(c, "%s:%zu: no mode", file, t->line[r]);
	return indexed ? ld_unique_key(c, file, t, key, 3) : 0;
}

/* ---- entry points -------------------------------------------------------- */

int rundir_open(const char *path, unsigned flags, FILE *all, struct rundir *rd,
		char *err, size_t len)
{
	struct ld c = { .rd = rd, .flags = flags, .all = all, .err = err,
			.len = len };

	memset(rd, 0, sizeof(*rd));
	rd->flags = flags;
	if (strlen(path) >= sizeof(rd->path))
		return ld_problem(&c, "%s: path longer than %d bytes", path,
			       RUNDIR_PATH_MAX - 1);
	if (text_has_ctl(path)) {
		char e[RUNDIR_PATH_MAX];

		return ld_problem(&c, "%s: a run directory name with control "
			       "characters; rename it",
			       text_escape(e, sizeof(e), path));
	}
	snprintf(rd->path, sizeof(rd->path), "%s", path);
	/* "results/x/" and "results/x" are the same run. */
	for (size_t n = strlen(rd->path); n > 1 && rd->path[n - 1] == '/'; n--)
		rd->path[n - 1] = '\0';
	/* Nothing is checked against a meta.json that is not whole; files
	 * that do not parse are not cross-checked. */
	if (ld_meta_load(&c) < 0)
		goto fail;
	if (load_summary(&c) < 0)
		goto fail;
	if ((load_trials(&c) < 0 && !all) || (load_evidence(&c) < 0 && !all) ||
	    (flags & RUNDIR_SAMPLES && load_samples(&c) < 0 && !all) ||
	    (flags & RUNDIR_SAMPLES && load_slices(&c) < 0 && !all))
		goto fail;
	if (!c.nproblems)
		ld_cross_summary(&c);
	if (!c.nproblems && c.full &&
	    !(flags & RUNDIR_TORN_OK && rd->summary.torn_line))
		ld_cross_points(&c);
	if (!c.nproblems && flags & RUNDIR_SAMPLES)
		ld_cross_samples(&c);
	if (!c.nproblems)
		return 0;
fail:
	rundir_free(rd);
	return -1;
}

/* Every reader checks samples.csv too, drawing or not. */
int rundir_load(const char *path, struct rundir *rd, char *err, size_t len)
{
	return rundir_open(path, RUNDIR_SAMPLES, NULL, rd, err, len);
}

int rundir_load_samples(struct rundir *rd, char *err, size_t len)
{
	struct ld c = { .rd = rd, .flags = rd->flags | RUNDIR_SAMPLES,
			.err = err, .len = len };
	const json_t *t = json_object_get(json_object_get(rd->meta, "method"),
					  "trials");

	if (rd->samples.ncols)
		return 0;
	c.trials = json_is_integer(t) ? (size_t)json_integer_value(t) : 0;
	c.full = rd->flags & RUNDIR_STRICT ||
		 json_is_array(json_object_get(rd->meta, "argv"));
	if (load_samples(&c) < 0 || ld_cross_samples(&c) < 0) {
		csv_free(&rd->samples);
		return -1;
	}
	return 0;
}
