// SPDX-License-Identifier: GPL-2.0
/*
 * test_benches.c - every registered benchmark, through its descriptor
 * alone (bench_all(), lib/bench.h), as the harness and the commands see
 * it:
 *   - the registry: sorted, unique names, bench_find() finds each;
 *   - each descriptor is sane: names, kind against loop/op, modes, the
 *     slice pair, counters, the metric table (units, directions, at least
 *     one headline), options that parse with their defaults, the sweep
 *     sets, and the roles of `variants` (one benchmark per role, carrying
 *     the metrics the variants table reads);
 *   - each benchmark's derive() on hand-made mode results (and counters
 *     that say supported, counters_fake) gives KNOWN answers for its
 *     headline metrics: gup_fast_ns, pin_fast_ns, sync_rcu_us,
 *     ipis_per_op, victim_slowdown_pct, collapse_p50_us, the k-*
 *     benchmarks' in-kernel medians from fake kernel samples, ...; and where
 *     the proof rests on the windows' counts alone (gup-fast, pin-fast,
 *     ipi-broadcast), verify() judges known counts right (rcu-wait's in
 *     tests/test_rcu_wait.c).
 * A benchmark with no known-answer test here fails test_all_covered, so
 * a new bench/ file comes with its numbers checked.  Nothing here
 * measures or writes a knob (the IPI benchmarks' setup() maps a region
 * and reads the topology; their victims map a few pages).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "benchutil.h"
#include "ipicount.h"
#include "kdev.h"
#include "proof.h"
#include "testutil.h"
#include "victim.h"
#include "workers.h"

#define EPS 1e-9
#define MS 1000000ull
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789-"

/* Every IPI counter a real run opens beside the benchmark's own. */
static const char *const ipi_extra[] = {
	IPI_SEND_CPU, IPI_SEND_MASK, IPI_CALL_CPU, IPI_CALL_MASK, NULL,
};

/* ... and the CAL row of /proc/interrupts: IPIs received. */
static const char *const ipi_recv_extra[] = {
	IPI_SEND_CPU, IPI_SEND_MASK, IPI_CALL_CPU, IPI_CALL_MASK, IPI_IRQ_CAL, NULL,
};

static size_t nmodes(const struct bench *b)
{
	size_t n = 0;

	while (n < BENCH_MAX_MODES && b->modes[n].name)
		n++;
	return n;
}

static int metric(const struct bench *b, const char *name)
{
	for (size_t i = 0; i < b->nmetrics; i++)
		if (!strcmp(b->metrics[i].name, name))
			return (int)i;
	return -1;
}

/* ---- the registry and the descriptors -------------------------------- */

static void test_registry(void **state)
{
	const struct bench **all;
	size_t n = bench_all(&all);

	(void)state;
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(bench_find(all[i]->name), all[i]);
		if (i)
			assert_true(strcmp(all[i - 1]->name, all[i]->name) < 0);
	}
	assert_null(bench_find("no-such-benchmark"));
}

static void check_modes(const struct bench *b)
{
	size_t nm = nmodes(b);

	if (!nm)
		fail_msg("%s: no mode", b->name);
	if (b->modes[0].proof_only)
		fail_msg("%s: mode 0 is proof-only", b->name);
	for (size_t m = 0; m < nm; m++) {
		if (!b->modes[m].name[0] || strspn(b->modes[m].name, NAME_CHARS) !=
		    strlen(b->modes[m].name) || !b->modes[m].what || !b->modes[m].what[0])
			fail_msg("%s: mode %zu: bad name or no description", b->name, m);
		for (size_t k = 0; k < m; k++)
			if (!strcmp(b->modes[k].name, b->modes[m].name))
				fail_msg("%s: mode %s twice", b->name, b->modes[m].name);
	}
	/* The pair: two distinct measured modes (throughput: loop() in
	 * slices; latency: calls in slices). */
	if (b->pair.test) {
		if (b->pair.test >= nm || b->pair.base >= nm ||
		    b->pair.base == b->pair.test ||
		    b->modes[b->pair.test].proof_only || b->modes[b->pair.base].proof_only)
			fail_msg("%s: bad pair %u/%u", b->name, b->pair.base, b->pair.test);
	}
}

