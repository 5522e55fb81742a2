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

#include "rundir.h"
#include "text.h"

#define META_MAX_BYTES (16u << 20)
/* summary.csv rounds like trials.csv ("%.9g"): a median of two rounded
 * trials differs from the rounded median in the 9th digit. */
#define MEDIAN_REL_TOL 1e-6
#define TRIAL_MAX 1e9	/* a trial index, as an exact integer */

/* Metrics that cannot be negative, by the names lib/ gives them: rates,
 * times per operation, latency percentiles.  (Counts per operation have
 * the idle baseline subtracted, and differences such as gup_fast_ns can
 * be negative.) */
static const char *const nonneg_suffix[] = {
	"ops_per_s", "ns_per_op", "_p50_ns", "_p90_ns", "_p99_ns", "_max_ns",
	NULL,
};
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

struct ld {
	struct rundir *rd;
	unsigned flags;
	FILE *all;
	char *err;
	size_t len;
	int nproblems;
	size_t trials;		/* meta.json method.trials, 0 if not known */
	bool full;		/* written by gupsync run (meta.json has argv), or
				 * RUNDIR_STRICT: every file it writes is due */
};

static int problem(struct ld *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int problem(struct ld *c, const char *fmt, ...)
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

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool nonneg_metric(const char *name)
{
	for (int i = 0; nonneg_suffix[i]; i++)
		if (ends_with(name, nonneg_suffix[i]))
			return true;
	return false;
}

/* ---- meta.json --------------------------------------------------------- */

static int read_regular(const char *path, size_t max, char **out, size_t *n,
			char *why, size_t len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	ssize_t got = 0;
	char *buf;

	*out = NULL;
	if (fd < 0)
		return text_fmt(why, len, "%s", strerror(errno)), -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max) {
		text_fmt(why, len, "%s", !S_ISREG(st.st_mode) ?
			 "not a regular file (a FIFO, a device or a directory?)" :
			 "too large");
		close(fd);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	*n = 0;
	while (buf && *n < (size_t)st.st_size &&
	       (got = read(fd, buf + *n, (size_t)st.st_size - *n)) > 0)
		*n += (size_t)got;
	close(fd);
	if (!buf || got < 0) {
		text_fmt(why, len, "%s", buf ? strerror(errno) : "out of memory");
		free(buf);
		return -1;
	}
	buf[*n] = '\0';
	*out = buf;
	return 0;
}

/*
 * Every string in meta.json with control characters escaped (text_escape),
 * in memory: what the readers print from a run directory cannot drive the
 * terminal, whoever wrote the file.
 */
static json_t *rd_escaped(const json_t *v)
{
	size_t n = 4 * json_string_length(v) + 1;
	char *e = malloc(n);
	json_t *out = e ? json_string(text_escape(e, n, json_string_value(v))) : NULL;

	free(e);
	return out;
}

static void rd_json_escape(json_t *o)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v) {
		if (json_is_string(v) && text_has_ctl(json_string_value(v)))
			json_object_set_new(o, k, rd_escaped(v));
		else
			rd_json_escape(v);
	}
	json_array_foreach(o, i, v) {
		if (json_is_string(v) && text_has_ctl(json_string_value(v)))
			json_array_set_new(o, i, rd_escaped(v));
		else
			rd_json_escape(v);
	}
}

static int meta_format(struct ld *c, const char *path)
{
	const json_t *f = json_object_get(c->rd->meta, "format");
	const json_t *maj = json_object_get(f, "major");

	if (!f)
		return 0;	/* written before the field: 1.0 */
	if (!json_is_integer(maj) || !json_is_integer(json_object_get(f, "minor")))
		return problem(c, "%s: \"format\" is not {\"major\": N, \"minor\": N}",
			       path);
	if (json_integer_value(maj) > RUNDIR_FORMAT_MAJOR)
		return problem(c, "%s: format %lld.%lld is newer than this gupsync "
			       "reads (%d.x): use a newer gupsync", path,
			       (long long)json_integer_value(maj),
			       (long long)json_integer_value(json_object_get(f, "minor")),
			       RUNDIR_FORMAT_MAJOR);
	return 0;
}

