// SPDX-License-Identifier: GPL-2.0
/*
 * test_compare.c - `gupsync compare` (cmd/compare.c): the statistics on
 * synthetic samples with known answers, the direction of "better", and the
 * table (width, sign, marks, what is hidden) on two run directories written
 * under a mkdtemp() directory.
 *
 * Known answers: the median ratio of scaled samples; a constant A against
 * a two-valued B, whose resampled median is 90, 100 or 110 with
 * probability 1/4, 1/2, 1/4, so the 95% percentile interval is exactly
 * [-10%, +10%]; mirrored intervals for lower-is-better; and, with a seeded
 * generator, the false-alarm rate of A/A pairs and the power against a 1%
 * shift.  Everything is deterministic: fixed seeds, no timing.
 */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "compare.h"
#include "plot_gnuplot.h"

#define EPS 1e-9
#define ERR_LEN 1024
#define NBOOT_FAST 500		/* enough for the rate tests, and quick */
#define N_TRIALS 10
#define N_PAIRS 200
#define SYNTH_SEED 42

/* 10 values around 100, spread about 1%. */
static const double base[N_TRIALS] = {
	100.0, 101.0, 99.0, 100.5, 99.5, 100.2, 99.8, 100.9, 99.1, 100.1,
};

static void scaled(double *out, double k)
{
	for (int i = 0; i < N_TRIALS; i++)
		out[i] = base[i] * k;
}

/* ---- statistics -------------------------------------------------------- */

static void test_higher_is_better(void **state)
{
	double b[N_TRIALS];
	struct cmp_stat st;

	(void)state;
	scaled(b, 1.10);
	assert_int_equal(compare_stat(base, N_TRIALS, b, N_TRIALS, BETTER_HIGHER,
				      COMPARE_NBOOT, &st), 0);
	assert_near(st.med_a, 100.05, EPS);	/* type 7: (100 + 100.1) / 2 */
	assert_near(st.med_b, 110.055, EPS);
	assert_near(st.gain, 10.0, EPS);	/* B higher: better */
	assert_true(st.gain_lo > 0 && st.gain_lo < 10.0);
	assert_true(st.gain_hi > 10.0 && st.gain_hi < 20.0);
	assert_true(st.p < 1e-6);
	assert_true(st.sig);
}

static void test_lower_is_better_mirrors(void **state)
{
	double b[N_TRIALS];
	struct cmp_stat hi, lo;

	(void)state;
	scaled(b, 1.10);
	compare_stat(base, N_TRIALS, b, N_TRIALS, BETTER_HIGHER, COMPARE_NBOOT, &hi);
	assert_int_equal(compare_stat(base, N_TRIALS, b, N_TRIALS, BETTER_LOWER,
				      COMPARE_NBOOT, &lo), 0);
	/* 10% more time is a 10% loss; the interval flips with it. */
	assert_near(lo.gain, -10.0, EPS);
	assert_near(lo.gain_lo, -hi.gain_hi, EPS);
	assert_near(lo.gain_hi, -hi.gain_lo, EPS);
	assert_near(lo.p, hi.p, 0.0);
	assert_true(lo.sig);
	/* No direction: the plain change. */
	compare_stat(base, N_TRIALS, b, N_TRIALS, BETTER_NONE, COMPARE_NBOOT, &lo);
	assert_near(lo.gain, 10.0, EPS);
}

static void test_identical_is_not_significant(void **state)
{
	struct cmp_stat st;

	(void)state;
	assert_int_equal(compare_stat(base, N_TRIALS, base, N_TRIALS,
				      BETTER_HIGHER, COMPARE_NBOOT, &st), 0);
	assert_near(st.gain, 0.0, 0.0);
	assert_true(st.gain_lo < 0 && st.gain_hi > 0);
	assert_near(st.p, 1.0, EPS);
	assert_false(st.sig);
}

static void test_known_interval(void **state)
{
	const double a[] = { 100, 100, 100, 100 }, b[] = { 90, 110 };
	struct cmp_stat st;

	(void)state;
	assert_int_equal(compare_stat(a, 4, b, 2, BETTER_HIGHER, COMPARE_NBOOT,
				      &st), 0);
	assert_near(st.gain, 0.0, EPS);
	assert_near(st.gain_lo, -10.0, EPS);
	assert_near(st.gain_hi, 10.0, EPS);
	assert_false(st.sig);
}

static void test_constant_samples(void **state)
{
	const double a[] = { 5, 5, 5 }, b[] = { 6, 6, 6 };
	struct cmp_stat st;

	(void)state;
	/* Welch is undefined (no variance); the difference is certain. */
	compare_stat(a, 3, b, 3, BETTER_HIGHER, COMPARE_NBOOT, &st);
	assert_near(st.gain, 20.0, EPS);
	assert_near(st.gain_lo, 20.0, EPS);
	assert_near(st.gain_hi, 20.0, EPS);
	assert_near(st.p, 0.0, 0.0);
	assert_true(st.sig);
	compare_stat(a, 3, a, 3, BETTER_HIGHER, COMPARE_NBOOT, &st);
	assert_near(st.p, 1.0, 0.0);
	assert_false(st.sig);
}