static void check_metrics(const struct bench *b)
{
	size_t headlines = 0;

	if (!b->metrics || !b->nmetrics || b->nmetrics > BENCH_MAX_METRICS || !b->derive)
		fail_msg("%s: no metric table or no derive()", b->name);
	for (size_t i = 0; i < b->nmetrics; i++) {
		const struct metric_spec *s = &b->metrics[i];

		if (!s->name || !s->name[0] || strspn(s->name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
		    strlen(s->name) || !s->unit || !s->unit[0] ||
		    (s->better != BETTER_HIGHER && s->better != BETTER_LOWER &&
		     s->better != BETTER_NONE))
			fail_msg("%s: metric %zu: bad name, unit or direction", b->name, i);
		if (metric(b, s->name) != (int)i)
			fail_msg("%s: metric %s twice", b->name, s->name);
		headlines += s->headline;
	}
	if (!headlines)
		fail_msg("%s: no headline metric", b->name);
}

/* Its options parse with their defaults (every option has one). */
static void check_options(const struct bench *b)
{
	struct point pt;

	test_point(&pt, b, 1, 0, 0, NULL);
	test_point_free(&pt);
}

static void test_descriptors(void **state)
{
	const struct bench **all;
	size_t n = bench_all(&all);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct bench *b = all[i];

		if (!b->name[0] || strspn(b->name, NAME_CHARS) != strlen(b->name))
			fail_msg("bad benchmark name '%s'", b->name);
		if (!b->summary || !b->summary[0] || !b->kernel_path || !b->kernel_path[0])
			fail_msg("%s: no summary or kernel path", b->name);
		if (b->kind == BENCH_THROUGHPUT ? !b->loop || b->op : !b->op || b->loop)
			fail_msg("%s: kind does not match loop/op", b->name);
		if ((b->conf_size != 0) != (b->opts != NULL))
			fail_msg("%s: options without a config or the other way", b->name);
		if (!b->verify)
			fail_msg("%s: no verify()", b->name);
		for (size_t c = 0; c < BENCH_MAX_COUNTERS && b->counters[c]; c++)
			if (!strchr(b->counters[c], ':'))
				fail_msg("%s: counter '%s' is no spec", b->name, b->counters[c]);
		check_modes(b);
		check_metrics(b);
		check_options(b);
	}
}

/* A swept benchmark has both sets; orders are distinct, so the set's
 * order is the descriptors' and nothing else. */
static void test_sweep_sets(void **state)
{
	const struct bench **all;
	size_t n = bench_all(&all), swept = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct bench *b = all[i];

		if (!b->sweep.order)
			continue;
		swept++;
		if (!b->sweep.short_args || !b->sweep.short_args[0] ||
		    !b->sweep.full_args || !b->sweep.full_args[0])
			fail_msg("%s: sweep order %u without both sets", b->name,
				 b->sweep.order);
		for (size_t k = 0; k < i; k++)
			if (all[k]->sweep.order == b->sweep.order)
				fail_msg("%s and %s: same sweep order %u", all[k]->name,
					 b->name, b->sweep.order);
	}
	assert_true(swept >= 1);
}

/* What `gupsync variants` reads of each role (cmd/variants_table.c). */
static const struct {
	enum bench_variant role;
	bool required;		/* the user-space pair always runs */
	const char *metrics[5];	/* NULL-terminated */
} roles[] = {
	{ VARIANT_IPI, true, { "op_p50_ns", "ipis_per_op", "victim_slowdown_pct" } },
	{ VARIANT_RCU, true, { "sync_rcu_us", "sync_rcu_exp_us", "exp_ipis_per_call",
			       "exp_bg_loss_pct" } },
	{ VARIANT_K_IPI, false, { "all_ipi_ns", "all_targets" } },
	{ VARIANT_K_RCU, false, { "sync_rcu_ns", "sync_rcu_exp_ns" } },
};

static void test_variant_roles(void **state)
{
	const struct bench **all;
	size_t n = bench_all(&all);

	(void)state;
	for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
		const struct bench *found = NULL;

		for (size_t i = 0; i < n; i++) {
			if (all[i]->variant != roles[r].role)
				continue;
			if (found)
				fail_msg("%s and %s: the same variants role",
					 found->name, all[i]->name);
			found = all[i];
		}
		if (!found) {
			if (roles[r].required)
				fail_msg("no benchmark for variants role %d", roles[r].role);
			continue;
		}
		for (size_t k = 0; roles[r].metrics[k]; k++)
			if (metric(found, roles[r].metrics[k]) < 0)
				fail_msg("%s: variants needs metric %s", found->name,
					 roles[r].metrics[k]);
	}
}

