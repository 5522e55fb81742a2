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
 * Welch's unequal-variance t-test of mean(a) vs mean(b): two-sided p value
 * (gsl_cdf_tdist_Q with Welch-Satterthwaite degrees of freedom).  Returns
 * NaN when either side has fewer than 2 samples or both variances are 0.
 */
double stats_welch_p(const double *a, size_t na, const double *b, size_t nb);

#endif
