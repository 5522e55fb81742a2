// SPDX-License-Identifier: GPL-2.0
/*
 * test_variants.c - `gupsync variants` (cmd/variants*.c) on tiny run
 * directories written under a mkdtemp() directory: meta.json and
 * summary.csv with the parameter and metric names that ipi-broadcast,
 * rcu-wait, k-ipi and k-rcu write.  Checks the rows (which point each
 * cell comes from, the number format), "--" and its note for missing
 * data, the width and '#' rule of the text, and the error paths.  No
 * benchmark runs and nothing is timed.
 */
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

#include "bench.h"
#include "options.h"
#include "variants.h"
#include "variants_text.h"

/* The variants find their benchmarks by descriptor (.variant), not by
 * name: the test registers descriptors of its own with the four roles
 * (the bench/ objects are not linked into tests). */
static const struct bench ipi_bench = { .name = "ipi-broadcast",
					.variant = VARIANT_IPI };
static const struct bench rcu_bench = { .name = "rcu-wait",
					.variant = VARIANT_RCU };
static const struct bench kipi_bench = { .name = "k-ipi",
					 .variant = VARIANT_K_IPI };
static const struct bench krcu_bench = { .name = "k-rcu",
					 .variant = VARIANT_K_RCU };
BENCH_REGISTER(ipi_bench);
BENCH_REGISTER(rcu_bench);
BENCH_REGISTER(kipi_bench);
BENCH_REGISTER(krcu_bench);

#define ERR_LEN 1024
#define SUMMARY_TAIL "metric,unit,better,n,median,ci_lo,ci_hi,ci_level\n"
#define IPI_PARAMS "threads,bg-threads,placement,cmd,victim,target-level,"
#define RCU_PARAMS "threads,bg-threads,placement,load,"
#define K_PARAMS "threads,bg-threads,placement,batch,"

static char base[64];

static const char *const machine =
	"\"machine\": {\"kernel\": {\"release\": \"6.99-test\", \"machine\": "
	"\"x86_64\"}, \"cpu\": {\"model\": \"Test CPU\", \"hypervisor\": "
	"\"KVM\"}, \"topology\": {\"available\": true, \"pus\": 4}, "
	"\"config\": {\"HZ\": \"250\", \"preempt_model\": \"none\"}}";

/* base/name with meta.json ('points' is the JSON array) and summary.csv. */
static char *make_run(const char *name, const char *bench, const char *points,
		      const char *summary)
{
	static char dir[8][128];
	static int next;
	char meta[2048];
	char *d = dir[next++ % 8];

	snprintf(d, sizeof(dir[0]), "%s/%s", base, name);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(meta, sizeof(meta), "{\"bench\": {\"name\": \"%s\"}, %s, "
		 "\"method\": {\"trials\": 6, \"duration_ns\": 100000000}, "
		 "\"points\": [%s]}", bench, machine, points);
	write_whole(d, "meta.json", meta);
	write_whole(d, "summary.csv", summary);
	return d;
}

static const char ipi_summary[] = IPI_PARAMS SUMMARY_TAIL
	"1,0,compact,private,spin,any,op_p50_ns,ns,lower,6,501,480,520,0.97\n"
	"1,0,compact,private,spin,any,ipis_per_op,1,,6,0.0003,-0.002,0.01,0.97\n"
	"1,1,compact,private,spin,any,op_p50_ns,ns,lower,6,4600,500,10800,0.97\n"
	"1,1,compact,private,spin,any,ipis_per_op,1,,6,0.56,0.4,0.9,0.97\n"
	"1,1,compact,private,spin,any,victim_slowdown_pct,%,lower,6,53.6,1,90,0.97\n"
	/* another placement and victim: not the first point's, not selected */
	"1,1,scatter,private,spin,any,op_p50_ns,ns,lower,6,9999,9000,11000,0.97\n"
	"1,1,compact,private,sleep,any,op_p50_ns,ns,lower,6,777,700,800,0.97\n"
	"1,2,compact,private,spin,any,op_p50_ns,ns,lower,6,12500,9000,NA,0.97\n";

static const char ipi_points[] =
	"{\"params\": {\"threads\": \"1\", \"bg-threads\": \"2\", \"placement\": "
	"\"compact\", \"cmd\": \"private\", \"victim\": \"spin\", "
	"\"target-level\": \"any\"}, \"status\": \"done\", \"proven\": false, "
	"\"proof\": \"fewer IPIs than targets\", \"notes\": {}}";