/* ---- derive() with known answers -------------------------------------- */

struct known {
	const char *metric;
	double want;		/* NAN: must be NaN */
};

/* derive() as the harness calls it (val[] NaN first), then the values. */
static void expect(struct point *pt, const struct mode_result *res,
		   const struct known *k, size_t nk)
{
	const struct bench *b = pt->bench;
	double val[BENCH_MAX_METRICS];

	for (size_t i = 0; i < BENCH_MAX_METRICS; i++)
		val[i] = NAN;
	b->derive(pt, res, val);
	for (size_t i = 0; i < nk; i++) {
		int m = metric(b, k[i].metric);

		if (m < 0)
			fail_msg("%s: no metric %s", b->name, k[i].metric);
		if (isnan(k[i].want) ? !isnan(val[m]) :
		    !(fabs(val[m] - k[i].want) <= EPS * (1 + fabs(k[i].want))))
			fail_msg("%s: %s = %.17g, want %.17g", b->name, k[i].metric,
				 val[m], k[i].want);
	}
}

#define EXPECT(pt, res, ...) do {						\
	const struct known k_[] = { __VA_ARGS__ };				\
	expect((pt), (res), k_, sizeof(k_) / sizeof(k_[0]));			\
} while (0)

/* verify() gives want, with a verdict that says so. */
static void expect_verdict(struct point *pt, const struct mode_result *res,
			   bool want, const char *says)
{
	char verdict[1024];
	bool got = pt->bench->verify(pt, res, verdict, sizeof(verdict));

	if (got != want || !strstr(verdict, says))
		fail_msg("%s: verify() %d, want %d with '%s': %s", pt->bench->name,
			 got, want, says, verdict);
}

/* The names of the benchmarks with a known-answer test below. */
static const char *covered[32];
static size_t ncovered;

static const struct bench *known_bench(const char *name)
{
	covered[ncovered++] = name;
	return test_bench(name);
}

/* gup-fast: shared - private FUTEX_WAKE, per window or per slice pair. */
static void test_gup_fast(void **state)
{
	const struct bench *b = known_bench("gup-fast");
	unsigned priv = test_mode(b, "private"), shared = test_mode(b, "shared");
	unsigned ctl = test_mode(b, "control");
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	struct point pt;

	(void)state;
	test_point(&pt, b, 1, 0, 0, NULL);
	assert_int_equal(b->pair.base, priv);
	assert_int_equal(b->pair.test, shared);
	res[priv].ns_per_op = 250;
	res[shared].ns_per_op = 350;
	res[shared].ops_per_s = 2.5e6;
	EXPECT(&pt, res, { "gup_fast_ns", 100 }, { "gup_fast_rel", 0.4 },
	       { "shared_wakes_per_s", 2.5e6 });
	/* Interleaved slices: the medians of the slice pairs win. */
	res[shared].paired = true;
	res[shared].pair_diff_ns = 95;
	res[shared].pair_rel = 0.38;
	EXPECT(&pt, res, { "gup_fast_ns", 95 }, { "gup_fast_rel", 0.38 });

	/* The proof: mmap_lock per call, none in shared, one in the slow-GUP
	 * control (a PROT_READ futex word). */
	test_point_counters(&pt, NULL);
	res[shared].ops = res[ctl].ops = 1000;
	res[ctl].delta[test_counter(&pt, MMAP_LOCK_TP)] = 1000;
	expect_verdict(&pt, res, true, "GUP-fast served shared wakes");
	res[shared].delta[test_counter(&pt, MMAP_LOCK_TP)] = 500;
	expect_verdict(&pt, res, false, "not GUP-fast");
	res[shared].delta[test_counter(&pt, MMAP_LOCK_TP)] = 0;
	res[ctl].delta[test_counter(&pt, MMAP_LOCK_TP)] = 0;
	expect_verdict(&pt, res, false, "detector did not see the slow path");
	res[shared].ops = 0;
	expect_verdict(&pt, res, false, "unproven: no calls completed");
	test_point_free(&pt);
}

