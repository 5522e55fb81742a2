// SPDX-License-Identifier: GPL-2.0
/*
 * ksm-merge: time for ksmd to merge N identical pages, pages merged per
 * second, and the IPIs each merge costs, idle and with GUP-fast beside it.
 *
 * Kernel path: ksmd -> ksm_do_scan() -> cmp_and_merge_page() ->
 * try_to_merge_one_page() -> write_protect_page(): the pte cleared and
 * flushed (ptep_clear_flush: an IPI to CPUs running this mm, which also
 * waits out GUP-fast), then the page refcount checked against its mapcount
 * (a reference GUP-fast took: no merge), then replace_page() maps the KSM
 * page instead (another flush).  KSM is the second replacement path that
 * relies on "flush, then check the count" to never take a pinned page.
 *
 * What is timed: one op() = unmap the previous op's pages, map N fresh
 * pages, fill them with one pattern unique to this op (so they merge with
 * nothing else), MADV_MERGEABLE, and wait (polling /proc/self/pagemap
 * every POLL_NS) until all N map one PFN: the merge is done when the
 * process sees it.  The global counter pages_sharing is not the end test:
 * it also moves with other processes and falls late, when ksmd next scans
 * an unmapped range.  ksmd must see a page unchanged over two scans before
 * it merges it, so the time is mostly ksmd's pace: --scan-pages and
 * --scan-sleep set pages_to_scan and sleep_millisecs (and run=1); all are
 * restored at exit.  An op that takes longer than --timeout fails.
 *
 * Background workers (--bg-threads) call shared FUTEX_WAKE (GUP-fast) on a
 * page of the same mm that is not being merged: FUTEX_WAKE takes a
 * FOLL_WRITE reference, which would break a KSM page's sharing (COW) and
 * undo the merge it is meant to watch.  Being threads of this mm, running,
 * they receive the flush IPIs of every merge.
 *
 * Proof: in the proof-only mode "keep" (pages stay mapped through the
 * window) this process's ksm_merging_pages (/proc/self/ksm_stat) rises by
 * N per op.  The global pages_sharing (N-1 per op) and the tracepoint
 * ksm:ksm_merge_with_ksm_page (err==0: ~N per op) are reported beside it,
 * but count every process ksmd merges for (a QEMU guest's RAM is
 * mergeable by default): the setup notes such processes.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "ksm.h"
#include "mem.h"
#include "pin.h"
#include "proof.h"
#include "workers.h"

enum { MODE_MERGE, MODE_KEEP, NMODES };

#define POLL_NS 250000ull	/* pagemap poll period while waiting */
#define SETTLE_SCANS 2		/* full scans that drop unmapped rmap items */
/* Each op maps its pages at a new address, in a ring of this many slots:
 * ksmd keeps an rmap item per address, and with smart_scan an address
 * that did not merge for a few scans is skipped - a reused address would
 * inherit that from the previous op's pages.  The ring is long enough for
 * ksmd to have dropped a slot's old items before it comes round again. */
#define RING_SLOTS 256
#define KEEP_MAX (RING_SLOTS - 2) /* keep mode: ops whose pages stay mapped */
#define TP_MERGED "tp:ksm:ksm_merge_with_ksm_page:err==0"
#define PAGES_MAX 65536		/* --pages: 256 MiB of identical pages */

struct ksm_conf {
	uint64_t pages, scan_pages, scan_sleep_ns, timeout_ns;
};

struct ksm_worker {
	char *ring;		/* RING_SLOTS x N pages of address space */
	char *cur;		/* this op's pages */
	/* Pagemap entries of cur, room for the largest --pages: 512 KiB,
	 * zeroed by the harness once per point, not per merge. */
	uint64_t pm[PAGES_MAX];
	uint64_t seq;		/* makes each op's pattern unique */
	char *kept[KEEP_MAX];	/* keep mode: regions left mapped */
	size_t nkept;
	uint64_t ops;		/* merges done, warm-up included */
	char *gup_page;		/* background worker's futex page */
};

struct ksm_point {
	long merging0;		/* our ksm_merging_pages when "keep" began */
	long sharing0;		/* global pages_sharing then */
	uint64_t keep_ops0;
};

