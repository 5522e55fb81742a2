// SPDX-License-Identifier: GPL-2.0
/*
 * test_bench_check.c - descriptor validation (bench_check(), lib/bench.c):
 * a good fake descriptor passes; each bad one, made from it by breaking
 * one thing, is rejected with a message that names the benchmark and the
 * fault.  Every registered benchmark (this test links bench/ as gupsync
 * does) passes bench_check_all(), which gupsync also runs at start-up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench.h"
#include "run.h"

struct fake_conf {
	uint64_t size;
	int load;
};

static const char *const loads[] = { "idle", "spin", NULL };

static const struct opt_spec fake_opts[] = {
	{ .name = "size", .type = OPT_U64, .help = "how big", .def = "1",
	  .min = 1, .max = 8, .list = true,
	  .offset = offsetof(struct fake_conf, size) },
	{ NULL },
};

static const struct opt_spec rcu_opts[] = {
	{ .name = "load", .type = OPT_ENUM, .help = "what the others do",
	  .def = "idle", .choices = loads, .list = true,
	  .offset = offsetof(struct fake_conf, load) },
	{ NULL },
};

static const struct opt_spec clash_opts[] = {
	{ .name = "threads", .type = OPT_U64, .help = "mine", .def = "1",
	  .max = 2, .offset = 0 },
	{ NULL },
};

static const struct opt_spec past_opts[] = {
	{ .name = "size", .type = OPT_U64, .help = "how big", .def = "1",
	  .max = 8, .offset = sizeof(struct fake_conf) },
	{ NULL },
};

static const struct metric_spec fake_metrics[] = {
	{ .name = "fake_ns", .unit = "ns", .better = BETTER_LOWER,
	  .headline = true },
	{ .name = "fake_rel", .unit = "1", .better = BETTER_NONE },
};

static const struct metric_spec twice_metrics[] = {
	{ .name = "fake_ns", .unit = "ns", .better = BETTER_LOWER,
	  .headline = true },
	{ .name = "fake_ns", .unit = "ns", .better = BETTER_LOWER },
};

static const struct metric_spec no_headline[] = {
	{ .name = "fake_ns", .unit = "ns", .better = BETTER_LOWER },
};

static const struct metric_spec bad_better[] = {
	{ .name = "fake_ns", .unit = "ns", .better = 7, .headline = true },
};

static void fake_loop(struct worker *w)
{
	(void)w;
}

static int fake_op(struct worker *w)
{
	(void)w;
	return 0;
}

static void fake_derive(struct point *pt, const struct mode_result *res,
			double *val)
{
	(void)pt;
	(void)res;
	val[0] = 0;
}

static const struct bench good = {
	.name = "fake-good",
	.summary = "a benchmark that is never run",
	.kernel_path = "nowhere",
	.kind = BENCH_THROUGHPUT,
	.opts = fake_opts,
	.conf_size = sizeof(struct fake_conf),
	.modes = { { "base", "nothing", false }, { "test", "something", false },
		   { "proof", "proof only", true } },
	.pair = { .base = 0, .test = 1 },
	.counters = { "tp:fake/event", "sw:context-switches" },
	.loop = fake_loop,
	.bg_loop = fake_loop,
	METRIC_TABLE(fake_metrics),
	.derive = fake_derive,
	.sweep = { .order = 5, .short_args = "--threads=%T --size=1,2",
		   .full_args = "--bg-threads=%G --size=%N --placement=compact" },
};

static const char *harness_name(void)
{
	return run_harness_opts()[0].name;
}

/* b is rejected, and the message names it and holds want. */
static void rejected(const struct bench *b, const char *want)
{
	char err[256] = "";

	if (bench_check(b, run_harness_opts(), err, sizeof(err)) == 0)
		fail_msg("accepted, want rejected with '%s'", want);
	if (strncmp(err, b->name ? b->name : "(no name)", 4) || !strstr(err, want))
		fail_msg("message '%s', want the name and '%s'", err, want);
}

static void test_good(void **state)
{
	struct bench rcu = good;
	char err[256] = "";

	(void)state;
	assert_int_equal(bench_check(&good, run_harness_opts(), err,
				     sizeof(err)), 0);
	rcu.variant = VARIANT_RCU;
	rcu.opts = rcu_opts;
	rcu.sweep = (struct bench_sweep){ 0 };
	assert_int_equal(bench_check(&rcu, run_harness_opts(), err,
				     sizeof(err)), 0);
}

static void test_bad_kind(void **state)
{
	struct bench b;

	(void)state;
	b = good, b.name = "Fake";
	rejected(&b, "name must be");
	b = good, b.kernel_path = NULL;
	rejected(&b, "no summary or no kernel_path");
	b = good, b.loop = NULL;
	rejected(&b, "BENCH_THROUGHPUT needs loop()");
	b = good, b.op = fake_op;
	rejected(&b, "BENCH_THROUGHPUT needs loop() and no op()");
	b = good, b.kind = BENCH_LATENCY, b.loop = NULL, b.pair.test = 0;
	rejected(&b, "BENCH_LATENCY needs op()");
	b = good, b.kind = 9;
	rejected(&b, "kind 9");
}