/* pin-fast: io_uring register+unregister with and without the pin. */
static void test_pin_fast(void **state)
{
	const struct bench *b = known_bench("pin-fast");
	unsigned empty = test_mode(b, "empty"), pin = test_mode(b, "pin");
	unsigned ctl = test_mode(b, "control");
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	char *argv[] = { "--pages=4" };
	struct point pt;

	(void)state;
	test_point(&pt, b, 1, 0, 1, argv);
	res[empty].ns_per_op = 1000;
	res[pin].ns_per_op = 1800;
	res[pin].ops_per_s = 5e5;
	EXPECT(&pt, res, { "pin_op_ns", 1800 }, { "pin_fast_ns", 800 },
	       { "pin_fast_ns_per_page", 200 }, { "pins_per_s", 5e5 },
	       { "pin_fast_rel", 0.8 });
	res[pin].paired = true;
	res[pin].pair_diff_ns = 780;
	res[pin].pair_rel = 0.75;
	EXPECT(&pt, res, { "pin_fast_ns", 780 }, { "pin_fast_ns_per_page", 195 },
	       { "pin_fast_rel", 0.75 });

	/* The proof: mmap_lock per registration, none with or without the
	 * pin, one in the slow-GUP control. */
	test_point_counters(&pt, NULL);
	res[empty].ops = res[pin].ops = res[ctl].ops = 100;
	res[ctl].delta[test_counter(&pt, MMAP_LOCK_TP)] = 100;
	expect_verdict(&pt, res, true, "pin_user_pages_fast pinned every buffer");
	res[pin].delta[test_counter(&pt, MMAP_LOCK_TP)] = 100;
	expect_verdict(&pt, res, false, "pins took mmap_lock");
	test_point_free(&pt);
}

/* rcu-wait: medians in us, IPIs per call, the load's loss. */
static void test_rcu_wait(void **state)
{
	const struct bench *b = known_bench("rcu-wait");
	unsigned nm = test_mode(b, "normal"), ex = test_mode(b, "expedited");
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	char *argv[] = { "--load=spin" };
	struct point pt;
	int exp_ipi = -1;

	(void)state;
	test_point(&pt, b, 1, 1, 1, argv);
	test_point_counters(&pt, ipi_extra);
	for (int k = 0; b->counters[k]; k++)
		if (strstr(b->counters[k], "rcu_exp_handler"))
			exp_ipi = test_counter(&pt, b->counters[k]);
	assert_true(exp_ipi >= 0);
	res[nm].ops = res[ex].ops = 100;
	res[nm].lat_p50_ns = 4e6;		/* a tick at HZ=250 */
	res[ex].lat_p50_ns = 60e3;
	res[ex].delta[exp_ipi] = 150;
	res[ex].delta[test_counter(&pt, IPI_SEND_CPU)] = 200;
	res[nm].delta[test_counter(&pt, IPI_SEND_CPU)] = 30;
	res[nm].delta[test_counter(&pt, IPI_SEND_MASK)] = 10;
	res[nm].bg_ops_per_s = 1000;
	res[ex].bg_ops_per_s = 750;
	EXPECT(&pt, res, { "sync_rcu_us", 4000 }, { "sync_rcu_exp_us", 60 },
	       { "exp_ipis_per_call", 1.5 }, { "exp_all_ipis_per_call", 2.0 },
	       { "normal_all_ipis_per_call", 0.4 }, { "exp_bg_loss_pct", 25 });
	/* No load: no loss to speak of. */
	pt.nbg = 0;
	EXPECT(&pt, res, { "exp_bg_loss_pct", NAN });
	test_point_free(&pt);
}

/*
 * The IPI benchmarks (lib/ipicount.c through their descriptors): one
 * initiator, one spin victim on CPU all of the quiet window and half of
 * the storm.  Storm: 1000 ops in 100 ms, 1100 call IPIs; quiet: 100 in
 * its 100 ms, background: (1100 - 100) / 1000 = 1 per op.  Victim: 1e6
 * ops/s quiet, 4e5 storm: wall slowdown 60%, on-CPU 1e6 vs 8e5 = 20%.
 */
