// SPDX-License-Identifier: GPL-2.0
/*
 * test_rundir.c - reading a run directory back (lib/rundir.c): the CSV
 * reader on the quoting lib/results.c writes (and on broken files, which
 * must fail with the line named), and a whole run directory written under
 * a mkdtemp() directory: parameters, data points, per-trial values with
 * NA left out, and the provenance lines taken from meta.json.
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

#include "rundir.h"

#define ERR_LEN 512
#define EPS 1e-12

static const char meta_json[] =
	"{\"gupsync\": {\"command\": \"gupsync run fake --threads 1,2\"},"
	" \"bench\": {\"name\": \"fake\"},"
	" \"method\": {\"trials\": 3, \"duration_ns\": 250000000,"
	"  \"placement\": \"compact\"},"
	" \"machine\": {\"kernel\": {\"release\": \"6.18.0-t\", \"machine\": \"x86_64\"},"
	"  \"cpu\": {\"model\": \"Test CPU\", \"hypervisor\": \"KVM\"},"
	"  \"topology\": {\"available\": true, \"pus\": 2},"
	"  \"config\": {\"HZ\": \"250\", \"preempt_model\": \"none\","
	"   \"PT_RECLAIM\": \"y\", \"source\": \"/boot/config-t\","
	"   \"MMU_GATHER_RCU_TABLE_FREE\": null}}}\n";

static const char summary_csv[] =
	"threads,layout,metric,unit,better,n,median\n"
	"1,own,rate_per_s,ops/s,higher,3,10\n"
	"1,own,lat_ns,ns,lower,2,5.25\n"
	"2,own,rate_per_s,ops/s,higher,2,20.5\n"
	"2,own,lat_ns,ns,lower,3,6\n";

static const char trials_csv[] =
	"threads,layout,trial,cpus,rate_per_s,lat_ns\n"
	"1,own,0,\"0,1\",9,5\n"
	"1,own,1,\"0,1\",10,NA\n"
	"1,own,2,\"0,1\",11,5.5\n"
	"2,own,0,\"0,1\",20,6\n"
	"2,own,1,\"0,1\",NA,6\n"
	"2,own,2,\"0,1\",21,7\n";

/* ---- helpers ----------------------------------------------------------- */

static int setup_run(void **state)
{
	char *dir = strdup("/tmp/gupsync-test-rundir-XXXXXX");

	if (!dir || !mkdtemp(dir)) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		free(dir);
		return -1;
	}
	write_whole(dir, "meta.json", meta_json);
	write_whole(dir, "summary.csv", summary_csv);
	write_whole(dir, "trials.csv", trials_csv);
	*state = dir;
	return 0;
}

static int teardown_run(void **state)
{
	rm_tree(*state);
	free(*state);
	return 0;
}

static int parse(const char *text, struct csv *t, char *err)
{
	char *copy = strdup(text);

	assert_non_null(copy);
	return csv_parse(copy, "t.csv", t, err, ERR_LEN);
}

/* ---- the CSV reader ---------------------------------------------------- */

static void test_csv_quoting(void **state)
{
	char err[ERR_LEN];
	struct csv t;

	(void)state;
	assert_int_equal(parse("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
			       "1,,NA\r\n", &t, err), 0);
	assert_int_equal(t.ncols, 3);
	assert_int_equal(t.nrows, 2);
	assert_string_equal(csv_get(&t, 0, 0), "x,y");
	assert_string_equal(csv_get(&t, 0, 1), "say \"hi\"");
	assert_string_equal(csv_get(&t, 0, 2), "two\nlines");
	assert_string_equal(csv_get(&t, 1, 1), "");
	assert_string_equal(csv_get(&t, 1, 2), "NA");	/* CR dropped */
	assert_int_equal(csv_col(&t, "c"), 2);
	assert_int_equal(csv_col(&t, "d"), -1);
	csv_free(&t);
}

static void test_csv_numbers(void **state)
{
	char err[ERR_LEN];
	struct csv t;

	(void)state;
	assert_int_equal(parse("v\n1e3\nNA\n\nabc\n-2.5\n", &t, err), 0);
	assert_int_equal(t.nrows, 4);		/* the empty line is skipped */
	assert_true(fabs(csv_num_at(&t, 0, 0) - 1000.0) < EPS);
	assert_true(isnan(csv_num_at(&t, 1, 0)));
	assert_true(isnan(csv_num_at(&t, 2, 0)));
	assert_true(fabs(csv_num_at(&t, 3, 0) + 2.5) < EPS);
	csv_free(&t);
}

/* Numbers as the writer writes them, nothing else (issue 15). */
static void test_csv_strict_numbers(void **state)
{
	static const char *const bad[] = {
		"", "abc", "1e309", "-1e309", "1417x", "0x10", "inf", "-inf", "nan",
		" 1", "1 ", "+1", ".5", "1.", "1e", "1e+", "--1", "1,5",
	};
	static const struct { const char *s; double v; } good[] = {
		{ "0", 0 }, { "-1", -1 }, { "767886.215", 767886.215 },
		{ "1e-05", 1e-5 }, { "2.49309551e-05", 2.49309551e-05 },
		{ "1E3", 1000 }, { "12345678901234567890", 12345678901234567890.0 },
	};
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(csv_number(bad[i], &v), -1);
		assert_true(isnan(v));
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(csv_number(good[i].s, &v), 1);
		assert_true(fabs(v - good[i].v) <= 1e-9 * fabs(good[i].v));
	}
	assert_int_equal(csv_number("NA", &v), 0);
	assert_true(isnan(v));
}

