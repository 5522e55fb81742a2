// SPDX-License-Identifier: GPL-2.0
/*
 * gup-fast: GUP-fast throughput from a stock kernel, no module.
 *
 * Kernel path: futex(FUTEX_WAKE) without FUTEX_PRIVATE_FLAG on a word in
 * private anonymous memory -> futex_wake() -> get_futex_key() ->
 * get_user_pages_fast(addr, 1, FOLL_WRITE) -> (lockless walk with IRQs off,
 * folio reference taken, pte/pmd re-checked) -> put_page().  With no
 * waiters nothing else of note happens, so a shared wake is one GUP-fast
 * call plus the syscall and futex hashing around it.  The private wake
 * (FUTEX_PRIVATE_FLAG: no GUP, the key is mm + address) is the baseline;
 * gup_fast_ns is the paired per-trial difference of their ns per call.
 * That difference also holds the rest of get_futex_key()'s shared-key work,
 * so it is an upper bound on the GUP-fast cost itself.  Both wakes must
 * use the same futex hash: on 6.16+ a multi-threaded process hashes its
 * private futexes per process (with reference counting), which makes the
 * private wake dearer and the difference smaller.  The harness puts the
 * process on the global hash before the workers start (--futex-hash,
 * lib/futexhash.h), so the baseline is the same at any thread count.
 *
 * This is the path the replacement protocols protect: khugepaged/KSM clear
 * the pmd/pte, flush (IPI) or wait for RCU so no GUP-fast is in flight,
 * then check the page count that GUP-fast raises.
 *
 * Proof (per point, before the trials): mmap_lock:mmap_lock_start_locking
 * per call is ~0 for the shared wake (GUP-fast takes no mmap_lock; the slow
 * path would), and ~1 for the control: a shared wake on a PROT_READ page,
 * where the FOLL_WRITE GUP-fast fails, the slow path takes mmap_lock and
 * fails, and get_futex_key() retries read-only.  With page-size=2M the
 * futex word's VMA must show AnonHugePages, or the point is skipped.
 *
 * Layout: own = each worker its own page (2 MiB region for THP); shared =
 * all workers on one page (contention on one folio refcount), each on its
 * own cache line.
 *
 * Words (--words N, layout own): the futex key, and so the hash bucket,
 * depends on the word's address, and which bucket a process draws moves
 * its wakes by a few percent for the whole run (a bare loop showed
 * gup_fast_rel medians 5% apart over four processes, 2.4% when each trial
 * used another word).  So a worker has N words, each on its own page (4K)
 * or subpage (THP) and cache line, and takes the next one every slice
 * pair: both slices of a pair use the same word, and a trial's median is
 * over many words instead of one drawn for the whole run.
 *
 * Paired: private and shared alternate in ~0.15 ms ABBA slices within
 * each trial (lib/slices.h); gup_fast_ns is the median over slice pairs
 * of shared - private, gup_fast_rel of shared / private - 1.  The ratio
 * cancels what slows both wakes alike (the host, the VM's state), so it is
 * the number to compare across runs and kernels when the change under test
 * leaves the private wake alone, as a GUP-fast patch does.
 *
 * Calibration (--extra-ns N): every call of the --extra-mode modes (all by
 * default, or only shared: a slower GUP-fast stand-in) is followed by N ns
 * of user-space spinning, a known slowdown for checking that `gupsync
 * compare` detects a change of that size.  The spin count is calibrated
 * against CLOCK_MONOTONIC once per worker, on its own CPU (vCPUs can run
 * at different speeds), so the loop reads no clock (lib/spin.h).
 */
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "mem.h"
#include "proof.h"
#include "spin.h"
#include "thp.h"

enum { MODE_PRIVATE, MODE_SHARED, MODE_CONTROL };
enum { LAYOUT_OWN, LAYOUT_SHARED };

struct gup_conf {
	uint64_t page_size;
	int layout;
	uint64_t extra_ns;
	int extra_mode;		/* EXTRA_ALL or a mode's index + 1 */
	uint64_t words;		/* layout own: futex words cycled per slice pair */
};

enum { EXTRA_ALL };

struct gup_point {
	char *shared_region;	/* layout=shared: the one page/THP */
};

#define EXTRA_NS_MAX 100000	/* 100 us: far past any per-call cost here */

#define WORDS_MAX (HPAGE_PMD_SIZE / PAGE_4K) /* one per subpage of a THP */
#define WORD_LINES (PAGE_4K / CACHELINE)      /* cache lines the words cycle */