static void check_ipi_bench(const char *name, char **argv, int argc,
			    const char *recv)
{
	static const int unbound[] = { -1, -1 };
	const struct bench *b = known_bench(name);
	unsigned quiet = test_mode(b, "quiet"), storm = test_mode(b, "storm");
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	struct worker w = { .id = 1, .bg = true, .pu = -1 };
	struct victim *v;
	struct point pt;
	int sent;

	test_point(&pt, b, 1, 1, argc, argv);
	pt.pus = unbound;
	if (b->setup(&pt) != BENCH_OK)
		fail_msg("%s: setup: %s", name, pt.skip_reason);
	w.pt = &pt;
	assert_int_equal(b->worker_setup(&pt, &w), BENCH_OK);
	v = w.priv;
	assert_non_null(v);
	v->oncpu[quiet] = 1.0;
	v->oncpu[storm] = 0.5;
	test_point_counters(&pt, recv ? ipi_recv_extra : ipi_extra);
	sent = test_counter(&pt, IPI_CALL_CPU);
	res[storm] = (struct mode_result){ .ops = 1000, .elapsed_ns = 100 * MS,
					   .lat_p50_ns = 3000, .lat_p99_ns = 9000,
					   .bg_ops_per_s = 4e5 };
	res[quiet] = (struct mode_result){ .ops = 5000000, .elapsed_ns = 100 * MS,
					   .bg_ops_per_s = 1e6 };
	res[storm].delta[sent] = 1100;
	res[quiet].delta[sent] = 100;
	EXPECT(&pt, res, { "op_p50_ns", 3000 }, { "op_p99_ns", 9000 },
	       { "ipis_per_op", 1.0 }, { "victim_slowdown_pct", 20 },
	       { "victim_wall_slowdown_pct", 60 }, { "targets_oncpu", 0.5 },
	       { "quiet_targets_oncpu", 1.0 });
	/* The proof where no hypervisor flushes for the kernel: IPIs
	 * received per op against the victim's on-CPU share in the storm
	 * (0.5): 0.5 is as expected, none is not. */
	if (recv) {
		int r = test_counter(&pt, recv);

		res[storm].delta[r] = 600;
		res[quiet].delta[r] = 100;
		expect_verdict(&pt, res, true, "as expected");
		res[storm].delta[r] = 100;
		expect_verdict(&pt, res, false, "WARNING: 0 IPIs per op where");
	}
	b->worker_teardown(&pt, &w);
	b->teardown(&pt);
	test_point_free(&pt);
}

static void test_ipi_broadcast(void **state)
{
	char *argv[] = { "--cmd=private", "--victim=spin" };

	(void)state;
	check_ipi_bench("ipi-broadcast", argv, 2, IPI_IRQ_CAL);
}

static void test_tlb_shootdown(void **state)
{
	char *argv[] = { "--op=mprotect", "--pages=1", "--victim=spin" };

	(void)state;
	/* Its verdict depends on whether the hypervisor flushes here. */
	check_ipi_bench("tlb-shootdown", argv, 3, NULL);
}

/* collapse: MADV_COLLAPSE latency, IPIs per collapse, khugepaged's rate
 * and the background GUP-fast loop's drop (no worker: no tallies). */
static void test_collapse(void **state)
{
	const struct bench *b = known_bench("collapse");
	unsigned idle = test_mode(b, "idle"), mad = test_mode(b, "madvise");
	unsigned kh = test_mode(b, "khugepaged");
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	struct point pt;

	(void)state;
	test_point(&pt, b, 0, 1, 0, NULL);
	test_point_counters(&pt, ipi_extra);
	res[idle].bg_ops_per_s = 2e6;
	res[mad] = (struct mode_result){ .ops = 200, .lat_p50_ns = 150e3,
					 .lat_p99_ns = 400e3, .bg_ops_per_s = 1.5e6 };
	res[mad].delta[test_counter(&pt, IPI_SEND_CPU)] = 300;
	res[mad].delta[test_counter(&pt, IPI_SEND_MASK)] = 100;
	res[kh] = (struct mode_result){ .ops = 50, .ops_per_s = 12.5 };
	res[kh].delta[test_counter(&pt, IPI_SEND_CPU)] = 25;
	EXPECT(&pt, res, { "collapse_p50_us", 150 }, { "collapse_p99_us", 400 },
	       { "ipis_per_collapse", 2.0 }, { "khugepaged_collapses_per_s", 12.5 },
	       { "khugepaged_ipis_per_collapse", 0.5 }, { "gup_fast_drop_pct", 25 },
	       { "collapse_ok_pct", NAN });
	test_point_free(&pt);
}

