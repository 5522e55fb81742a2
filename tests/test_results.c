// SPDX-License-Identifier: GPL-2.0
/*
 * test_results.c - the run directory and its files (lib/results.c).
 *
 * What matters to a user: a run directory is never reused (two runs in the
 * same second get different directories), a file is replaced whole or not
 * at all (no temporary file left behind either way), errors name the path,
 * and the CSV helpers write fields a spreadsheet or R reads back as given.
 * Everything happens under a mkdtemp() directory removed at the end.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#include "results.h"

#define ERR_LEN 512
#define STAMP_LEN 32

/* ---- helpers ----------------------------------------------------------- */

static int setup_tmp(void **state)
{
	char *dir = strdup("/tmp/gupsync-test-results-XXXXXX");

	if (!dir || !mkdtemp(dir)) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int teardown_tmp(void **state)
{
	char *dir = *state;

	rm_tree(dir);
	free(dir);
	return 0;
}

/* Names in dir (without . and ..), sorted, joined by '/'; number found. */
static int list_dir(const char *dir, char *out, size_t len)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), count = 0;
	size_t off = 0;

	out[0] = '\0';
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (strcmp(name, ".") && strcmp(name, "..")) {
			off += snprintf(out + off, off < len ? len - off : 0, "%s%s",
					count ? "/" : "", name);
			count++;
		}
		free(ents[i]);
	}
	free(ents);
	return count;
}