struct gup_worker {
	char *region;		/* layout=own: this worker's page(s)/THP */
	size_t region_size;
	uint32_t *word;		/* the futex word (the first of them) */
	uint64_t words;		/* words: word(k) for slice pair k (own) */
	char *ro_page;		/* control: a populated PROT_READ page */
	uint64_t spin_iters;	/* --extra-ns as spin() iterations */
};

static const char *const layouts[] = { "own", "shared", NULL };
/* "all", then the modes in their order: index = mode + 1. */
static const char *const extra_modes[] = { "all", "private", "shared", NULL };

static const struct opt_spec gup_opts[] = {
	{ .name = "page-size", .type = OPT_SIZE,
	  .help = "page backing the futex word: 4K or 2M (THP)",
	  .def = "4K", .min = PAGE_4K, .max = HPAGE_PMD_SIZE, .list = true,
	  .offset = offsetof(struct gup_conf, page_size) },
	{ .name = "layout", .type = OPT_ENUM,
	  .help = "own page per worker, or all workers on one page",
	  .def = "own", .choices = layouts, .list = true,
	  .offset = offsetof(struct gup_conf, layout) },
	{ .name = "extra-ns", .type = OPT_U64,
	  .help = "calibration: spin this many ns after every call",
	  .def = "0", .max = EXTRA_NS_MAX,
	  .offset = offsetof(struct gup_conf, extra_ns) },
	{ .name = "extra-mode", .type = OPT_ENUM,
	  .help = "calibration: which mode gets --extra-ns (shared: a slower "
	  "GUP-fast)",
	  .def = "all", .choices = extra_modes,
	  .offset = offsetof(struct gup_conf, extra_mode) },
	{ .name = "words", .type = OPT_U64,
	  .help = "layout own: futex words per worker, each on its own page "
	  "(4K) or subpage (2M) and cache line, the next one every slice pair",
	  .def = "64", .min = 1, .max = WORDS_MAX,
	  .offset = offsetof(struct gup_conf, words) },
	{ NULL },
};

static int gup_check(const void *conf, char *err, size_t len)
{
	return thp_check_page_size(((const struct gup_conf *)conf)->page_size,
				   err, len);
}

/* The futex word's page (layout=own) or the workers' shared one. */
static char *region(struct point *pt, const struct gup_conf *c)
{
	return thp_point_region(pt, c->page_size, c->page_size, "futex word");
}

static int gup_setup(struct point *pt)
{
	const struct gup_conf *c = pt->conf;
	struct gup_point *g = pt->priv;

	if (c->page_size == HPAGE_PMD_SIZE &&
	    thp_point_madvise(pt, THP_OK_MADV_HUGEPAGE) != BENCH_OK)
		return BENCH_SKIP;
	if (c->layout == LAYOUT_SHARED) {
		g->shared_region = region(pt, c);
		if (!g->shared_region)
			return BENCH_SKIP;
	}
	return BENCH_OK;
}

static int gup_worker_setup(struct point *pt, struct worker *w)
{
	const struct gup_conf *c = pt->conf;
	struct gup_point *g = pt->priv;
	struct gup_worker *gw = w->priv;
	char err[256];

	if (c->layout == LAYOUT_OWN) {
		/* 4K: one page per word; THP: the words on its subpages. */
		gw->region_size = c->page_size == PAGE_4K ? c->words * PAGE_4K :
							      c->page_size;
		gw->region = thp_point_region(pt, gw->region_size, c->page_size,
					      "futex words");
		if (!gw->region)
			return BENCH_SKIP;
		gw->word = (uint32_t *)gw->region;
		gw->words = c->words;
	} else {
		gw->word = (uint32_t *)(g->shared_region + w->id * CACHELINE);
	}
	gw->ro_page = mem_ro_page(err, sizeof(err));
	if (!gw->ro_page)
		return point_skip(pt, "%s", err);
	/* On the worker's own CPU: that is the speed the loop runs at. */
	if (c->extra_ns && spin_calibrate(pt, w, c->extra_ns, &gw->spin_iters) < 0)
		return BENCH_SKIP;
	return BENCH_OK;
}

/* Word k of a worker: on page (subpage) k % words, cache line k % 64. */
static uint32_t *word_of(const struct gup_worker *gw, uint64_t k)
{
	if (gw->words <= 1)
		return gw->word;
	k %= gw->words;
	return (uint32_t *)(gw->region + k * PAGE_4K + (k % WORD_LINES) * CACHELINE);
}

