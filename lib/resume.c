// SPDX-License-Identifier: GPL-2.0
/*
 * resume.c - carry on an interrupted run in its own directory.
 *
 * `gupsync run --resume DIR` re-parses the options recorded in
 * DIR/meta.json (so the data points are the same), takes back every point
 * the run finished and every trial it saved (trials.csv rows, the proof
 * verdicts, notes), and runs only what is missing.  The directory goes
 * through the loader every reader uses (lib/rundir_load.c) first: it must
 * be whole, and its meta.json must describe the benchmark and options
 * about to run.  The one damage repaired is a torn last line, which a
 * crash or a full disk leaves: it is dropped (and said), and its trial
 * measured again.  The CSVs are written back whole through run_save()
 * (a temporary name, then rename), meta.json keeps its start time and
 * gains a "resumed" entry; until then nothing in the directory changes.
 * Trials are saved as they finish and meta.json exists from the start
 * (status "running"), so a SIGKILL loses at most the trial in progress.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
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

/* trials.csv's columns are the parameters, trial, cpus and the metrics of
 * meta.json, in the order run_trial_row() writes them. */
static int check_trials_head(const struct run *r, const struct rundir *rd,
			     char *err, size_t len)
{
	const struct csv *t = &rd->trials;
	size_t np = rd->nparams;
	bool ok = t->ncols == np + 2 + r->ncols &&
		  !strcmp(t->head[np + 1], "cpus");

	for (size_t k = 0; ok && k < r->ncols; k++)
		ok = !strcmp(t->head[np + 2 + k], r->cols[k].name);
	if (t->ncols && !ok) {
		snprintf(err, len, "%s/trials.csv:1: the columns are not the "
			 "parameters, trial, cpus and meta.json's metrics", rd->path);
		return -1;
	}
	return 0;
}

/* Trials back from trials.csv into each point's values. */
static int load_trials(struct run *r, const struct rundir *rd, char *err,
		       size_t len)
{
	const struct csv *t = &rd->trials;
	size_t np = rd->nparams;

	for (size_t row = 0; t->ncols && row < t->nrows; row++) {
		long i = point_of_row(r, t, row, np);
		struct run_point *rp;
		double trial = csv_num_at(t, row, np);

		if (i < 0) {
			snprintf(err, len, "%s/trials.csv:%zu: no data point of this "
				 "run", rd->path, t->line[row]);
			return -1;
		}
		rp = &r->points[i];
		if (!rp->vals)
			rp->vals = calloc(r->trials * BENCH_MAX_METRICS, sizeof(double));
		if (!rp->vals || trial != (double)rp->ntrials || trial >= r->trials) {
			snprintf(err, len, "%s/trials.csv:%zu: trial %s out of order",
				 rd->path, t->line[row], csv_get(t, row, np));
			return -1;
		}
		for (size_t k = 0; k < r->ncols; k++)
			rp->vals[rp->ntrials * r->ncols + k] =
				csv_num_at(t, row, np + 2 + k);
		rp->ntrials++;
	}
	return 0;
}

/* A torn last line (what a crash or a full disk leaves) is the one damage
 * resume repairs: the line is left out and its trial measured again. */
static void say_torn(const struct rundir *rd)
{
	const struct { const struct csv *t; const char *name; } f[] = {
		{ &rd->summary, "summary.csv" }, { &rd->trials, "trials.csv" },
		{ &rd->evidence, "evidence.csv" }, { &rd->samples, "samples.csv" },
	};

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		if (f[k].t->torn_line)
			fprintf(stderr, "gupsync run --resume: %s/%s:%zu: the last "
				"line was cut short: dropped%s\n", rd->path,
				f[k].name, f[k].t->torn_line,
				f[k].t == &rd->summary ? " (summary.csv is "
				"rewritten from trials.csv)" :
				f[k].t == &rd->trials ? "; that trial is measured "
				"again" : "");
}

/* slices.csv (paired benchmarks) back, checked by the loader: the slices
 * of the trials kept (a trial cut from trials.csv is measured again, with
 * new slices). */
static void keep_slices(struct run *r, const struct rundir *rd)
{
	const struct csv *t = &rd->slices;
	size_t np = rd->nparams;

	if (t->ncols)
		csv_write_row(r->slices_csv.f, t, (size_t)-1);
	for (size_t row = 0; row < t->nrows; row++) {
		long i = point_of_row(r, t, row, np);

		if (i >= 0 && csv_num_at(t, row, np) < r->points[i].ntrials)
			csv_write_row(r->slices_csv.f, t, row);
	}
}