static void test_degenerate(void **state)
{
	const double zero[] = { 0, 0, 0 }, one[] = { 1, 2, 3 };
	struct cmp_stat st;

	(void)state;
	/* A median of 0: no percentage, no mark. */
	compare_stat(zero, 3, one, 3, BETTER_HIGHER, COMPARE_NBOOT, &st);
	assert_true(isnan(st.gain) && isnan(st.gain_lo));
	assert_false(st.sig);
	/* One trial: the change, but no interval and no test. */
	compare_stat(one, 1, one + 1, 1, BETTER_HIGHER, COMPARE_NBOOT, &st);
	assert_near(st.gain, 100.0, EPS);
	assert_true(isnan(st.gain_lo) && isnan(st.p));
	assert_false(st.sig);
	assert_int_equal(compare_stat(one, 0, one, 3, BETTER_HIGHER, 10, &st), -1);
	assert_int_equal(compare_stat(one, 3, one, 3, BETTER_HIGHER, 0, &st), -1);
}

static void gaussian(gsl_rng *r, double *x, double mean, double sd)
{
	for (int i = 0; i < N_TRIALS; i++)
		x[i] = mean + gsl_ran_gaussian(r, sd);
}

/* Of N_PAIRS seeded pairs (A ~ N(100, sd), B ~ N(mean_b, sd)), how many
 * are significant; with loss_only, significant with B worse. */
static int significant_pairs(double mean_b, double sd, bool loss_only)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double a[N_TRIALS], b[N_TRIALS];
	int hits = 0;

	gsl_rng_set(r, SYNTH_SEED);
	for (int k = 0; k < N_PAIRS; k++) {
		struct cmp_stat st;

		gaussian(r, a, 100.0, sd);
		gaussian(r, b, mean_b, sd);
		compare_stat(a, N_TRIALS, b, N_TRIALS, BETTER_HIGHER, NBOOT_FAST, &st);
		hits += st.sig && (!loss_only || st.gain < 0);
	}
	gsl_rng_free(r);
	return hits;
}

/* Seeded A/A pairs: at most 5% flagged (the brief's criterion). */
static void test_aa_false_alarms(void **state)
{
	int flagged = significant_pairs(100.0, 1.0, false);

	(void)state;
	fprintf(stderr, "# A/A: %d of %d pairs flagged\n", flagged, N_PAIRS);
	assert_true(flagged * 20 <= N_PAIRS);
}

/* A 1% loss with 0.3% noise per trial: found (and the right way round)
 * in at least 95% of pairs. */
static void test_one_percent_found(void **state)
{
	int found = significant_pairs(99.0, 0.3, true);

	(void)state;
	fprintf(stderr, "# 1%%: %d of %d pairs found\n", found, N_PAIRS);
	assert_true(found * 20 >= N_PAIRS * 19);
}

/* ---- the table on two run directories --------------------------------- */

#define LONG_NAME "a_metric_name_longer_than_the_column"

static const char meta_json[] =
	"{\"gupsync\": {\"command\": \"gupsync run fake\"},"
	" \"bench\": {\"name\": \"fake\"},"
	" \"method\": {\"trials\": 10, \"duration_ns\": 100000000,"
	"  \"placement\": \"compact\"},"
	" \"machine\": {\"kernel\": {\"release\": \"6.18.0-t\"}}}\n";

static FILE *open_in(const char *dir, const char *name)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	return f;
}

/*
 * A run of the fake bench: threads 1 and 2, layout own; rate_per_s and
 * the long-named metric (higher is better), lat_ns (lower), ctr_per_op
 * (no direction).  At threads=1, rate and lat are scaled by k.
 */
static void make_run(const char *dir, double k)
{
	FILE *f;

	assert_int_equal(mkdir(dir, 0755), 0);
	f = open_in(dir, "meta.json");
	fputs(meta_json, f);
	fclose(f);
	f = open_in(dir, "summary.csv");
	fprintf(f, "threads,layout,metric,unit,better,n,median\n");
	/* The medians of the trials below (the loader checks them). */
	for (int t = 1; t <= 2; t++) {
		double s = t == 1 ? k : 1.0, med = 100.05;

		fprintf(f, "%d,own,rate_per_s,ops/s,higher,10,%.9g\n"
			"%d,own,lat_ns,ns,lower,10,%.9g\n"
			"%d,own,ctr_per_op,1,,10,%.9g\n"
			"%d,own," LONG_NAME ",1,higher,10,%.9g\n", t,
			med * 1e6 * s, t, med * s, t, med / 100, t, med);
	}
	fclose(f);
	f = open_in(dir, "trials.csv");
	fprintf(f, "threads,layout,trial,cpus,rate_per_s,lat_ns,ctr_per_op,"
		LONG_NAME "\n");
	for (int t = 1; t <= 2; t++)
		for (int i = 0; i < N_TRIALS; i++) {
			double s = t == 1 ? k : 1.0;

			fprintf(f, "%d,own,%d,0,%.9g,%.9g,%.9g,%.9g\n", t, i,
				base[i] * 1e6 * s, base[i] * s, base[i] / 100,
				base[i]);
		}
	fclose(f);
}