static void gup_loop(struct worker *w)
{
	struct gup_worker *gw = w->priv;
	uint32_t *word = w->mode == MODE_CONTROL ? (uint32_t *)gw->ro_page :
			 word_of(gw, worker_slice(w) / 2);
	int op = w->mode == MODE_PRIVATE ? FUTEX_WAKE | FUTEX_PRIVATE_FLAG : FUTEX_WAKE;
	const struct gup_conf *c = w->pt->conf;
	uint64_t extra = c->extra_mode == EXTRA_ALL ||
			 (unsigned)c->extra_mode == w->mode + 1 ? gw->spin_iters : 0;

	while (worker_running(w)) {
		syscall(SYS_futex, word, op, 1, NULL, NULL, 0);
		if (extra)
			spin(extra);
		worker_tick(w);
	}
}

static void gup_worker_teardown(struct point *pt, struct worker *w)
{
	struct gup_worker *gw = w->priv;

	(void)pt;
	mem_free(gw->region, gw->region_size);
	mem_free(gw->ro_page, PAGE_4K);
}

static void gup_teardown(struct point *pt)
{
	const struct gup_conf *c = pt->conf;
	struct gup_point *g = pt->priv;

	mem_free(g->shared_region, c->page_size);
}

enum { M_GUP_FAST_NS, M_GUP_FAST_REL, M_SHARED_WAKES, NMETRICS };

static const struct metric_spec gup_metrics[NMETRICS] = {
	[M_GUP_FAST_NS] = { .name = "gup_fast_ns", .unit = "ns",
			    .better = BETTER_LOWER, .headline = true },
	[M_GUP_FAST_REL] = { .name = "gup_fast_rel", .unit = "1",
			     .better = BETTER_LOWER, .headline = true },
	[M_SHARED_WAKES] = { .name = "shared_wakes_per_s", .unit = "ops/s",
			     .better = BETTER_HIGHER, .headline = true },
};

static void gup_derive(struct point *pt, const struct mode_result *res,
		       double *val)
{
	val[M_GUP_FAST_NS] = pair_diff_ns(res, pt->bench->pair);
	val[M_GUP_FAST_REL] = pair_rel(res, pt->bench->pair);
	val[M_SHARED_WAKES] = res[MODE_SHARED].ops_per_s;
}

static bool gup_verify(struct point *pt, const struct mode_result *res,
		       char *verdict, size_t len)
{
	static const unsigned modes[] = { MODE_SHARED, MODE_CONTROL };
	double rate[2];
	const char *where = proof_mmap_lock(pt, res, modes, 2, "calls", rate,
					    verdict, len), *slow;
	bool ok;

	if (!where)
		return false;
	slow = proof_slow_control(rate[1]);
	ok = rate[0] <= GUP_FAST_MAX && !slow;
	snprintf(verdict, len, "mmap_lock/call (%s): shared %.4f (expected 0), "
		 "control (slow GUP) %.3f (expected 1) -> %s", where, rate[0],
		 rate[1], ok ? "GUP-fast served shared wakes" : slow ? slow :
		 "shared wakes took mmap_lock: not GUP-fast");
	return ok;
}

static const struct bench gup_fast = {
	.name = "gup-fast",
	.summary = "GUP-fast calls/s and ns per call, 4K or THP, 1..N threads",
	.kernel_path = "FUTEX_WAKE (shared) -> get_futex_key() -> get_user_pages_fast()",
	.kind = BENCH_THROUGHPUT,
	.opts = gup_opts,
	.conf_size = sizeof(struct gup_conf),
	.priv_size = sizeof(struct gup_point),
	.worker_priv_size = sizeof(struct gup_worker),
	.modes = {
		{ .name = "private",
		  .what = "FUTEX_WAKE|FUTEX_PRIVATE_FLAG: no GUP (baseline)" },
		{ .name = "shared",
		  .what = "FUTEX_WAKE: one get_user_pages_fast() per call" },
		{ .name = "control",
		  .what = "shared wake on a PROT_READ page: slow GUP + mmap_lock",
		  .proof_only = true },
	},
	.pair = { .base = MODE_PRIVATE, .test = MODE_SHARED },
	.counters = { MMAP_LOCK_TP },
	.check = gup_check,
	.setup = gup_setup,
	.worker_setup = gup_worker_setup,
	.loop = gup_loop,
	.worker_teardown = gup_worker_teardown,
	.teardown = gup_teardown,
	METRIC_TABLE(gup_metrics),
	.derive = gup_derive,
	.verify = gup_verify,
	.verify_each_trial = true,
	.sweep = { .order = 10,
		   .short_args = "--threads=%T --page-size=4K,2M --duration=200ms "
				 "--warmup=50ms --trials=6 --order=interleave",
		   .full_args = "--threads=%T --page-size=4K,2M --layout=own,shared "
				"--placement=compact,scatter --order=interleave" },
};
BENCH_REGISTER(gup_fast);
