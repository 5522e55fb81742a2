/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compare.h - `gupsync compare RUN_A RUN_B [RUN...]` and
 * `gupsync report RUN_A RUN_B`: two runs side by side, mmtests
 * compare-kernels style, as plain text at most 72 columns wide.
 *
 * Method, per data point (matched by parameter values) and metric
 * (matched by name), from the per-trial values in trials.csv:
 *   A, B     the medians over trials (what the run table shows; no
 *            harmonic or arithmetic mean: medians for rates and times);
 *   gain%    100 * (B - A) / A for higher-is-better metrics and
 *            100 * (A - B) / A for lower-is-better ones, so + is better
 *            either way (mmtests' convention); counter-per-op metrics
 *            (no better direction) show only with --all, as the plain
 *            change 100 * (B - A) / A;
 *   [CI]     95% percentile bootstrap interval of gain%: both samples
 *            resampled with replacement (gsl_ran_sample, MT19937 with a
 *            fixed seed, so the output is reproducible), the ratio of the
 *            resampled medians taken COMPARE_NBOOT times;
 *   *        significant: Welch's t-test on the means gives p < 0.05 AND
 *            the CI excludes 0.  Two constant samples that differ count
 *            as significant (Welch is undefined there; the difference is
 *            certain).
 * Fewer than 2 trials on a side: no CI, no mark.
 */
#ifndef GUPSYNC_COMPARE_H
#define GUPSYNC_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "bench.h"
#include "plot.h"
#include "report.h"
#include "rundir.h"
#include "text.h"

#define COMPARE_WIDTH TEXT_WIDTH
#define COMPARE_NBOOT 10000	/* bootstrap resamples */
#define COMPARE_SEED 1		/* fixed: the same runs give the same table */
#define COMPARE_ALPHA 0.05	/* Welch p threshold */
#define COMPARE_LEVEL 0.95	/* bootstrap interval */

struct cmp_stat {
	size_t na, nb;
	double med_a, med_b;
	double gain;		/* percent, + is better (see above) */
	double gain_lo, gain_hi; /* percent, CI; NaN when unavailable */
	double p;		/* Welch, two-sided; NaN when unavailable */
	bool sig;
};

/* Statistics of one metric at one point; -1 (EINVAL) for na or nb == 0
 * or nboot == 0.  gain is NaN when A's median is 0. */
int compare_stat(const double *a, size_t na, const double *b, size_t nb,
		 enum better better, unsigned nboot, struct cmp_stat *out);

struct cmp_opts {
	bool all;		/* also metrics without a better direction */
	unsigned nboot;		/* 0: COMPARE_NBOOT */
	char tag_a, tag_b;	/* the runs' letters in the table; 0: A, B */
};

/* What one table showed (for the A/A and calibration checks). */
struct cmp_counts {
	size_t shown, sig, better, worse;
	size_t regimes;		/* runs x metrics warned of two regimes */
};

#define CMP_SIDE_MAX 16		/* runs on one side */

/*
 * The table of b against a: a column header, then per data point a
 * label line (the parameters that vary) and one row per metric.  Every
 * line is at most COMPARE_WIDTH columns and has no tabs.  Returns 0, or
 * -1 with err when the runs cannot be matched.
 */
int compare_table(FILE *f, const struct rundir *a, const struct rundir *b,
		  const struct cmp_opts *o, struct cmp_counts *cnt, char *err,
		  size_t len);

/*
 * The same with several runs a side (replication): medians of each side's
 * pooled trials, the CI of the change by hierarchical bootstrap (runs,
 * then trials within runs: stats_boot_ratio()), * where it excludes 0;
 * after the table, each metric's spread between and within runs.  With
 * one run a side this is compare_table().  Either way, a run whose trials
 * of a metric fall into two regimes (stats_regimes()) gets a warning line.
 */
int compare_table_runs(FILE *f, const struct rundir *a, size_t na,
		       const struct rundir *b, size_t nb,
		       const struct cmp_opts *o, struct cmp_counts *cnt,
		       char *err, size_t len);

/* Text wrapped at COMPARE_WIDTH on spaces: 'head' before the first line,
 * 'cont' before the others; a word longer than a line (a path) stays
 * whole. */
void compare_wrap(FILE *f, const char *head, const char *cont,
		  const char *text);

/* The command (compare_cmd.c); argv[0] is its name.  cmd_report() is in
 * report.h. */
int cmd_compare(int argc, char **argv, const char *cmdline);

#endif
