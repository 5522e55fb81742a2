// SPDX-License-Identifier: GPL-2.0
/* test_cpuload.c - /proc/stat parsing and the other-work arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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
	struct cpuload a = { 1000, 0, 100, 0 }, b = { 1000 + 1500, 250, 100 + 500, 0 };
	double other, steal, driven;

	(void)state;
	/* 1500 ns busy, 500 of them ours, over 1000 ns: 1 other CPU. */
	cpuload_delta(&a, &b, 1000, &other, &steal, &driven);
	assert_near(other, 1.0, 1e-12);
	assert_near(steal, 0.25, 1e-12);
	assert_near(driven, 0.0, 1e-12);
	/* 300 of the others' 1000 were the kernel threads we drive. */
	b.driven_ns = 300;
	cpuload_delta(&a, &b, 1000, &other, &steal, &driven);
	assert_near(other, 0.7, 1e-12);
	assert_near(driven, 0.3, 1e-12);
	/* Tick-sampled busy time below our own: never negative. */
	b.busy_ns = a.busy_ns + 100;
	cpuload_delta(&a, &b, 1000, &other, &steal, &driven);
	assert_near(other, 0.0, 1e-12);
	cpuload_delta(&a, &b, 0, &other, &steal, &driven);
	assert_near(other, 0.0, 1e-12);
}

/* Kernel threads by name prefix, from a fake /proc: only kthreadd's
 * children, and their utime + stime. */
static void test_kthreads(void **state)
{
	char dir[] = "/tmp/gupsync-proc-XXXXXX", path[128];
	const char *const prefixes[] = { "rcu", "ksmd", NULL };
	const struct { int pid; const char *stat; } procs[] = {
		{ 10, "10 (rcu_preempt) S 2 0 0 0 -1 2129984 0 0 0 0 7 3 0 0" },
		{ 11, "11 (ksmd) S 2 0 0 0 -1 2129984 0 0 0 0 1 1 0 0" },
		{ 12, "12 (rcu_fake) S 1 0 0 0 -1 4194304 0 0 0 0 50 50 0 0" },
		{ 13, "13 (kworker/0:1) S 2 0 0 0 -1 2129984 0 0 0 0 9 9 0 0" },
	};
	struct cpuload c = { 0 };
	int pids[8];
	size_t n;
	long hz = sysconf(_SC_CLK_TCK);

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%d", dir, procs[i].pid);
		assert_int_equal(mkdir(path, 0700), 0);
		snprintf(path, sizeof(path), "%s/%d/stat", dir, procs[i].pid);
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "%s\n", procs[i].stat);
		fclose(f);
	}
	n = cpuload_kthreads(dir, prefixes, pids, 8);
	assert_int_equal(n, 2);		/* not pid 12 (a process), not 13 */
	cpuload_read_driven(dir, &c, pids, n);
	assert_int_equal(c.driven_ns, (7 + 3 + 1 + 1) * (1000000000ull / hz));
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%d/stat", dir, procs[i].pid);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%d", dir, procs[i].pid);
		rmdir(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_bad_file),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_kthreads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
