// SPDX-License-Identifier: GPL-2.0
/*
 * test_run_metrics.c - the rows and files a run writes (lib/output.c),
 * through its public functions, on a hand-built struct run: a fake latency
 * benchmark with two timed modes and a proof-only one, two list options
 * (threads=1,2 x size=4K,2M: four points, the last option varying
 * fastest) and one counter that cannot exist (so it reads "NA").
 *
 * Nothing is measured and nothing goes to stdout (the table functions are
 * left alone: stdout is TAP here); files go to a mkdtemp() directory.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "testutil.h"

#include "run.h"

#define NPOINTS 4
#define MISSING_COUNTER "irq:GUPSYNC_TEST_NO_SUCH_ROW"

struct fake_conf {
	uint64_t threads, size;
};

static const struct opt_spec fake_opts[] = {
	{ .name = "threads", .type = OPT_U64, .help = "workers",
	  .def = "1", .min = 1, .max = 64, .list = true,
	  .offset = offsetof(struct fake_conf, threads) },
	{ .name = "size", .type = OPT_SIZE, .help = "page size",
	  .def = "4K", .min = 4096, .max = 2 << 20, .list = true,
	  .offset = offsetof(struct fake_conf, size) },
	{ NULL },
};

static const struct bench fake_bench = {
	.name = "fake",
	.summary = "a benchmark that is never run",
	.kernel_path = "none",
	.kind = BENCH_LATENCY,
	.modes = {
		{ "a", "first timed mode", false },
		{ "b", "second timed mode", false },
		{ "proof", "proof pass only", true },
	},
};

struct fixture {
	struct run r;
	char dir[64];
};

static int setup_run(void **state)
{
	const struct opt_spec *tables[] = { fake_opts };
	char *const argv[] = { "--threads=1,2", "--size=4K,2M" };
	const char *specs[] = { MISSING_COUNTER };
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct run *r = &fx->r;
	char err[OPT_ERR_LEN];
	bool help = false;

	if (!fx)
		return -1;
	*state = fx;
	r->b = &fake_bench;
	r->nmodes = 3;
	r->nmeasured = 2;
	if (opt_parse(tables, 1, 2, argv, &r->opts, &help, err, sizeof(err)) < 0) {
		fprintf(stderr, "opt_parse: %s\n", err);
		return -1;
	}
	r->npoints = opt_npoints(&r->opts);
	r->points = calloc(r->npoints, sizeof(*r->points));
	r->ctr = counters_open(specs, 1);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/gupsync-test-metrics-XXXXXX");
	if (r->npoints != NPOINTS || !r->points || !r->ctr || !mkdtemp(fx->dir) ||
	    textbuf_open(&r->trials_csv) < 0 || textbuf_open(&r->evidence_csv) < 0 ||
	    textbuf_open(&r->samples_csv) < 0)
		return -1;
	snprintf(r->dir, sizeof(r->dir), "%s", fx->dir);
	for (size_t i = 0; i < r->npoints; i++)
		r->points[i].status = POINT_NOT_RUN;
	return 0;
}

static int teardown_run(void **state)
{
	struct fixture *fx = *state;
	struct run *r = &fx->r;

	textbuf_close(&r->trials_csv);
	textbuf_close(&r->evidence_csv);
	textbuf_close(&r->samples_csv);
	for (size_t i = 0; r->points && i < r->npoints; i++) {
		free(r->points[i].vals);
		free(r->points[i].pus);
	}
	free(r->points);
	counters_close(r->ctr);
	json_decref(r->meta);
	if (fx->dir[0] == '/')
		rm_tree(fx->dir);
	free(fx);
	return 0;
}

/* What a textbuf holds so far, as a string. */
static const char *text(struct textbuf *t)
{
	fflush(t->f);
	return t->data ? t->data : "";
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_point_label(void **state)
{
	struct run *r = &((struct fixture *)*state)->r;
	char label[128];

	run_point_label(r, 0, label, sizeof(label));
	assert_string_equal(label, "threads=1 size=4K");
	run_point_label(r, 1, label, sizeof(label));
	assert_string_equal(label, "threads=1 size=2M");
	run_point_label(r, 3, label, sizeof(label));
	assert_string_equal(label, "threads=2 size=2M");
}

static void test_samples_rows(void **state)
{
	struct run *r = &((struct fixture *)*state)->r;
	const double s[] = { 10.4, 2000, 7 };

	run_samples_rows(r, 2, 1, 5, s, 3);
	assert_string_equal(text(&r->samples_csv),
			    "threads,size,mode,trial,sample,latency_ns\n"
			    "2,4K,b,5,0,10\n2,4K,b,5,1,2000\n2,4K,b,5,2,7\n");
}

/* run.h: "a stride subsample of at most SAMPLES_PER_WINDOW". */
static void test_samples_rows_capped(void **state)
{
	struct run *r = &((struct fixture *)*state)->r;
	const size_t sizes[] = { SAMPLES_PER_WINDOW + 1,
				 SAMPLES_PER_WINDOW * 3 / 2,
				 SAMPLES_PER_WINDOW * 2 + 1,
				 SAMPLES_PER_WINDOW * 7 };
	double *s = calloc(sizes[3], sizeof(double));

	assert_non_null(s);
	for (size_t k = 0; k < sizes[3]; k++)
		s[k] = k;
	for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
		size_t rows;

		textbuf_close(&r->samples_csv);
		assert_int_equal(textbuf_open(&r->samples_csv), 0);
		run_samples_rows(r, 0, 0, 0, s, sizes[j]);
		rows = count_lines(text(&r->samples_csv)) - 1;
		if (rows > SAMPLES_PER_WINDOW)
			fprintf(stderr, "# %zu samples gave %zu rows, more than %d\n",
				sizes[j], rows, SAMPLES_PER_WINDOW);
		assert_true(rows <= SAMPLES_PER_WINDOW);
		assert_true(rows >= SAMPLES_PER_WINDOW / 2);
	}
	free(s);
}

