// SPDX-License-Identifier: GPL-2.0
/*
 * collapse: replacing 512 4K pages by one THP, by MADV_COLLAPSE and by
 * khugepaged, and what that costs GUP-fast running beside it.
 *
 * Kernel path: madvise(MADV_COLLAPSE) -> madvise_collapse() ->
 * lru_add_drain_all(), hpage_collapse_scan_pmd() -> collapse_huge_page():
 * mmap_write_lock, pmdp_collapse_flush() (pmd cleared, TLB flushed: an IPI
 * to every CPU running this mm, which also waits out a GUP-fast walking
 * these page tables with IRQs off), then __collapse_huge_page_isolate()
 * checks every page's refcount: a reference GUP-fast took makes the
 * collapse fail with EAGAIN (SCAN_PAGE_COUNT) instead of copying the page
 * away from under the pin.  khugepaged runs the same collapse_huge_page()
 * from its own thread.  This is the replacement the IPI/RCU protocol
 * exists for; the pinned control below shows the refcount check at work.
 *
 * What is timed.  madvise: one op() = one madvise(MADV_COLLAPSE) of one
 * 2 MiB-aligned region already populated by 512 4K write faults.  Each
 * worker has a batch of such regions; mode_enter() (main thread, workers
 * parked, before the warm-up) re-populates what the previous window used
 * (MADV_DONTNEED + one write per 4K page), so no window counts preparation
 * faults or flushes, and doubles a batch a window used 3/4 of.  A window
 * that still runs out maps and populates a twice as large batch inside
 * op() (the old one stays mapped until the next mode_enter(): unmapping
 * would flush): that one sample includes the preparation, and the refills
 * metric counts it; it should be 0.  (The batches: lib/thpbatch.h.)
 * khugepaged: one op() = waiting (polling kpageflags every POLL_NS) until
 * khugepaged has collapsed the next region of a MADV_HUGEPAGE batch, with
 * scan_sleep_millisecs/pages_to_scan set for the window: ops/s is
 * khugepaged's collapses/s.  idle: op() sleeps; with --bg-threads it is the
 * baseline of the background GUP-fast rate (gup_fast_drop_pct).
 *
 * Background workers (--bg-threads) call shared FUTEX_WAKE (GUP-fast, see
 * gup) on the first page of the region their measured worker is
 * collapsing or waiting on.
 *
 * Proof: every madvise op that returned 0 must have left a THP
 * (kpageflags KPF_THP of the region), the tracepoint
 * huge_memory:mm_collapse_huge_page with status succeeded counts ~1 per
 * successful op, and the control "pinned" (the region's first page held in
 * a pipe by vmsplice) must fail every time with EAGAIN and no success.
 */
#include <errno.h>
#include <liburing.h>
#include <linux/futex.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "knobs.h"
#include "loopdev.h"
#include "mem.h"
#include "pin.h"
#include "proof.h"
#include "thp.h"
#include "thpbatch.h"
#include "workers.h"

enum { MODE_IDLE, MODE_MADVISE, MODE_KHUGEPAGED, MODE_PINNED, NMODES };
enum { B_MADVISE, B_KHUGEPAGED, NBATCH };

#define IDLE_NS 1000000ull	/* idle op: long enough not to matter */
#define POLL_NS 250000ull	/* khugepaged op: kpageflags poll period */
#define KH_AHEAD 4		/* regions looked at past the awaited one */
#define KH_DIR "/sys/kernel/mm/transparent_hugepage/khugepaged/"
#define KH_SLEEP KH_DIR "scan_sleep_millisecs"
#define KH_PAGES KH_DIR "pages_to_scan"
#define TP_COLLAPSE "tp:huge_memory:mm_collapse_huge_page"
#define TP_COLLAPSED "tp:huge_memory:mm_collapse_huge_page:status==1"

struct col_conf {
	uint64_t regions, kh_pages, kh_sleep_ns, timeout_ns;
	int bg_io;		/* BG_FUTEX or BG_ODIRECT */
};

