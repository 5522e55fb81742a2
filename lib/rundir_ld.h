/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rundir_ld.h - private to the run-directory loader (rundir_load.c: the
 * files one by one; rundir_meta.c: meta.json; rundir_cross.c: the files
 * against each other).  Readers use rundir.h.
 */
#ifndef GUPSYNC_RUNDIR_LD_H
#define GUPSYNC_RUNDIR_LD_H

#include <stdbool.h>
#include <stdio.h>

#include "rundir.h"

/* summary.csv rounds like trials.csv ("%.9g"): a median of two rounded
 * trials differs from the rounded median in the 9th digit. */
#define MEDIAN_REL_TOL 1e-6
#define TRIAL_MAX 1e9	/* a trial index, as an exact integer */

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

/* Report a problem ("FILE:LINE: what"): the first into err, each to 'all'
 * if set.  Returns -1. */
int ld_problem(struct ld *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* rundir_cells.c: the checks of cells, rows and keys.  Each reports the
 * problem through ld_problem() ("FILE:LINE: what") and returns -1. */
/* Whether a metric of that name cannot be negative (rates, times). */
bool ld_nonneg_metric(const char *name);
/* A number cell (finite decimal; "NA" if na_ok; >= 0 if nonneg). */
int ld_cell_num(struct ld *c, const char *file, const struct csv *t,
		size_t row, size_t col, bool na_ok, bool nonneg, double *v);
/* A whole count, below 'below' unless it is 0. */
int ld_cell_count(struct ld *c, const char *file, const struct csv *t,
		  size_t row, size_t col, size_t below, size_t *out);
/* The parameters + the columns in extra are unique over all rows. */
int ld_unique_key(struct ld *c, const char *file, const struct csv *t,
		  const char *const *extra, size_t nextra);
/* Read file name of the directory into t (path: its path); optional:
 * absent or empty is no problem (t->ncols 0). */
int ld_read_csv(struct ld *c, const char *name, struct csv *t,
		bool optional, char *path, size_t plen);
/* The parameter columns (as summary.csv's), then 'cols' in this order. */
int ld_header(struct ld *c, const char *file, const struct csv *t,
	      const char *const *cols);
/* Every parameter of a row is a value meta.json's options list. */
int ld_row_params(struct ld *c, const char *file, const struct csv *t,
		  size_t row);

/* rundir_meta.c */
int ld_meta_load(struct ld *c);
/* meta.json's metrics entry named name, NULL if none. */
const json_t *ld_meta_metric(const struct ld *c, const char *name);

/* rundir_cross.c */
bool ld_same_point(const struct csv *a, size_t ra, const struct csv *b,
		   size_t rb, size_t np);
int ld_cross_summary(struct ld *c);
int ld_cross_points(struct ld *c);
int ld_cross_samples(struct ld *c);

#endif
