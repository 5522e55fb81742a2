/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rundir.h - load a finished (or interrupted) run directory back:
 * meta.json through jansson, summary.csv, trials.csv, evidence.csv and,
 * for latency benchmarks, samples.csv through lib/csv.c.  A directory
 * that does not hold to the schema below is refused, never half read.
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

#include "csv.h"

#define RUNDIR_PATH_MAX 1024

/*
 * meta.json "format": {"major", "minor"}.  A reader refuses a newer major
 * (the files mean something else); a minor adds only what old readers may
 * ignore.  Directories from before the field are 1.0.
 */
#define RUNDIR_FORMAT_MAJOR 1
#define RUNDIR_FORMAT_MINOR 1

struct rundir {
	char path[RUNDIR_PATH_MAX];
	json_t *meta;
	/* ncols 0 where the file is absent (or samples.csv not loaded) */
	struct csv summary, trials, samples, evidence;
	struct csv slices;	/* paired slices (RUNDIR_SAMPLES; no reader uses them) */
	size_t nparams;		/* leading parameter columns (all files) */
	unsigned flags;		/* RUNDIR_* it was opened with */
};

/*
 * The schema every reader goes through (rundir_load.c): each file kind
 * has its required columns, their types (a parameter value listed in
 * meta.json's options; a metric named in meta.json's metrics with its
 * unit and direction; numbers as csv_number() reads them, "NA" only
 * where a value can be missing, never negative where the quantity cannot
 * be) and the key that makes a row unique (parameters + metric in
 * summary.csv, + trial in trials.csv, + mode in evidence.csv).  The files
 * are checked against each other too: summary.csv's n and median are
 * those of the trials in trials.csv, samples.csv's windows are trials in
 * trials.csv and the other way round, each point meta.json calls done has
 * its summary.csv rows and an evidence.csv row per mode.  So a reader may
 * index without looking: summary.csv has metric, unit and better right
 * after the parameters, and n and median; trials.csv trial after them;
 * evidence.csv mode; samples.csv mode, trial and latency_ns, nothing else.
 * The first problem comes back in err as "FILE:LINE: what"; with 'all',
 * every file's first problem is printed there, one line each (gupsync
 * validate).  Returns 0, or -1 and nothing loaded.
 */
#define RUNDIR_TORN_OK	1u	/* run --resume: torn last lines left out */
#define RUNDIR_SAMPLES	2u	/* samples.csv and slices.csv too (large) */
#define RUNDIR_STRICT	4u	/* meta.json must hold all that run writes */
int rundir_open(const char *path, unsigned flags, FILE *all, struct rundir *rd,
		char *err, size_t len);
/* rundir_open(path, 0, NULL, ...): meta.json, summary.csv, trials.csv and
 * evidence.csv, the one loader of compare, report, plot and variants. */
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
