// SPDX-License-Identifier: GPL-2.0
/*
 * rundir_cells.c - the run-directory loader's checks of cells, rows and
 * keys (see rundir_ld.h); rundir_load.c holds the schema of each file.
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

/* Metrics that cannot be negative, by the names lib/ gives them: rates,
 * times per operation, latency percentiles.  (Counts per operation have
 * the idle baseline subtracted, and differences such as gup_fast_ns can
 * be negative.) */
static const char *const nonneg_suffix[] = {
	"ops_per_s", "ns_per_op", "_p50_ns", "_p90_ns", "_p99_ns", "_max_ns",
	NULL,
};
int ld_problem(struct ld *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!c->nproblems++)
		text_fmt(c->err, c->len, "%s", buf);
	if (c->all) {
		char line[1024];

		text_fmt(line, sizeof(line), "%s", buf);
		fprintf(c->all, "%s\n", line);
	}
	return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

bool ld_nonneg_metric(const char *name)
{
	for (int i = 0; nonneg_suffix[i]; i++)
		if (ends_with(name, nonneg_suffix[i]))
			return true;
	return false;
}

/* ---- cells ------------------------------------------------------------- */

/* A number cell: -1 after reporting it.  na_ok: "NA" allowed. */
int ld_cell_num(struct ld *c, const char *file, const struct csv *t,
		size_t row, size_t col, bool na_ok, bool nonneg, double *v)
{
	const char *s = csv_get(t, row, col);
	int rc = csv_number(s, v);

	if (rc < 0)
		return ld_problem(c, "%s:%zu: %s '%s' is not a finite decimal number",
			       file, t->line[row], t->head[col], s);
	if (!rc && !na_ok)
		return ld_problem(c, "%s:%zu: %s is NA", file, t->line[row],
			       t->head[col]);
	if (rc && nonneg && *v < 0)
		return ld_problem(c, "%s:%zu: %s %s is negative", file, t->line[row],
			       t->head[col], s);
	return 0;
}

int ld_cell_count(struct ld *c, const char *file, const struct csv *t,
		  size_t row, size_t col, size_t below, size_t *out)
{
	double v;

	if (ld_cell_num(c, file, t, row, col, false, true, &v) < 0)
		return -1;
	if (v != floor(v) || v > TRIAL_MAX)
		return ld_problem(c, "%s:%zu: %s %s is not a whole count", file,
			       t->line[row], t->head[col], csv_get(t, row, col));
	if (below && v >= (double)below)
		return ld_problem(c, "%s:%zu: %s %s: the run has %zu trials", file,
			       t->line[row], t->head[col], csv_get(t, row, col),
			       below);
	*out = (size_t)v;
	return 0;
}

