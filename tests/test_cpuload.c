// SPDX-License-Identifier: GPL-2.0
/* test_cpuload.c - /proc/stat parsing and the other-work arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "cpuload.h"

static const char *fixture(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_cpuload.XXXXXX");
	fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_read(void **state)
{
	struct cpuload c;
	long hz = sysconf(_SC_CLK_TCK);
	const char *p = fixture("cpu  100 20 30 4000 5 6 7 8 0 0\n"
				"cpu0 50 10 15 2000 2 3 3 4 0 0\n");

	(void)state;
	assert_int_equal(cpuload_read(p, &c), 0);
	/* busy = user + nice + system + irq + softirq; steal apart */
	assert_true(c.busy_ns == (100 + 20 + 30 + 6 + 7) * (1000000000ull / hz));
	assert_true(c.steal_ns == 8 * (1000000000ull / hz));
	assert_true(c.self_ns > 0);
	unlink(p);
}

static void test_bad_file(void **state)
{
	struct cpuload c;
	const char *p = fixture("intr 1 2 3\n");

	(void)state;
	assert_int_equal(cpuload_read(p, &c), -1);
	unlink(p);
	assert_int_equal(cpuload_read("/nonexistent/stat", &c), -1);
}

static void test_delta(void **state)
{
	struct cpuload a = { 1000, 0, 100 }, b = { 1000 + 1500, 250, 100 + 500 };
	double other, steal;

	(void)state;
	/* 1500 ns busy, 500 of them ours, over 1000 ns: 1 other CPU. */
	cpuload_delta(&a, &b, 1000, &other, &steal);
	assert_near(other, 1.0, 1e-12);
	assert_near(steal, 0.25, 1e-12);
	/* Tick-sampled busy time below our own: never negative. */
	b.busy_ns = a.busy_ns + 100;
	cpuload_delta(&a, &b, 1000, &other, &steal);
	assert_near(other, 0.0, 1e-12);
	cpuload_delta(&a, &b, 0, &other, &steal);
	assert_near(other, 0.0, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_bad_file),
		cmocka_unit_test(test_delta),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
