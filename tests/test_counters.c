// SPDX-License-Identifier: GPL-2.0
/*
 * test_counters.c - /proc/interrupts parsing on a fixture (sums, per-CPU
 * values, missing and malformed rows), counter spec parsing and naming,
 * and, as root, real software counters and a bogus tracepoint.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "counters.h"

#define FIXTURE_NAME "fixtures/interrupts"
#define FIXTURE_CPUS 4
#define MAX_SPECS 8

static char fixture[PATH_MAX];

/* The fixture sits beside this source file; tests run from the repo root
 * (make test), where __FILE__ ("tests/test_counters.c") is a valid path. */
static int group_setup(void **state)
{
	const char *slash = strrchr(__FILE__, '/');
	int dir = slash ? (int)(slash - __FILE__ + 1) : 0;

	(void)state;
	snprintf(fixture, sizeof(fixture), "%.*s%s", dir, __FILE__,
		 FIXTURE_NAME);
	if (access(fixture, R_OK) != 0) {
		fprintf(stderr, "fixture %s: %s (run from the repo root)\n",
			fixture, strerror(errno));
		return -1;
	}
	return 0;
}

static uint64_t row_sum(const char *row)
{
	uint64_t v = 0;

	if (interrupts_row(fixture, row, &v) != 0)
		fail_msg("interrupts_row(%s): %s", row, strerror(errno));
	return v;
}

static void test_irq_sums(void **state)
{
	(void)state;
	assert_int_equal(row_sum("CAL"), 24513 + 19868 + 100 + 1);
	assert_int_equal(row_sum("LOC"), 10242 + 9785 + 10001 + 10002);
	/* a value past 32 bits */
	assert_true(row_sum("TLB") == 1438ULL + 1264 + 0 + 5000000000ULL);
	/* numbered rows stop at the chip name, digits in it notwithstanding */
	assert_int_equal(row_sum("24"), 1 + 2 + 3 + 4);
	assert_int_equal(row_sum("28"), 10 + 7);
	assert_int_equal(row_sum("NMI"), 0);
}

static void test_irq_percpu(void **state)
{
	uint64_t v[FIXTURE_CPUS + 2] = { 0 };
	size_t n = 0;

	(void)state;
	assert_int_equal(interrupts_row_percpu(fixture, "CAL", v,
					       FIXTURE_CPUS + 2, &n), 0);
	assert_int_equal(n, FIXTURE_CPUS);
	assert_int_equal(v[0], 24513);
	assert_int_equal(v[1], 19868);
	assert_int_equal(v[2], 100);
	assert_int_equal(v[3], 1);
	assert_int_equal(v[4], 0); /* untouched past n */

	/* cap smaller than the CPU count: fills cap, still reports n */
	memset(v, 0, sizeof(v));
	assert_int_equal(interrupts_row_percpu(fixture, "RES", v, 2, &n), 0);
	assert_int_equal(n, FIXTURE_CPUS);
	assert_int_equal(v[0], 5548);
	assert_int_equal(v[1], 2729);
	assert_int_equal(v[2], 0);
}

static void test_irq_short_rows(void **state)
{
	uint64_t v[FIXTURE_CPUS] = { 0 };
	size_t n = 0;

	(void)state;
	assert_int_equal(interrupts_row_percpu(fixture, "SHORT", v,
					       FIXTURE_CPUS, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0] + v[1], 15);
	assert_int_equal(row_sum("ERR"), 3); /* one total, no per-CPU columns */
	assert_int_equal(row_sum("MIS"), 0);
}