static const char rcu_summary[] = RCU_PARAMS SUMMARY_TAIL
	"1,0,compact,idle,sync_rcu_us,us,lower,6,14938.2,12000,16000,0.97\n"
	"1,0,compact,idle,sync_rcu_exp_us,us,lower,6,58.24,55.78,76.58,0.97\n"
	"1,0,compact,idle,exp_ipis_per_call,1,lower,6,1.0003,1,1.001,0.97\n"
	"1,1,compact,idle,sync_rcu_us,us,lower,6,999,900,1100,0.97\n"
	"1,1,compact,spin,sync_rcu_us,us,lower,6,8012,8000,16000,0.97\n"
	"1,1,compact,spin,sync_rcu_exp_us,us,lower,6,36.45,31.37,50.69,0.97\n"
	"1,1,compact,spin,exp_ipis_per_call,1,lower,6,1,1,1,0.97\n"
	"1,1,compact,spin,exp_bg_loss_pct,%,lower,6,-7.5,-120,43,0.97\n";

static const char rcu_points[] =
	"{\"params\": {\"threads\": \"1\", \"bg-threads\": \"3\", \"placement\": "
	"\"compact\", \"load\": \"spin\"}, \"status\": \"skipped\", \"proven\": "
	"false, \"proof\": \"\", \"reason\": \"test reason\", \"notes\": {}}";

static int setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/test_variants.XXXXXX");
	return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rm_tree(base);
}

/* The report of dirs, in a malloc'd string; *rc its return value. */
static char *report(char *const *dirs, size_t n,
		    const struct variants_sel *sel, int *rc, char *err)
{
	static const struct variants_sel dflt = VARIANTS_SEL_DEFAULT;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	err[0] = '\0';
	*rc = variants_report(f, dirs, n, sel ? sel : &dflt, err, ERR_LEN);
	assert_int_equal(fclose(f), 0);
	return text;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, line, n) && (p[n] == '\n' || !p[n]))
			return true;
	return false;
}

static void expect_line(const char *text, const char *line)
{
	if (has_line(text, line))
		return;
	fprintf(stderr, "missing line:\n%s\nin:\n%s", line, text);
	fail();
}

static void expect_text(const char *text, const char *part)
{
	if (strstr(text, part))
		return;
	fprintf(stderr, "missing '%s' in:\n%s", part, text);
	fail();
}

/* The usual ipi-broadcast and rcu-wait runs; dirs gets their paths. */
static void make_both(char **dirs)
{
	dirs[0] = make_run("ipi", "ipi-broadcast", ipi_points, ipi_summary);
	dirs[1] = make_run("rcu", "rcu-wait", rcu_points, rcu_summary);
}

/* Their report (sel NULL: the default selection). */
static char *report_both(char **dirs, const struct variants_sel *sel)
{
	char err[ERR_LEN], *out;
	int rc;

	make_both(dirs);
	out = report(dirs, 2, sel, &rc, err);
	assert_int_equal(rc, 0);
	return out;
}

/* ---- rows ------------------------------------------------------------- */

static void test_rows(void **state)
{
	char *dirs[2], *out;

	(void)state;
	out = report_both(dirs, NULL);
	expect_line(out, " n ipi_us [95% CI]      ipis slow%  sync exp_us "
		    "[95% CI]      ipis loss%");
	/* n=0: no victim, no load: their columns are "--" */
	expect_line(out, " 0  0.50 [0.48,0.52]    0.00    -- 14.9k  58.2 "
		    "[55.8,76.6]    1.00    --");
	/* n=1: placement compact (the first point), victim and load spin */
	expect_line(out, " 1  4.60 [0.50,10.8]    0.56  53.6 8.01k  36.5 "
		    "[31.4,50.7]    1.00 -7.50");
	/* n=2: a CI bound missing; no rcu-wait point */
	expect_line(out, " 2  12.5 [9.00,--]        --    --    --    --"
		    "                  --    --");
	/* n=3: only a skipped rcu-wait point */
	expect_line(out, " 3    --                  --    --    --    --"
		    "                  --    --");
	expect_text(out, "# machine: 6.99-test x86_64, Test CPU, 4 PUs, KVM guest");
	expect_text(out, "# method: ipi-broadcast ipi: 6 trials x 100 ms per mode;");
	free(out);
}

