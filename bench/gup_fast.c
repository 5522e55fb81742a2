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
 * That difference also holds the rest of get_futex_key()'s shared-key work
 * and the shared hash lookup (6.16+ gives private futexes a per-process
 * hash), so it is an upper bound on the GUP-fast cost itself.
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
 * Calibration (--extra-ns N): every call of every mode is followed by N ns
 * of user-space spinning, a known slowdown for checking that `gupsync
 * compare` detects a change of that size.  The spin count is calibrated
 * once per point against CLOCK_MONOTONIC, so the loop reads no clock.
 */
#include <errno.h>
#include <linux/futex.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "knobs.h"
#include "mem.h"

enum { MODE_PRIVATE, MODE_SHARED, MODE_CONTROL };
enum { LAYOUT_OWN, LAYOUT_SHARED };

struct gup_conf {
	uint64_t page_size;
	int layout;
	uint64_t extra_ns;
};

struct gup_point {
	char *shared_region;	/* layout=shared: the one page/THP */
	uint64_t spin_iters;	/* --extra-ns as spin loop iterations */
};

#define EXTRA_NS_MAX 100000	/* 100 us: far past any per-call cost here */
#define CALIB_ITERS 2000000	/* a few ms of spinning per calibration try */
#define CALIB_TRIES 5		/* the fastest try: preemption only adds */

struct gup_worker {
	char *region;		/* layout=own: this worker's page/THP */
	uint32_t *word;		/* the futex word */
	char *ro_page;		/* control: a populated PROT_READ page */
};

static const char *const layouts[] = { "own", "shared", NULL };

static const struct opt_spec gup_opts[] = {
	{ "page-size", OPT_SIZE, "page backing the futex word: 4K or 2M (THP)",
	  "4K", PAGE_4K, HPAGE_PMD_SIZE, NULL, true,
	  offsetof(struct gup_conf, page_size) },
	{ "layout", OPT_ENUM, "own page per worker, or all workers on one page",
	  "own", 0, 0, layouts, true, offsetof(struct gup_conf, layout) },
	{ "extra-ns", OPT_U64, "calibration: spin this many ns after every call",
	  "0", 0, EXTRA_NS_MAX, NULL, false, offsetof(struct gup_conf, extra_ns) },
	{ NULL },
};

static int gup_check(const void *conf, char *err, size_t len)
{
	const struct gup_conf *c = conf;

	if (c->page_size != PAGE_4K && c->page_size != HPAGE_PMD_SIZE) {
		snprintf(err, len, "--page-size: '%llu' bytes is not supported; "
			 "allowed: 4K, 2M", (unsigned long long)c->page_size);
		return -1;
	}
	return 0;
}

static char *region(struct point *pt, const struct gup_conf *c)
{
	int huge = c->page_size == HPAGE_PMD_SIZE;
	char err[256];
	char *p = mem_region(c->page_size, c->page_size, huge, err, sizeof(err));
	long kb;

	if (!p) {
		point_skip(pt, "%s", err);
		return NULL;
	}
	if (!huge)
		return p;
	kb = mem_anon_huge_kb(p);
	if (kb < (long)(HPAGE_PMD_SIZE >> 10)) {
		point_skip(pt, "THP could not be had: AnonHugePages %ld kB after "
			   "MADV_HUGEPAGE (fragmented memory or THP disabled)", kb);
		mem_free(p, c->page_size);
		return NULL;
	}
	point_note(pt, "thp", "yes: futex word's VMA has AnonHugePages %ld kB", kb);
	return p;
}

/* User-space work the compiler cannot drop: one iteration per cycle or so. */
static inline void spin(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		__asm__ volatile("" ::: "memory");
}

/* Spin iterations that take ns nanoseconds on this CPU. */
static int spin_calibrate(struct point *pt, uint64_t ns, uint64_t *iters)
{
	double best = INFINITY;

	for (int t = 0; t < CALIB_TRIES; t++) {
		struct timespec a, b;
		int rc = clock_gettime(CLOCK_MONOTONIC, &a);

		spin(CALIB_ITERS);
		if (rc < 0 || clock_gettime(CLOCK_MONOTONIC, &b) < 0)
			return point_skip(pt, "clock_gettime(CLOCK_MONOTONIC): %s",
					  strerror(errno));
		best = fmin(best, (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec));
	}
	*iters = (uint64_t)llround((double)ns * CALIB_ITERS / best);
	point_note(pt, "extra_ns", "%llu ns after every call = %llu spin "
		   "iterations (%.3f ns each, calibrated)", (unsigned long long)ns,
		   (unsigned long long)*iters, best / CALIB_ITERS);
	return BENCH_OK;
}

static int gup_setup(struct point *pt)
{
	const struct gup_conf *c = pt->conf;
	struct gup_point *g = pt->priv;
	char val[64], err[256];

	if (c->page_size == HPAGE_PMD_SIZE) {
		if (knob_read(THP_ENABLED, val, sizeof(val)) < 0)
			return point_skip(pt, "THP not available: cannot read %s",
					  THP_ENABLED);
		/* MADV_HUGEPAGE needs THP "madvise" or "always"; the knobs
		 * module restores "never" on every exit path. */
		if (!strcmp(val, "never")) {
			if (knob_set(THP_ENABLED, "madvise", err, sizeof(err)) < 0)
				return point_skip(pt, "THP is 'never' and %s", err);
			point_note(pt, "thp_knob", "enabled: never -> madvise for this run");
		}
	}
	if (c->extra_ns && spin_calibrate(pt, c->extra_ns, &g->spin_iters) < 0)
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
	struct gup_worker *gw = calloc(1, sizeof(*gw));
	char err[256];

	if (!gw)
		return point_skip(pt, "out of memory");
	w->priv = gw;
	if (c->layout == LAYOUT_OWN) {
		gw->region = region(pt, c);
		if (!gw->region)
			return BENCH_SKIP;
		gw->word = (uint32_t *)gw->region;
	} else {
		gw->word = (uint32_t *)(g->shared_region + w->id * CACHELINE);
	}
	gw->ro_page = mem_region(PAGE_4K, PAGE_4K, 0, err, sizeof(err));
	if (!gw->ro_page)
		return point_skip(pt, "%s", err);
	if (mprotect(gw->ro_page, PAGE_4K, PROT_READ) < 0)
		return point_skip(pt, "mprotect(PROT_READ): %s", strerror(errno));
	return BENCH_OK;
}