/* What background workers do to the region being collapsed. */
enum { BG_FUTEX, BG_ODIRECT };
static const char *const bg_io_names[] = { "futex", "odirect", NULL };
#define BG_QD 4			/* O_DIRECT reads in flight per worker */
#define BG_BLOCKS 16

/* A background worker's O_DIRECT reads: its own loop device and ring. */
struct col_bg {
	struct loopdev dev;
	struct io_uring ring;
};

struct tally {
	uint64_t tries, ok, thp, eagain, enomem, einval, timeout, other;
	uint64_t passed;	/* khugepaged: regions it went past */
};

struct col_worker {
	struct thp_batch b[NBATCH];
	char *pinned;		/* the control's region, first page held */
	struct pin pin;
	_Atomic(char *) target;	/* background GUP-fast goes here */
	struct tally t[NMODES];
};

/* w->priv: a measured worker's state, or a background worker's. */
union col_wpriv {
	struct col_worker m;
	struct col_bg bg;
};

/* Measured worker i's state (from the main thread or a background
 * worker). */
static struct col_worker *col_worker(const struct point *pt, unsigned i)
{
	return point_worker_priv(pt, i);
}

struct col_point {
	struct tally snap[NMODES];
	uint64_t refill_snap;
	char kh_orig[2][KNOB_VALUE_MAX];
};

static const struct opt_spec col_opts[] = {
	{ .name = "regions", .type = OPT_U64,
	  .help = "2 MiB regions prepared per worker and window",
	  .def = "256", .min = 4, .max = THP_BATCH_MAX,
	  .offset = offsetof(struct col_conf, regions) },
	{ .name = "khugepaged-pages", .type = OPT_U64,
	  .help = "khugepaged pages_to_scan in its mode",
	  .def = "4096", .min = 8, .max = 1u << 20, .list = true,
	  .offset = offsetof(struct col_conf, kh_pages) },
	{ .name = "khugepaged-sleep", .type = OPT_DURATION,
	  .help = "khugepaged scan_sleep_millisecs in its mode",
	  .def = "10ms", .max = 60000000000ull, .list = true,
	  .offset = offsetof(struct col_conf, kh_sleep_ns) },
	{ .name = "timeout", .type = OPT_DURATION,
	  .help = "longest wait for khugepaged on one region",
	  .def = "1s", .min = 10000000, .max = 60000000000ull,
	  .offset = offsetof(struct col_conf, timeout_ns) },
	{ .name = "bg-io", .type = OPT_ENUM,
	  .help = "what --bg-threads do to the region being collapsed: futex "
	  "= shared FUTEX_WAKE (a GUP-fast get and put per call); odirect = "
	  "O_DIRECT reads of a loop device into its pages through io_uring, 4 "
	  "in flight (the FOLL_PIN of direct I/O)",
	  .def = "futex", .choices = bg_io_names, .list = true,
	  .offset = offsetof(struct col_conf, bg_io) },
	{ NULL },
};

static void count(struct tally *t, int err)
{
	t->tries++;
	if (!err)
		t->ok++;
	else if (err == EAGAIN)
		t->eagain++;
	else if (err == ENOMEM)
		t->enomem++;
	else if (err == EINVAL)
		t->einval++;
	else if (err == ETIMEDOUT)
		t->timeout++;
	else
		t->other++;
}

static int col_setup(struct point *pt)
{
	struct col_point *cp = pt->priv;
	char err[256];
	uint64_t pfn;

	if (pin_mapped_pfn(&cp, &pfn, err, sizeof(err)) < 0 || pin_mapped_thp(&cp) < 0)
		return point_skip(pt, "collapses cannot be verified: %s%s", err,
				  pin_mapped_thp(&cp) < 0 ? "; /proc/kpageflags unreadable" : "");
	/* "always" would fault THPs into the batches; "never" stops
	 * khugepaged.  "madvise" is what this needs; restored at exit. */
	if (thp_point_madvise(pt, THP_OK_KHUGEPAGED) != BENCH_OK)
		return BENCH_SKIP;
	if (knob_read(KH_SLEEP, cp->kh_orig[0], sizeof(cp->kh_orig[0])) < 0 ||
	    knob_read(KH_PAGES, cp->kh_orig[1], sizeof(cp->kh_orig[1])) < 0)
		return point_skip(pt, "THP not available: cannot read %s", KH_DIR);
	return BENCH_OK;
}