/* ksm-merge: N identical pages merge into one, so N - 1 are saved. */
static void test_ksm_merge(void **state)
{
	const struct bench *b = known_bench("ksm-merge");
	unsigned merge = test_mode(b, "merge");
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	char *argv[] = { "--pages=5" };
	struct point pt;

	(void)state;
	test_point(&pt, b, 1, 0, 1, argv);
	test_point_counters(&pt, ipi_extra);
	res[merge] = (struct mode_result){ .ops = 10, .ops_per_s = 20,
					   .lat_p50_ns = 45e6 };
	res[merge].delta[test_counter(&pt, IPI_SEND_CPU)] = 80;
	res[merge].delta[test_counter(&pt, b->counters[0])] = 40;
	EXPECT(&pt, res, { "merge_p50_ms", 45 }, { "pages_merged_per_s", 80 },
	       { "ipis_per_merged_page", 2 }, { "merges_per_op", 4 });
	test_point_free(&pt);
}

/* uprobe-replace: install = mmap of the probed page less the unprobed. */
static void test_uprobe_replace(void **state)
{
	const struct bench *b = known_bench("uprobe-replace");
	unsigned reg = test_mode(b, "register"), mm = test_mode(b, "mmap");
	unsigned ctl = test_mode(b, "mmap-control");
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	struct point pt;

	(void)state;
	test_point(&pt, b, 1, 0, 0, NULL);
	test_point_counters(&pt, ipi_extra);
	res[reg] = (struct mode_result){ .ops = 40, .lat_p50_ns = 2.5e6 };
	res[reg].delta[test_counter(&pt, IPI_SEND_CPU)] = 60;
	res[mm].lat_p50_ns = 9000;
	res[ctl].lat_p50_ns = 4000;
	EXPECT(&pt, res, { "install_us", 5 }, { "register_unregister_ms", 2.5 },
	       { "ipis_per_register", 1.5 });
	test_point_free(&pt);
}

/*
 * The in-kernel benchmarks time inside gupsync.ko: their numbers are the
 * medians of the measured workers' kernel samples, which they reach
 * through the worker pool (point_worker_priv()); a worker's state starts
 * with a struct kdev_worker (lib/kdev.h).  So one worker is started, by
 * pool_start() as in a run, on a copy of the descriptor whose
 * worker_setup() fills that state instead of opening the device: three
 * samples per series and mode (the median is the middle one) and events
 * over 100 iterations.  With no worker every number is NaN, never a
 * made-up 0.
 */
static struct kwin {
	unsigned series, mode;
	uint64_t mid, events;
} kwins[8];
static size_t nkwins;

static int kfake_worker_setup(struct point *pt, struct worker *w)
{
	struct kdev_worker *k = w->priv;

	(void)pt;
	k->fd = -1;
	k->nseries = KDEV_MAX_SERIES;
	k->nmodes = BENCH_MAX_MODES;
	for (size_t i = 0; i < nkwins; i++) {
		const struct kwin *x = &kwins[i];
		const uint64_t ns[] = { x->mid + 50, x->mid - 20, x->mid };

		if (ksamples_init(&k->ks[x->series][x->mode], 16) < 0)
			return BENCH_FAIL;
		ksamples_add(&k->ks[x->series][x->mode], ns, 3);
		k->iters[x->mode] = 100;
		k->events[x->mode] = x->events;
	}
	return BENCH_OK;
}

/* Samples lo, mid, hi of series s in mode m, and events over 100 iters. */
static void kfake_window(unsigned s, unsigned m, uint64_t mid, uint64_t events)
{
	assert_true(nkwins < sizeof(kwins) / sizeof(kwins[0]));
	kwins[nkwins++] = (struct kwin){ s, m, mid, events };
}

/* One measured worker holding the windows given, in a pool as in a run;
 * the benchmark's own worker_teardown() frees them in kfake_stop(). */
static struct pool *kfake_start(struct point *pt, struct bench *copy)
{
	static const int unbound[] = { -1 };
	struct pool *p = NULL;
	char err[256];

	*copy = *pt->bench;
	copy->worker_setup = kfake_worker_setup;
	pt->bench = copy;
	pt->nthreads = 1;
	pt->pus = unbound;
	if (pool_start(pt, &p, err, sizeof(err)) != BENCH_OK)
		fail_msg("%s: pool_start: %s %s", copy->name, err, pt->skip_reason);
	return p;
}

static void kfake_stop(struct point *pt, struct pool *p, const struct bench *b)
{
	pool_stop(p);
	pt->bench = b;
	nkwins = 0;
}