static void gup_loop(struct worker *w)
{
	struct gup_worker *gw = w->priv;
	uint32_t *word = w->mode == MODE_CONTROL ? (uint32_t *)gw->ro_page : gw->word;
	int op = w->mode == MODE_PRIVATE ? FUTEX_WAKE | FUTEX_PRIVATE_FLAG : FUTEX_WAKE;
	uint64_t extra = ((struct gup_point *)w->pt->priv)->spin_iters;

	while (worker_running(w)) {
		syscall(SYS_futex, word, op, 1, NULL, NULL, 0);
		spin(extra);
		worker_tick(w);
	}
}

static void gup_worker_teardown(struct point *pt, struct worker *w)
{
	const struct gup_conf *c = pt->conf;
	struct gup_worker *gw = w->priv;

	if (!gw)
		return;
	mem_free(gw->region, c->page_size);
	mem_free(gw->ro_page, PAGE_4K);
	free(gw);
}

static void gup_teardown(struct point *pt)
{
	const struct gup_conf *c = pt->conf;
	struct gup_point *g = pt->priv;

	mem_free(g->shared_region, c->page_size);
}

static size_t gup_derive(struct point *pt, const struct mode_result *res,
			 struct metric *out, size_t cap)
{
	(void)pt;
	if (cap < 2)
		return 0;
	out[0] = (struct metric){ "gup_fast_ns", "ns", BETTER_LOWER, true,
		res[MODE_SHARED].ns_per_op - res[MODE_PRIVATE].ns_per_op };
	out[1] = (struct metric){ "shared_wakes_per_s", "ops/s", BETTER_HIGHER,
		true, res[MODE_SHARED].ops_per_s };
	return 2;
}

#define MMAP_LOCK_TP "tp:mmap_lock:mmap_lock_start_locking"
#define FAST_MAX 0.01	/* mmap_lock per call if GUP-fast served it */
#define SLOW_MIN 0.5	/* ... and when the slow path had to run */

static bool gup_verify(struct point *pt, const struct mode_result *res,
		       char *verdict, size_t len)
{
	/* Counted on the workers' own threads when possible: mmap_lock
	 * taken by other processes must not blur the proof. */
	int c = point_thread_counter(pt, MMAP_LOCK_TP);
	bool per_thread = c >= 0;
	double fast, slow;

	if (!per_thread)
		c = point_counter(pt, MMAP_LOCK_TP);
	if (c < 0) {
		snprintf(verdict, len, "unproven: %s not supported here", MMAP_LOCK_TP);
		return false;
	}
	if (!res[MODE_SHARED].ops || !res[MODE_CONTROL].ops) {
		snprintf(verdict, len, "unproven: no calls completed");
		return false;
	}
	fast = (double)(per_thread ? res[MODE_SHARED].tdelta[c] :
			res[MODE_SHARED].delta[c]) / res[MODE_SHARED].ops;
	slow = (double)(per_thread ? res[MODE_CONTROL].tdelta[c] :
			res[MODE_CONTROL].delta[c]) / res[MODE_CONTROL].ops;
	snprintf(verdict, len, "mmap_lock/call (%s): shared %.4f, control "
		 "(slow GUP) %.3f -> %s", per_thread ? "workers' threads" :
		 "system-wide", fast, slow,
		 fast <= FAST_MAX && slow >= SLOW_MIN ? "GUP-fast served shared wakes" :
		 slow < SLOW_MIN ? "detector did not see the slow path" :
		 "shared wakes took mmap_lock: not GUP-fast");
	return fast <= FAST_MAX && slow >= SLOW_MIN;
}

static const struct bench gup_fast = {
	.name = "gup-fast",
	.summary = "GUP-fast calls/s and ns per call, 4K or THP, 1..N threads",
	.kernel_path = "FUTEX_WAKE (shared) -> get_futex_key() -> get_user_pages_fast()",
	.kind = BENCH_THROUGHPUT,
	.opts = gup_opts,
	.conf_size = sizeof(struct gup_conf),
	.priv_size = sizeof(struct gup_point),
	.modes = {
		{ "private", "FUTEX_WAKE|FUTEX_PRIVATE_FLAG: no GUP (baseline)", false },
		{ "shared", "FUTEX_WAKE: one get_user_pages_fast() per call", false },
		{ "control", "shared wake on a PROT_READ page: slow GUP + mmap_lock", true },
	},
	.counters = { MMAP_LOCK_TP },
	.check = gup_check,
	.setup = gup_setup,
	.worker_setup = gup_worker_setup,
	.loop = gup_loop,
	.worker_teardown = gup_worker_teardown,
	.teardown = gup_teardown,
	.derive = gup_derive,
	.verify = gup_verify,
};
BENCH_REGISTER(gup_fast);