/* Two batches of --regions 2 MiB regions per measured worker, and the
 * pinned region. */
static uint64_t col_mem(const void *conf, char *how, size_t len)
{
	const struct col_conf *c = conf;

	snprintf(how, len, "2 batches x %llu regions x 2 MiB",
		 (unsigned long long)c->regions);
	return (2 * c->regions + 1) * HPAGE_PMD_SIZE;
}

static int col_bg_setup(struct point *pt, struct worker *w)
{
	struct col_bg *bg = w->priv;
	char err[256];
	int rc;

	if (loopdev_open(&bg->dev, BG_BLOCKS, 0x6775707379ull + w->id, err,
			 sizeof(err)) < 0)
		return point_skip(pt, "--bg-io odirect: %s", err);
	rc = io_uring_queue_init(2 * BG_QD, &bg->ring, 0);
	if (rc < 0) {
		loopdev_close(&bg->dev);
		return point_skip(pt, "--bg-io odirect: io_uring_queue_init: %s",
				  strerror(-rc));
	}
	return BENCH_OK;
}

static int col_worker_setup(struct point *pt, struct worker *w)
{
	const struct col_conf *c = pt->conf;
	struct col_worker *cw = w->priv;
	char err[256];

	if (w->bg)
		return c->bg_io == BG_ODIRECT ? col_bg_setup(pt, w) : BENCH_OK;
	pin_open(&cw->pin, PIN_NONE, err, sizeof(err));	/* no fds yet */
	if (thp_batch_map(&cw->b[B_MADVISE], c->regions, false, err, sizeof(err)) < 0 ||
	    thp_batch_map(&cw->b[B_KHUGEPAGED], c->regions, true, err, sizeof(err)) < 0 ||
	    !(cw->pinned = pin_anon_region(HPAGE_PMD_SIZE, HPAGE_PMD_SIZE, err,
					   sizeof(err))) ||
	    pin_open(&cw->pin, PIN_VMSPLICE, err, sizeof(err)) < 0 ||
	    pin_hold(&cw->pin, cw->pinned, PAGE_4K, err, sizeof(err)) < 0)
		return point_skip(pt, "%s", err);
	atomic_store(&cw->target, cw->b[B_MADVISE].base);
	return BENCH_OK;
}

static int op_madvise(struct col_worker *cw, struct tally *t)
{
	struct thp_batch *b = &cw->b[B_MADVISE];
	char *r;
	int rc;

	if ((rc = thp_batch_next(b, &t->thp, &r)) < 0)
		return rc;
	atomic_store_explicit(&cw->target, r, memory_order_relaxed);
	rc = madvise(r, HPAGE_PMD_SIZE, MADV_COLLAPSE) ? errno : 0;
	thp_batch_done(b, rc == 0);
	count(t, rc);
	return 0;
}

/* khugepaged went past region i (a later one is huge, i is not): it
 * failed there, e.g. on a reference the background GUP-fast held. */
static bool passed_over(const struct thp_batch *b, size_t i)
{
	for (size_t k = i + 1; k < b->n && k <= i + KH_AHEAD; k++)
		if (pin_mapped_thp(thp_batch_region(b, k)) == 1)
			return true;
	return false;
}

/* Wait for khugepaged to collapse the next region, moving on past those
 * it passed over (counted apart: they are not collapses). */
