/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.h - summary statistics of repeated measurements (GSL underneath).
 *
 * Quantiles use GSL's gsl_stats_quantile_from_sorted_data (linear
 * interpolation between order statistics, R type 7).
 *
 * The confidence interval of the median is the distribution-free
 * order-statistic interval: the narrowest symmetric pair of order
 * statistics [x(j), x(n-j+1)] (1-based) whose coverage
 *   1 - 2 * P(B <= j-1),  B ~ Binomial(n, 1/2)
 * is at least the requested level (computed with gsl_cdf_binomial_P).  The
 * achieved coverage is reported.  With too few samples for the level (n < 6
 * for 95%) ci_lo/ci_hi are NaN and ci_level is 0.
 */
#ifndef GUPSYNC_STATS_H
#define GUPSYNC_STATS_H

#include <stdbool.h>
#include <stddef.h>

#define STATS_CI_LEVEL 0.95

struct stats {
	size_t n;
	double min, max, mean, stddev; /* stddev: sample (n-1); 0 for n == 1 */
	double median, p10, p90, p99;
	double ci_lo, ci_hi;	/* CI of the median, NaN when unavailable */
	double ci_level;	/* achieved coverage, e.g. 0.979 for n = 10 */
};

/* x is not modified.  Returns -1 (errno EINVAL) for n == 0 or a NaN in x. */
int stats_compute(const double *x, size_t n, struct stats *out);

/* Order-statistic CI of the median of sorted[0..n); see above. */
int stats_median_ci(const double *sorted, size_t n, double level,
		    double *lo, double *hi, double *achieved);

/* q in [0,1] of sorted data, type-7 interpolation. */
double stats_quantile_sorted(const double *sorted, size_t n, double q);

/*
 * The same type-7 quantiles q[0..nq) of x[0..n) without sorting it:
 * gsl_stats_select() (quickselect, O(n) each) reorders x in place.  For a
 * latency window of 10^5 samples this is ~10x cheaper than a sort.  -1
 * (errno EINVAL) for n == 0 or a q outside [0,1]; NaNs are the caller's.
 */
int stats_quantiles_select(double *x, size_t n, const double *q, size_t nq,
			   double *out);

/*
 * Welch's unequal-variance t-test of mean(a) vs mean(b): two-sided p value
 * (gsl_cdf_tdist_Q with Welch-Satterthwaite degrees of freedom).  Returns
 * NaN when either side has fewer than 2 samples or both variances are 0.
 */
double stats_welch_p(const double *a, size_t na, const double *b, size_t nb);

/*
 * Regimes: do the values fall into two clearly separated groups?  The
 * test: sort; split at the largest gap between neighbours that leaves at
 * least STATS_REGIME_MIN values, and a fifth of them, on each side (the
 * spread of a smaller group is too unsteady); call the two sides regimes
 * when their medians are at least STATS_REGIME_SEP times the sum of their
 * robust spreads apart (spread: 1.4826 x median absolute deviation, the
 * standard deviation for normal data; the sum floored at
 * STATS_REGIME_FLOOR, 1% of the overall median, so that identical or
 * quantised values are not "separated" by one unit, nor groups of three
 * trials whose medians differ by less than 4.5%: a 6-trial GUP-fast run
 * with gup_fast_ns at 59.4-59.6 and 59.9-60.0 was flagged with a floor of
 * 0.1%, a difference nobody would call a regime).  One normal group of 20 split
 * this way gives 1.7 at the median, 3.1 one time in 100 and 4.6 one in
 * 1000 (simulated; 13 values: 4.5 one in 100); the VM's example (issue
 * 18: 124..137 ns vs 190..240 ns) gives 61.5 / (4.4 + 6.7) = 5.5, and a
 * GUP-fast run with trials at 58.4 and 63..70 ns 5.3.
 * Medians rather than the gap itself, so one trial caught between two
 * states (58.4, 60.0, 63.1) does not hide them.
 */
#define STATS_REGIME_MIN 3
#define STATS_REGIME_SHARE 5	/* each group at least n / 5 */
#define STATS_REGIME_SEP 4.5
#define STATS_REGIME_FLOOR 1e-2

struct regimes {
	bool found;
	double cut;		/* values <= cut are the low group */
	size_t n_lo, n_hi;
	double med_lo, med_hi;	/* the groups' medians */
	double gap, spread;	/* the gap; the groups' robust spreads added */
};

/* x[0..n) without NaNs, not modified; -1 (EINVAL) for a NaN or no x. */
int stats_regimes(const double *x, size_t n, struct regimes *out);

/* Robust spread: 1.4826 x the median absolute deviation; 0 for n == 0. */
double stats_mad_sd(const double *x, size_t n);

/*
 * Runs of a benchmark on one side of a comparison: x holds every trial
 * value, run after run, n[r] of them for run r.
 */
struct runs_sample {
	const double *x;
	const size_t *n;
	size_t nruns;
};

enum boot_kind {
	BOOT_HIERARCHICAL,	/* resample runs, then trials within each run */
	BOOT_POOLED,		/* all trials as one sample (ignores runs) */
};

/*
 * Bootstrap CI at 'level' of median(B) / median(A) - 1, the median taken
 * over the pooled (resampled) trials of a side.  BOOT_POOLED: percentile
 * interval of trials resampled as one sample.  BOOT_HIERARCHICAL follows
 * Kalibera & Jones ("Rigorous benchmarking in reasonable time", 2013):
 * resample runs, then trials within each, so drift between runs widens
 * the interval; as 2-3 runs per side make a percentile interval far too
 * narrow, it is the estimate +- t(Ra + Rb - 2) x the bootstrap standard
 * error x sqrt(R / (R - 1)) (R: the smaller run count; see stats.c).
 * With one run on a side it is BOOT_POOLED.  Fixed seed: reproducible.
 * Returns -1 (EINVAL) for an empty side or nboot == 0.
 */
int stats_boot_ratio(const struct runs_sample *a, const struct runs_sample *b,
		     enum boot_kind kind, unsigned nboot, unsigned long seed,
		     double level, double *lo, double *hi);

/* Spread of the runs of one side: the standard deviation of the run
 * medians (between) and the median of the runs' standard deviations
 * (within); NaN where undefined (one run; runs of one trial). */
void stats_run_spread(const struct runs_sample *s, double *between,
		      double *within);

#endif