struct two_runs {
	char root[64], a[96], b[96];
	struct rundir ra, rb;
};

static int setup_runs(void **state)
{
	struct two_runs *t = calloc(1, sizeof(*t));
	char err[ERR_LEN];

	snprintf(t->root, sizeof(t->root), "/tmp/gupsync-test-compare-XXXXXX");
	if (!mkdtemp(t->root)) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	snprintf(t->a, sizeof(t->a), "%s/fake-a", t->root);
	snprintf(t->b, sizeof(t->b), "%s/fake-b", t->root);
	make_run(t->a, 1.0);
	make_run(t->b, 1.1);
	if (rundir_load(t->a, &t->ra, err, ERR_LEN) < 0 ||
	    rundir_load(t->b, &t->rb, err, ERR_LEN) < 0) {
		fprintf(stderr, "%s\n", err);
		rundir_free(&t->ra);	/* a failed load holds nothing */
		rm_tree(t->root);	/* no teardown after a failed setup */
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown_runs(void **state)
{
	struct two_runs *t = *state;

	rundir_free(&t->ra);
	rundir_free(&t->rb);
	rm_tree(t->root);
	free(t);
	return 0;
}

/* The table as text; every line checked for width and tabs. */
static char *table(struct two_runs *t, bool all, struct cmp_counts *cnt)
{
	struct cmp_opts o = { .all = all, .nboot = NBOOT_FAST };
	char err[ERR_LEN], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(compare_table(f, &t->ra, &t->rb, &o, cnt, err, ERR_LEN), 0);
	fclose(f);
	for (char *l = text, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		assert_non_null(nl);
		if (nl - l > COMPARE_WIDTH)
			fprintf(stderr, "too wide: %.*s\n", (int)(nl - l), l);
		assert_true(nl - l <= COMPARE_WIDTH);
		assert_null(memchr(l, '\t', (size_t)(nl - l)));
	}
	return text;
}

/* The line of the table that starts with s (after the indent). */
static const char *row(const char *text, const char *s)
{
	const char *p = strstr(text, s);

	assert_non_null(p);
	return p;
}

static void test_table(void **state)
{
	struct cmp_counts cnt;
	char *text = table(*state, false, &cnt);
	const char *r;

	assert_non_null(strstr(text, "all points: layout=own\n"));
	/* threads=1: rate +10% (better), lat +10% time (worse); both marked. */
	r = row(text, "threads=1\n rate_per_s");
	assert_non_null(strstr(r, " hi "));
	assert_true(strstr(r, "* +10.00%*") < strchr(r + 11, '\n'));
	r = row(text, " lat_ns");
	assert_non_null(strstr(r, " lo "));
	assert_true(strstr(r, "* -10.00%*") < strchr(r + 1, '\n'));
	/* threads=2: the same samples on both sides, no mark. */
	r = row(text, "threads=2\n rate_per_s");
	assert_true(strstr(r, "   +0.00%  [") < strchr(r + 11, '\n'));
	/* A long name gets a line of its own, the numbers the next. */
	assert_non_null(strstr(text, " " LONG_NAME "\n                        "));
	/* No direction: hidden unless --all. */
	assert_null(strstr(text, "ctr_per_op"));
	assert_int_equal(cnt.shown, 6);
	assert_int_equal(cnt.sig, 2);
	assert_int_equal(cnt.better, 1);
	assert_int_equal(cnt.worse, 1);
	free(text);
}

static void test_table_all(void **state)
{
	struct cmp_counts cnt;
	char *text = table(*state, true, &cnt);

	assert_non_null(strstr(text, " ctr_per_op             -- "));
	assert_int_equal(cnt.shown, 8);
	free(text);
}

static void test_unmatched_params(void **state)
{
	struct two_runs *t = *state;
	struct cmp_opts o = { .nboot = NBOOT_FAST };
	struct cmp_counts cnt;
	char err[ERR_LEN], dir[128];
	struct rundir rc;
	FILE *f, *devnull = fopen("/dev/null", "w");

	/* C has none of A's parameters, and A's threads varies. */
	snprintf(dir, sizeof(dir), "%s/fake-c", t->root);
	assert_int_equal(mkdir(dir, 0755), 0);
	f = open_in(dir, "meta.json");
	fputs(meta_json, f);
	fclose(f);
	f = open_in(dir, "summary.csv");
	fputs("pages,metric,unit,better,n,median\n1,rate_per_s,ops/s,higher,0,NA\n"
	      "2,rate_per_s,ops/s,higher,0,NA\n", f);
	fclose(f);
	assert_int_equal(rundir_load(dir, &rc, err, ERR_LEN), 0);
	assert_int_equal(compare_table(devnull, &t->ra, &rc, &o, &cnt, err,
				       ERR_LEN), -1);
	assert_non_null(strstr(err, "parameter 'threads' varies in A"));
	/* The other way round: C's pages varies, A has no such column. */
	assert_int_equal(compare_table(devnull, &rc, &t->ra, &o, &cnt, err,
				       ERR_LEN), -1);
	assert_non_null(strstr(err, "cannot match data points"));
	rundir_free(&rc);
	fclose(devnull);
}

static void test_wrap(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	char words[400] = "", path[100];

	(void)state;
	for (int i = 0; i < 40; i++)
		strcat(words, "word5 ");
	memset(path, 'p', 90);
	path[90] = '\0';
	strcat(words, path);
	compare_wrap(f, "Method:  ", "         ", words);
	fclose(f);
	/* 72 columns: 9 + 10 words of 6; a word too long for any line whole. */
	assert_non_null(strstr(text, "Method:  word5"));
	for (char *l = text, *nl; (nl = strchr(l, '\n')); l = nl + 1)
		assert_true(nl - l <= COMPARE_WIDTH || strstr(l, path) == l + 9);
	assert_non_null(strstr(text, "\n         ppp"));
	free(text);
}

/* The figures of the two runs: skipped without gnuplot. */
static void test_plots(void **state)
{
	struct two_runs *t = *state;
	struct rundir runs[] = { t->ra, t->rb };	/* no samples.csv */
	struct plot_files pf;
	char err[ERR_LEN], dir[128];

	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		fprintf(stderr, "# skip: gnuplot not installed (make deps)\n");
		skip();
	}
	if (access("plots/common.gp", R_OK) < 0) {
		fprintf(stderr, "# skip: plots/ not found from %s\n", getcwd(dir, 128));
		skip();
	}
	pl_set_scripts_dir("plots");
	snprintf(dir, sizeof(dir), "%s/plots-ab", t->root);
	if (plot_runs(runs, 2, dir, &pf, err, ERR_LEN) < 0)
		fprintf(stderr, "%s\n", err);
	/* rate, lat and the long one, each PNG and SVG; ctr has no direction. */
	assert_int_equal(pf.n, 6);
	assert_non_null(strstr(pf.path[0], "plots-ab/rate_per_s.png"));
	assert_int_equal(access(pf.path[0], R_OK), 0);
	plot_files_free(&pf);
}

/* Two runs a side (the same run twice): one table, the runs counted,
 * the spread lines after it, every line within the width. */
static void test_replicated_table(void **state)
{
	struct two_runs *t = *state;
	struct rundir a[2] = { t->ra, t->ra }, b[2] = { t->rb, t->rb };
	struct cmp_opts o = { .nboot = NBOOT_FAST };
	struct cmp_counts cnt;
	char err[ERR_LEN], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(compare_table_runs(f, a, 2, b, 2, &o, &cnt, err,
					    ERR_LEN), 0);
	fclose(f);
	assert_true(cnt.shown > 0);
	assert_non_null(strstr(text, "# runs: 2 of A, 2 of B"));
	assert_non_null(strstr(text, "spread between runs"));
	for (char *l = text, *nl; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		assert_non_null(nl);
		assert_true(nl - l <= COMPARE_WIDTH);
	}
	free(text);
	assert_int_equal(compare_table_runs(stderr, a, 0, b, 2, &o, &cnt, err,
					    ERR_LEN), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replicated_table, setup_runs,
						teardown_runs),
		cmocka_unit_test(test_higher_is_better),
		cmocka_unit_test(test_lower_is_better_mirrors),
		cmocka_unit_test(test_identical_is_not_significant),
		cmocka_unit_test(test_known_interval),
		cmocka_unit_test(test_constant_samples),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_aa_false_alarms),
		cmocka_unit_test(test_one_percent_found),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test_setup_teardown(test_table, setup_runs, teardown_runs),
		cmocka_unit_test_setup_teardown(test_table_all, setup_runs,
						teardown_runs),
		cmocka_unit_test_setup_teardown(test_unmatched_params, setup_runs,
						teardown_runs),
		cmocka_unit_test_setup_teardown(test_plots, setup_runs, teardown_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