static int op_khugepaged(struct col_worker *cw, struct tally *t,
			 const struct col_conf *c)
{
	struct thp_batch *b = &cw->b[B_KHUGEPAGED];
	uint64_t t0 = now_ns();
	int rc = 0;

	while (now_ns() - t0 < c->timeout_ns) {
		char *r;

		if ((rc = thp_batch_next(b, &t->thp, &r)) < 0)
			return rc;
		atomic_store_explicit(&cw->target, r, memory_order_relaxed);
		if ((rc = pin_mapped_thp(r)) != 0)
			break;
		if (passed_over(b, b->next)) {
			thp_batch_done(b, false);
			t->passed++;
			continue;
		}
		sleep_ns(POLL_NS);
	}
	if (rc < 0)
		return -EIO;
	thp_batch_done(b, rc == 1);
	count(t, rc == 1 ? 0 : ETIMEDOUT);
	return 0;
}

static int col_op(struct worker *w)
{
	struct col_worker *cw = w->priv;
	struct tally *t = &cw->t[w->mode];

	switch (w->mode) {
	case MODE_MADVISE:
		return op_madvise(cw, t);
	case MODE_KHUGEPAGED:
		return op_khugepaged(cw, t, w->pt->conf);
	case MODE_PINNED:
		count(t, madvise(cw->pinned, HPAGE_PMD_SIZE, MADV_COLLAPSE) ? errno : 0);
		return 0;
	default:
		sleep_ns(IDLE_NS);
		return 0;
	}
}

/* O_DIRECT reads into pages of the region being collapsed, BG_QD in
 * flight, spread over its 512 pages: one op per read completed.  Drained
 * before the window ends, so no read lands in a batch being prepared. */
static void col_bg_odirect(struct worker *w, struct col_worker *cw)
{
	struct col_bg *bg = w->priv;
	struct io_uring_cqe *cqe;
	unsigned inflight = 0;
	uint64_t seq = 0;

	while (worker_running(w)) {
		char *r = atomic_load_explicit(&cw->target, memory_order_relaxed);

		for (; inflight < BG_QD; inflight++, seq++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&bg->ring);

			if (!sqe)
				break;
			io_uring_prep_read(sqe, bg->dev.fd, r + (seq * 37 % 512) * PAGE_4K,
					   LOOPDEV_BLOCK, (seq % BG_BLOCKS) * LOOPDEV_BLOCK);
		}
		if (io_uring_submit_and_wait(&bg->ring, 1) < 0)
			break;
		while (io_uring_peek_cqe(&bg->ring, &cqe) == 0) {
			if (cqe->res == (int)LOOPDEV_BLOCK)
				worker_tick(w);
			io_uring_cqe_seen(&bg->ring, cqe);
			inflight--;
		}
	}
	for (; inflight; inflight--)
		if (io_uring_wait_cqe(&bg->ring, &cqe) == 0)
			io_uring_cqe_seen(&bg->ring, cqe);
}

/* Shared FUTEX_WAKE: one GUP-fast on the region being collapsed. */
static void col_bg_loop(struct worker *w)
{
	struct col_worker *cw = col_worker(w->pt, (w->id - w->pt->nthreads) %
					   w->pt->nthreads);
	const struct col_conf *c = w->pt->conf;

	if (c->bg_io == BG_ODIRECT) {
		col_bg_odirect(w, cw);
		return;
	}
	while (worker_running(w)) {
		char *word = atomic_load_explicit(&cw->target, memory_order_relaxed);

		syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
		worker_tick(w);
	}
}

static void col_check_all(struct point *pt)
{
	for (unsigned i = 0; i < pt->nthreads; i++) {
		struct col_worker *cw = col_worker(pt, i);

		cw->t[MODE_MADVISE].thp += thp_batch_check(&cw->b[B_MADVISE]);
		cw->t[MODE_KHUGEPAGED].thp += thp_batch_check(&cw->b[B_KHUGEPAGED]);
	}
}

