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
 * metric counts it; it should be 0.
 * khugepaged: one op() = waiting (polling kpageflags every POLL_NS) until
 * khugepaged has collapsed the next region of a MADV_HUGEPAGE batch, with
 * scan_sleep_millisecs/pages_to_scan set for the window: ops/s is
 * khugepaged's collapses/s.  idle: op() sleeps; with --bg-threads it is the
 * baseline of the background GUP-fast rate (gup_fast_drop_pct).
 *
 * Background workers (--bg-threads) call shared FUTEX_WAKE (GUP-fast, see
 * gup-fast) on the first page of the region their measured worker is
 * collapsing or waiting on.
 *
 * Proof: every madvise op that returned 0 must have left a THP
 * (kpageflags KPF_THP of the region), the tracepoint
 * huge_memory:mm_collapse_huge_page with status succeeded counts ~1 per
 * successful op, and the control "pinned" (the region's first page held in
 * a pipe by vmsplice) must fail every time with EAGAIN and no success.
 */
#include <errno.h>
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
#include "mem.h"
#include "pin.h"
#include "workers.h"

enum { MODE_IDLE, MODE_MADVISE, MODE_KHUGEPAGED, MODE_PINNED, NMODES };
enum { B_MADVISE, B_KHUGEPAGED, NBATCH };

#define REGIONS_MAX 1024	/* a refilled batch grows up to 2 GiB */
#define RETIRED_MAX 8
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
};

struct tally {
	uint64_t tries, ok, thp, eagain, enomem, einval, timeout, other;
	uint64_t passed;	/* khugepaged: regions it went past */
};

struct batch {
	char *base;		/* n regions of 2 MiB, 2 MiB aligned */
	size_t n, next;		/* regions; next one to use */
	size_t checked;		/* [0, checked) THP-verified into a tally */
	size_t used;		/* regions used in this window, refills too */
	bool *ok;		/* op result per region */
	char *old[RETIRED_MAX];	/* refilled-over batches, unmapped later */
	size_t oldn[RETIRED_MAX], nold;
	uint64_t refills;
};

struct col_worker {
	struct batch b[NBATCH];
	char *pinned;		/* the control's region, first page held */
	struct pin pin;
	_Atomic(char *) target;	/* background GUP-fast goes here */
	struct tally t[NMODES];
};

struct col_point {
	struct col_worker **w;	/* measured workers by id */
	struct tally snap[NMODES];
	uint64_t refill_snap;
	char kh_orig[2][KNOB_VALUE_MAX];
};

static const struct opt_spec col_opts[] = {
	{ "regions", OPT_U64, "2 MiB regions prepared per worker and window",
	  "256", 4, REGIONS_MAX, NULL, false, offsetof(struct col_conf, regions) },
	{ "khugepaged-pages", OPT_U64, "khugepaged pages_to_scan in its mode",
	  "4096", 8, 1u << 20, NULL, true, offsetof(struct col_conf, kh_pages) },
	{ "khugepaged-sleep", OPT_DURATION,
	  "khugepaged scan_sleep_millisecs in its mode", "10ms", 0,
	  60000000000ull, NULL, true, offsetof(struct col_conf, kh_sleep_ns) },
	{ "timeout", OPT_DURATION, "longest wait for khugepaged on one region",
	  "1s", 10000000, 60000000000ull, NULL, false,
	  offsetof(struct col_conf, timeout_ns) },
	{ NULL },
};

static char *region_at(const struct batch *b, size_t i)
{
	return b->base + i * HPAGE_PMD_SIZE;
}

static void touch(char *r)
{
	for (size_t off = 0; off < HPAGE_PMD_SIZE; off += PAGE_4K)
		r[off] = 1;
}

/* khugepaged only scans MADV_HUGEPAGE areas (THP "madvise"); it must not
 * see its batch outside its own mode, nor a huge fault fill it. */
static int batch_advise(struct batch *b, int advice)
{
	return madvise(b->base, b->n * HPAGE_PMD_SIZE, advice);
}