static void test_missing_notes(void **state)
{
	char err[ERR_LEN], *dirs[2], *out;
	int rc;

	(void)state;
	out = report_both(dirs, NULL);
	expect_line(out, "# -- ipi-broadcast slow% (n=0): no busy other CPU: nothing to "
		    "slow down");
	expect_line(out, "# -- rcu-wait (n=2): no point with bg-threads=n, load=spin");
	expect_line(out, "# -- rcu-wait (n=3): point skipped: test reason");
	expect_text(out, "# -- ipi-broadcast (n=3): no point with bg-threads=n, "
		    "cmd=private,");
	expect_line(out, "# -- ipi-broadcast ipis (n=2): ipis_per_op has no "
		    "value in");
	expect_text(out, "\n#     ipi/summary.csv (not measured or not counted)");
	expect_text(out, "# !! ipi-broadcast (n=2): unproven (ipi): fewer IPIs");
	expect_text(out, "# -- ipi-broadcast ipi_us (n=2): a CI bound missing in "
		    "ipi/summary.csv");
	free(out);

	/* No rcu-wait run at all: one note, every rcu column "--". */
	out = report(dirs, 1, NULL, &rc, err);
	assert_int_equal(rc, 0);
	expect_line(out, "# -- rcu-wait: no run of it given");
	expect_line(out, " 1  4.60 [0.50,10.8]    0.56  53.6    --    --"
		    "                  --    --");
	assert_null(strstr(out, "kipi_us"));	/* no kernel table */
	free(out);
}

static void test_selection(void **state)
{
	const struct variants_sel sel = { "private", "sleep", "idle" };
	char *dirs[2], *out;

	(void)state;
	out = report_both(dirs, &sel);
	expect_line(out, " 1  0.78 [0.70,0.80]      --    --   999    --"
		    "                  --    --");
	expect_text(out, "victim=sleep");
	free(out);
}

/* The number format on its own: 3 significant digits in 5 columns. */
static void test_numbers(void **state)
{
	static const struct { double v; const char *s; } cases[] = {
		{ 0.5, "0.50" }, { 58.24, "58.2" }, { 501, "501" },
		{ 14938.2, "14.9k" }, { -3.191, "-3.19" }, { -0.001, "0.00" },
		{ -123456789, "-123M" }, { -1e12, "-1.0T" }, { 1e20, "?" },
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vt_num(cases[i].v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].s);
	}
	vt_num(NAN, buf, sizeof(buf));
	assert_string_equal(buf, "--");
}

/* Every line at most 72 columns, no tab; what is not a table line is
 * commentary starting with '#'. */
static void check_shape(const char *out)
{
	for (const char *p = out; *p;) {
		size_t n = strcspn(p, "\n");

		if (n > VARIANTS_WIDTH || memchr(p, '\t', n)) {
			fprintf(stderr, "bad line: %.*s\n", (int)n, p);
			fail();
		}
		if (p[0] != '#' && strncmp(p, " n ", 3) &&
		    !(p[0] == ' ' || (p[0] >= '0' && p[0] <= '9'))) {
			fprintf(stderr, "not commentary: %.*s\n", (int)n, p);
			fail();
		}
		p += n + (p[n] == '\n');
	}
}

static void test_width(void **state)
{
	static const char wide[] = IPI_PARAMS SUMMARY_TAIL
		"1,0,compact,private,spin,any,op_p50_ns,ns,lower,6,"
		"123456789,-99999999,-1e15,0.97\n"
		"1,0,compact,private,spin,any,ipis_per_op,1,,6,1234,0,0,0.97\n";
	char err[ERR_LEN], *dirs[1], *out;
	char long_name[] = "a-run-directory-with-a-very-long-name-that-does-not-"
			   "fit-on-one-line-of-seventy-two";
	int rc;

	(void)state;
	dirs[0] = make_run(long_name, "ipi-broadcast", "", wide);
	out = report(dirs, 1, NULL, &rc, err);
	assert_int_equal(rc, 0);
	check_shape(out);
	expect_text(out, " 0  123k [-100k,-1.0T] 1.23k");
	free(out);
	dirs[0] = make_run("ipi", "ipi-broadcast", ipi_points, ipi_summary);
	out = report(dirs, 1, NULL, &rc, err);
	check_shape(out);
	free(out);
}