static int khugepaged_knobs(struct point *pt, bool on)
{
	const struct col_conf *c = pt->conf;
	struct col_point *cp = pt->priv;
	char v[2][32];

	snprintf(v[0], sizeof(v[0]), "%llu",
		 (unsigned long long)(c->kh_sleep_ns / 1000000));
	snprintf(v[1], sizeof(v[1]), "%llu", (unsigned long long)c->kh_pages);
	if (knob_set(KH_SLEEP, on ? v[0] : cp->kh_orig[0], pt->skip_reason,
		     sizeof(pt->skip_reason)) < 0 ||
	    knob_set(KH_PAGES, on ? v[1] : cp->kh_orig[1], pt->skip_reason,
		     sizeof(pt->skip_reason)) < 0)
		return BENCH_FAIL;
	return BENCH_OK;
}

static int col_mode_enter(struct point *pt, unsigned mode)
{
	bool kh = mode == MODE_KHUGEPAGED;

	col_check_all(pt);
	for (unsigned i = 0; i < pt->nthreads; i++) {
		struct col_worker *cw = col_worker(pt, i);
		struct thp_batch *kb = &cw->b[B_KHUGEPAGED];

		if ((!kh && thp_batch_advise(kb, MADV_NOHUGEPAGE) < 0) ||
		    thp_batch_prepare(&cw->b[B_MADVISE], false, pt->skip_reason,
				      sizeof(pt->skip_reason)) < 0 ||
		    thp_batch_prepare(kb, kh, pt->skip_reason,
				      sizeof(pt->skip_reason)) < 0)
			return BENCH_FAIL;
		atomic_store(&cw->target, mode == MODE_PINNED ? cw->pinned :
			     kh ? kb->base : cw->b[B_MADVISE].base);
	}
	return khugepaged_knobs(pt, kh);
}

static void col_worker_teardown(struct point *pt, struct worker *w)
{
	const struct col_conf *c = pt->conf;
	struct col_worker *cw = w->priv;

	if (w->bg) {
		struct col_bg *bg = w->priv;

		if (c->bg_io == BG_ODIRECT) {	/* set up by col_bg_setup() */
			io_uring_queue_exit(&bg->ring);
			loopdev_close(&bg->dev);
		}
		return;
	}
	pin_close(&cw->pin);
	thp_batch_unmap(&cw->b[B_MADVISE]);
	thp_batch_unmap(&cw->b[B_KHUGEPAGED]);
	if (cw->pinned)
		munmap(cw->pinned, HPAGE_PMD_SIZE);
}

static void col_teardown(struct point *pt)
{
	struct col_point *cp = pt->priv;

	if (cp->kh_orig[0][0])
		khugepaged_knobs(pt, false);
}

/* Tallies of all workers since the last snapshot, then a new snapshot. */
static void col_delta(struct point *pt, struct tally *d, uint64_t *refills)
{
	struct col_point *cp = pt->priv;
	uint64_t r = 0;

	col_check_all(pt);
	memset(d, 0, sizeof(*d) * NMODES);
	for (unsigned m = 0; m < NMODES; m++) {
		uint64_t *dst = (uint64_t *)&d[m], *snap = (uint64_t *)&cp->snap[m];

		for (unsigned i = 0; i < pt->nthreads; i++)
			for (size_t k = 0; k < sizeof(struct tally) / 8; k++)
				dst[k] += ((uint64_t *)&col_worker(pt, i)->t[m])[k];
		for (size_t k = 0; k < sizeof(struct tally) / 8; k++) {
			uint64_t total = dst[k];

			dst[k] -= snap[k];
			snap[k] = total;
		}
	}
	for (unsigned i = 0; i < pt->nthreads; i++) {
		const struct col_worker *cw = col_worker(pt, i);

		r += cw->b[B_MADVISE].refills + cw->b[B_KHUGEPAGED].refills;
	}
	*refills = r - cp->refill_snap;
	cp->refill_snap = r;
}

enum { M_P50, M_P99, M_IPIS, M_SHOOTDOWNS, M_OK_PCT, M_KH_RATE, M_KH_IPIS,
       M_GUP_DROP, M_REFILLS, M_KH_PASSED, NMETRICS };