static const struct opt_spec ksm_opts[] = {
	{ .name = "pages", .type = OPT_U64,
	  .help = "identical pages merged per operation",
	  .def = "64", .min = 2, .max = PAGES_MAX, .list = true,
	  .offset = offsetof(struct ksm_conf, pages) },
	{ .name = "scan-pages", .type = OPT_U64,
	  .help = "ksm pages_to_scan (per ksmd wake-up)",
	  .def = "1000", .min = 1, .max = 1u << 20, .list = true,
	  .offset = offsetof(struct ksm_conf, scan_pages) },
	{ .name = "scan-sleep", .type = OPT_DURATION,
	  .help = "ksm sleep_millisecs between wake-ups",
	  .def = "4ms", .max = 10000000000ull, .list = true,
	  .offset = offsetof(struct ksm_conf, scan_sleep_ns) },
	{ .name = "timeout", .type = OPT_DURATION,
	  .help = "longest one merge may take (then an error)",
	  .def = "5s", .min = 10000000, .max = 600000000000ull,
	  .offset = offsetof(struct ksm_conf, timeout_ns) },
	{ NULL },
};

static size_t bytes(const struct ksm_conf *c)
{
	return c->pages * PAGE_4K;
}

static int ksm_setup(struct point *pt)
{
	const struct ksm_conf *c = pt->conf;
	struct ksm_point *kp = pt->priv;
	char err[256], who[64];
	uint64_t pfn;
	int others;

	if (pin_mapped_pfn(&kp, &pfn, err, sizeof(err)) < 0)
		return point_skip(pt, "merges cannot be seen: %s", err);
	if (pin_ksm_self("ksm_merging_pages") < 0)
		return point_skip(pt, "/proc/self/ksm_stat unreadable (Linux < 6.1?)");
	/* ksmd scans every mergeable process in turn: they set its pace. */
	if ((others = pin_ksm_others(who, sizeof(who))))
		point_note(pt, "ksm_others", "%d other mergeable process%s (%s): "
			   "ksmd scans them too; global KSM counters include them",
			   others, others > 1 ? "es" : "", who);
	if (pin_ksm_start((unsigned)c->scan_pages,
			  (unsigned)(c->scan_sleep_ns / 1000000), false, err,
			  sizeof(err)) < 0)
		return point_skip(pt, "%s", err);
	point_note(pt, "ksm", "run=1 pages_to_scan=%llu sleep_millisecs=%llu "
		   "smart_scan=%ld (restored at exit)",
		   (unsigned long long)c->scan_pages,
		   (unsigned long long)(c->scan_sleep_ns / 1000000),
		   pin_ksm_counter("smart_scan"));
	return BENCH_OK;
}