/* Parameter k of a row: a value meta.json's options list for it. */
static int cell_param(struct ld *c, const char *file, const struct csv *t,
		      size_t row, size_t k)
{
	const json_t *opt = json_object_get(json_object_get(c->rd->meta, "options"),
					    t->head[k]), *v;
	const char *s = csv_get(t, row, k);
	size_t i;

	if (!*s)
		return ld_problem(c, "%s:%zu: %s is empty", file, t->line[row],
			       t->head[k]);
	if (!json_is_array(opt))
		return 0;
	json_array_foreach(opt, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 0;
	return ld_problem(c, "%s:%zu: %s '%s' is not one of the run's values in "
		       "meta.json", file, t->line[row], t->head[k], s);
}

struct key_ctx {
	const struct csv *t;
	const int *cols;
	size_t ncols;
};

/* Whether rows ra and rb have the same key (0) or not. */
static int key_cmp_keys(const struct key_ctx *k, size_t ra, size_t rb)
{
	for (size_t i = 0; i < k->ncols; i++) {
		int d = strcmp(csv_get(k->t, ra, (size_t)k->cols[i]),
			       csv_get(k->t, rb, (size_t)k->cols[i]));

		if (d)
			return d;
	}
	return 0;
}

static int key_cmp(const void *a, const void *b, void *arg)
{
	size_t ra = *(const size_t *)a, rb = *(const size_t *)b;
	int d = key_cmp_keys(arg, ra, rb);

	return d ? d : ra < rb ? -1 : ra > rb;	/* the earlier line first */
}

/* The key (parameters + the columns in extra) unique over all rows:
 * sorted, so a long file costs n log n. */
int ld_unique_key(struct ld *c, const char *file, const struct csv *t,
		  const char *const *extra, size_t nextra)
{
	size_t n = c->rd->nparams, *idx;
	int cols[n + nextra + 1], rc = 0;
	struct key_ctx k = { t, cols, n + nextra };
	char names[128] = "";

	for (size_t i = 0; i < nextra; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", i ? ", " : "", extra[i]);
	for (size_t i = 0; i < n; i++)
		cols[i] = (int)i;
	for (size_t i = 0; i < nextra; i++)
		cols[n + i] = csv_col(t, extra[i]);
	idx = malloc((t->nrows + 1) * sizeof(*idx));
	if (!idx)
		return ld_problem(c, "%s: out of memory", file);
	for (size_t r = 0; r < t->nrows; r++)
		idx[r] = r;
	qsort_r(idx, t->nrows, sizeof(*idx), key_cmp, &k);
	for (size_t r = 1; r < t->nrows && !rc; r++)
		if (!key_cmp_keys(&k, idx[r - 1], idx[r]))
			rc = ld_problem(c, "%s:%zu: the same row as line %zu "
				     "(parameters and %s)", file,
				     t->line[idx[r]], t->line[idx[r - 1]], names);
	free(idx);
	return rc;
}

/* ---- the files ---------------------------------------------------------- */

int ld_read_csv(struct ld *c, const char *name, struct csv *t,
		bool optional, char *path, size_t plen)
{
	struct stat st;
	char why[1024];

	snprintf(path, plen, "%s/%s", c->rd->path, name);
	memset(t, 0, sizeof(*t));
	/* Absent, or empty as a run whose every point skipped leaves it. */
	if (optional && ((lstat(path, &st) < 0 && errno == ENOENT) ||
			 (!stat(path, &st) && S_ISREG(st.st_mode) && !st.st_size)))
		return 0;
	if (csv_read(path, c->flags & RUNDIR_TORN_OK ? CSV_TORN_OK : 0, t, why,
		     sizeof(why)) < 0)
		return ld_problem(c, "%s", why);
	return 0;
}

/* The parameter columns, then 'cols' in this order. */
int ld_header(struct ld *c, const char *file, const struct csv *t,
	      const char *const *cols)
{
	const struct csv *s = &c->rd->summary;
	size_t n = c->rd->nparams;

	for (size_t k = 0; k < n; k++)
		if (k >= t->ncols || strcmp(t->head[k], s->head[k]))
			return ld_problem(c, "%s:1: column %zu is '%s', summary.csv "
				       "has '%s'", file, k + 1,
				       k < t->ncols ? t->head[k] : "(none)",
				       s->head[k]);
	for (size_t k = 0; cols[k]; k++)
		if (n + k >= t->ncols || strcmp(t->head[n + k], cols[k])) {
			char want[128] = "";

			for (size_t j = 0; cols[j]; j++)
				text_append(want, sizeof(want), ", %s", cols[j]);
			return ld_problem(c, "%s:1: column %zu is '%s', expected '%s' "
				       "(the %zu parameter columns%s)", file, n + k + 1,
				       n + k < t->ncols ? t->head[n + k] : "(none)",
				       cols[k], n, want);
		}
	return 0;
}

int ld_row_params(struct ld *c, const char *file, const struct csv *t,
		  size_t row)
{
	for (size_t k = 0; k < c->rd->nparams; k++)
		if (cell_param(c, file, t, row, k) < 0)
			return -1;
	return 0;
}