static const struct metric_spec col_metrics[NMETRICS] = {
	[M_P50] = { .name = "collapse_p50_us", .unit = "us",
		    .better = BETTER_LOWER, .headline = true },
	[M_P99] = { .name = "collapse_p99_us", .unit = "us",
		    .better = BETTER_LOWER },
	[M_IPIS] = { .name = "ipis_per_collapse", .unit = "1",
		     .better = BETTER_LOWER, .headline = true },
	[M_SHOOTDOWNS] = { .name = "tlb_shootdowns_per_collapse", .unit = "1",
			   .better = BETTER_LOWER },
	[M_OK_PCT] = { .name = "collapse_ok_pct", .unit = "%",
		       .better = BETTER_HIGHER },
	[M_KH_RATE] = { .name = "khugepaged_collapses_per_s", .unit = "ops/s",
			.better = BETTER_HIGHER, .headline = true },
	[M_KH_IPIS] = { .name = "khugepaged_ipis_per_collapse", .unit = "1",
			.better = BETTER_LOWER },
	[M_GUP_DROP] = { .name = "gup_fast_drop_pct", .unit = "%",
			 .better = BETTER_LOWER, .headline = true },
	[M_REFILLS] = { .name = "refills", .unit = "1", .better = BETTER_LOWER },
	[M_KH_PASSED] = { .name = "khugepaged_passed", .unit = "1",
			  .better = BETTER_LOWER },
};

static void col_derive(struct point *pt, const struct mode_result *res,
		       double *val)
{
	const struct mode_result *m = &res[MODE_MADVISE], *k = &res[MODE_KHUGEPAGED];
	struct tally d[NMODES];
	uint64_t refills;
	double idle = res[MODE_IDLE].bg_ops_per_s;

	col_delta(pt, d, &refills);
	val[M_P50] = m->lat_p50_ns / 1e3;
	val[M_P99] = m->lat_p99_ns / 1e3;
	val[M_IPIS] = proof_ipis_per_op(pt, m);
	val[M_SHOOTDOWNS] = proof_shootdowns_per_op(pt, m);
	val[M_OK_PCT] = d[MODE_MADVISE].tries ? 100.0 * d[MODE_MADVISE].ok /
			d[MODE_MADVISE].tries : NAN;
	val[M_KH_RATE] = k->ops_per_s;
	val[M_KH_IPIS] = proof_ipis_per_op(pt, k);
	val[M_GUP_DROP] = pt->nbg && idle > 0 ?
			  100.0 * (1 - m->bg_ops_per_s / idle) : NAN;
	val[M_REFILLS] = (double)refills;
	val[M_KH_PASSED] = (double)d[MODE_KHUGEPAGED].passed;
}

static const char *col_why(const struct tally *m, const struct tally *p,
			   bool tp_ok)
{
	if (!m->ok)
		return "no collapse succeeded";
	if (m->thp != m->ok)
		return "a collapse that returned 0 left no THP";
	if (!p->tries || p->ok)
		return "the held page's region was collapsed";
	return tp_ok ? "collapses verified; a held page stops them" :
		       "the collapse tracepoint disagrees";
}

/* The collapse tracepoint (on the workers' own threads) against the
 * calls that returned 0, both ways: one success event per collapse; the
 * margin is for a collapse that straddles the window's edge. */
#define TP_FEWER 0.8
#define TP_MORE 1.25
#define TP_SLACK 0.1

