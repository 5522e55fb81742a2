// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - summary statistics of repeated measurements; see stats.h.
 *
 * All arithmetic is GSL's.  The input is never reordered: stats_compute()
 * sorts a private copy and derives every field from it, so a permutation of
 * the same samples gives bit-identical results (the mean's rounding depends
 * on summation order).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

#define STATS_STRIDE 1		/* our arrays are contiguous */
#define STATS_MEDIAN_P 0.5	/* B ~ Binomial(n, 1/2): each sample is below
				 * the true median with probability 1/2 */

static pthread_once_t stats_gsl_once = PTHREAD_ONCE_INIT;

static void stats_gsl_quiet_once(void)
{
	/*
	 * GSL's default handler calls abort() on a domain error.  A benchmark
	 * that has collected minutes of samples should get a NaN instead and
	 * report it, so the handler is switched off for the whole program.
	 */
	gsl_set_error_handler_off();
}

static void stats_gsl_quiet(void)
{
	pthread_once(&stats_gsl_once, stats_gsl_quiet_once);
}

double stats_quantile_sorted(const double *sorted, size_t n, double q)
{
	if (!sorted || n == 0 || !(q >= 0.0 && q <= 1.0)) {
		errno = EINVAL;
		return NAN;
	}
	return gsl_stats_quantile_from_sorted_data(sorted, STATS_STRIDE, n, q);
}

/* Probability that [x(j), x(n-j+1)] contains the true median. */
static double stats_os_coverage(unsigned int j, unsigned int n)
{
	return 1.0 - 2.0 * gsl_cdf_binomial_P(j - 1, STATS_MEDIAN_P, n);
}

/*
 * Returns 0 with the interval, or 0 with NaN bounds and *achieved = 0 when n
 * is too small for the level; -1 (EINVAL) for bad arguments.
 */
int stats_median_ci(const double *sorted, size_t n, double level,
		    double *lo, double *hi, double *achieved)
{
	unsigned int j_ok, j_bad;

	if (!sorted || !lo || !hi || !achieved || n == 0 || n > UINT_MAX ||
	    !(level > 0.0 && level < 1.0)) {
		errno = EINVAL;
		return -1;
	}
	stats_gsl_quiet();
	*lo = *hi = NAN;
	*achieved = 0.0;
	if (n < 2 || stats_os_coverage(1, n) < level)
		return 0;

	/*
	 * Coverage falls as j grows, so binary-search the largest j in
	 * [1, n/2] that still reaches the level: O(log n) CDF calls even for
	 * the millions of samples a latency run keeps.  Invariant:
	 * coverage(j_ok) >= level, and j_bad is past the end or below it.
	 */
	j_ok = 1;
	j_bad = (unsigned int)(n / 2) + 1;
	while (j_bad - j_ok > 1) {
		unsigned int mid = j_ok + (j_bad - j_ok) / 2;

		if (stats_os_coverage(mid, n) >= level)
			j_ok = mid;
		else
			j_bad = mid;
	}
	*lo = sorted[j_ok - 1];
	*hi = sorted[n - j_ok];
	*achieved = stats_os_coverage(j_ok, n);
	return 0;
}

/* Inf would turn the mean and the interpolated quantiles into NaN. */
static int stats_all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

static void stats_fill_sorted(const double *s, size_t n, struct stats *out)
{
	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->mean = gsl_stats_mean(s, STATS_STRIDE, n);
	/* GSL's sample sd divides by n - 1: NaN for a single sample. */
	out->stddev = n > 1 ? gsl_stats_sd_m(s, STATS_STRIDE, n, out->mean)
			    : 0.0;
	out->median = stats_quantile_sorted(s, n, 0.5);
	out->p10 = stats_quantile_sorted(s, n, 0.10);
	out->p90 = stats_quantile_sorted(s, n, 0.90);
	out->p99 = stats_quantile_sorted(s, n, 0.99);
}

int stats_compute(const double *x, size_t n, struct stats *out)
{
	double *s;
	int ret;

	if (!x || !out || n == 0) {
		errno = EINVAL;
		return -1;
	}
	/* Before the scan below: such an n cannot describe a real array. */
	if (n > SIZE_MAX / sizeof(*s)) {
		errno = ENOMEM;
		return -1;
	}
	if (!stats_all_finite(x, n)) {
		errno = EINVAL;
		return -1;
	}
	s = malloc(n * sizeof(*s));
	if (!s)
		return -1;	/* malloc set ENOMEM */
	memcpy(s, x, n * sizeof(*s));
	stats_gsl_quiet();
	gsl_sort(s, STATS_STRIDE, n);

	stats_fill_sorted(s, n, out);
	ret = stats_median_ci(s, n, STATS_CI_LEVEL, &out->ci_lo, &out->ci_hi,
			      &out->ci_level);
	free(s);
	return ret;
}

double stats_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	double ma, mb, ea, eb, se2, wa, wb, t, df, p;

	if (!a || !b || na < 2 || nb < 2)
		return NAN;
	stats_gsl_quiet();
	ma = gsl_stats_mean(a, STATS_STRIDE, na);
	mb = gsl_stats_mean(b, STATS_STRIDE, nb);
	/* Squared standard errors of the two means. */
	ea = gsl_stats_variance_m(a, STATS_STRIDE, na, ma) / (double)na;
	eb = gsl_stats_variance_m(b, STATS_STRIDE, nb, mb) / (double)nb;
	se2 = ea + eb;
	if (!(se2 > 0.0))	/* both variances 0, or NaN in the data */
		return NAN;

	t = (ma - mb) / sqrt(se2);
	/*
	 * Welch-Satterthwaite df = se2^2 / (ea^2/(na-1) + eb^2/(nb-1)),
	 * written with the shares wa + wb = 1 so that tiny variances (ns^2
	 * of a very stable run) cannot underflow to 0/0.
	 */
	wa = ea / se2;
	wb = eb / se2;
	df = 1.0 / (wa * wa / (double)(na - 1) + wb * wb / (double)(nb - 1));
	p = 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
	return p > 1.0 ? 1.0 : p;
}