/* A NUL byte, a torn last line: refused, or (CSV_TORN_OK) left out. */
static void test_csv_nul_and_torn(void **state)
{
	static const char torn[] = "a,b\n1,2\n3,76788";
	static const char nul[] = "a,b\n1,2\n3,\0004\n5,6\n";
	char err[ERR_LEN], *copy;
	struct csv t;

	(void)state;
	copy = malloc(sizeof(nul));
	assert_non_null(copy);
	memcpy(copy, nul, sizeof(nul));
	assert_int_equal(csv_parse_n(copy, sizeof(nul) - 1, "t.csv", 0, &t, err,
				     ERR_LEN), -1);
	assert_string_equal(err, "t.csv:3: a NUL byte (binary data, not CSV text)");
	copy = strdup(torn);
	assert_int_equal(csv_parse_n(copy, strlen(torn), "t.csv", 0, &t, err,
				     ERR_LEN), -1);
	assert_non_null(strstr(err, "t.csv:3: the last line has no newline"));
	copy = strdup(torn);
	assert_int_equal(csv_parse_n(copy, strlen(torn), "t.csv", CSV_TORN_OK, &t,
				     err, ERR_LEN), 0);
	assert_int_equal(t.nrows, 1);
	assert_int_equal(t.torn_line, 3);
	csv_free(&t);
	copy = strdup("a,a\n1,2\n");
	assert_int_equal(csv_parse(copy, "t.csv", &t, err, ERR_LEN), -1);
	assert_string_equal(err, "t.csv:1: column 'a' twice");
}

static void test_csv_errors(void **state)
{
	char err[ERR_LEN];
	struct csv t;

	(void)state;
	assert_int_equal(parse("a,b\n1,2\n3\n", &t, err), -1);
	assert_string_equal(err, "t.csv:3: 1 fields, the header has 2");
	assert_int_equal(parse("a,b\n1,\"2\n", &t, err), -1);
	assert_string_equal(err, "t.csv:2: malformed quoted field");
	assert_int_equal(parse("a,b\n\"1\"x,2\n", &t, err), -1);
	assert_non_null(strstr(err, "malformed"));
	assert_int_equal(parse("", &t, err), -1);
	assert_non_null(strstr(err, "header"));
	/* A string that could drive a terminal is damage, not data. */
	assert_int_equal(parse("a,b\n1,2\nx\033[2J,3\n", &t, err), -1);
	assert_string_equal(err, "t.csv:3: a control character in field 1");
	assert_int_equal(parse("a,b\033]0\n1,2\n", &t, err), -1);
	assert_string_equal(err, "t.csv:1: a control character in column 2's name");
	assert_int_equal(csv_read("/nonexistent/x.csv", 0, &t, err, ERR_LEN), -1);
	assert_non_null(strstr(err, "open(/nonexistent/x.csv)"));
}

/* ---- a run directory --------------------------------------------------- */

static void test_load(void **state)
{
	struct rundir rd;
	char err[ERR_LEN], buf[512], path[1100];

	snprintf(path, sizeof(path), "%s/", (char *)*state);	/* trailing / */
	assert_int_equal(rundir_load(path, &rd, err, ERR_LEN), 0);
	assert_string_equal(rd.path, *state);
	assert_int_equal(rd.nparams, 2);
	assert_int_equal(rundir_param(&rd, "layout"), 1);
	assert_int_equal(rundir_param(&rd, "trial"), -1);
	assert_int_equal(rd.samples.ncols, 0);		/* not loaded */
	assert_int_equal(rundir_load_samples(&rd, err, ERR_LEN), 0);
	assert_int_equal(rd.samples.ncols, 0);		/* none: throughput */
	assert_string_equal(rundir_bench(&rd), "fake");
	assert_string_equal(rundir_kernel(&rd), "6.18.0-t");
	assert_string_equal(rundir_placement(&rd), "compact");
	assert_string_equal(rundir_command(&rd), "gupsync run fake --threads 1,2");
	rundir_method(&rd, buf, sizeof(buf));
	assert_string_equal(buf, "3 trials x 250 ms per mode");
	rundir_config(&rd, buf, sizeof(buf));
	assert_string_equal(buf, "HZ=250, PREEMPT none, MMU_GATHER_RCU_TABLE_FREE=n, "
			    "PT_RECLAIM=y, PARAVIRT=?");
	rundir_machine(&rd, buf, sizeof(buf));
	assert_non_null(strstr(buf, "6.18.0-t x86_64, Test CPU"));
	rundir_free(&rd);
}