static int ksm_worker_setup(struct point *pt, struct worker *w)
{
	const struct ksm_conf *c = pt->conf;
	struct ksm_worker *kw = w->priv;
	char err[256];

	if (w->bg) {
		kw->gup_page = mem_region(PAGE_4K, PAGE_4K, 0, err, sizeof(err));
		return kw->gup_page ? BENCH_OK : point_skip(pt, "%s", err);
	}
	kw->ring = mmap(NULL, RING_SLOTS * bytes(c), PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (kw->ring == MAP_FAILED) {
		kw->ring = NULL;
		return point_skip(pt, "mmap(%d x %zu bytes, PROT_NONE): %s",
				  RING_SLOTS, bytes(c), strerror(errno));
	}
	return BENCH_OK;
}

/* Give a slot back: PROT_NONE again, so nothing else is mapped there. */
static void unmap_slot(char *p, size_t len)
{
	mmap(p, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
	     MAP_FIXED, -1, 0);
}

static void unmap_all(struct ksm_worker *kw, size_t len)
{
	for (size_t i = 0; i < kw->nkept; i++)
		unmap_slot(kw->kept[i], len);
	kw->nkept = 0;
	if (kw->cur)
		unmap_slot(kw->cur, len);
	kw->cur = NULL;
}

/* N pages, one pattern: this worker, this op. */
static int map_identical(struct ksm_worker *kw, unsigned id, size_t n)
{
	uint64_t tag = (uint64_t)getpid() << 32 ^ (uint64_t)id << 48 ^ ++kw->seq;

	kw->cur = mmap(kw->ring + kw->seq % RING_SLOTS * n * PAGE_4K, n * PAGE_4K,
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED, -1, 0);
	if (kw->cur == MAP_FAILED) {
		kw->cur = NULL;
		return -errno;
	}
	for (size_t p = 0; p < n; p++)
		for (size_t k = 0; k < PAGE_4K / sizeof(tag); k++)
			((uint64_t *)(kw->cur + p * PAGE_4K))[k] = tag + k;
	return madvise(kw->cur, n * PAGE_4K, MADV_MERGEABLE) < 0 ? -errno : 0;
}

/* All n pages on one PFN: ksmd merged them. */
static int merged(struct ksm_worker *kw, int fd, size_t n)
{
	size_t len = n * sizeof(uint64_t);
	off_t off = (off_t)((uintptr_t)kw->cur / PAGE_4K * sizeof(uint64_t));

	if (pread(fd, kw->pm, len, off) != (ssize_t)len)
		return -EIO;
	for (size_t i = 1; i < n; i++)
		if ((kw->pm[i] ^ kw->pm[0]) & ((1ull << 55) - 1))
			return 0;
	return 1;
}

static int ksm_op(struct worker *w)
{
	const struct ksm_conf *c = w->pt->conf;
	struct ksm_worker *kw = w->priv;
	uint64_t t0 = now_ns();
	int fd, rc;

	if (w->mode == MODE_KEEP && kw->cur && kw->nkept < KEEP_MAX)
		kw->kept[kw->nkept++] = kw->cur;
	else if (kw->cur)
		unmap_slot(kw->cur, bytes(c));
	kw->cur = NULL;
	if ((rc = map_identical(kw, w->id, c->pages)) < 0)
		return rc;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((rc = merged(kw, fd, c->pages)) == 0 && now_ns() - t0 < c->timeout_ns)
		sleep_ns(POLL_NS);
	close(fd);
	if (rc == 0)
		return -ETIMEDOUT;
	kw->ops += rc > 0;
	return rc < 0 ? rc : 0;
}

static void ksm_bg_loop(struct worker *w)
{
	struct ksm_worker *kw = w->priv;

	while (worker_running(w)) {
		syscall(SYS_futex, kw->gup_page, FUTEX_WAKE, 1, NULL, NULL, 0);
		worker_tick(w);
	}
}

/* Wait (bounded) for ksmd to pass over everything a few times, so rmap
 * items of unmapped pages are gone from pages_sharing.  Done as soon as
 * this process has no rmap item left: ksmd then drops our mm from its
 * list and, with no other mergeable mm, stops scanning - full_scans
 * stands still and the wait used to run into --timeout (5 s a point). */
static void settle(const struct ksm_conf *c)
{
	long f0 = pin_ksm_counter("full_scans");
	uint64_t t0 = now_ns();

	while (f0 >= 0 && pin_ksm_counter("full_scans") < f0 + SETTLE_SCANS &&
	       pin_ksm_self("ksm_rmap_items") != 0 &&
	       now_ns() - t0 < c->timeout_ns)
		sleep_ns(POLL_NS);
}

static int ksm_mode_enter(struct point *pt, unsigned mode)
{
	const struct ksm_conf *c = pt->conf;
	struct ksm_point *kp = pt->priv;

	kp->keep_ops0 = 0;
	for (unsigned i = 0; i < pt->nthreads; i++) {
		struct ksm_worker *kw = point_worker_priv(pt, i);

		unmap_all(kw, bytes(c));
		kp->keep_ops0 += kw->ops;
	}
	if (mode == MODE_KEEP) {
		settle(c);
		kp->merging0 = pin_ksm_self("ksm_merging_pages");
		kp->sharing0 = pin_ksm_counter("pages_sharing");
	}
	return BENCH_OK;
}

static void ksm_worker_teardown(struct point *pt, struct worker *w)
{
	const struct ksm_conf *c = pt->conf;
	struct ksm_worker *kw = w->priv;

	unmap_all(kw, bytes(c));
	if (kw->ring)
		munmap(kw->ring, RING_SLOTS * bytes(c));
	mem_free(kw->gup_page, PAGE_4K);
}

enum { M_P50, M_MERGED_RATE, M_IPIS, M_SHOOTDOWNS, M_MERGES, NMETRICS };

static const struct metric_spec ksm_metrics[NMETRICS] = {
	[M_P50] = { .name = "merge_p50_ms", .unit = "ms",
		    .better = BETTER_LOWER, .headline = true },
	[M_MERGED_RATE] = { .name = "pages_merged_per_s", .unit = "pages/s",
			    .better = BETTER_HIGHER, .headline = true },
	[M_IPIS] = { .name = "ipis_per_merged_page", .unit = "1",
		     .better = BETTER_LOWER, .headline = true },
	[M_SHOOTDOWNS] = { .name = "tlb_shootdowns_per_merged_page", .unit = "1",
			   .better = BETTER_LOWER },
	[M_MERGES] = { .name = "merges_per_op", .unit = "1",
		       .better = BETTER_NONE },
};

static void ksm_derive(struct point *pt, const struct mode_result *res,
		       double *val)
{
	const struct ksm_conf *c = pt->conf;
	const struct mode_result *m = &res[MODE_MERGE];
	double per_page = 1.0 / (double)(c->pages - 1);

	val[M_P50] = m->lat_p50_ns / 1e6;
	val[M_MERGED_RATE] = m->ops_per_s * (double)(c->pages - 1);
	val[M_IPIS] = proof_ipis_per_op(pt, m) * per_page;
	val[M_SHOOTDOWNS] = proof_shootdowns_per_op(pt, m) * per_page;
	val[M_MERGES] = proof_per_op(pt, m, TP_MERGED);
}

static bool ksm_verify(struct point *pt, const struct mode_result *res,
		       char *verdict, size_t len)
{
	const struct ksm_conf *c = pt->conf;
	struct ksm_point *kp = pt->priv;
	long merging = pin_ksm_self("ksm_merging_pages") - kp->merging0;
	long sharing = pin_ksm_counter("pages_sharing") - kp->sharing0;
	uint64_t ops = 0;
	double tp = proof_per_op(pt, &res[MODE_MERGE], TP_MERGED), expect;
	bool ok;

	for (unsigned i = 0; i < pt->nthreads; i++)
		ops += ((const struct ksm_worker *)point_worker_priv(pt, i))->ops;
	ops -= kp->keep_ops0;
	/* Every page of a merged op maps the KSM page; a merge still in
	 * flight at the end may add up to one op's pages. */
	expect = (double)ops * (double)c->pages;
	ok = ops && merging >= expect && merging <= expect + (double)c->pages;
	snprintf(verdict, len, "keep: ksm_merging_pages %+ld over %llu merges of "
		 "%llu pages (expected %+.0f), global pages_sharing %+ld; merge: "
		 "ksm_merge_with_ksm_page ok %.1f/op (all processes) -> %s", merging,
		 (unsigned long long)ops, (unsigned long long)c->pages, expect,
		 sharing, tp, ok ? "ksmd merged them" : "the merge count disagrees");
	return ok;
}

static const struct bench ksm_merge = {
	.name = "ksm-merge",
	.summary = "ksmd merging N identical pages: time, pages/s, IPIs per merged page",
	.kernel_path = "ksmd -> try_to_merge_one_page() -> write_protect_page() "
		       "(flush, refcount check) -> replace_page()",
	.kind = BENCH_LATENCY,
	.opts = ksm_opts,
	.conf_size = sizeof(struct ksm_conf),
	.priv_size = sizeof(struct ksm_point),
	.worker_priv_size = sizeof(struct ksm_worker),
	.driven_kthreads = { "ksmd" },
	.modes = {
		{ .name = "merge",
		  .what = "map N identical pages, MADV_MERGEABLE, wait until one PFN" },
		{ .name = "keep",
		  .what = "the same, pages kept mapped: this process's ksm_merging_pages as proof",
		  .proof_only = true },
	},
	.counters = { TP_MERGED, "tp:ksm:ksm_merge_with_ksm_page" },
	.setup = ksm_setup,
	.worker_setup = ksm_worker_setup,
	.op = ksm_op,
	.bg_loop = ksm_bg_loop,
	.mode_enter = ksm_mode_enter,
	.worker_teardown = ksm_worker_teardown,
	METRIC_TABLE(ksm_metrics),
	.derive = ksm_derive,
	.verify = ksm_verify,
	.sweep = { .order = 60,
		   .short_args = "--bg-threads=%G --duration=300ms --warmup=50ms --trials=6 "
				 "--order=interleave",
		   .full_args = "--bg-threads=%G --order=interleave" },
};
BENCH_REGISTER(ksm_merge);