static char *slurp(const char *path)
{
	char *buf = read_whole(path);

	assert_non_null(buf);
	return buf;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The stamp results_mkdir() uses for time t. */
static void stamp_at(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%d-%H%M%S", &tm);
}

/* ---- results_mkdir ----------------------------------------------------- */

static void test_mkdir_creates_base_and_run_dir(void **state)
{
	char base[PATH_MAX / 2], dir[PATH_MAX], err[ERR_LEN] = "", want[PATH_MAX];

	snprintf(base, sizeof(base), "%s/results", (char *)*state);
	assert_false(is_dir(base));
	assert_int_equal(results_mkdir(base, "gup-fast", dir, sizeof(dir), err,
				       sizeof(err)), 0);
	assert_true(is_dir(base));
	assert_true(is_dir(dir));
	snprintf(want, sizeof(want), "%s/gup-fast-", base);
	assert_memory_equal(dir, want, strlen(want));
}

static void test_mkdir_twice_gets_two_dirs(void **state)
{
	char base[PATH_MAX], d1[PATH_MAX], d2[PATH_MAX], err[ERR_LEN] = "";
	char suffixed[PATH_MAX + 8];

	snprintf(base, sizeof(base), "%s", (char *)*state);
	assert_int_equal(results_mkdir(base, "b", d1, sizeof(d1), err,
				       sizeof(err)), 0);
	assert_int_equal(results_mkdir(base, "b", d2, sizeof(d2), err,
				       sizeof(err)), 0);
	assert_string_not_equal(d1, d2);
	assert_true(is_dir(d1));
	assert_true(is_dir(d2));
	/* In the same second the second one is the first with "-2". */
	snprintf(suffixed, sizeof(suffixed), "%s-2", d1);
	if (strlen(d2) == strlen(suffixed))
		assert_string_equal(d2, suffixed);
}

/*
 * Pre-create <bench>-<stamp> and <bench>-<stamp>-2 for this second and the
 * next (the clock may tick between our stamp and results_mkdir's): the new
 * directory must be "-3" of one of them, never an existing one.
 */
static void test_mkdir_never_reuses(void **state)
{
	const char *base = *state;
	char stamps[2][STAMP_LEN], p[PATH_MAX], dir[PATH_MAX], err[ERR_LEN] = "";
	time_t now = time(NULL);
	bool match = false;

	for (int s = 0; s < 2; s++) {
		stamp_at(now + s, stamps[s], sizeof(stamps[s]));
		snprintf(p, sizeof(p), "%s/x-%s", base, stamps[s]);
		assert_int_equal(mkdir(p, 0755), 0);
		snprintf(p, sizeof(p), "%s/x-%s-2", base, stamps[s]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	assert_int_equal(results_mkdir(base, "x", dir, sizeof(dir), err,
				       sizeof(err)), 0);
	for (int s = 0; s < 2; s++) {
		snprintf(p, sizeof(p), "%s/x-%s-3", base, stamps[s]);
		match |= !strcmp(dir, p);
	}
	if (!match)
		fprintf(stderr, "# got %s, expected x-%s-3 or x-%s-3\n", dir,
			stamps[0], stamps[1]);
	assert_true(match);
}

static void test_mkdir_missing_parent_names_path(void **state)
{
	char base[PATH_MAX], dir[PATH_MAX], err[ERR_LEN] = "";

	snprintf(base, sizeof(base), "%s/no/such", (char *)*state);
	assert_int_equal(results_mkdir(base, "b", dir, sizeof(dir), err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, base));
	assert_non_null(strstr(err, "mkdir"));
}

/* ---- results_write ----------------------------------------------------- */

static void test_write_replaces_atomically(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], err[ERR_LEN] = "", names[256], *got;
	const char *first = "a,b\n1,2\n", *second = "x\n";

	snprintf(path, sizeof(path), "%s/f.csv", dir);
	assert_int_equal(results_write(dir, "f.csv", first, strlen(first), err,
				       sizeof(err)), 0);
	got = slurp(path);
	assert_string_equal(got, first);
	free(got);
	/* Shorter content: the old tail must not survive. */
	assert_int_equal(results_write(dir, "f.csv", second, strlen(second), err,
				       sizeof(err)), 0);
	got = slurp(path);
	assert_string_equal(got, second);
	free(got);
	assert_int_equal(list_dir(dir, names, sizeof(names)), 1);
	assert_string_equal(names, "f.csv");
}

static void test_write_empty_file(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], err[ERR_LEN] = "";
	struct stat st;

	assert_int_equal(results_write(dir, "empty", "", 0, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/empty", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
}

static void test_write_missing_dir_fails_cleanly(void **state)
{
	const char *dir = *state;
	char missing[PATH_MAX], err[ERR_LEN] = "", names[256];

	snprintf(missing, sizeof(missing), "%s/gone", dir);
	assert_int_equal(results_write(missing, "meta.json", "{}", 2, err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, missing));
	assert_false(is_dir(missing));
	assert_int_equal(list_dir(dir, names, sizeof(names)), 0);
}

/* A directory in the way: rename() fails; the temporary file must go. */
static void test_write_rename_fails_cleanly(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], err[ERR_LEN] = "", names[256];

	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(results_write(dir, "summary.csv", "x\n", 2, err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, "summary.csv"));
	assert_int_equal(list_dir(dir, names, sizeof(names)), 1);
	assert_string_equal(names, "summary.csv");
	assert_true(is_dir(path));
}

static void test_write_json_parses_back(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], err[ERR_LEN] = "", names[256];
	json_t *j = json_pack("{s:s, s:i, s:f, s:[s,s], s:{s:b}}",
			      "command", "gupsync run gup-fast --threads=1,2",
			      "trials", 10, "median", 52.125, "modes", "private",
			      "shared", "machine", "kvm", 1);
	json_error_t jerr;
	json_t *back;

	assert_non_null(j);
	assert_int_equal(results_write_json(dir, "meta.json", j, err,
					    sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	back = json_load_file(path, 0, &jerr);
	if (!back)
		fprintf(stderr, "# %s: %s (line %d)\n", path, jerr.text, jerr.line);
	assert_non_null(back);
	assert_true(json_equal(j, back));
	assert_int_equal(list_dir(dir, names, sizeof(names)), 1);
	json_decref(back);
	json_decref(j);
}

/* ---- textbuf ----------------------------------------------------------- */

static void test_textbuf_rewrites_growing_file(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], err[ERR_LEN] = "", *got;
	struct textbuf t;

	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	assert_int_equal(textbuf_open(&t), 0);
	fputs("threads,trial\n1,0\n", t.f);
	assert_int_equal(textbuf_flush_to(&t, dir, "trials.csv", err,
					  sizeof(err)), 0);
	fputs("1,1\n", t.f);
	assert_int_equal(textbuf_flush_to(&t, dir, "trials.csv", err,
					  sizeof(err)), 0);
	got = slurp(path);
	assert_string_equal(got, "threads,trial\n1,0\n1,1\n");
	free(got);
	textbuf_close(&t);
	assert_null(t.f);
	assert_null(t.data);
	textbuf_close(&t); /* twice is harmless */
}

/* ---- csv_field, csv_num ------------------------------------------------ */

/* Run one writer on a memstream and return what it wrote. */
static char *capture_field(const char *s, int first)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	csv_field(f, s, first);
	fclose(f);
	return buf;
}

static char *capture_num(double v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	csv_num(f, v);
	fclose(f);
	return buf;
}

static void check_field(const char *in, int first, const char *want)
{
	char *got = capture_field(in, first);

	assert_string_equal(got, want);
	free(got);
}

static void check_num(double v, const char *want)
{
	char *got = capture_num(v);

	assert_string_equal(got, want);
	free(got);
}

static void test_csv_field_quoting(void **state)
{
	(void)state;
	check_field("gup_fast_ns", 1, "gup_fast_ns");
	check_field("gup_fast_ns", 0, ",gup_fast_ns");
	check_field("", 1, "");
	check_field("", 0, ",");
	check_field("0,1", 1, "\"0,1\"");
	check_field("0,1", 0, ",\"0,1\"");
	check_field("say \"hi\"", 1, "\"say \"\"hi\"\"\"");
	check_field("\"", 1, "\"\"\"\"");
	check_field("two\nlines", 1, "\"two\nlines\"");
	check_field("a, \"b\"\nc", 0, ",\"a, \"\"b\"\"\nc\"");
	check_field(" spaced ", 1, " spaced ");
}

static void test_csv_num(void **state)
{
	(void)state;
	check_num(NAN, "NA");
	check_num(-NAN, "NA");
	check_num(0, "0");
	check_num(1.5, "1.5");
	check_num(-2.25, "-2.25");
	check_num(52, "52");
	check_num(1.0 / 3.0, "0.333333333");
	check_num(123456789.0, "123456789");
	check_num(1234567890.0, "1.23456789e+09");
	check_num(3.15e6, "3150000");
	check_num(1e-10, "1e-10");
	/* 9 significant digits survive a round trip through the file. */
	{
		char *got = capture_num(79.3212345678);

		assert_float_equal(strtod(got, NULL), 79.3212346, 1e-9);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mkdir_creates_base_and_run_dir,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_mkdir_twice_gets_two_dirs,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_mkdir_never_reuses,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_mkdir_missing_parent_names_path,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_replaces_atomically,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_empty_file,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_missing_dir_fails_cleanly,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_rename_fails_cleanly,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_json_parses_back,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_textbuf_rewrites_growing_file,
						setup_tmp, teardown_tmp),
		cmocka_unit_test(test_csv_field_quoting),
		cmocka_unit_test(test_csv_num),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