static void test_kernel_table(void **state)
{
	static const char kipi[] = K_PARAMS SUMMARY_TAIL
		"1,0,compact,64,all_ipi_ns,ns,lower,6,2100,2000,2300,0.97\n"
		"1,0,compact,64,all_targets,1,,6,3,3,3,0.97\n";
	static const char krcu[] = K_PARAMS SUMMARY_TAIL
		"1,0,compact,8,sync_rcu_ns,ns,lower,6,12000000,8000000,16000000,0.97\n"
		"1,0,compact,8,sync_rcu_exp_ns,ns,lower,6,25000,20000,30000,0.97\n";
	char err[ERR_LEN], *dirs[3], *out;
	int rc;

	(void)state;
	dirs[0] = make_run("kipi", "k-ipi", "", kipi);
	dirs[1] = make_run("krcu", "k-rcu", "", krcu);
	dirs[2] = make_run("ipi", "ipi-broadcast", ipi_points, ipi_summary);
	out = report(dirs, 3, NULL, &rc, err);
	assert_int_equal(rc, 0);
	check_shape(out);
	expect_line(out, " n kipi_us [95% CI]     tgts ksync kexp_us [95% CI]");
	expect_line(out, " 0  2.10 [2.00,2.30]    3.00 12.0k  25.0 [20.0,30.0]");
	expect_line(out, " 1    --                  --    --    --");
	expect_line(out, "# -- k-ipi (n=1,2): no point with bg-threads=n");
	free(out);
}

/* A directory of run directories (what the run mode leaves). */
static void test_dir_of_runs(void **state)
{
	char err[ERR_LEN], *dirs[1] = { base }, *runs[2], *out;
	int rc;

	(void)state;
	make_both(runs);
	out = report(dirs, 1, NULL, &rc, err);
	assert_int_equal(rc, 0);
	expect_line(out, " 1  4.60 [0.50,10.8]    0.56  53.6 8.01k  36.5 "
		    "[31.4,50.7]    1.00 -7.50");
	free(out);
}

/* ---- errors ------------------------------------------------------------ */

static void test_errors(void **state)
{
	char err[ERR_LEN], *dirs[2], *out, empty[128];
	int rc;

	(void)state;
	snprintf(empty, sizeof(empty), "%s/empty", base);
	assert_int_equal(mkdir(empty, 0755), 0);
	dirs[0] = empty;
	out = report(dirs, 1, NULL, &rc, err);
	assert_int_equal(rc, EXIT_USAGE);
	expect_text(err, "is not a run directory");
	assert_int_equal(strlen(out), 0);
	free(out);

	dirs[0] = make_run("ipi", "ipi-broadcast", ipi_points, ipi_summary);
	dirs[1] = make_run("gup", "gup-fast", "",
			   "threads,metric,unit,better,n,median\n1,x,1,,1,1\n");
	out = report(dirs, 2, NULL, &rc, err);
	assert_int_equal(rc, EXIT_USAGE);
	expect_text(err, "is a run of gup-fast; allowed: runs of ipi-broadcast");
	free(out);

	dirs[0] = "/nonexistent/gupsync-run";
	out = report(dirs, 1, NULL, &rc, err);
	assert_int_equal(rc, EXIT_USAGE);
	expect_text(err, "/nonexistent/gupsync-run is not a run directory");
	free(out);
}

/* The command's own errors go to stderr and exit 2, before any run. */
static void test_bad_options(void **state)
{
	char *bad_cmd[] = { "variants", "--cmd=bogus", "x", NULL };
	char *unknown[] = { "variants", "--frobnicate", NULL };
	char *out_with_dirs[] = { "variants", "--output=/tmp", base, NULL };
	char *no_value[] = { "variants", "--victim", NULL };

	(void)state;
	assert_int_equal(cmd_variants(3, bad_cmd, NULL), EXIT_USAGE);
	assert_int_equal(cmd_variants(2, unknown, NULL), EXIT_USAGE);
	assert_int_equal(cmd_variants(3, out_with_dirs, NULL), EXIT_USAGE);
	assert_int_equal(cmd_variants(2, no_value, NULL), EXIT_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_notes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selection, setup, teardown),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test_setup_teardown(test_width, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_of_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