static void expect_all_nan(struct point *pt, const struct mode_result *res)
{
	const struct bench *b = pt->bench;
	double val[BENCH_MAX_METRICS];

	for (size_t m = 0; m < BENCH_MAX_METRICS; m++)
		val[m] = NAN;
	b->derive(pt, res, val);
	for (size_t m = 0; m < b->nmetrics; m++)
		if (!isnan(val[m]))
			fail_msg("%s: %s = %g with no samples", b->name,
				 b->metrics[m].name, val[m]);
}

static void test_k_gup(void **state)
{
	const struct bench *b = known_bench("k-gup");
	unsigned get = test_mode(b, "get"), pin = test_mode(b, "pin");
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	char *argv[] = { "--pages-per-call=8" };
	struct bench copy;
	struct point pt;
	struct pool *p;

	(void)state;
	test_point(&pt, b, 0, 0, 1, argv);
	expect_all_nan(&pt, res);
	kfake_window(0, get, 400, 0);	/* series 0: get / pin */
	kfake_window(1, get, 160, 0);	/* series 1: put / unpin */
	kfake_window(0, pin, 520, 0);
	kfake_window(1, pin, 240, 0);
	p = kfake_start(&pt, &copy);
	EXPECT(&pt, res, { "get_ns", 400 }, { "put_ns", 160 }, { "pin_ns", 520 },
	       { "unpin_ns", 240 }, { "get_ns_per_page", 50 });
	kfake_stop(&pt, p, b);
	test_point_free(&pt);
}

static void test_k_ipi(void **state)
{
	const struct bench *b = known_bench("k-ipi");
	unsigned nop = test_mode(b, "nop"), all = test_mode(b, "all");
	unsigned mask = test_mode(b, "mask");
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	struct bench copy;
	struct point pt;
	struct pool *p;

	(void)state;
	test_point(&pt, b, 0, 0, 0, NULL);
	expect_all_nan(&pt, res);
	kfake_window(0, nop, 30, 0);
	kfake_window(0, all, 2500, 100);	/* 1 target per IPI */
	kfake_window(0, mask, 1800, 50);
	p = kfake_start(&pt, &copy);
	EXPECT(&pt, res, { "all_ipi_ns", 2500 }, { "all_targets", 1 },
	       { "mask_ipi_ns", 1800 }, { "mask_targets", 0.5 },
	       { "timing_floor_ns", 30 });
	kfake_stop(&pt, p, b);
	test_point_free(&pt);
}

static void test_k_rcu(void **state)
{
	const struct bench *b = known_bench("k-rcu");
	unsigned nm = test_mode(b, "normal"), ex = test_mode(b, "expedited");
	struct mode_result res[BENCH_MAX_MODES] = { { .ops = 0 } };
	struct bench copy;
	struct point pt;
	struct pool *p;

	(void)state;
	test_point(&pt, b, 0, 0, 0, NULL);
	expect_all_nan(&pt, res);
	kfake_window(0, nm, 8000000, 100);	/* every wait a grace period */
	kfake_window(0, ex, 40000, 90);
	p = kfake_start(&pt, &copy);
	EXPECT(&pt, res, { "sync_rcu_ns", 8000000 }, { "sync_rcu_exp_ns", 40000 },
	       { "gp_verified_fraction", 0.9 });
	kfake_stop(&pt, p, b);
	test_point_free(&pt);
}

/* Last: every registered benchmark had its known answers checked. */
static void test_all_covered(void **state)
{
	const struct bench **all;
	size_t n = bench_all(&all);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		for (size_t k = 0; k < ncovered && !seen; k++)
			seen = !strcmp(covered[k], all[i]->name);
		if (!seen)
			fail_msg("%s: no known-answer test of its derive() in "
				 "tests/test_benches.c", all[i]->name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_sweep_sets),
		cmocka_unit_test(test_variant_roles),
		cmocka_unit_test(test_gup_fast),
		cmocka_unit_test(test_pin_fast),
		cmocka_unit_test(test_rcu_wait),
		cmocka_unit_test(test_ipi_broadcast),
		cmocka_unit_test(test_tlb_shootdown),
		cmocka_unit_test(test_collapse),
		cmocka_unit_test(test_ksm_merge),
		cmocka_unit_test(test_uprobe_replace),
		cmocka_unit_test(test_k_gup),
		cmocka_unit_test(test_k_ipi),
		cmocka_unit_test(test_k_rcu),
		cmocka_unit_test(test_all_covered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