/*
 * The rows to keep, written back the way the writer writes them: every
 * trial; evidence of the points whose proof verdict is kept (the others
 * run their proof pass again); samples of the trials kept (a trial cut
 * from trials.csv is measured again, with new samples).
 */
static void keep_rows(struct run *r, const struct rundir *rd)
{
	const struct csv *s = &rd->samples, *e = &rd->evidence;
	size_t np = rd->nparams, dropped = 0;

	if (rd->trials.ncols)
		csv_write_row(r->trials_csv.f, &rd->trials, (size_t)-1);
	for (size_t row = 0; row < rd->trials.nrows; row++)
		csv_write_row(r->trials_csv.f, &rd->trials, row);
	if (e->ncols)
		csv_write_row(r->evidence_csv.f, e, (size_t)-1);
	for (size_t row = 0; row < e->nrows; row++) {
		long i = point_of_row(r, e, row, np);

		if (i >= 0 && r->points[i].verdict[0])
			csv_write_row(r->evidence_csv.f, e, row);
	}
	if (s->ncols)
		csv_write_row(r->samples_csv.f, s, (size_t)-1);
	for (size_t row = 0; row < s->nrows; row++) {
		long i = point_of_row(r, s, row, np);

		if (i >= 0 && csv_num_at(s, row, np + 1) < r->points[i].ntrials)
			csv_write_row(r->samples_csv.f, s, row);
		else
			dropped++;
	}
	if (dropped)
		fprintf(stderr, "gupsync run --resume: %s/samples.csv: %zu samples "
			"of trials not in trials.csv dropped; those trials are "
			"measured again\n", rd->path, dropped);
}

/*
 * Resume appends to the files as this gupsync writes them: a directory of
 * another format (an older gupsync's) is refused, not mixed.
 */
static int same_format(const struct rundir *rd, char *err, size_t len)
{
	const json_t *f = json_object_get(rd->meta, "format");
	long long maj = f ? json_integer_value(json_object_get(f, "major")) : 1;
	long long min = f ? json_integer_value(json_object_get(f, "minor")) : 0;

	if (maj == RUNDIR_FORMAT_MAJOR && min == RUNDIR_FORMAT_MINOR)
		return 0;
	snprintf(err, len, "%s/meta.json: format %lld.%lld, but this gupsync "
		 "writes %d.%d: resume it with the gupsync that started it, or "
		 "start a new run (every reader still reads it)", rd->path, maj,
		 min, RUNDIR_FORMAT_MAJOR, RUNDIR_FORMAT_MINOR);
	return -1;
}

int run_resume(struct run *r, const char *dir, char *err, size_t len)
{
	struct rundir rd;
	json_t *p, *resumed;
	size_t k;

	/* Anything but a torn last line: refuse, and write nothing. */
	if (rundir_open(dir, RUNDIR_TORN_OK | RUNDIR_SAMPLES | RUNDIR_STRICT, NULL,
			&rd, err, len) < 0)
		return -1;
	if (same_format(&rd, err, len) < 0 || run_meta_matches(r, rd.meta, err, len) < 0)
		goto fail;
	r->meta = json_incref(rd.meta);
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	if (load_cols(r, err, len) < 0 || check_trials_head(r, &rd, err, len) < 0 ||
	    load_trials(r, &rd, err, len) < 0)
		goto fail;
	json_array_foreach(json_object_get(r->meta, "points"), k, p) {
		long i = point_of_meta(r, p);

		if (i >= 0)
			load_point(&r->points[i], p);
	}
	if (textbuf_open(&r->trials_csv) < 0 || textbuf_open(&r->evidence_csv) < 0 ||
	    textbuf_open(&r->samples_csv) < 0 || textbuf_open(&r->slices_csv) < 0) {
		snprintf(err, len, "out of memory");
		goto fail;
	}
	say_torn(&rd);
	keep_rows(r, &rd);
	keep_slices(r, &rd);
	resumed = json_object_get(r->meta, "resumed");
	if (!json_is_array(resumed)) {
		resumed = json_array();
		json_object_set_new(r->meta, "resumed", resumed);
	}
	json_array_append_new(resumed, json_string(r->cmdline));
	rundir_free(&rd);
	return 0;
fail:
	rundir_free(&rd);
	return -1;
}
