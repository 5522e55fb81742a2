/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rundir.h - load a finished (or interrupted) run directory back:
 * meta.json through jansson, summary.csv, trials.csv and, for latency
 * benchmarks, samples.csv through a small CSV reader.
 *
 * The CSV is our own (lib/results.c writes it): a header line, then rows
 * with the same number of fields; a field is quoted ("...", with "" for a
 * quote) only when it holds a comma, quote or newline; "NA" is a missing
 * number.  The reader accepts exactly that and says which line is wrong.
 *
 * Parameters: the columns before "metric" in summary.csv (before "trial"
 * in trials.csv, before "mode" in samples.csv) are the list options of the
 * bench, one data point per distinct tuple of their values.
 */
#ifndef GUPSYNC_RUNDIR_H
#define GUPSYNC_RUNDIR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "bench.h"

#define RUNDIR_PATH_MAX 1024

struct csv {
	size_t ncols, nrows;
	char **head;		/* ncols names */
	char **cell;		/* nrows * ncols, row-major */
	char *buf_;		/* private: the strings live here */
};

/* Read path; -1 with "path:LINE: what is wrong" in err. */
int csv_read(const char *path, struct csv *t, char *err, size_t len);
/* Parse text (NUL-terminated, modified in place; t takes ownership of the
 * malloc'd text).  'name' is used in error messages. */
int csv_parse(char *text, const char *name, struct csv *t, char *err,
	      size_t len);
void csv_free(struct csv *t);
/* Column index of name, -1 if absent. */
int csv_col(const struct csv *t, const char *name);
static inline const char *csv_get(const struct csv *t, size_t row, size_t col)
{
	return t->cell[row * t->ncols + col];
}
/* A number cell: NaN for "NA", empty or anything that is not a number. */
double csv_num_at(const struct csv *t, size_t row, size_t col);

struct rundir {
	char path[RUNDIR_PATH_MAX];
	json_t *meta;
	struct csv summary, trials, samples; /* samples: ncols 0 if none or
					      * not loaded */
	size_t nparams;		/* leading parameter columns (all files) */
};

/* meta.json, summary.csv and trials.csv (samples.csv: see below). */
int rundir_load(const char *path, struct rundir *rd, char *err, size_t len);
/* samples.csv too, if the run has one (it can be large: only for CDFs). */
int rundir_load_samples(struct rundir *rd, char *err, size_t len);
void rundir_free(struct rundir *rd);

/* Index of parameter 'name' among the first nparams columns, -1 if none. */
int rundir_param(const struct rundir *rd, const char *name);
/* "higher"/"lower"/"" as in summary.csv. */
enum better rundir_better(const char *s);

/*
 * Samples of 'metric' from trials.csv for the point whose parameters
 * pnames[k] == pvals[k] (k < np; parameters not named are not compared),
 * NAs left out.  *out is malloc'd (free it); returns the count, -1 if the
 * metric is not a column.
 */
long rundir_trial_values(const struct rundir *rd, const char *const *pnames,
			 const char *const *pvals, size_t np, const char *metric,
			 double **out);

/*
 * The data points of t (summary.csv, trials.csv or samples.csv of rd): the
 * distinct tuples of its first nparams columns, in order of first
 * appearance.  *rows (malloc'd) gets the first row of each; returns the
 * count, -1 when out of memory.
 */
long rundir_points(const struct csv *t, size_t nparams, size_t **rows);
/* Whether two rows of t (or of two tables) have the same parameters:
 * names[k] looked up in both.  np names. */
bool rundir_same_point(const struct rundir *ra, const struct csv *ta,
		       size_t rowa, const struct rundir *rb,
		       const struct csv *tb, size_t rowb,
		       const char *const *names, size_t np);

/* Distinct values of parameter 'name' in the summary.csv of runs[0..n),
 * counted up to RUNDIR_MAX_VALUES. */
#define RUNDIR_MAX_VALUES 4096
size_t rundir_nvalues(const struct rundir *runs, size_t n, const char *name);

/* Provenance from meta.json, "?" where missing. */
const char *rundir_bench(const struct rundir *rd);
const char *rundir_kernel(const struct rundir *rd);	/* uname release */
const char *rundir_command(const struct rundir *rd);
/* The placement column of the first data point, else meta's method. */
const char *rundir_placement(const struct rundir *rd);
/* sysinfo_oneline() of meta.machine. */
void rundir_machine(const struct rundir *rd, char *buf, size_t len);
/* Config facts reviewers ask for: "HZ=250, PREEMPT none, PT_RECLAIM=y..." */
void rundir_config(const struct rundir *rd, char *buf, size_t len);
/* "10 trials x 500 ms per mode" */
void rundir_method(const struct rundir *rd, char *buf, size_t len);
/* The last path component, for labels. */
const char *rundir_name(const struct rundir *rd);

#endif
