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
#include <gsl/gsl_rng.h>
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

int stats_quantiles_select(double *x, size_t n, const double *q, size_t nq,
			   double *out)
{
	if (!x || n == 0) {
		errno = EINVAL;
		return -1;
	}
	for (size_t k = 0; k < nq; k++) {
		double d, f, lo, hi;
		size_t i;

		if (!(q[k] >= 0.0 && q[k] <= 1.0)) {
			errno = EINVAL;
			return -1;
		}
		d = (double)(n - 1) * q[k];
		i = (size_t)d;
		f = d - (double)i;
		lo = gsl_stats_select(x, STATS_STRIDE, n, i);
		/* gsl_stats_select() partitions: x[i+1..n) >= x[i], so the
		 * next order statistic is their minimum. */
		hi = i + 1 < n && f > 0.0 ?
		     gsl_stats_min(x + i + 1, STATS_STRIDE, n - i - 1) : lo;
		out[k] = f > 0.0 ? (1.0 - f) * lo + f * hi : lo;
	}
	return 0;
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(double));

	if (s) {
		memcpy(s, x, n * sizeof(double));
		qsort(s, n, sizeof(double), cmp_double);
	}
	return s;
}

/* Median of sorted[0..n); NaN for n == 0. */
static double median_sorted(const double *s, size_t n)
{
	return n ? gsl_stats_median_from_sorted_data(s, STATS_STRIDE, n) : NAN;
}

double stats_mad_sd(const double *x, size_t n)
{
	double *s = sorted_copy(x, n), med, mad;

	if (!s || !n) {
		free(s);
		return 0.0;
	}
	med = median_sorted(s, n);
	for (size_t i = 0; i < n; i++)
		s[i] = fabs(s[i] - med);
	qsort(s, n, sizeof(double), cmp_double);
	mad = median_sorted(s, n);
	free(s);
	return 1.4826 * mad;	/* MAD -> sd for normal data */
}

int stats_regimes(const double *x, size_t n, struct regimes *out)
{
	double *s, floor_, best = -1.0;
	size_t cut = 0, least;

	memset(out, 0, sizeof(*out));
	if (!x || !stats_all_finite(x, n)) {
		errno = EINVAL;
		return -1;
	}
	if (n < 2 * STATS_REGIME_MIN)
		return 0;
	s = sorted_copy(x, n);
	if (!s)
		return -1;
	least = n / STATS_REGIME_SHARE > STATS_REGIME_MIN ? n / STATS_REGIME_SHARE :
		STATS_REGIME_MIN;
	for (size_t i = least; i + least <= n; i++)
		if (s[i] - s[i - 1] > best)
			best = s[i] - s[i - 1], cut = i;
	floor_ = STATS_REGIME_FLOOR * fabs(median_sorted(s, n));
	out->gap = best;
	out->spread = fmax(stats_mad_sd(s, cut) + stats_mad_sd(s + cut, n - cut),
			   floor_);
	out->cut = s[cut - 1];
	out->n_lo = cut;
	out->n_hi = n - cut;
	out->med_lo = median_sorted(s, cut);
	out->med_hi = median_sorted(s + cut, n - cut);
	out->found = best > 0 &&
		     out->med_hi - out->med_lo >= STATS_REGIME_SEP * out->spread;
	free(s);
	return 0;
}

/* The median of one bootstrap resample of a side. */
static double boot_side(const struct runs_sample *s, enum boot_kind kind,
			const gsl_rng *rng, double *buf, size_t total,
			const size_t *start)
{
	size_t k = 0;

	if (kind == BOOT_POOLED || s->nruns == 1) {
		for (size_t i = 0; i < total; i++)
			buf[k++] = s->x[gsl_rng_uniform_int(rng, total)];
	} else {
		for (size_t r = 0; r < s->nruns; r++) {
			size_t pick = gsl_rng_uniform_int(rng, s->nruns);

			for (size_t i = 0; i < s->n[pick]; i++)
				buf[k++] = s->x[start[pick] +
						gsl_rng_uniform_int(rng, s->n[pick])];
		}
	}
	qsort(buf, k, sizeof(double), cmp_double);
	return median_sorted(buf, k);
}

/* Where each run starts in x, and the total; buf room for any resample. */
static size_t side_layout(const struct runs_sample *s, size_t *start,
			  size_t *maxres)
{
	size_t total = 0, maxn = 0;

	for (size_t r = 0; r < s->nruns; r++) {
		start[r] = total;
		total += s->n[r];
		maxn = s->n[r] > maxn ? s->n[r] : maxn;
	}
	*maxres = maxn * s->nruns > total ? maxn * s->nruns : total;
	return total;
}