static bool col_verify(struct point *pt, const struct mode_result *res,
		       char *verdict, size_t len)
{
	struct tally d[NMODES];
	const struct tally *m = &d[MODE_MADVISE], *p = &d[MODE_PINNED];
	double succ = proof_thread_per_op(pt, &res[MODE_MADVISE], TP_COLLAPSED);
	double psucc = proof_thread_per_op(pt, &res[MODE_PINNED], TP_COLLAPSED);
	const struct col_conf *c = pt->conf;
	uint64_t refills;
	bool tp_ok, proven;
	char io[96] = "";

	col_delta(pt, d, &refills);
	/* The tallies include the warm-up, the counters only the window:
	 * compare rates. */
	tp_ok = isnan(succ) || !m->tries ||
		(succ >= TP_FEWER * m->ok / m->tries &&
		 succ <= TP_MORE * m->ok / m->tries + TP_SLACK && psucc < TP_SLACK);
	proven = m->ok && m->thp == m->ok && p->tries && !p->ok && tp_ok;
	if (pt->nbg && c->bg_io == BG_ODIRECT)
		snprintf(io, sizeof(io), "; O_DIRECT reads into the region beside "
			 "it: %.0f/s%s", res[MODE_MADVISE].bg_ops_per_s,
			 res[MODE_MADVISE].bg_ops_per_s > 0 ? "" : " (NONE: unproven)");
	proven &= !*io || res[MODE_MADVISE].bg_ops_per_s > 0;
	snprintf(verdict, len, "MADV_COLLAPSE %llu of %llu ok (EAGAIN %llu), %llu "
		 "THP, collapse tracepoint %.2f/op; control with a held page: "
		 "%llu of %llu ok (EAGAIN %llu), tracepoint %.2f/op; khugepaged "
		 "%llu ok, %llu passed over, %llu timeouts%s -> %s",
		 (unsigned long long)m->ok, (unsigned long long)m->tries,
		 (unsigned long long)m->eagain, (unsigned long long)m->thp, succ,
		 (unsigned long long)p->ok, (unsigned long long)p->tries,
		 (unsigned long long)p->eagain, psucc,
		 (unsigned long long)d[MODE_KHUGEPAGED].ok,
		 (unsigned long long)d[MODE_KHUGEPAGED].passed,
		 (unsigned long long)d[MODE_KHUGEPAGED].timeout, io,
		 col_why(m, p, tp_ok));
	return proven;
}

static const struct bench collapse = {
	.name = "collapse",
	.summary = "MADV_COLLAPSE and khugepaged: latency per 2 MiB, IPIs, GUP-fast beside it",
	.kernel_path = "MADV_COLLAPSE -> collapse_huge_page() -> pmdp_collapse_flush() "
		       "(IPI) -> refcount check -> copy to THP",
	.kind = BENCH_LATENCY,
	.opts = col_opts,
	.conf_size = sizeof(struct col_conf),
	.mem_per_worker = col_mem,
	.priv_size = sizeof(struct col_point),
	.worker_priv_size = sizeof(union col_wpriv),
	.driven_kthreads = { "khugepaged" },
	.modes = {
		{ .name = "idle",
		  .what = "no collapse: baseline of the background GUP-fast rate" },
		{ .name = "madvise",
		  .what = "MADV_COLLAPSE of one populated 4K-mapped 2 MiB region" },
		{ .name = "khugepaged",
		  .what = "wait for khugepaged to collapse the next region" },
		{ .name = "pinned",
		  .what = "MADV_COLLAPSE of a region whose first page a pipe holds",
		  .proof_only = true },
	},
	.counters = { TP_COLLAPSE, TP_COLLAPSED, MMAP_LOCK_TP },
	/* Between windows the collapsed regions go back to 4K pages
	 * (thp_batch_prepare()): ~0.12-0.25 s a trial here (issue 17). */
	.time = { .round_s = 0.15 },
	.setup = col_setup,
	.worker_setup = col_worker_setup,
	.op = col_op,
	.bg_loop = col_bg_loop,
	.mode_enter = col_mode_enter,
	.worker_teardown = col_worker_teardown,
	.teardown = col_teardown,
	METRIC_TABLE(col_metrics),
	.derive = col_derive,
	.verify = col_verify,
	.sweep = { .order = 50,
		   .short_args = "--bg-threads=%G --duration=150ms --warmup=50ms --trials=6 "
				 "--order=interleave",
		   .full_args = "--bg-threads=%G --placement=compact,scatter "
				"--order=interleave" },
};
BENCH_REGISTER(collapse);
