// SPDX-License-Identifier: GPL-2.0
/*
 * test_placement.c - placement policies on synthetic hwloc topologies (so
 * the expected CPUs are the same on every machine), plus one binding test
 * on this machine's real topology.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "placement.h"

/* 2 packages x 2 L3s x 4 cores x 2 PUs: PU p is core p/2, L3 p/8, pkg p/16. */
#define SYNTH32 "package:2 l3cache:2 core:4 pu:2"
#define SYNTH32_PUS 32
#define SYNTH32_CORES 16
#define SYNTH_SMALL "core:2 pu:1" /* like a 2-vCPU guest */
#define SYNTH_NUMA2 "package:2 numa:1 core:2 pu:1"
#define ERR_LEN 256

static struct topo *open_synth(const char *desc)
{
	struct topo *t = NULL;
	char err[ERR_LEN] = "";

	if (topo_open(desc, &t, err, sizeof(err)) < 0)
		fail_msg("topo_open(%s): %s", desc, err);
	assert_true(topo_is_synthetic(t));
	return t;
}

static struct place_spec make_spec(enum place_policy p, enum place_unit u)
{
	struct place_spec s;

	memset(&s, 0, sizeof(s));
	s.policy = p;
	s.unit = u;
	return s;
}

/* place_cpus that must succeed. */
static void place_ok(const struct topo *t, enum place_policy p,
		     enum place_unit u, size_t n, int *pus)
{
	struct place_spec s = make_spec(p, u);
	char err[ERR_LEN] = "";

	if (place_cpus(t, &s, n, pus, err, sizeof(err)) < 0)
		fail_msg("place_cpus(%s, n=%zu): %s", place_policy_name(p), n,
			 err);
}