static void test_bad_modes(void **state)
{
	struct bench b;
	char err[256] = "";

	(void)state;
	b = good, memset(b.modes, 0, sizeof(b.modes)), b.pair.test = 0;
	rejected(&b, "no mode");
	b = good, b.modes[1] = (struct bench_mode){ NULL, NULL, false };
	rejected(&b, "mode 2 follows an empty one");
	b = good, b.modes[0].proof_only = true;
	rejected(&b, "mode 0 (base) is proof_only");
	b = good, b.modes[1].name = "base";
	rejected(&b, "mode base twice");
	b = good, b.modes[1].what = "";
	rejected(&b, "mode 1: name must be");
	b = good, b.pair.test = 3;
	rejected(&b, "pair 0/3: not two of its 3 modes");
	b = good, b.pair.test = 2;
	rejected(&b, "a proof_only mode");
	b = good, b.pair = (struct bench_pair){ 1, 1 };
	rejected(&b, "pair 1/1");
	/* A latency pair alternates calls in slices (rcu-wait). */
	b = good, b.kind = BENCH_LATENCY, b.loop = NULL, b.op = fake_op;
	assert_int_equal(bench_check(&b, run_harness_opts(), err, sizeof(err)), 0);
}

static void test_bad_counters(void **state)
{
	struct bench b;

	(void)state;
	b = good, b.counters[0] = NULL;
	rejected(&b, "counter 1 follows an empty one");
	b = good, b.counters[1] = "context-switches";
	rejected(&b, "counter 1 'context-switches' is no spec");
	b = good, b.counters[1] = b.counters[0];
	rejected(&b, "counter tp:fake/event twice");
}

static void test_bad_metrics(void **state)
{
	struct bench b;

	(void)state;
	b = good, b.derive = NULL;
	rejected(&b, "metrics, nmetrics and derive() go together");
	b = good, b.nmetrics = 0;
	rejected(&b, "go together");
	b = good, b.nmetrics = BENCH_MAX_METRICS + 1;
	rejected(&b, "at most");
	b = good;
	b.metrics = twice_metrics;
	rejected(&b, "metric fake_ns twice");
	b = good, b.metrics = no_headline, b.nmetrics = 1;
	rejected(&b, "no headline metric");
	b = good, b.metrics = bad_better, b.nmetrics = 1;
	rejected(&b, "metric fake_ns: better is 7");
}

static void test_bad_opts(void **state)
{
	struct bench b;

	(void)state;
	assert_string_equal(harness_name(), "threads");
	b = good, b.conf_size = 0;
	rejected(&b, "opts and conf_size go together");
	b = good, b.opts = clash_opts;
	rejected(&b, "option --threads is the harness's");
	b = good, b.opts = past_opts;
	rejected(&b, "option --size: offset 16 is past conf_size 16");
}

static void test_bad_roles(void **state)
{
	char err[256];
	struct bench b;

	(void)state;
	b = good, b.sweep.full_args = NULL;
	rejected(&b, "sweep order 5 without both sets");
	b = good, b.sweep.order = 0;
	rejected(&b, "sweep sets without an order");
	b = good, b.sweep.short_args = "--threads=%T --sise=1";
	rejected(&b, "sweep short set \"--threads=%T --sise=1\": ");
	b = good, b.sweep.full_args = "--size=9";
	rejected(&b, "sweep full set \"--size=9\": ");
	b = good, b.bg_loop = NULL;
	rejected(&b, "sweep full set \"--bg-threads=%G --size=%N "
		 "--placement=compact\": background workers without bg_loop()");
	b = good, b.bg_loop = NULL, b.sweep.full_args = "--bg-threads=0";
	assert_int_equal(bench_check(&b, run_harness_opts(), err,
				     sizeof(err)), 0);
	b = good, b.variant = VARIANT_RCU;
	rejected(&b, "its variants role needs option --load");
	b = good, b.variant = VARIANT_IPI;
	rejected(&b, "its variants role needs option --cmd");
	b = good, b.variant = VARIANT_K_IPI, b.bg_loop = NULL;
	b.sweep = (struct bench_sweep){ 0 };
	rejected(&b, "a variants role needs bg_loop()");
	b = good, b.variant = 12;
	rejected(&b, "variant 12 is no role");
}

/* The real ones: each passes, and none shares a name, a sweep order or
 * a variants role with another. */
static void test_registered(void **state)
{
	const struct bench **all;
	char err[256] = "";

	(void)state;
	assert_true(bench_all(&all) >= 1);
	if (bench_check_all(run_harness_opts(), err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad_kind),
		cmocka_unit_test(test_bad_modes),
		cmocka_unit_test(test_bad_counters),
		cmocka_unit_test(test_bad_metrics),
		cmocka_unit_test(test_bad_opts),
		cmocka_unit_test(test_bad_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