static int meta_metrics(struct ld *c, const char *path)
{
	const json_t *m = json_object_get(c->rd->meta, "metrics"), *e;
	size_t k;

	if (!m)
		return c->flags & RUNDIR_STRICT ?
		       problem(c, "%s: no \"metrics\"", path) : 0;
	if (!json_is_array(m))
		return problem(c, "%s: \"metrics\" is not an array", path);
	json_array_foreach(m, k, e) {
		const char *b = json_string_value(json_object_get(e, "better"));

		if (!json_is_string(json_object_get(e, "name")) ||
		    !json_is_string(json_object_get(e, "unit")) || !b ||
		    (strcmp(b, "higher") && strcmp(b, "lower") && *b))
			return problem(c, "%s: metrics[%zu] lacks a name, a unit or "
				       "a better of higher, lower or \"\"", path, k);
	}
	return 0;
}

static int meta_points(struct ld *c, const char *path)
{
	const json_t *p = json_object_get(c->rd->meta, "points"), *e, *v;
	const json_t *o = json_object_get(c->rd->meta, "options");
	const char *key;
	size_t k;

	if (c->flags & RUNDIR_STRICT &&
	    (!p || !json_is_object(o) ||
	     !json_is_array(json_object_get(c->rd->meta, "argv"))))
		return problem(c, "%s: lacks \"points\", \"options\" or \"argv\" "
			       "(not written by gupsync run?)", path);
	if (p && !json_is_array(p))
		return problem(c, "%s: \"points\" is not an array", path);
	json_array_foreach(p, k, e) {
		const json_t *params = json_object_get(e, "params");

		if (!json_is_object(params))
			return problem(c, "%s: points[%zu] has no params", path, k);
		json_object_foreach((json_t *)params, key, v)
			if (!json_is_string(v))
				return problem(c, "%s: points[%zu].params.%s is not a "
					       "string", path, k, key);
	}
	return 0;
}

static int meta_load(struct ld *c)
{
	char path[RUNDIR_PATH_MAX + 32], why[256];
	const json_t *t, *name;
	json_error_t je;
	size_t n;
	char *buf;

	snprintf(path, sizeof(path), "%s/meta.json", c->rd->path);
	if (read_regular(path, META_MAX_BYTES, &buf, &n, why, sizeof(why)) < 0)
		return problem(c, "%s: %s", path, why);
	c->rd->meta = json_loadb(buf, n, 0, &je);
	free(buf);
	if (!c->rd->meta)
		return problem(c, "%s:%d: %s", path, je.line, je.text);
	if (!json_is_object(c->rd->meta))
		return problem(c, "%s: not a JSON object", path);
	rd_json_escape(c->rd->meta);
	name = json_object_get(json_object_get(c->rd->meta, "bench"), "name");
	if (!json_is_string(name) || !json_string_length(name))
		return problem(c, "%s: no bench.name", path);
	t = json_object_get(json_object_get(c->rd->meta, "method"), "trials");
	if (t && (!json_is_integer(t) || json_integer_value(t) < 1 ||
		  json_integer_value(t) > TRIAL_MAX))
		return problem(c, "%s: method.trials is not a count", path);
	c->trials = t ? (size_t)json_integer_value(t) : 0;
	if (!t && c->flags & RUNDIR_STRICT)
		return problem(c, "%s: no method.trials", path);
	c->full = c->flags & RUNDIR_STRICT ||
		  json_is_array(json_object_get(c->rd->meta, "argv"));
	return meta_format(c, path) | meta_metrics(c, path) |
	       meta_points(c, path);
}

/* ---- cells ------------------------------------------------------------- */

