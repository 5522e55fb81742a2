// SPDX-License-Identifier: GPL-2.0
/*
 * resume.c - carry on an interrupted run in its own directory.
 *
 * `gupsync run --resume DIR` re-parses the options recorded in
 * DIR/meta.json (so the data points are the same), takes back every point
 * the run finished and every trial it saved (trials.csv rows, the proof
 * verdicts, notes), and runs only what is missing.  Trials are saved as
 * they finish and meta.json exists from the start (status "running"), so
 * a SIGKILL loses at most the trial in progress.  The CSVs are appended
 * to, meta.json keeps its start time and gains a "resumed" entry.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rundir.h"
#include "run.h"

/* Whether row 'row' of t (first np columns: parameters) is point i. */
static bool row_is_point(const struct run *r, const struct csv *t,
			 size_t row, size_t np, size_t i)
{
	char v[64];

	for (size_t c = 0; c < np; c++) {
		opt_point_value(&r->opts, i, t->head[c], v, sizeof(v));
		if (strcmp(v, csv_get(t, row, c)))
			return false;
	}
	return true;
}

static long point_of_row(const struct run *r, const struct csv *t,
			 size_t row, size_t np)
{
	for (size_t i = 0; i < r->npoints; i++)
		if (row_is_point(r, t, row, np, i))
			return (long)i;
	return -1;
}

/* meta.json's point p (params object) -> our index, -1 if none. */
static long point_of_meta(const struct run *r, json_t *p)
{
	json_t *params = json_object_get(p, "params");
	const char *key;
	json_t *val;
	char v[64];

	for (size_t i = 0; i < r->npoints; i++) {
		bool same = true;

		json_object_foreach(params, key, val) {
			opt_point_value(&r->opts, i, key, v, sizeof(v));
			if (!json_is_string(val) || strcmp(v, json_string_value(val)))
				same = false;
		}
		if (same)
			return (long)i;
	}
	return -1;
}

static void load_point(struct run_point *rp, json_t *p)
{
	const char *status = json_string_value(json_object_get(p, "status"));
	json_t *notes = json_object_get(p, "notes"), *val;
	const char *key;

	rp->status = !status ? POINT_NOT_RUN :
		     !strcmp(status, "done") ? BENCH_OK :
		     !strcmp(status, "skipped") ? BENCH_SKIP : POINT_NOT_RUN;
	/* failed: try again; "in progress": on from its next trial, whose
	 * finished trials load_trials() took back from trials.csv */
	if (rp->status == POINT_NOT_RUN)
		return;
	snprintf(rp->reason, sizeof(rp->reason), "%s",
		 json_string_value(json_object_get(p, "reason")) ?: "");
	snprintf(rp->verdict, sizeof(rp->verdict), "%s",
		 json_string_value(json_object_get(p, "proof")) ?: "");
	snprintf(rp->cpus_seen, sizeof(rp->cpus_seen), "%s",
		 json_string_value(json_object_get(p, "cpus_seen")) ?: "");
	rp->proven = json_is_true(json_object_get(p, "proven"));
	rp->trials_checked = json_integer_value(json_object_get(p, "trials_checked"));
	rp->trials_proven = json_integer_value(json_object_get(p, "trials_proven"));
	json_object_foreach(notes, key, val) {
		struct note *n = calloc(1, sizeof(*n));

		if (!n)
			break;
		snprintf(n->key, sizeof(n->key), "%s", key);
		snprintf(n->val, sizeof(n->val), "%s", json_string_value(val) ?: "");
		n->next = rp->notes;
		rp->notes = n;
	}
}

static int load_cols(struct run *r, char *err, size_t len)
{
	json_t *m = json_object_get(r->meta, "metrics"), *c;
	size_t k;

	json_array_foreach(m, k, c) {
		struct col *col = &r->cols[k];
		const char *better = json_string_value(json_object_get(c, "better"));

		if (k >= BENCH_MAX_METRICS)
			break;
		snprintf(col->name, sizeof(col->name), "%s",
			 json_string_value(json_object_get(c, "name")) ?: "?");
		snprintf(col->unit, sizeof(col->unit), "%s",
			 json_string_value(json_object_get(c, "unit")) ?: "");
		col->better = rundir_better(better ? better : "");
		col->headline = json_is_true(json_object_get(c, "headline"));
		r->ncols = k + 1;
	}
	if (!r->ncols && json_array_size(json_object_get(r->meta, "points"))) {
		snprintf(err, len, "meta.json lists points but no metrics");
		return -1;
	}
	return 0;
}

/* Trials back from trials.csv into each point's values. */
static int load_trials(struct run *r, const struct rundir *rd, char *err,
		       size_t len)
{
	const struct csv *t = &rd->trials;
	int tcol = csv_col(t, "trial");

	for (size_t row = 0; tcol >= 0 && row < t->nrows; row++) {
		long i = point_of_row(r, t, row, rd->nparams);
		struct run_point *rp;
		unsigned long trial = strtoul(csv_get(t, row, tcol), NULL, 10);

		if (i < 0) {
			snprintf(err, len, "trials.csv row %zu is no data point of "
				 "this run", row + 2);
			return -1;
		}
		rp = &r->points[i];
		if (!rp->vals)
			rp->vals = calloc(r->trials * BENCH_MAX_METRICS, sizeof(double));
		if (!rp->vals || trial != rp->ntrials || trial >= r->trials) {
			snprintf(err, len, "trials.csv row %zu: trial %lu out of order",
				 row + 2, trial);
			return -1;
		}
		for (size_t k = 0; k < r->ncols; k++) {
			int c = csv_col(t, r->cols[k].name);

			rp->vals[trial * r->ncols + k] = c < 0 ? NAN : csv_num_at(t, row, c);
		}
		rp->ntrials++;
	}
	return 0;
}

static int append_file(struct textbuf *tb, const char *dir, const char *name)
{
	char path[2048], buf[65536];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;	/* not written yet */
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, tb->f);
	fclose(f);
	return 0;
}

int run_resume(struct run *r, const char *dir, char *err, size_t len)
{
	struct rundir rd;
	json_t *p, *resumed;
	size_t k;

	if (rundir_load(dir, &rd, err, len) < 0)
		return -1;
	r->meta = json_incref(rd.meta);
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	if (load_cols(r, err, len) < 0 || load_trials(r, &rd, err, len) < 0) {
		rundir_free(&rd);
		return -1;
	}
	json_array_foreach(json_object_get(r->meta, "points"), k, p) {
		long i = point_of_meta(r, p);

		if (i >= 0)
			load_point(&r->points[i], p);
	}
	if (textbuf_open(&r->trials_csv) < 0 || textbuf_open(&r->evidence_csv) < 0 ||
	    textbuf_open(&r->samples_csv) < 0) {
		rundir_free(&rd);
		snprintf(err, len, "out of memory");
		return -1;
	}
	append_file(&r->trials_csv, dir, "trials.csv");
	append_file(&r->evidence_csv, dir, "evidence.csv");
	append_file(&r->samples_csv, dir, "samples.csv");
	resumed = json_object_get(r->meta, "resumed");
	if (!json_is_array(resumed)) {
		resumed = json_array();
		json_object_set_new(r->meta, "resumed", resumed);
	}
	json_array_append_new(resumed, json_string(r->cmdline));
	rundir_free(&rd);
	return 0;
}
