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

#define NS_PER_MS 1000000.0

void rundir_free(struct rundir *rd)
{
	json_decref(rd->meta);
	csv_free(&rd->summary);
	csv_free(&rd->trials);
	csv_free(&rd->samples);
	csv_free(&rd->evidence);
	csv_free(&rd->slices);
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

/* A key not set in the kernel's config is null where the config was read
 * ("=n"); without the config, or without the key, it is unknown ("?"). */
void rundir_config(const struct rundir *rd, char *buf, size_t len)
{
	const json_t *m = json_object_get(rd->meta, "machine");
	const json_t *cfg = json_object_get(m, "config");
	bool read = json_is_string(json_object_get(cfg, "source"));

	buf[0] = '\0';
	for (int i = 0; rd_config_keys[i]; i++) {
		const char *k = rd_config_keys[i];
		const json_t *j = json_object_get(cfg, !strcmp(k, "PREEMPT") ?
						  "preempt_model" : k);
		const char *v = json_string_value(j);

		if (!strcmp(k, "PREEMPT"))
			text_append(buf, len, "%sPREEMPT %s", buf[0] ? ", " : "",
				    v ? v : "?");
		else
			text_append(buf, len, "%s%s=%s", buf[0] ? ", " : "", k,
				    v ? v : read && json_is_null(j) ? "n" : "?");
	}
}

void rundir_method(const struct rundir *rd, char *buf, size_t len)
{
	const json_t *m = json_object_get(rd->meta, "method");
	const json_t *trials = json_object_get(m, "trials");
	const json_t *dur = json_object_get(m, "duration_ns");
	char t[32] = "?", d[32] = "?";

	if (json_is_integer(trials))
		snprintf(t, sizeof(t), "%lld", (long long)json_integer_value(trials));
	if (json_is_integer(dur))
		snprintf(d, sizeof(d), "%.0f",
			 (double)json_integer_value(dur) / NS_PER_MS);
	snprintf(buf, len, "%s trials x %s ms per mode", t, d);
}