/* A number cell: -1 after reporting it.  na_ok: "NA" allowed. */
static int cell_num(struct ld *c, const char *file, const struct csv *t,
		    size_t row, size_t col, bool na_ok, bool nonneg, double *v)
{
	const char *s = csv_get(t, row, col);
	int rc = csv_number(s, v);

	if (rc < 0)
		return problem(c, "%s:%zu: %s '%s' is not a finite decimal number",
			       file, t->line[row], t->head[col], s);
	if (!rc && !na_ok)
		return problem(c, "%s:%zu: %s is NA", file, t->line[row],
			       t->head[col]);
	if (rc && nonneg && *v < 0)
		return problem(c, "%s:%zu: %s %s is negative", file, t->line[row],
			       t->head[col], s);
	return 0;
}

static int cell_count(struct ld *c, const char *file, const struct csv *t,
		      size_t row, size_t col, size_t below, size_t *out)
{
	double v;

	if (cell_num(c, file, t, row, col, false, true, &v) < 0)
		return -1;
	if (v != floor(v) || v > TRIAL_MAX)
		return problem(c, "%s:%zu: %s %s is not a whole count", file,
			       t->line[row], t->head[col], csv_get(t, row, col));
	if (below && v >= (double)below)
		return problem(c, "%s:%zu: %s %s: the run has %zu trials", file,
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
		return problem(c, "%s:%zu: %s is empty", file, t->line[row],
			       t->head[k]);
	if (!json_is_array(opt))
		return 0;
	json_array_foreach(opt, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 0;
	return problem(c, "%s:%zu: %s '%s' is not one of the run's values in "
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
static int unique_key(struct ld *c, const char *file, const struct csv *t,
		      const char *const *extra, size_t nextra)
{
	size_t n = c->rd->nparams, *idx;
	int cols[n + nextra + 1], rc = 0;
	struct key_ctx k = { t, cols, n + nextra };

	for (size_t i = 0; i < n; i++)
		cols[i] = (int)i;
	for (size_t i = 0; i < nextra; i++)
		cols[n + i] = csv_col(t, extra[i]);
	idx = malloc((t->nrows + 1) * sizeof(*idx));
	if (!idx)
		return problem(c, "%s: out of memory", file);
	for (size_t r = 0; r < t->nrows; r++)
		idx[r] = r;
	qsort_r(idx, t->nrows, sizeof(*idx), key_cmp, &k);
	for (size_t r = 1; r < t->nrows && !rc; r++)
		if (!key_cmp_keys(&k, idx[r - 1], idx[r]))
			rc = problem(c, "%s:%zu: the same row as line %zu "
				     "(parameters and %s)", file,
				     t->line[idx[r]], t->line[idx[r - 1]],
				     extra[0]);
	free(idx);
	return rc;
}

/* ---- the files ---------------------------------------------------------- */

static int read_csv(struct ld *c, const char *name, struct csv *t,
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
		return problem(c, "%s", why);
	return 0;
}

/* The parameter columns, then 'cols' in this order. */
static int header(struct ld *c, const char *file, const struct csv *t,
		  const char *const *cols)
{
	const struct csv *s = &c->rd->summary;
	size_t n = c->rd->nparams;

	for (size_t k = 0; k < n; k++)
		if (k >= t->ncols || strcmp(t->head[k], s->head[k]))
			return problem(c, "%s:1: column %zu is '%s', summary.csv "
				       "has '%s'", file, k + 1,
				       k < t->ncols ? t->head[k] : "(none)",
				       s->head[k]);
	for (size_t k = 0; cols[k]; k++)
		if (n + k >= t->ncols || strcmp(t->head[n + k], cols[k])) {
			char want[128] = "";

			for (size_t j = 0; cols[j]; j++)
				text_append(want, sizeof(want), ", %s", cols[j]);
			return problem(c, "%s:1: column %zu is '%s', expected '%s' "
				       "(the %zu parameter columns%s)", file, n + k + 1,
				       n + k < t->ncols ? t->head[n + k] : "(none)",
				       cols[k], n, want);
		}
	return 0;
}

static int row_params(struct ld *c, const char *file, const struct csv *t,
		      size_t row)
{
	for (size_t k = 0; k < c->rd->nparams; k++)
		if (cell_param(c, file, t, row, k) < 0)
			return -1;
	return 0;
}

static const json_t *meta_metric(const struct ld *c, const char *name)
{
	const json_t *m = json_object_get(c->rd->meta, "metrics"), *e;
	size_t k;

	json_array_foreach(m, k, e) {
		const char *s = json_string_value(json_object_get(e, "name"));

		if (s && !strcmp(s, name))
			return e;
	}
	return NULL;
}

static int summary_metric(struct ld *c, const char *file, size_t row)
{
	const struct csv *t = &c->rd->summary;
	size_t n = c->rd->nparams;
	const char *metric = csv_get(t, row, n), *unit = csv_get(t, row, n + 1);
	const char *better = csv_get(t, row, n + 2);
	const json_t *m;

	if (!*metric)
		return problem(c, "%s:%zu: no metric name", file, t->line[row]);
	if (strcmp(better, "higher") && strcmp(better, "lower") && *better)
		return problem(c, "%s:%zu: better '%s' is not higher, lower or empty",
			       file, t->line[row], better);
	if (!json_object_get(c->rd->meta, "metrics"))
		return 0;
	m = meta_metric(c, metric);
	if (!m)
		return problem(c, "%s:%zu: metric '%s' is not in meta.json's metrics",
			       file, t->line[row], metric);
	if (strcmp(json_string_value(json_object_get(m, "unit")), unit) ||
	    strcmp(json_string_value(json_object_get(m, "better")), better))
		return problem(c, "%s:%zu: %s has unit '%s' and better '%s'; "
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

		if (row_params(c, file, t, r) < 0 || summary_metric(c, file, r) < 0)
			return -1;
		for (size_t k = n + 3; k < t->ncols; k++) {
			bool nn = in_list(t->head[k], value_stats) ?
				  nonneg_metric(metric) : !strcmp(t->head[k], "stddev");

			if (!in_list(t->head[k], all_stats))
				continue;	/* a column no reader reads */
			if (!strcmp(t->head[k], "n")) {
				if (cell_count(c, file, t, r, k, 0, &cnt) < 0)
					return -1;
				if (c->trials && cnt > c->trials)
					return problem(c, "%s:%zu: n %zu: the run has "
						       "%zu trials", file, t->line[r],
						       cnt, c->trials);
			} else if (cell_num(c, file, t, r, k, true, nn, &v) < 0) {
				return -1;
			}
		}
	}
	return unique_key(c, file, t, key, 1);
}

static int load_summary(struct ld *c)
{
	static const char *const cols[] = { "metric", "unit", "better", NULL };
	char file[RUNDIR_PATH_MAX + 32];
	struct csv *t = &c->rd->summary;
	int m;

	if (read_csv(c, "summary.csv", t, false, file, sizeof(file)) < 0)
		return -1;
	m = csv_col(t, "metric");
	if (m < 0)
		return problem(c, "%s: no 'metric' column", file);
	c->rd->nparams = (size_t)m;
	if (header(c, file, t, cols) < 0)
		return -1;
	if (csv_col(t, "n") < 0 || csv_col(t, "median") < 0)
		return problem(c, "%s:1: no 'n' or no 'median' column", file);
	return summary_rows(c, file);
}

/* The metric columns of trials.csv: meta.json's metrics (all but cpus
 * where it has none); other columns are not read. */
static bool trials_typed(const struct ld *c, const char *col)
{
	if (!json_object_get(c->rd->meta, "metrics"))
		return strcmp(col, "cpus");
	return meta_metric(c, col);
}

static int load_trials(struct ld *c)
{
	static const char *const cols[] = { "trial", NULL };
	static const char *const key[] = { "trial" };
	char file[RUNDIR_PATH_MAX + 32];
	struct csv *t = &c->rd->trials;
	size_t n = c->rd->nparams, trial;
	double v;

	if (read_csv(c, "trials.csv", t, true, file, sizeof(file)) < 0)
		return -1;
	if (!t->ncols)
		return 0;
	if (header(c, file, t, cols) < 0)
		return -1;
	for (size_t r = 0; r < t->nrows; r++) {
		if (row_params(c, file, t, r) < 0 ||
		    cell_count(c, file, t, r, n, c->trials, &trial) < 0)
			return -1;
		for (size_t k = n + 1; k < t->ncols; k++)
			if (trials_typed(c, t->head[k]) &&
			    cell_num(c, file, t, r, k, true, nonneg_metric(t->head[k]),
				     &v) < 0)
				return -1;
	}
	return unique_key(c, file, t, key, 1);
}

static int load_evidence(struct ld *c)
{
	static const char *const cols[] = { "mode", NULL };
	static const char *const key[] = { "mode" };
	char file[RUNDIR_PATH_MAX + 32];
	struct csv *t = &c->rd->evidence;
	size_t n = c->rd->nparams;
	double v;

	if (read_csv(c, "evidence.csv", t, true, file, sizeof(file)) < 0)
		return -1;
	if (!t->ncols)
		return 0;
	if (header(c, file, t, cols) < 0)
		return -1;
	for (size_t r = 0; r < t->nrows; r++) {
		if (row_params(c, file, t, r) < 0)
			return -1;
		if (!*csv_get(t, r, n))
			return problem(c, "%s:%zu: no mode", file, t->line[r]);
		for (size_t k = n + 1; k < t->ncols; k++)
			if (cell_num(c, file, t, r, k, true,
				     nonneg_metric(t->head[k]) ||
				     !strcmp(t->head[k], "ops") ||
				     !strcmp(t->head[k], "elapsed_ns"), &v) < 0)
				return -1;
	}
	return unique_key(c, file, t, key, 1);
}

static int load_samples(struct ld *c)
{
	static const char *const cols[] = { "mode", "trial", "latency_ns", NULL };
	char file[RUNDIR_PATH_MAX + 32];
	struct csv *t = &c->rd->samples;
	size_t n = c->rd->nparams, trial;
	double v;

	if (read_csv(c, "samples.csv", t, true, file, sizeof(file)) < 0)
		return -1;
	if (!t->ncols)
		return 0;
	if (header(c, file, t, cols) < 0)
		return -1;
	if (t->ncols != n + 3)
		return problem(c, "%s:1: %zu columns; expected the parameters, mode, "
			       "trial and latency_ns", file, t->ncols);
	for (size_t r = 0; r < t->nrows; r++)
		if (row_params(c, file, t, r) < 0 ||
		    !*csv_get(t, r, n) ||
		    cell_count(c, file, t, r, n + 1, c->trials, &trial) < 0 ||
		    cell_num(c, file, t, r, n + 2, false, true, &v) < 0)
			return c->nproblems ? -1 :
			       problem(c, "%s:%zu: no mode", file, t->line[r]);
	return 0;
}

/* ---- the files against each other --------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static bool same_point(const struct csv *a, size_t ra, const struct csv *b,
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
		return problem(c, "%s:%zu: metric '%s' has no column in trials.csv",
			       file, s->line[r], csv_get(s, r, np));
	for (size_t q = 0; q < t->nrows; q++)
		if (same_point(s, r, t, q, np) &&
		    !isnan(x[n] = csv_num_at(t, q, (size_t)tc)))
			n++;
	want = (size_t)csv_num_at(s, r, (size_t)csv_col(s, "n"));
	/* Resume: the trial on a torn last line of trials.csv is gone from
	 * it but still counted in summary.csv, which resume rewrites. */
	if (c->flags & RUNDIR_TORN_OK && c->rd->trials.torn_line && want == n + 1)
		return 0;
	if (n != want)
		return problem(c, "%s:%zu: n is %zu, trials.csv has %zu values of %s "
			       "for this point", file, s->line[r], want, n,
			       csv_get(s, r, np));
	if (!n)
		return 0;
	qsort(x, n, sizeof(*x), cmp_double);
	med = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
	got = csv_num_at(s, r, (size_t)csv_col(s, "median"));
	if (isnan(got) || fabs(got - med) > MEDIAN_REL_TOL * fmax(fabs(med), 1e-9))
		return problem(c, "%s:%zu: median of %s is %s, its trials in "
			       "trials.csv give %.9g", file, s->line[r],
			       csv_get(s, r, np), csv_get(s, r,
			       (size_t)csv_col(s, "median")), med);
	return 0;
}

static int cross_summary(struct ld *c)
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
				return problem(c, "%s:%zu: n is %s, but trials.csv is "
					       "absent or empty", file, s->line[r],
					       csv_get(s, r, (size_t)nc));
		return 0;
	}
	x = malloc((c->rd->trials.nrows + 1) * sizeof(*x));
	if (!x)
		return problem(c, "%s: out of memory", file);
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
static int cross_points(struct ld *c)
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
			return problem(c, "%s/summary.csv: no rows of points[%zu], done "
				       "in meta.json", c->rd->path, i);
		if (evidence_of_point(c, params) < 0)
			return problem(c, "%s/evidence.csv: not one row per mode of "
				       "points[%zu], done in meta.json", c->rd->path,
				       i);
	}
	return 0;
}

