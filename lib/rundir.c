// SPDX-License-Identifier: GPL-2.0
/* rundir.c - load a run directory back; see rundir.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rundir.h"
#include "sysinfo.h"
#include "text.h"

#define CSV_MAX_BYTES (256ull << 20) /* samples.csv keeps <= 5000 per window */
#define NS_PER_MS 1000000.0

/* ---- CSV ------------------------------------------------------------- */

/*
 * One field starting at *p, unquoted in place; *p ends on the character
 * after it (',', '\n' or NUL).  Returns NULL on a malformed quoted field.
 */
static char *csv_field_at(char **p)
{
	char *s = *p, *w, *start;

	if (*s != '"') {
		start = s;
		s += strcspn(s, ",\n");
		if (s > start && s[-1] == '\r')	/* tolerate CRLF */
			s[-1] = '\0';
		*p = s;
		return start;
	}
	start = w = ++s;
	for (;;) {
		if (*s == '\0')
			return NULL;		/* unterminated quote */
		if (*s == '"' && s[1] == '"') {
			*w++ = '"';
			s += 2;
		} else if (*s == '"') {
			s++;
			break;
		} else {
			*w++ = *s++;
		}
	}
	if (*s == '\r')
		s++;
	if (*s != ',' && *s != '\n' && *s != '\0')
		return NULL;		/* text after the closing quote */
	*w = '\0';
	*p = s;
	return start;
}

/* Split one line into fields; returns the count or -1. */
static long csv_line(char **p, char **out, size_t cap)
{
	size_t n = 0;

	for (;;) {
		char *f = csv_field_at(p);
		char c = **p;

		if (!f)
			return -1;
		if (n < cap)
			out[n] = f;
		n++;
		if (c != '\0')
			*(*p)++ = '\0';
		if (c != ',')
			return (long)n;
	}
}

/* Upper bounds for the allocations: lines in s, commas on its first. */
static size_t csv_count(const char *s, char c, bool first_line)
{
	size_t n = 1;

	for (; *s && !(first_line && *s == '\n'); s++)
		n += *s == c;
	return n;
}

int csv_parse(char *text, const char *name, struct csv *t, char *err,
	      size_t len)
{
	size_t maxrows = csv_count(text, '\n', false), line = 1;
	size_t maxcols = csv_count(text, ',', true);
	char *p = text;
	long n;

	memset(t, 0, sizeof(*t));
	t->buf_ = text;
	/* The header fixes the column count (its names need no quotes). */
	t->head = calloc(maxcols, sizeof(char *));
	if (!t->head)
		goto oom;
	n = csv_line(&p, t->head, maxcols);
	if (n <= 0 || (size_t)n > maxcols || (n == 1 && !t->head[0][0])) {
		snprintf(err, len, "%s:1: no header line, or a malformed one", name);
		goto fail;
	}
	t->ncols = (size_t)n;
	for (size_t c = 0; c < t->ncols; c++)
		if (text_has_ctl(t->head[c])) {
			snprintf(err, len, "%s:1: a control character in column "
				 "%zu's name", name, c + 1);
			goto fail;
		}
	t->cell = calloc(maxrows * t->ncols, sizeof(char *));
	if (!t->cell)
		goto oom;
	while (*p) {
		line++;
		n = csv_line(&p, t->cell + t->nrows * t->ncols, t->ncols);
		if (n == 1 && !t->cell[t->nrows * t->ncols][0])
			continue;		/* empty line */
		if (n < 0) {
			text_fmt(err, len, "%s:%zu: malformed quoted field", name, line);
			goto fail;
		}
		if (n != (long)t->ncols) {
			text_fmt(err, len, "%s:%zu: %ld fields, the header has %zu",
				 name, line, n, t->ncols);
			goto fail;
		}
		for (size_t c = 0; c < t->ncols; c++)
			if (text_has_ctl(t->cell[t->nrows * t->ncols + c])) {
				text_fmt(err, len, "%s:%zu: a control character "
					 "in field %zu", name, line, c + 1);
				goto fail;
			}
		t->nrows++;
	}
	return 0;
oom:
	snprintf(err, len, "%s: out of memory", name);
fail:
	csv_free(t);
	return -1;
}