static void test_irq_missing_and_malformed(void **state)
{
	uint64_t v = 0;

	(void)state;
	errno = 0;
	assert_int_equal(interrupts_row(fixture, "NOPE", &v), -1);
	assert_int_equal(errno, ENOENT);
	/* a prefix of a row name is not that row */
	errno = 0;
	assert_int_equal(interrupts_row(fixture, "CA", &v), -1);
	assert_int_equal(errno, ENOENT);
	/* the row exists but carries no counts */
	errno = 0;
	assert_int_equal(interrupts_row(fixture, "BAD", &v), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(interrupts_row("/nonexistent/interrupts", "CAL", &v),
			 -1);
	assert_int_equal(errno, ENOENT);
}

/* Names do not depend on whether the counter could be opened. */
static void test_names(void **state)
{
	static const char *const specs[] = {
		"hw:cycles", "hw:instructions", "sw:context-switches",
		"sw:task-clock", "tp:ipi:ipi_send_cpu",
		"tp:tlb:tlb_flush:reason==1", "irq:CAL",
	};
	static const char *const names[] = {
		"cycles", "instructions", "context_switches", "task_clock",
		"ipi_send_cpu", "tlb_flush_reason_1", "irq_CAL",
	};
	size_t n = sizeof(specs) / sizeof(specs[0]);
	struct counters *c = counters_open(specs, n);

	(void)state;
	assert_non_null(c);
	assert_int_equal(counters_n(c), n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(counter_spec(c, i), specs[i]);
		assert_string_equal(counter_name(c, i), names[i]);
		if (counter_ok(c, i))
			assert_string_equal(counter_why(c, i), "");
		else
			assert_true(strlen(counter_why(c, i)) > 0);
	}
	counters_close(c);
}

static void test_bad_specs(void **state)
{
	static const char *const specs[] = {
		"", "foo", "hw:nosuch", "sw:", "tp:", "tp:onlysubsystem",
		"irq:", NULL,
	};
	size_t n = sizeof(specs) / sizeof(specs[0]);
	struct counters *c = counters_open(specs, n);
	uint64_t vals[MAX_SPECS];
	char why[COUNTER_WHY_LEN] = "";

	(void)state;
	assert_non_null(c);
	for (size_t i = 0; i < n; i++) {
		assert_false(counter_ok(c, i));
		assert_true(strlen(counter_why(c, i)) > 0);
	}
	assert_non_null(strstr(counter_why(c, 1), "foo"));
	assert_non_null(strstr(counter_why(c, 2), "nosuch"));
	assert_non_null(strstr(counter_why(c, 2), "cycles")); /* allowed list */
	/* unsupported counters read as 0 */
	assert_int_equal(counters_read(c, vals), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vals[i], 0);
	counters_close(c);

	assert_int_equal(counter_probe("bogus", why, sizeof(why)), 0);
	assert_non_null(strstr(why, "bogus"));
}

static void skip_unless_root(void)
{
	if (geteuid() != 0) {
		fprintf(stderr,
			"skipped: system-wide perf counters need root\n");
		skip();
	}
}

static void test_sw_counters_read(void **state)
{
	static const char *const specs[] = {
		"sw:context-switches", "sw:task-clock", "irq:LOC",
	};
	size_t n = sizeof(specs) / sizeof(specs[0]);
	uint64_t a[MAX_SPECS], b[MAX_SPECS];
	struct counters *c;

	(void)state;
	skip_unless_root();
	c = counters_open(specs, n);
	assert_non_null(c);
	if (!counter_ok(c, 0)) {
		fprintf(stderr, "skipped: %s\n", counter_why(c, 0));
		counters_close(c);
		skip();
	}
	assert_int_equal(counters_read(c, a), 0);
	usleep(1000); /* let a tick or a switch happen; not a timing check */
	assert_int_equal(counters_read(c, b), 0);
	for (size_t i = 0; i < n; i++)
		if (counter_ok(c, i))
			assert_true(b[i] >= a[i]);
	counters_close(c);
}

static void test_bogus_tracepoint(void **state)
{
	const char *spec = "tp:nosuch:event";
	struct counters *c;

	(void)state;
	skip_unless_root();
	c = counters_open(&spec, 1);
	assert_non_null(c);
	assert_false(counter_ok(c, 0));
	assert_non_null(strstr(counter_why(c, 0), "nosuch"));
	counters_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irq_sums),
		cmocka_unit_test(test_irq_percpu),
		cmocka_unit_test(test_irq_short_rows),
		cmocka_unit_test(test_irq_missing_and_malformed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_sw_counters_read),
		cmocka_unit_test(test_bogus_tracepoint),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