static int batch_map(struct batch *b, size_t n, bool kh, char *err, size_t len)
{
	b->ok = calloc(n, sizeof(*b->ok));
	b->base = b->ok ? pin_anon_region(n * HPAGE_PMD_SIZE, HPAGE_PMD_SIZE,
					   err, len) : NULL;
	if (!b->base) {
		if (!b->ok)
			snprintf(err, len, "out of memory");
		free(b->ok);
		b->ok = NULL;
		return -1;
	}
	b->n = n;
	b->next = b->checked = 0;
	if (kh && batch_advise(b, MADV_NOHUGEPAGE) < 0) {
		snprintf(err, len, "madvise(MADV_NOHUGEPAGE, %zu regions): %s", n,
			 strerror(errno));
		return -1;
	}
	return 0;
}

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

/* THP-verify the regions used since the last check (workers parked, or
 * the owning worker itself). */
static void batch_check(struct batch *b, struct tally *t)
{
	for (; b->checked < b->next; b->checked++)
		if (b->ok[b->checked] && pin_mapped_thp(region_at(b, b->checked)) == 1)
			t->thp++;
}

static void batch_unmap(struct batch *b)
{
	for (size_t i = 0; i < b->nold; i++)
		munmap(b->old[i], b->oldn[i] * HPAGE_PMD_SIZE);
	b->nold = 0;
	if (b->base)
		munmap(b->base, b->n * HPAGE_PMD_SIZE);
	free(b->ok);
	b->base = NULL;
	b->ok = NULL;
}

/* The batch ran out inside a window: keep the old one mapped (unmapping
 * would flush TLBs inside the window) and map one twice as large. */
static int batch_refill(struct batch *b, struct tally *t, bool kh)
{
	char err[256], *old = b->base;
	size_t oldn = b->n;
	bool *ok = b->ok;

	batch_check(b, t);
	if (b->nold == RETIRED_MAX)
		return -ENOMEM;
	if (batch_map(b, oldn * 2 > REGIONS_MAX ? oldn : oldn * 2, kh, err,
		      sizeof(err)) < 0) {
		fprintf(stderr, "collapse: refill: %s\n", err);
		return -ENOMEM;
	}
	if (kh && batch_advise(b, MADV_HUGEPAGE) < 0)
		return -errno;
	free(ok);
	b->old[b->nold] = old;
	b->oldn[b->nold++] = oldn;
	b->refills++;
	return 0;
}

/* A window used most of the batch: the next one gets twice as many. */
static int batch_grow(struct batch *b, bool kh, char *err, size_t len)
{
	size_t n = b->n * 2;

	batch_unmap(b);
	return batch_map(b, n, kh, err, len);
}