int csv_read(const char *path, struct csv *t, char *err, size_t len)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	char *text;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (!f) {
		snprintf(err, len, "open(%s): %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) < 0) {
		text_fmt(err, len, "fstat(%s): %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	if ((unsigned long long)st.st_size > CSV_MAX_BYTES) {
		text_fmt(err, len, "%s: %lld bytes; allowed: up to %llu", path,
			 (long long)st.st_size, CSV_MAX_BYTES);
		fclose(f);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	n = text ? fread(text, 1, (size_t)st.st_size, f) : 0;
	if (!text || ferror(f)) {
		snprintf(err, len, "read(%s): %s", path,
			 text ? strerror(errno) : "out of memory");
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	text[n] = '\0';
	return csv_parse(text, path, t, err, len);
}

void csv_free(struct csv *t)
{
	free(t->head);
	free(t->cell);
	free(t->buf_);
	memset(t, 0, sizeof(*t));
}

int csv_col(const struct csv *t, const char *name)
{
	for (size_t k = 0; k < t->ncols; k++)
		if (!strcmp(t->head[k], name))
			return (int)k;
	return -1;
}

double csv_num_at(const struct csv *t, size_t row, size_t col)
{
	const char *s = csv_get(t, row, col);
	char *end;
	double v;

	if (!*s || !strcmp(s, "NA"))
		return NAN;
	errno = 0;
	v = strtod(s, &end);
	return *end || errno == ERANGE ? NAN : v;
}

/* ---- the run directory ------------------------------------------------ */

static int rd_csv(const struct rundir *rd, const char *name, struct csv *t,
		  bool optional, char *err, size_t len)
{
	char path[RUNDIR_PATH_MAX + 32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", rd->path, name);
	if (optional && stat(path, &st) < 0 && errno == ENOENT) {
		memset(t, 0, sizeof(*t));
		return 0;
	}
	return csv_read(path, t, err, len);
}

/* The parameter columns: the same names, in the same order, before
 * 'marker' in every file that has rows. */
static int rd_check_params(const struct rundir *rd, const struct csv *t,
			   const char *file, const char *marker, char *err,
			   size_t len)
{
	int m = csv_col(t, marker);

	if (!t->ncols)
		return 0;
	if (m < 0 || (size_t)m != rd->nparams) {
		snprintf(err, len, "%s/%s: expected the %zu parameter columns of "
			 "summary.csv before '%s'", rd->path, file, rd->nparams,
			 marker);
		return -1;
	}
	for (size_t k = 0; k < rd->nparams; k++)
		if (strcmp(t->head[k], rd->summary.head[k])) {
			snprintf(err, len, "%s/%s: column %zu is '%s', summary.csv "
				 "has '%s'", rd->path, file, k + 1, t->head[k],
				 rd->summary.head[k]);
			return -1;
		}
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

static int rd_meta(struct rundir *rd, char *err, size_t len)
{
	char path[RUNDIR_PATH_MAX + 32];
	json_error_t je;

	snprintf(path, sizeof(path), "%s/meta.json", rd->path);
	rd->meta = json_load_file(path, 0, &je);
	if (!rd->meta && je.line < 1) {	/* not opened: je.text says why */
		snprintf(err, len, "%s: %s", path, je.text);
		return -1;
	}
	if (!rd->meta) {
		snprintf(err, len, "%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	if (!json_is_object(rd->meta)) {
		snprintf(err, len, "%s: not a JSON object", path);
		return -1;
	}
	rd_json_escape(rd->meta);
	return 0;
}

int rundir_load(const char *path, struct rundir *rd, char *err, size_t len)
{
	int m;

	memset(rd, 0, sizeof(*rd));
	if (strlen(path) >= sizeof(rd->path)) {
		snprintf(err, len, "%s: path longer than %d bytes", path,
			 RUNDIR_PATH_MAX - 1);
		return -1;
	}
	if (text_has_ctl(path)) {
		char e[RUNDIR_PATH_MAX];

		snprintf(err, len, "%s: a run directory name with control "
			 "characters; rename it", text_escape(e, sizeof(e), path));
		return -1;
	}
	snprintf(rd->path, sizeof(rd->path), "%s", path);
	/* "results/x/" and "results/x" are the same run. */
	for (size_t n = strlen(rd->path); n > 1 && rd->path[n - 1] == '/'; n--)
		rd->path[n - 1] = '\0';
	if (rd_meta(rd, err, len) < 0 ||
	    rd_csv(rd, "summary.csv", &rd->summary, false, err, len) < 0)
		goto fail;
	m = csv_col(&rd->summary, "metric");
	if (m < 0) {
		snprintf(err, len, "%s/summary.csv: no 'metric' column", rd->path);
		goto fail;
	}
	rd->nparams = (size_t)m;
	if (rd_csv(rd, "trials.csv", &rd->trials, true, err, len) < 0 ||
	    rd_check_params(rd, &rd->trials, "trials.csv", "trial", err, len) < 0)
		goto fail;
	return 0;
fail:
	rundir_free(rd);
	return -1;
}

int rundir_load_samples(struct rundir *rd, char *err, size_t len)
{
	if (rd->samples.ncols)
		return 0;
	if (rd_csv(rd, "samples.csv", &rd->samples, true, err, len) < 0)
		return -1;
	if (rd_check_params(rd, &rd->samples, "samples.csv", "mode", err, len) < 0) {
		csv_free(&rd->samples);
		return -1;
	}
	return 0;
}

void rundir_free(struct rundir *rd)
{
	json_decref(rd->meta);
	csv_free(&rd->summary);
	csv_free(&rd->trials);
	csv_free(&rd->samples);
	rd->meta = NULL;
}

int rundir_param(const struct rundir *rd, const char *name)
{
	for (size_t k = 0; k < rd->nparams; k++)
		if (!strcmp(rd->summary.head[k], name))
			return (int)k;
	return -1;
}

enum better rundir_better(const char *s)
{
	return !strcmp(s, "higher") ? BETTER_HIGHER :
	       !strcmp(s, "lower") ? BETTER_LOWER : BETTER_NONE;
}

static bool rd_row_matches(const struct csv *t, size_t row,
			   const int *cols, const char *const *pvals, size_t np)
{
	for (size_t k = 0; k < np; k++)
		if (strcmp(csv_get(t, row, (size_t)cols[k]), pvals[k]))
			return false;
	return true;
}

long rundir_trial_values(const struct rundir *rd, const char *const *pnames,
			 const char *const *pvals, size_t np, const char *metric,
			 double **out)
{
	const struct csv *t = &rd->trials;
	int c = csv_col(t, metric), cols[np ? np : 1];
	long n = 0;

	*out = NULL;
	if (c < 0 || (size_t)c < rd->nparams)
		return -1;
	for (size_t k = 0; k < np; k++)
		if ((cols[k] = rundir_param(rd, pnames[k])) < 0)
			return 0;	/* no such parameter: no such point */
	*out = malloc((t->nrows ? t->nrows : 1) * sizeof(double));
	if (!*out)
		return -1;
	for (size_t r = 0; r < t->nrows; r++) {
		double v;

		if (!rd_row_matches(t, r, cols, pvals, np))
			continue;
		v = csv_num_at(t, r, (size_t)c);
		if (!isnan(v))
			(*out)[n++] = v;
	}
	return n;
}

static bool rd_same_prefix(const struct csv *t, size_t r1, size_t r2,
			   size_t np)
{
	for (size_t k = 0; k < np; k++)
		if (strcmp(csv_get(t, r1, k), csv_get(t, r2, k)))
			return false;
	return true;
}

long rundir_points(const struct csv *t, size_t nparams, size_t **rows)
{
	size_t n = 0, last = 0;

	*rows = malloc((t->nrows ? t->nrows : 1) * sizeof(**rows));
	if (!*rows)
		return -1;
	for (size_t r = 0; r < t->nrows; r++) {
		size_t i = 0;

		/* Rows of one point come together: try the last one first. */
		if (n && rd_same_prefix(t, (*rows)[last], r, nparams))
			continue;
		while (i < n && !rd_same_prefix(t, (*rows)[i], r, nparams))
			i++;
		if (i == n)
			(*rows)[n++] = r;
		last = i;
	}
	return (long)n;
}

bool rundir_same_point(const struct rundir *ra, const struct csv *ta,
		       size_t rowa, const struct rundir *rb,
		       const struct csv *tb, size_t rowb,
		       const char *const *names, size_t np)
{
	for (size_t k = 0; k < np; k++) {
		int ca = rundir_param(ra, names[k]), cb = rundir_param(rb, names[k]);

		if (ca < 0 || cb < 0 ||
		    strcmp(csv_get(ta, rowa, (size_t)ca), csv_get(tb, rowb, (size_t)cb)))
			return false;
	}
	return true;
}

size_t rundir_nvalues(const struct rundir *runs, size_t n, const char *name)
{
	const char *seen[RUNDIR_MAX_VALUES];
	size_t nseen = 0;

	for (size_t i = 0; i < n; i++) {
		int c = rundir_param(&runs[i], name);

		for (size_t r = 0; c >= 0 && r < runs[i].summary.nrows; r++) {
			const char *v = csv_get(&runs[i].summary, r, (size_t)c);
			size_t k = 0;

			while (k < nseen && strcmp(seen[k], v))
				k++;
			if (k == nseen && nseen < RUNDIR_MAX_VALUES)
				seen[nseen++] = v;
		}
	}
	return nseen;
}

/* ---- provenance ------------------------------------------------------- */

static const char *rd_str(const json_t *o, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(o, k1);
	const char *s;

	if (k2)
		v = json_object_get(v, k2);
	s = json_string_value(v);
	return s ? s : "?";
}

const char *rundir_bench(const struct rundir *rd)
{
	return rd_str(json_object_get(rd->meta, "bench"), "name", NULL);
}

const char *rundir_kernel(const struct rundir *rd)
{
	return rd_str(json_object_get(rd->meta, "machine"), "kernel", "release");
}

const char *rundir_command(const struct rundir *rd)
{
	return rd_str(json_object_get(rd->meta, "gupsync"), "command", NULL);
}

/* A parameter column since placement became a list option; before, one
 * value for the whole run in meta.json. */
const char *rundir_placement(const struct rundir *rd)
{
	int c = rundir_param(rd, "placement");

	if (c >= 0 && rd->summary.nrows)
		return csv_get(&rd->summary, 0, (size_t)c);
	return rd_str(json_object_get(rd->meta, "method"), "placement", NULL);
}

const char *rundir_name(const struct rundir *rd)
{
	const char *s = strrchr(rd->path, '/');

	return s && s[1] ? s + 1 : rd->path;
}

void rundir_machine(const struct rundir *rd, char *buf, size_t len)
{
	const json_t *m = json_object_get(rd->meta, "machine");

	if (!m) {
		snprintf(buf, len, "? (no machine in meta.json)");
		return;
	}
	sysinfo_oneline(m, buf, len);
}

/* The configuration reviewers ask about first (COVER-LETTER.md). */
static const char *const rd_config_keys[] = {
	"HZ", "PREEMPT", "MMU_GATHER_RCU_TABLE_FREE", "PT_RECLAIM", "PARAVIRT",
	NULL,
};

void rundir_config(const struct rundir *rd, char *buf, size_t len)
{
	const json_t *m = json_object_get(rd->meta, "machine");
	const json_t *cfg = json_object_get(m, "config");

	buf[0] = '\0';
	for (int i = 0; rd_config_keys[i]; i++) {
		const char *k = rd_config_keys[i];
		const char *v = !strcmp(k, "PREEMPT") ?
			json_string_value(json_object_get(cfg, "preempt_model")) :
			json_string_value(json_object_get(cfg, k));

		if (!strcmp(k, "PREEMPT"))
			text_append(buf, len, "%sPREEMPT %s", buf[0] ? ", " : "",
				    v ? v : "?");
		else
			text_append(buf, len, "%s%s=%s", buf[0] ? ", " : "", k,
				    v ? v : "n");
	}
}

void rundir_method(const struct rundir *rd, char *buf, size_t len)
{
	const json_t *m = json_object_get(rd->meta, "method");
	json_int_t trials = json_integer_value(json_object_get(m, "trials"));
	json_int_t dur = json_integer_value(json_object_get(m, "duration_ns"));

	snprintf(buf, len, "%lld trials x %.0f ms per mode", (long long)trials,
		 (double)dur / NS_PER_MS);
}