/* The point estimate: the ratio of the medians of all trials. */
static double pooled_ratio(const struct runs_sample *a, size_t ta,
			   const struct runs_sample *b, size_t tb)
{
	double *sa = sorted_copy(a->x, ta), *sb = sorted_copy(b->x, tb), q = NAN;

	if (sa && sb)
		q = median_sorted(sb, tb) / median_sorted(sa, ta) - 1.0;
	free(sa), free(sb);
	return q;
}

static size_t total_of(const struct runs_sample *s)
{
	size_t t = 0;

	for (size_t r = 0; r < s->nruns; r++)
		t += s->n[r];
	return t;
}

/*
 * From the k bootstrap ratios r[]: pooled, the percentile interval.
 * Hierarchical with runs on both sides: a few runs make the percentile
 * interval too narrow (a resample of R runs varies by (R-1)/R of the runs'
 * variance, and R = 3 is far from normal), so the interval is the point
 * estimate +- t(df = Ra + Rb - 2) x the bootstrap's standard error x
 * sqrt(R/(R-1)), R the smaller number of runs: Welch's test on run means,
 * with the bootstrap standing in for the variance of a median.
 */
static int boot_interval(const struct runs_sample *a,
			 const struct runs_sample *b, enum boot_kind kind,
			 double *r, size_t k, double level, double *lo,
			 double *hi)
{
	size_t ra = a->nruns, rb = b->nruns, rmin = ra < rb ? ra : rb;
	double q, se, t;

	if (kind == BOOT_POOLED || rmin < 2 || k < 2) {
		qsort(r, k, sizeof(double), cmp_double);
		*lo = stats_quantile_sorted(r, k, (1.0 - level) / 2);
		*hi = stats_quantile_sorted(r, k, 1.0 - (1.0 - level) / 2);
		return 0;
	}
	q = pooled_ratio(a, total_of(a), b, total_of(b));
	se = gsl_stats_sd(r, STATS_STRIDE, k) * sqrt((double)rmin / (rmin - 1));
	t = gsl_cdf_tdist_Pinv(1.0 - (1.0 - level) / 2, (double)(ra + rb - 2));
	*lo = q - t * se;
	*hi = q + t * se;
	return 0;
}

int stats_boot_ratio(const struct runs_sample *a, const struct runs_sample *b,
		     enum boot_kind kind, unsigned nboot, unsigned long seed,
		     double level, double *lo, double *hi)
{
	size_t sa[a->nruns ? a->nruns : 1], sb[b->nruns ? b->nruns : 1];
	size_t ma, mb, ta, tb;
	double *buf, *r;
	gsl_rng *rng;
	int rc = -1;

	*lo = *hi = NAN;
	if (!a->nruns || !b->nruns || !nboot) {
		errno = EINVAL;
		return -1;
	}
	ta = side_layout(a, sa, &ma);
	tb = side_layout(b, sb, &mb);
	if (!ta || !tb) {
		errno = EINVAL;
		return -1;
	}
	buf = malloc((ma > mb ? ma : mb) * sizeof(double));
	r = malloc(nboot * sizeof(double));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (buf && r && rng) {
		size_t k = 0;

		gsl_rng_set(rng, seed);
		for (unsigned i = 0; i < nboot; i++) {
			double ya = boot_side(a, kind, rng, buf, ta, sa);
			double yb = boot_side(b, kind, rng, buf, tb, sb);

			if (ya != 0.0 && isfinite(ya) && isfinite(yb))
				r[k++] = yb / ya - 1.0;
		}
		if (k)
			rc = boot_interval(a, b, kind, r, k, level, lo, hi);
	}
	free(buf), free(r);
	if (rng)
		gsl_rng_free(rng);
	return rc;
}

void stats_run_spread(const struct runs_sample *s, double *between,
		      double *within)
{
	double med[s->nruns ? s->nruns : 1], sd[s->nruns ? s->nruns : 1];
	size_t off = 0, nsd = 0;

	for (size_t r = 0; r < s->nruns; r++) {
		double *c = sorted_copy(s->x + off, s->n[r]);

		med[r] = c ? median_sorted(c, s->n[r]) : NAN;
		if (s->n[r] > 1)
			sd[nsd++] = gsl_stats_sd(s->x + off, STATS_STRIDE, s->n[r]);
		free(c);
		off += s->n[r];
	}
	*between = s->nruns > 1 ? gsl_stats_sd(med, STATS_STRIDE, s->nruns) : NAN;
	qsort(sd, nsd, sizeof(double), cmp_double);
	*within = nsd ? median_sorted(sd, nsd) : NAN;
}