/* place_cpus that must fail with exactly 'want'. */
static void place_fails(const struct topo *t, const struct place_spec *s,
			size_t n, const char *want)
{
	int pus[PLACE_MAX_CPUS];
	char err[ERR_LEN] = "";

	assert_int_equal(place_cpus(t, s, n, pus, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void assert_pus(const int *got, const int *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (got[i] != want[i])
			fail_msg("worker %zu: PU %d, expected %d", i, got[i],
				 want[i]);
	}
}

/* No two of the first n workers share an object of size 'span' PUs. */
static void assert_distinct(const int *pus, size_t n, int span,
			    const char *what)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (pus[i] / span == pus[j] / span)
				fail_msg("n=%zu: workers %zu and %zu (PUs %d, "
					 "%d) share a %s", n, j, i, pus[j],
					 pus[i], what);
}

static void test_bad_synthetic(void **state)
{
	struct topo *t = NULL;
	char err[ERR_LEN] = "";

	(void)state;
	assert_int_equal(topo_open("xyz", &t, err, sizeof(err)), -1);
	assert_string_equal(err,
		"--topology: 'xyz' is not a valid hwloc synthetic description "
		"(e.g. \"package:2 l3cache:2 core:4 pu:2\")");
}

static void test_count(void **state)
{
	struct topo *t = open_synth(SYNTH32);

	(void)state;
	assert_int_equal(topo_count(t, PLACE_UNIT_PU), SYNTH32_PUS);
	assert_int_equal(topo_count(t, PLACE_UNIT_CORE), SYNTH32_CORES);
	topo_close(t);
	t = open_synth(SYNTH_SMALL);
	assert_int_equal(topo_count(t, PLACE_UNIT_PU), 2);
	assert_int_equal(topo_count(t, PLACE_UNIT_CORE), 2);
	topo_close(t);
	t = open_synth("pu:1"); /* no cores: unit=core falls back to PUs */
	assert_int_equal(topo_count(t, PLACE_UNIT_PU), 1);
	assert_int_equal(topo_count(t, PLACE_UNIT_CORE), 1);
	topo_close(t);
}

static void test_describe(void **state)
{
	struct topo *t = open_synth(SYNTH32);
	char buf[ERR_LEN];

	(void)state;
	topo_describe(t, buf, sizeof(buf));
	assert_non_null(strstr(buf, "2 packages, 4 L3s"));
	assert_non_null(strstr(buf, "16 cores, 32 PUs (2-way SMT)"));
	assert_non_null(strstr(buf, "1 NUMA node"));
	assert_null(strstr(buf, "NUMA nodes"));
	topo_close(t);
	t = open_synth(SYNTH_SMALL);
	topo_describe(t, buf, sizeof(buf));
	assert_string_equal(buf, "2 cores, 2 PUs (no SMT), 1 NUMA node");
	topo_close(t);
	t = open_synth("package:1 l3cache:1(size=32MiB) core:2 pu:1");
	topo_describe(t, buf, sizeof(buf));
	assert_string_equal(buf, "1 package, 1 L3 (32 MiB), 2 cores, 2 PUs "
			    "(no SMT), 1 NUMA node");
	/* A short buffer is truncated, never overrun. */
	topo_describe(t, buf, 8);
	assert_string_equal(buf, "1 packa");
	topo_close(t);
}

static void test_synthetic_string_roundtrip(void **state)
{
	struct topo *t = open_synth(SYNTH32), *t2;
	char buf[1024];

	(void)state;
	topo_synthetic_string(t, buf, sizeof(buf));
	assert_non_null(strstr(buf, "Package:2"));
	t2 = open_synth(buf);
	assert_int_equal(topo_count(t2, PLACE_UNIT_PU), SYNTH32_PUS);
	assert_int_equal(topo_count(t2, PLACE_UNIT_CORE), SYNTH32_CORES);
	topo_close(t2);
	topo_close(t);
}

static void test_compact(void **state)
{
	struct topo *t = open_synth(SYNTH32);
	int pus[SYNTH32_PUS], want[SYNTH32_PUS];

	(void)state;
	place_ok(t, PLACE_COMPACT, PLACE_UNIT_PU, 1, pus);
	assert_int_equal(pus[0], 0);
	place_ok(t, PLACE_COMPACT, PLACE_UNIT_PU, SYNTH32_PUS, pus);
	for (int i = 0; i < SYNTH32_PUS; i++)
		want[i] = i; /* fills a core (SMT siblings) first */
	assert_pus(pus, want, SYNTH32_PUS);
	place_ok(t, PLACE_COMPACT, PLACE_UNIT_CORE, SYNTH32_CORES, pus);
	for (int i = 0; i < SYNTH32_CORES; i++)
		want[i] = 2 * i; /* each core's first PU */
	assert_pus(pus, want, SYNTH32_CORES);
	topo_close(t);
}

static void test_scatter_exact(void **state)
{
	struct topo *t = open_synth(SYNTH32);
	int pus[SYNTH32_PUS];
	/* package 0, package 1, then the other L3 of each, then next cores. */
	static const int want[] = { 0, 16, 8, 24, 2, 18, 10, 26 };

	(void)state;
	place_ok(t, PLACE_SCATTER, PLACE_UNIT_PU, 1, pus);
	assert_int_equal(pus[0], 0);
	place_ok(t, PLACE_SCATTER, PLACE_UNIT_PU, 2, pus);
	assert_pus(pus, want, 2);
	place_ok(t, PLACE_SCATTER, PLACE_UNIT_CORE, 4, pus);
	assert_pus(pus, want, 4);
	place_ok(t, PLACE_SCATTER, PLACE_UNIT_PU, 8, pus);
	assert_pus(pus, want, 8);
	/* Worker 16 is the first SMT sibling: of the first worker's core. */
	place_ok(t, PLACE_SCATTER, PLACE_UNIT_PU, 17, pus);
	assert_int_equal(pus[16], 1);
	topo_close(t);
}

/* Scatter's promise, for every n, and that n+1 only adds a CPU to n. */
static void test_scatter_properties(void **state)
{
	struct topo *t = open_synth(SYNTH32);
	int pus[SYNTH32_PUS], all[SYNTH32_PUS];

	(void)state;
	place_ok(t, PLACE_SCATTER, PLACE_UNIT_PU, SYNTH32_PUS, all);
	assert_distinct(all, SYNTH32_PUS, 1, "PU");
	for (size_t n = 1; n <= SYNTH32_PUS; n++) {
		place_ok(t, PLACE_SCATTER, PLACE_UNIT_PU, n, pus);
		assert_pus(pus, all, n);
		assert_distinct(pus, n < 2 ? n : 2, 16, "package");
		assert_distinct(pus, n < 4 ? n : 4, 8, "L3");
		assert_distinct(pus, n < 16 ? n : 16, 2, "core");
	}
	for (size_t n = 1; n <= SYNTH32_CORES; n++) {
		place_ok(t, PLACE_SCATTER, PLACE_UNIT_CORE, n, pus);
		assert_pus(pus, all, n);
		assert_distinct(pus, n, 2, "core");
		for (size_t i = 0; i < n; i++)
			assert_int_equal(pus[i] % 2, 0); /* core's first PU */
	}
	topo_close(t);
}

static void test_too_many(void **state)
{
	struct topo *t = open_synth(SYNTH32);
	struct place_spec s = make_spec(PLACE_COMPACT, PLACE_UNIT_PU);

	(void)state;
	place_fails(t, &s, SYNTH32_PUS + 1,
		    "33 workers but this topology has 32 PUs (unit=pu)");
	place_fails(t, &s, 0, "0 workers: at least 1 is needed");
	s = make_spec(PLACE_SCATTER, PLACE_UNIT_CORE);
	place_fails(t, &s, SYNTH32_CORES + 1,
		    "17 workers but this topology has 16 cores (unit=core)");
	topo_close(t);
	t = open_synth(SYNTH_SMALL);
	s = make_spec(PLACE_SCATTER, PLACE_UNIT_PU);
	place_fails(t, &s, 4, "4 workers but this topology has 2 PUs (unit=pu)");
	topo_close(t);
}

static void test_small_machines(void **state)
{
	struct topo *t = open_synth(SYNTH_SMALL);
	static const int want[] = { 0, 1 };
	int pus[2];

	(void)state;
	place_ok(t, PLACE_COMPACT, PLACE_UNIT_PU, 2, pus);
	assert_pus(pus, want, 2);
	place_ok(t, PLACE_COMPACT, PLACE_UNIT_CORE, 2, pus);
	assert_pus(pus, want, 2);
	place_ok(t, PLACE_SCATTER, PLACE_UNIT_PU, 2, pus);
	assert_pus(pus, want, 2);
	place_ok(t, PLACE_SCATTER, PLACE_UNIT_CORE, 2, pus);
	assert_pus(pus, want, 2);
	topo_close(t);

	t = open_synth("pu:1");
	place_ok(t, PLACE_COMPACT, PLACE_UNIT_CORE, 1, pus);
	assert_int_equal(pus[0], 0);
	place_ok(t, PLACE_SCATTER, PLACE_UNIT_CORE, 1, pus);
	assert_int_equal(pus[0], 0);
	place_ok(t, PLACE_SCATTER, PLACE_UNIT_PU, 1, pus);
	assert_int_equal(pus[0], 0);
	topo_close(t);
}

static void test_none(void **state)
{
	struct topo *t = open_synth(SYNTH_SMALL);
	struct place_spec s = make_spec(PLACE_NONE, PLACE_UNIT_PU);
	char err[ERR_LEN] = "";
	int pus[4];

	(void)state;
	/* Floating workers outnumber the PUs only when asked to. */
	assert_int_equal(place_cpus(t, &s, 4, pus, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--oversubscribe"));
	s.oversubscribe = true;
	assert_int_equal(place_cpus(t, &s, 4, pus, err, sizeof(err)), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pus[i], -1);
	topo_close(t);
}

static void test_list(void **state)
{
	struct topo *t = open_synth(SYNTH32);
	struct place_spec s = make_spec(PLACE_LIST, PLACE_UNIT_PU);
	static const int want[] = { 3, 1, 2 };
	char err[ERR_LEN] = "";
	int pus[4];

	(void)state;
	assert_int_equal(place_parse("list:3,1-2", &s, err, sizeof(err)), 0);
	assert_int_equal(s.policy, PLACE_LIST);
	assert_int_equal(s.nlist, 3);
	assert_int_equal(place_cpus(t, &s, 3, pus, err, sizeof(err)), 0);
	assert_pus(pus, want, 3);
	assert_int_equal(place_cpus(t, &s, 2, pus, err, sizeof(err)), 0);
	assert_pus(pus, want, 2);
	place_fails(t, &s, 4, "--placement list: has 3 CPUs, 4 workers need 4");

	s.list[1] = 99;
	place_fails(t, &s, 3, "--placement list: CPU 99 is not in this "
		    "topology; its PUs are 0-31");
	s.list[1] = 3;
	place_fails(t, &s, 3, "--placement list: CPU 3 is listed twice; "
		    "workers never share a PU");
	topo_close(t);
}

static void test_parse(void **state)
{
	struct place_spec s = make_spec(PLACE_NONE, PLACE_UNIT_CORE);
	static const char *const bad[] = { "foo", "", "Compact", "list",
					   "scatter,compact" };
	char err[ERR_LEN] = "", want[ERR_LEN];

	(void)state;
	assert_int_equal(place_parse("compact", &s, err, sizeof(err)), 0);
	assert_int_equal(s.policy, PLACE_COMPACT);
	assert_int_equal(s.unit, PLACE_UNIT_CORE); /* unit is set separately */
	assert_int_equal(place_parse("scatter", &s, err, sizeof(err)), 0);
	assert_int_equal(s.policy, PLACE_SCATTER);
	assert_int_equal(place_parse("none", &s, err, sizeof(err)), 0);
	assert_int_equal(s.policy, PLACE_NONE);
	assert_int_equal(place_parse("list:0-3,8", &s, err, sizeof(err)), 0);
	assert_int_equal(s.policy, PLACE_LIST);
	assert_int_equal(s.nlist, 5);
	assert_int_equal(s.list[4], 8);
	assert_string_equal(place_policy_name(PLACE_LIST), "list");

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		snprintf(want, sizeof(want), "--placement: '%s' is not one "
			 "of: compact, scatter, none, list:CPULIST", bad[i]);
		assert_int_equal(place_parse(bad[i], &s, err, sizeof(err)), -1);
		assert_string_equal(err, want);
	}
	/* The CPU list's own complaint, prefixed with the option. */
	assert_int_equal(place_parse("list:x", &s, err, sizeof(err)), -1);
	assert_memory_equal(err, "--placement list: ", 18);
	assert_int_equal(place_parse("list:", &s, err, sizeof(err)), -1);
	assert_int_equal(place_parse("list:1,1", &s, err, sizeof(err)), -1);
}

static void test_relation(void **state)
{
	struct topo *t = open_synth(SYNTH32);

	(void)state;
	assert_string_equal(place_relation(t, 5, 5), "self");
	assert_string_equal(place_relation(t, 0, 1), "smt");
	assert_string_equal(place_relation(t, 0, 2), "l3");
	assert_string_equal(place_relation(t, 0, 8), "package");
	/* One NUMA node spans both packages in this synthetic machine. */
	assert_string_equal(place_relation(t, 0, 16), "numa");
	assert_string_equal(place_relation(t, 0, 99), "unknown");
	topo_close(t);
	t = open_synth(SYNTH_NUMA2);
	assert_string_equal(place_relation(t, 0, 1), "package");
	assert_string_equal(place_relation(t, 1, 2), "machine");
	topo_close(t);
}

static void test_bind_synthetic_refused(void **state)
{
	struct topo *t = open_synth(SYNTH_SMALL);
	char err[ERR_LEN] = "";

	(void)state;
	assert_int_equal(place_bind_self(t, 0, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot bind on a synthetic topology");
	topo_close(t);
}

/* The real machine: compact n=1, bind, and the kernel agrees. */
static void test_real_bind(void **state)
{
	struct place_spec s = make_spec(PLACE_COMPACT, PLACE_UNIT_PU);
	struct topo *t = NULL;
	char err[ERR_LEN] = "";
	cpu_set_t saved;
	int pu, cpu;

	(void)state;
	if (sched_getaffinity(0, sizeof(saved), &saved) < 0)
		fail_msg("sched_getaffinity: %s", strerror(errno));
	if (topo_open(NULL, &t, err, sizeof(err)) < 0)
		fail_msg("topo_open(this machine): %s", err);
	assert_false(topo_is_synthetic(t));
	assert_true(topo_count(t, PLACE_UNIT_PU) >= 1);
	assert_true(topo_count(t, PLACE_UNIT_CORE) >= 1);
	if (place_cpus(t, &s, 1, &pu, err, sizeof(err)) < 0)
		fail_msg("place_cpus: %s", err);
	if (place_bind_self(t, pu, err, sizeof(err)) < 0)
		fail_msg("place_bind_self(%d): %s", pu, err);
	cpu = sched_getcpu();
	/* Put the thread back before asserting, so later tests float. */
	if (sched_setaffinity(0, sizeof(saved), &saved) < 0)
		fail_msg("sched_setaffinity: %s", strerror(errno));
	assert_int_equal(cpu, pu);
	topo_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_synthetic),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_synthetic_string_roundtrip),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_scatter_exact),
		cmocka_unit_test(test_scatter_properties),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_small_machines),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_relation),
		cmocka_unit_test(test_bind_synthetic_refused),
		cmocka_unit_test(test_real_bind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