static void test_points_and_values(void **state)
{
	const char *names[] = { "threads", "layout" }, *p1[] = { "1", "own" };
	const char *p2[] = { "2" };
	struct rundir rd;
	char err[ERR_LEN];
	size_t *rows;
	double *v;

	assert_int_equal(rundir_load(*state, &rd, err, ERR_LEN), 0);
	assert_int_equal(rundir_points(&rd.summary, rd.nparams, &rows), 2);
	assert_int_equal(rows[0], 0);
	assert_int_equal(rows[1], 2);
	free(rows);
	assert_int_equal(rundir_trial_values(&rd, names, p1, 2, "lat_ns", &v), 2);
	assert_true(fabs(v[0] - 5.0) < EPS && fabs(v[1] - 5.5) < EPS);
	free(v);
	/* Naming fewer parameters matches on those alone. */
	assert_int_equal(rundir_trial_values(&rd, names, p2, 1, "rate_per_s", &v), 2);
	assert_true(fabs(v[0] - 20.0) < EPS && fabs(v[1] - 21.0) < EPS);
	free(v);
	assert_int_equal(rundir_trial_values(&rd, names, p1, 2, "nope", &v), -1);
	assert_int_equal(rundir_trial_values(&rd, names, p1, 2, "threads", &v), -1);
	assert_true(rundir_same_point(&rd, &rd.summary, 0, &rd, &rd.trials, 2,
				      names, 2));
	assert_false(rundir_same_point(&rd, &rd.summary, 0, &rd, &rd.trials, 3,
				       names, 2));
	assert_int_equal(rundir_better("higher"), BETTER_HIGHER);
	assert_int_equal(rundir_better("lower"), BETTER_LOWER);
	assert_int_equal(rundir_better(""), BETTER_NONE);
	rundir_free(&rd);
}

static void test_samples(void **state)
{
	struct rundir rd;
	char err[ERR_LEN];
	size_t *rows;

	write_whole(*state, "samples.csv", "threads,layout,mode,trial,latency_ns\n"
	    "1,own,quiet,0,100\n1,own,storm,0,900\n2,own,quiet,0,120\n");
	assert_int_equal(rundir_load(*state, &rd, err, ERR_LEN), 0);
	assert_int_equal(rd.samples.nrows, 3);	/* every reader checks them */
	assert_int_equal(rundir_load_samples(&rd, err, ERR_LEN), 0);
	assert_int_equal(rd.samples.nrows, 3);
	assert_int_equal(rundir_points(&rd.samples, rd.nparams, &rows), 2);
	assert_int_equal(rows[1], 2);
	free(rows);
	rundir_free(&rd);
	write_whole(*state, "samples.csv", "threads,mode,trial,latency_ns\n1,quiet,0,100\n");
	assert_int_equal(rundir_load(*state, &rd, err, ERR_LEN), -1);
	assert_non_null(strstr(err, "samples.csv:1: column 2 is 'mode', summary.csv has 'layout'"));
	/* Format 1.1: each sample numbered in its window, a duplicate seen. */
	write_whole(*state, "samples.csv", "threads,layout,mode,trial,sample,latency_ns\n"
	    "1,own,quiet,0,0,100\n1,own,quiet,0,1,100\n1,own,quiet,0,1,100\n");
	assert_int_equal(rundir_load(*state, &rd, err, ERR_LEN), -1);
	assert_non_null(strstr(err, "samples.csv:4: the same row as line 3 "
				     "(parameters and mode, trial, sample)"));
}

static void test_load_errors(void **state)
{
	const char *dir = *state;
	struct rundir rd;
	char err[ERR_LEN];

	write_whole(dir, "trials.csv", "layout,threads,trial\n");
	assert_int_equal(rundir_load(dir, &rd, err, ERR_LEN), -1);
	assert_non_null(strstr(err, "trials.csv:1: column 1 is 'layout'"));
	write_whole(dir, "trials.csv", trials_csv);
	write_whole(dir, "summary.csv", "threads,median\n1,2\n");
	assert_int_equal(rundir_load(dir, &rd, err, ERR_LEN), -1);
	assert_non_null(strstr(err, "summary.csv: no 'metric' column"));
	write_whole(dir, "summary.csv", summary_csv);
	write_whole(dir, "meta.json", "{ not json");
	assert_int_equal(rundir_load(dir, &rd, err, ERR_LEN), -1);
	assert_non_null(strstr(err, "meta.json:1:"));
	write_whole(dir, "meta.json", meta_json);
	assert_int_equal(rundir_load("/nonexistent-run", &rd, err, ERR_LEN), -1);
	assert_non_null(strstr(err, "/nonexistent-run/meta.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_numbers),
		cmocka_unit_test(test_csv_strict_numbers),
		cmocka_unit_test(test_csv_nul_and_torn),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test_setup_teardown(test_load, setup_run, teardown_run),
		cmocka_unit_test_setup_teardown(test_points_and_values, setup_run,
						teardown_run),
		cmocka_unit_test_setup_teardown(test_samples, setup_run, teardown_run),
		cmocka_unit_test_setup_teardown(test_load_errors, setup_run,
						teardown_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