static void test_evidence_row(void **state)
{
	struct run *r = &((struct fixture *)*state)->r;
	struct mode_result none = { .ops = 0, .elapsed_ns = 1000,
				    .ns_per_op = NAN };
	struct mode_result some = { .ops = 100, .elapsed_ns = 1250,
				    .ns_per_op = 12.5 };

	run_evidence_row(r, 1, 2, &none, NULL);
	run_evidence_row(r, 1, 0, &some, NULL);
	/* The counter does not exist: NA, never a zero. */
	assert_string_equal(text(&r->evidence_csv),
			    "1,2M,proof,0,1000,NA,NA\n"
			    "1,2M,a,100,1250,12.5,NA\n");
}

/* Two metric columns; trial t of point i gets v0, v1. */
static void put_trial(struct run *r, size_t i, double v0, double v1)
{
	struct run_point *rp = &r->points[i];

	if (!r->ncols) {
		r->cols[0] = (struct col){ "a_ns", "ns", BETTER_LOWER, true };
		r->cols[1] = (struct col){ "ratio", "1", BETTER_NONE, false };
		r->ncols = 2;
	}
	if (!rp->vals)
		assert_non_null(rp->vals = calloc(16 * r->ncols, sizeof(double)));
	rp->vals[rp->ntrials * r->ncols] = v0;
	rp->vals[rp->ntrials * r->ncols + 1] = v1;
	rp->status = BENCH_OK;
	run_trial_row(r, i, rp->ntrials++);
}

static void test_trial_rows(void **state)
{
	struct run *r = &((struct fixture *)*state)->r;

	snprintf(r->points[3].cpus_seen, sizeof(r->points[3].cpus_seen), "0,1");
	put_trial(r, 3, 52.5, NAN);
	put_trial(r, 3, 1e-10, 2);
	/* One header; cpus quoted because it holds a comma. */
	assert_string_equal(text(&r->trials_csv),
			    "threads,size,trial,cpus,a_ns,ratio\n"
			    "2,2M,0,\"0,1\",52.5,NA\n"
			    "2,2M,1,\"0,1\",1e-10,2\n");
}

static char *slurp(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_whole(path);
}

/* Point 0 done (3 trials), point 1 skipped, points 2 and 3 not run. */
static void test_save(void **state)
{
	struct fixture *fx = *state;
	struct run *r = &fx->r;
	json_t *meta, *points;
	json_error_t jerr;
	char path[PATH_MAX], *sum;
	DIR *d;
	struct dirent *e;
	int nfiles = 0;

	r->meta = json_pack("{s:{s:s}}", "gupsync", "command", "test");
	for (size_t i = 0; i < 2; i++) {
		r->points[i].rc.threads = 1;
		assert_non_null(r->points[i].pus = calloc(1, sizeof(int)));
	}
	put_trial(r, 0, 3, NAN);
	put_trial(r, 0, 1, NAN);
	put_trial(r, 0, 2, NAN);
	r->points[1].status = BENCH_SKIP;
	snprintf(r->points[1].reason, sizeof(r->points[1].reason), "no THP");
	assert_int_equal(run_save(r, false), 0);

	snprintf(path, sizeof(path), "%s/meta.json", fx->dir);
	meta = json_load_file(path, 0, &jerr);
	assert_non_null(meta);
	points = json_object_get(meta, "points");
	assert_int_equal(json_array_size(points), 2);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(points, 0), "status")), "done");
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(points, 0), "trials")), 3);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(points, 1), "reason")), "no THP");
	assert_non_null(json_object_get(json_object_get(meta, "gupsync"),
					"last_update"));
	json_decref(meta);

	/* Only a_ns of point 0 has numbers: one summary row, median 2. */
	sum = slurp(fx->dir, "summary.csv");
	assert_non_null(sum);
	assert_int_equal(count_lines(sum), 2);
	assert_non_null(strstr(sum, "\n1,4K,a_ns,ns,lower,3,2,"));
	free(sum);

	/* The five files of a latency run and nothing else (no temp files). */
	assert_non_null(d = opendir(fx->dir));
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			bool known = !strcmp(e->d_name, "meta.json") ||
				     !strcmp(e->d_name, "summary.csv") ||
				     !strcmp(e->d_name, "trials.csv") ||
				     !strcmp(e->d_name, "evidence.csv") ||
				     !strcmp(e->d_name, "samples.csv");

			if (!known)
				fprintf(stderr, "# unexpected file %s\n", e->d_name);
			assert_true(known);
			nfiles++;
		}
	closedir(d);
	assert_int_equal(nfiles, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_point_label, setup_run,
						teardown_run),
		cmocka_unit_test_setup_teardown(test_samples_rows, setup_run,
						teardown_run),
		cmocka_unit_test_setup_teardown(test_samples_rows_capped,
						setup_run, teardown_run),
		cmocka_unit_test_setup_teardown(test_evidence_row, setup_run,
						teardown_run),
		cmocka_unit_test_setup_teardown(test_trial_rows, setup_run,
						teardown_run),
		cmocka_unit_test_setup_teardown(test_save, setup_run,
						teardown_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