/* Between windows: used or THP regions back to 512 4K pages. */
static int batch_prepare(struct batch *b, bool kh, bool kh_mode, char *err,
			 size_t len)
{
	bool grow = b->used * 4 > b->n * 3 && b->n * 2 <= REGIONS_MAX;

	for (size_t i = 0; i < b->nold; i++)
		munmap(b->old[i], b->oldn[i] * HPAGE_PMD_SIZE);
	b->nold = 0;
	b->used = 0;
	if (grow && batch_grow(b, kh, err, len) < 0)
		return -1;
	for (size_t i = 0; i < b->n && !grow; i++) {
		char *r = region_at(b, i);

		if (i >= b->next && pin_mapped_thp(r) != 1)
			continue;
		if (madvise(r, HPAGE_PMD_SIZE, MADV_DONTNEED) < 0) {
			snprintf(err, len, "madvise(%p, 2M, MADV_DONTNEED): %s",
				 (void *)r, strerror(errno));
			return -1;
		}
		touch(r);
		b->ok[i] = false;
	}
	b->next = b->checked = 0;
	if (kh_mode && batch_advise(b, MADV_HUGEPAGE) < 0) {
		snprintf(err, len, "madvise(MADV_HUGEPAGE, %zu regions): %s", b->n,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int col_setup(struct point *pt)
{
	struct col_point *cp = pt->priv;
	char val[KNOB_VALUE_MAX], err[256];
	uint64_t pfn;

	if (pin_mapped_pfn(&cp, &pfn, err, sizeof(err)) < 0 || pin_mapped_thp(&cp) < 0)
		return point_skip(pt, "collapses cannot be verified: %s%s", err,
				  pin_mapped_thp(&cp) < 0 ? "; /proc/kpageflags unreadable" : "");
	if (knob_read(THP_ENABLED, val, sizeof(val)) < 0 ||
	    knob_read(KH_SLEEP, cp->kh_orig[0], sizeof(cp->kh_orig[0])) < 0 ||
	    knob_read(KH_PAGES, cp->kh_orig[1], sizeof(cp->kh_orig[1])) < 0)
		return point_skip(pt, "THP not available: cannot read %s or %s",
				  THP_ENABLED, KH_DIR);
	/* "always" would fault THPs into the batches; "never" stops
	 * khugepaged.  "madvise" is what this needs; restored at exit. */
	if (strcmp(val, "madvise")) {
		if (knob_set(THP_ENABLED, "madvise", err, sizeof(err)) < 0)
			return point_skip(pt, "THP is '%s' and %s", val, err);
		point_note(pt, "thp_knob", "enabled: %s -> madvise for this run", val);
	}
	cp->w = calloc(pt->nthreads, sizeof(*cp->w));
	return cp->w ? BENCH_OK : point_skip(pt, "out of memory");
}

static int col_worker_setup(struct point *pt, struct worker *w)
{
	const struct col_conf *c = pt->conf;
	struct col_point *cp = pt->priv;
	struct col_worker *cw;
	char err[256];

	if (w->bg)
		return BENCH_OK;
	cw = calloc(1, sizeof(*cw));
	if (!cw)
		return point_skip(pt, "out of memory");
	w->priv = cw;
	cp->w[w->id] = cw;
	pin_open(&cw->pin, PIN_NONE, err, sizeof(err));	/* no fds yet */
	if (batch_map(&cw->b[B_MADVISE], c->regions, false, err, sizeof(err)) < 0 ||
	    batch_map(&cw->b[B_KHUGEPAGED], c->regions, true, err, sizeof(err)) < 0 ||
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
	struct batch *b = &cw->b[B_MADVISE];
	char *r;
	int rc;

	if (b->next == b->n && (rc = batch_refill(b, t, false)) < 0)
		return rc;
	r = region_at(b, b->next);
	atomic_store_explicit(&cw->target, r, memory_order_relaxed);
	rc = madvise(r, HPAGE_PMD_SIZE, MADV_COLLAPSE);
	b->ok[b->next++] = rc == 0;
	b->used++;
	count(t, rc ? errno : 0);
	return 0;
}

/* khugepaged went past region i (a later one is huge, i is not): it
 * failed there, e.g. on a reference the background GUP-fast held. */
static bool passed_over(const struct batch *b, size_t i)
{
	for (size_t k = i + 1; k < b->n && k <= i + KH_AHEAD; k++)
		if (pin_mapped_thp(region_at(b, k)) == 1)
			return true;
	return false;
}

/* Wait for khugepaged to collapse the next region, moving on past those
 * it passed over (counted apart: they are not collapses). */
static int op_khugepaged(struct col_worker *cw, struct tally *t,
			 const struct col_conf *c)
{
	struct batch *b = &cw->b[B_KHUGEPAGED];
	uint64_t t0 = now_ns();
	int rc = 0;

	while (now_ns() - t0 < c->timeout_ns) {
		char *r;

		if (b->next == b->n && (rc = batch_refill(b, t, true)) < 0)
			return rc;
		r = region_at(b, b->next);
		atomic_store_explicit(&cw->target, r, memory_order_relaxed);
		if ((rc = pin_mapped_thp(r)) != 0)
			break;
		if (passed_over(b, b->next)) {
			b->ok[b->next++] = false;
			b->used++;
			t->passed++;
			continue;
		}
		sleep_ns(POLL_NS);
	}
	if (rc < 0)
		return -EIO;
	b->ok[b->next++] = rc == 1;
	b->used++;
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

/* Shared FUTEX_WAKE: one GUP-fast on the region being collapsed. */
static void col_bg_loop(struct worker *w)
{
	struct col_point *cp = w->pt->priv;
	struct col_worker *cw = cp->w[(w->id - w->pt->nthreads) % w->pt->nthreads];

	while (worker_running(w)) {
		char *word = atomic_load_explicit(&cw->target, memory_order_relaxed);

		syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
		worker_tick(w);
	}
}

static void col_check_all(struct point *pt)
{
	struct col_point *cp = pt->priv;

	for (unsigned i = 0; i < pt->nthreads; i++) {
		batch_check(&cp->w[i]->b[B_MADVISE], &cp->w[i]->t[MODE_MADVISE]);
		batch_check(&cp->w[i]->b[B_KHUGEPAGED], &cp->w[i]->t[MODE_KHUGEPAGED]);
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
	struct col_point *cp = pt->priv;
	bool kh = mode == MODE_KHUGEPAGED;

	col_check_all(pt);
	for (unsigned i = 0; i < pt->nthreads; i++) {
		struct col_worker *cw = cp->w[i];
		struct batch *kb = &cw->b[B_KHUGEPAGED];

		if ((!kh && batch_advise(kb, MADV_NOHUGEPAGE) < 0) ||
		    batch_prepare(&cw->b[B_MADVISE], false, false, pt->skip_reason,
				  sizeof(pt->skip_reason)) < 0 ||
		    batch_prepare(kb, true, kh, pt->skip_reason,
				  sizeof(pt->skip_reason)) < 0)
			return BENCH_FAIL;
		atomic_store(&cw->target, mode == MODE_PINNED ? cw->pinned :
			     kh ? kb->base : cw->b[B_MADVISE].base);
	}
	return khugepaged_knobs(pt, kh);
}

static void col_worker_teardown(struct point *pt, struct worker *w)
{
	struct col_worker *cw = w->priv;

	(void)pt;
	if (!cw)
		return;
	pin_close(&cw->pin);
	batch_unmap(&cw->b[B_MADVISE]);
	batch_unmap(&cw->b[B_KHUGEPAGED]);
	if (cw->pinned)
		munmap(cw->pinned, HPAGE_PMD_SIZE);
	free(cw);
}

static void col_teardown(struct point *pt)
{
	struct col_point *cp = pt->priv;

	if (cp->kh_orig[0][0])
		khugepaged_knobs(pt, false);
	free(cp->w);
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
				dst[k] += ((uint64_t *)&cp->w[i]->t[m])[k];
		for (size_t k = 0; k < sizeof(struct tally) / 8; k++) {
			uint64_t total = dst[k];

			dst[k] -= snap[k];
			snap[k] = total;
		}
	}
	for (unsigned i = 0; i < pt->nthreads; i++)
		r += cp->w[i]->b[B_MADVISE].refills + cp->w[i]->b[B_KHUGEPAGED].refills;
	*refills = r - cp->refill_snap;
	cp->refill_snap = r;
}

static double per_op(const struct point *pt, const struct mode_result *res,
		     const char *spec)
{
	int c = point_counter(pt, spec);

	return c < 0 || !res->ops ? NAN : (double)res->delta[c] / res->ops;
}

static double ipis_per_op(const struct point *pt, const struct mode_result *res)
{
	return per_op(pt, res, "tp:ipi:ipi_send_cpu") +
	       per_op(pt, res, "tp:ipi:ipi_send_cpumask");
}

static size_t col_derive(struct point *pt, const struct mode_result *res,
			 struct metric *out, size_t cap)
{
	const struct mode_result *m = &res[MODE_MADVISE], *k = &res[MODE_KHUGEPAGED];
	struct tally d[NMODES];
	uint64_t refills;
	double idle = res[MODE_IDLE].bg_ops_per_s;

	if (cap < 10)
		return 0;
	col_delta(pt, d, &refills);
	out[0] = (struct metric){ "collapse_p50_us", "us", BETTER_LOWER, true,
				  m->lat_p50_ns / 1e3 };
	out[1] = (struct metric){ "collapse_p99_us", "us", BETTER_LOWER, false,
				  m->lat_p99_ns / 1e3 };
	out[2] = (struct metric){ "ipis_per_collapse", "1", BETTER_LOWER, true,
				  ipis_per_op(pt, m) };
	out[3] = (struct metric){ "tlb_shootdowns_per_collapse", "1", BETTER_LOWER,
				  false, per_op(pt, m, "tp:tlb:tlb_flush:reason==1") };
	out[4] = (struct metric){ "collapse_ok_pct", "%", BETTER_HIGHER, false,
				  d[MODE_MADVISE].tries ? 100.0 * d[MODE_MADVISE].ok /
				  d[MODE_MADVISE].tries : NAN };
	out[5] = (struct metric){ "khugepaged_collapses_per_s", "ops/s",
				  BETTER_HIGHER, true, k->ops_per_s };
	out[6] = (struct metric){ "khugepaged_ipis_per_collapse", "1", BETTER_LOWER,
				  false, ipis_per_op(pt, k) };
	out[7] = (struct metric){ "gup_fast_drop_pct", "%", BETTER_LOWER, true,
				  pt->nbg && idle > 0 ?
				  100.0 * (1 - m->bg_ops_per_s / idle) : NAN };
	out[8] = (struct metric){ "refills", "1", BETTER_LOWER, false,
				  (double)refills };
	out[9] = (struct metric){ "khugepaged_passed", "1", BETTER_LOWER, false,
				  (double)d[MODE_KHUGEPAGED].passed };
	return 10;
}

/* Successful collapses per op: on the worker's thread (proof pass) when
 * counted so, else system-wide. */
static double collapsed_per_op(const struct point *pt,
			       const struct mode_result *res)
{
	int c = point_thread_counter(pt, TP_COLLAPSED);

	if (c < 0 || !res->ops)
		return per_op(pt, res, TP_COLLAPSED);
	return (double)res->tdelta[c] / res->ops;
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

static bool col_verify(struct point *pt, const struct mode_result *res,
		       char *verdict, size_t len)
{
	struct tally d[NMODES];
	const struct tally *m = &d[MODE_MADVISE], *p = &d[MODE_PINNED];
	double succ = collapsed_per_op(pt, &res[MODE_MADVISE]);
	double psucc = collapsed_per_op(pt, &res[MODE_PINNED]);
	uint64_t refills;
	bool tp_ok, proven;

	col_delta(pt, d, &refills);
	/* The tallies include the warm-up, the counters only the window:
	 * compare rates. */
	tp_ok = isnan(succ) || !m->tries ||
		(succ >= 0.8 * m->ok / m->tries && psucc < 0.1);
	proven = m->ok && m->thp == m->ok && p->tries && !p->ok && tp_ok;
	snprintf(verdict, len, "MADV_COLLAPSE %llu/%llu ok, %llu THP, tp %.2f/op; "
		 "held: %llu/%llu ok (EAGAIN %llu), tp %.2f/op; khugepaged %llu "
		 "ok, %llu passed, %llu timeouts -> %s", (unsigned long long)m->ok,
		 (unsigned long long)m->tries, (unsigned long long)m->thp, succ,
		 (unsigned long long)p->ok, (unsigned long long)p->tries,
		 (unsigned long long)p->eagain, psucc,
		 (unsigned long long)d[MODE_KHUGEPAGED].ok,
		 (unsigned long long)d[MODE_KHUGEPAGED].passed,
		 (unsigned long long)d[MODE_KHUGEPAGED].timeout, col_why(m, p, tp_ok));
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
	.priv_size = sizeof(struct col_point),
	.modes = {
		{ "idle", "no collapse: baseline of the background GUP-fast rate", false },
		{ "madvise", "MADV_COLLAPSE of one populated 4K-mapped 2 MiB region", false },
		{ "khugepaged", "wait for khugepaged to collapse the next region", false },
		{ "pinned", "MADV_COLLAPSE of a region whose first page a pipe holds", true },
	},
	.counters = { TP_COLLAPSE, TP_COLLAPSED, "tp:mmap_lock:mmap_lock_start_locking" },
	.setup = col_setup,
	.worker_setup = col_worker_setup,
	.op = col_op,
	.bg_loop = col_bg_loop,
	.mode_enter = col_mode_enter,
	.worker_teardown = col_worker_teardown,
	.teardown = col_teardown,
	.derive = col_derive,
	.verify = col_verify,
};
BENCH_REGISTER(collapse);