static bool same_window(const struct csv *a, size_t ra, const struct csv *b,
			size_t rb, size_t np)
{
	return same_point(a, ra, b, rb, np) &&
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
		if (same_point(s, grp[g], t, q, np) &&
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
				return problem(c, "%s: no samples of %s in trial %s of "
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
static int cross_samples(struct ld *c)
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
		return c->full ? problem(c, "%s: absent or empty, but trials.csv "
					 "has trials of this latency benchmark",
					 file) : 0;
	grp = malloc((s->nrows + 1) * sizeof(*grp));
	if (!grp)
		return problem(c, "%s: out of memory", file);
	for (size_t r = 0; r < s->nrows; r++)
		if (!ng || !same_window(s, r, s, grp[ng - 1], np))
			grp[ng++] = r;
	/* Resume drops the samples of trials it measures again. */
	for (size_t g = 0; g < ng && !rc && !(c->flags & RUNDIR_TORN_OK); g++) {
		bool found = false;

		for (size_t q = 0; q < t->nrows && !found; q++)
			found = same_point(s, grp[g], t, q, np) &&
				!strcmp(csv_get(s, grp[g], np + 1), csv_get(t, q, np));
		if (!found)
			rc = problem(c, "%s:%zu: trial %s of this point is not in "
				     "trials.csv", file, s->line[grp[g]],
				     csv_get(s, grp[g], np + 1));
	}
	if (!rc && c->full)
		rc = samples_of_trials(c, file, grp, ng);
	free(grp);
	return rc;
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
		return problem(&c, "%s: path longer than %d bytes", path,
			       RUNDIR_PATH_MAX - 1);
	if (text_has_ctl(path)) {
		char e[RUNDIR_PATH_MAX];

		return problem(&c, "%s: a run directory name with control "
			       "characters; rename it",
			       text_escape(e, sizeof(e), path));
	}
	snprintf(rd->path, sizeof(rd->path), "%s", path);
	/* "results/x/" and "results/x" are the same run. */
	for (size_t n = strlen(rd->path); n > 1 && rd->path[n - 1] == '/'; n--)
		rd->path[n - 1] = '\0';
	/* Nothing is checked against a meta.json that is not whole; files
	 * that do not parse are not cross-checked. */
	if (meta_load(&c) < 0)
		goto fail;
	if (load_summary(&c) < 0)
		goto fail;
	if ((load_trials(&c) < 0 && !all) || (load_evidence(&c) < 0 && !all) ||
	    (flags & RUNDIR_SAMPLES && load_samples(&c) < 0 && !all))
		goto fail;
	if (!c.nproblems)
		cross_summary(&c);
	if (!c.nproblems && c.full &&
	    !(flags & RUNDIR_TORN_OK && rd->summary.torn_line))
		cross_points(&c);
	if (!c.nproblems && flags & RUNDIR_SAMPLES)
		cross_samples(&c);
	if (!c.nproblems)
		return 0;
fail:
	rundir_free(rd);
	return -1;
}

int rundir_load(const char *path, struct rundir *rd, char *err, size_t len)
{
	return rundir_open(path, 0, NULL, rd, err, len);
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
	if (load_samples(&c) < 0 || cross_samples(&c) < 0) {
		csv_free(&rd->samples);
		return -1;
	}
	return 0;
}
