// SPDX-License-Identifier: GPL-2.0
/* race.c - see race.h. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "counters.h"
#include "ksm.h"
#include "mem.h"
#include "thp.h"
#include "workers.h"

#define RACE_HDR 0x4755505359000000ull	/* page i's first word: RACE_HDR | i */
#define RACE_DWELL_NS 1000000ull	/* KSM: held and identical, ksmd's turn */
/* ksmd without a sleep between scans for the race: each scan is one
 * chance to meet a held page, and with sleep_millisecs=1 ksmd sleeps a
 * whole jiffy (4 ms at HZ=250): ~125 scans a second. */
#define RACE_KSM_SLEEP_MS 0

struct race {
	char *base;
	size_t len;
	unsigned npages;
	bool ksm;
	uint64_t deadline;
	pthread_rwlock_t lock;	/* read: a pin cycle; write: a demotion */
	atomic_int held;	/* a hold is in place now */
	atomic_uint_fast64_t gen;	/* holds taken so far: tells two apart */
	atomic_uint_fast64_t calls;	/* MADV_COLLAPSE calls returned */
	atomic_int demoting;	/* the collapser waits for the write lock */
	struct pin pins[3];	/* io_uring, vmsplice, O_DIRECT (those available) */
	unsigned npins;
	uint64_t odirect;	/* O_DIRECT reads completed with a hold in flight */
	struct counters *ksm_tp;	/* KSM: failed merges into the twin's page */
	uint64_t cycles, violations, races, replaced, skipped;
	uint64_t partial;	/* collapse calls a hold began or ended in */
	uint64_t eagain_held, eagain_unheld, eagain_partial;
	pthread_mutex_t note_lock;	/* both threads note violations */
	char first[256];	/* the first violation or error */
	volatile bool failed;
};

enum check_verdict race_judge(uint64_t overlaps, uint64_t violations, bool failed)
{
	if (failed)
		return CHECK_ERROR;
	if (violations)
		return CHECK_NOT_PROTECTED;
	return overlaps < RACE_MIN_OVERLAP ? CHECK_SKIPPED : CHECK_PROTECTED;
}

static void race_note(struct race *r, bool violation, const char *what)
{
	pthread_mutex_lock(&r->note_lock);
	if (violation)
		r->violations++;
	else
		r->failed = true;
	if (!r->first[0])
		snprintf(r->first, sizeof(r->first), "%s", what);
	pthread_mutex_unlock(&r->note_lock);
}

/* KSM: the held page back to the content its twin has. */
static int race_restore(struct pin *p, char *page, char *why, size_t len)
{
	uint64_t v;

	/* the twin's word */
	memcpy(&v, page + PAGE_4K + CHECK_VIEW_OFF, sizeof(v));
	if (p->kind == PIN_IO_URING)
		return pin_write(p, CHECK_VIEW_OFF, &v, sizeof(v), why, len);
	memcpy(page + CHECK_VIEW_OFF, &v, sizeof(v));
	return 0;
}

/* One look through the hold; KSM: then identical again, and a dwell. */
static void race_look(struct race *r, struct pin *p, char *page)
{
	char why[256];
	int agree = check_views(p, page, why, sizeof(why));

	if (agree < 0)
		race_note(r, false, why);
	else if (!agree)
		race_note(r, true, p->kind == PIN_IO_URING ?
			  "a write through the io_uring pin did not show in the mapping" :
			  p->kind == PIN_ODIRECT ?
			  "a held O_DIRECT read's data did not arrive in the mapping" :
			  "a write to the mapping did not show through the vmsplice hold");
	r->odirect += p->kind == PIN_ODIRECT && agree >= 0;
	if (r->ksm && agree > 0 && race_restore(p, page, why, sizeof(why)) < 0)
		race_note(r, false, why);
}

static uint64_t race_ksm_tries(struct race *r)
{
	uint64_t v = 0;

	if (r->ksm_tp && counter_ok(r->ksm_tp, 0))
		counters_read(r->ksm_tp, &v);
	return v;
}

/* Held and identical to the twin for a dwell: ksmd's turn.  A failed
 * merge into the twin's KSM page meanwhile is the held page scanned while
 * held (nothing else maps that content). */
static void race_ksm_cycle(struct race *r, struct pin *p, char *page)
{
	uint64_t t0 = race_ksm_tries(r);

	/* An O_DIRECT hold ends with its look (the read's answer): the
	 * dwell comes first, with the read in flight. */
	if (p->kind != PIN_ODIRECT)
		race_look(r, p, page);
	sleep_ns(RACE_DWELL_NS);
	r->races += race_ksm_tries(r) != t0;
	race_look(r, p, page);
}

/* Until a whole MADV_COLLAPSE call began after now and returned: the
 * call after the one in flight.  Collapse-race cycles alternate in pairs:
 * two keep their hold through such a call (provable overlap), two are
 * quick pin/look/unpin cycles followed by such a call with no hold. */
static void race_wait_call(struct race *r)
{
	uint_fast64_t c0 = atomic_load(&r->calls);

	while (atomic_load(&r->calls) < c0 + 2 && !atomic_load(&r->demoting) &&
	       now_ns() < r->deadline && !r->failed)
		sched_yield();
}

/* A vmsplice hold on a page ksmd merged before the hold would hold the
 * shared KSM page, which a write through the mapping COWs away from: not
 * a replacement.  Break the COW first and skip holds that still land on a
 * KSM page. */
static bool race_hold(struct race *r, struct pin *p, char *page)
{
	char why[256];

	if (r->ksm) {
		volatile char *c = page + CHECK_VIEW_OFF;

		r->replaced += pin_mapped_ksm(page) == 1;
		*c = *c;	/* COW-break a merged page */
	}
	if (pin_hold(p, page, PAGE_4K, why, sizeof(why)) < 0) {
		race_note(r, false, why);
		return false;
	}
	if (r->ksm && p->kind == PIN_VMSPLICE && pin_mapped_ksm(page) == 1) {
		r->skipped++;
		pin_release(p, NULL, 0);
		return false;
	}
	return true;
}

static void *race_pinner(void *arg)
{
	struct race *r = arg;

	for (uint64_t i = 0; now_ns() < r->deadline && !r->failed; i++) {
		struct pin *p = &r->pins[i % r->npins];
		char *page = r->base + (r->ksm ? 0 : 1 + i % (r->npages - 1)) * PAGE_4K;

		pthread_rwlock_rdlock(&r->lock);
		if (race_hold(r, p, page)) {
			atomic_fetch_add(&r->gen, 1);
			atomic_store(&r->held, 1);
			if (r->ksm)
				race_ksm_cycle(r, p, page);
			else {
				if (i & 2)
					race_wait_call(r);
				/* An O_DIRECT look is the read's answer: the
				 * hold ends in it, so it is over first. */
				if (p->kind == PIN_ODIRECT)
					atomic_store(&r->held, 0);
				race_look(r, p, page);
			}
			atomic_store(&r->held, 0);
			pin_release(p, NULL, 0);
			r->cycles++;
		}
		pthread_rwlock_unlock(&r->lock);
		/* and a whole call with no hold at all: collapses that
		 * succeed, for pins taken mid-call to race with */
		if (!r->ksm && !(i & 2))
			race_wait_call(r);
	}
	return NULL;
}

/* After a collapse: every page's first word unchanged, then back to 4K
 * pages (copy out, zap, copy in: 4K faults) so the next one can run. */
static void race_demote(struct race *r, char *copy)
{
	for (unsigned i = 0; i < r->npages; i++)
		if (((uint64_t *)(r->base + i * PAGE_4K))[0] != (RACE_HDR | i))
			race_note(r, true, "a page's data changed across a collapse");
	/* A pin cycle waiting for the next call must not wait for this one */
	atomic_store(&r->demoting, 1);
	pthread_rwlock_wrlock(&r->lock);
	atomic_store(&r->demoting, 0);
	memcpy(copy, r->base, r->len);
	if (madvise(r->base, r->len, MADV_DONTNEED) < 0)
		race_note(r, false, "madvise(MADV_DONTNEED) of the race region failed");
	memcpy(r->base, copy, r->len);
	pthread_rwlock_unlock(&r->lock);
}

/* One call, classified: the same hold in place before it began and after
 * it returned (gen read first and last: unchanged means no other hold
 * came or went), none at any point, or a hold that began or ended in it. */
static void race_collapse_once(struct race *r, char *copy)
{
	uint_fast64_t g0 = atomic_load(&r->gen), g1;
	int h0 = atomic_load(&r->held), h1, rc, err;

	rc = madvise(r->base, r->len, MADV_COLLAPSE);
	err = rc ? errno : 0;
	h1 = atomic_load(&r->held);
	g1 = atomic_load(&r->gen);
	atomic_fetch_add(&r->calls, 1);
	if (h0 && h1 && g0 == g1) {
		r->races++;
		r->eagain_held += err == EAGAIN;
		if (rc == 0)
			race_note(r, true, "MADV_COLLAPSE succeeded while a hold "
				  "was in place throughout the call");
	} else if (!h0 && !h1 && g0 == g1) {
		r->eagain_unheld += err == EAGAIN;
	} else {
		r->partial++;
		r->eagain_partial += err == EAGAIN;
	}
	if (rc == 0) {
		r->replaced++;
		race_demote(r, copy);
	}
}

static uint64_t race_collapser(struct race *r)
{
	char *copy = malloc(r->len);
	uint64_t attempts = 0;

	if (!copy)
		race_note(r, false, "out of memory for the race's copy");
	while (copy && now_ns() < r->deadline && !r->failed) {
		race_collapse_once(r, copy);
		attempts++;
	}
	free(copy);
	return attempts;
}

static int race_setup(struct race *r, bool ksm, uint64_t ns, char *why, size_t len)
{
	pthread_rwlockattr_t attr;
	enum pin_kind kinds[] = { PIN_IO_URING, PIN_VMSPLICE, PIN_ODIRECT };

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->note_lock, NULL);
	r->ksm = ksm;
	r->npages = ksm ? 2 : HPAGE_PMD_SIZE / PAGE_4K;
	r->len = r->npages * PAGE_4K;
	for (int k = 0; k < 3; k++)
		if (pin_available(kinds[k], why, len) &&
		    pin_open(&r->pins[r->npins], kinds[k], why, len) == 0)
			r->npins++;
	if (!r->npins)
		return -1;
	if (!ksm && thp_madvise(THP_OK_4K_FAULTS, NULL, 0, why, len) < 0)
		return -1;
	r->base = pin_anon_region(r->len, ksm ? PAGE_4K : HPAGE_PMD_SIZE, why, len);
	if (!r->base)
		return -1;
	for (unsigned i = 0; i < r->npages; i++)
		if (ksm)
			check_ksm_fill(r->base + i * PAGE_4K, RACE_HDR);
		else
			((uint64_t *)(r->base + i * PAGE_4K))[0] = RACE_HDR | i;
	/* The writer must get in between two pin cycles. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&r->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	r->deadline = now_ns() + ns;
	return 0;
}

static void race_teardown(struct race *r)
{
	if (r->ksm_tp)
		counters_close(r->ksm_tp);
	for (unsigned k = 0; k < r->npins; k++)
		pin_close(&r->pins[k]);
	if (r->base)
		munmap(r->base, r->len);
	pthread_rwlock_destroy(&r->lock);
	pthread_mutex_destroy(&r->note_lock);
}

/* After the pinner is joined. */
static int race_finish(struct race *r, struct check_result *res, const char *what)
{
	res->cycles = r->cycles;
	res->violations = r->violations;
	res->races = r->races;
	res->replaced = r->replaced;
	res->eagain_held = r->eagain_held;
	res->eagain_unheld = r->eagain_unheld;
	res->views_agree = !r->violations;
	res->verdict = race_judge(r->races, r->violations, r->failed);
	if (res->verdict == CHECK_ERROR)
		return check_error(res, r->first);
	if (res->verdict == CHECK_SKIPPED)
		snprintf(res->detail, sizeof(res->detail), "too little activity: %"
			 PRIu64 " of %d overlapping attempts; %s; %" PRIu64
			 " violations", r->races, RACE_MIN_OVERLAP, what, r->violations);
	else
		snprintf(res->detail, sizeof(res->detail), "%s; %" PRIu64
			 " violations%s%s", what, r->violations,
			 r->first[0] ? ": " : "", r->first);
	return 0;
}

static double race_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0;
}

int check_race_collapse(uint64_t ns, struct check_result *res)
{
	struct race r;
	uint64_t unheld;
	char why[256], what[480];
	pthread_t tid;

	memset(res, 0, sizeof(*res));
	snprintf(res->path, sizeof(res->path), "race/collapse");
	if (race_setup(&r, false, ns, why, sizeof(why)) < 0) {
		race_teardown(&r);
		return check_skip(res, why);
	}
	if (pthread_create(&tid, NULL, race_pinner, &r)) {
		race_teardown(&r);
		return check_error(res, "pthread_create(pinner) failed");
	}
	res->attempts = race_collapser(&r);
	pthread_join(tid, NULL);
	unheld = res->attempts - r.races - r.partial;
	snprintf(what, sizeof(what), "%.3g s: %" PRIu64 " collapses (%" PRIu64
		 " succeeded); %" PRIu64 " with a hold throughout the call (need %d; "
		 "%" PRIu64 " EAGAIN, %.0f%%), %" PRIu64 " with no hold (%" PRIu64
		 " EAGAIN, %.0f%%), %" PRIu64 " a hold began or ended in (%" PRIu64
		 " EAGAIN); %" PRIu64 " pin cycles, %" PRIu64 " of them O_DIRECT "
		 "reads held in flight and checked", ns / 1e9, res->attempts,
		 r.replaced, r.races, RACE_MIN_OVERLAP, r.eagain_held,
		 race_pct(r.eagain_held, r.races), unheld, r.eagain_unheld,
		 race_pct(r.eagain_unheld, unheld), r.partial, r.eagain_partial,
		 r.cycles, r.odirect);
	race_finish(&r, res, what);
	race_teardown(&r);
	return res->verdict == CHECK_ERROR ? -1 : 0;
}

/* Once the twin maps a KSM page, count ksmd's failed merges into it. */
static int race_ksm_watch(struct race *r, uint64_t wait_ns, char *why, size_t len)
{
	char spec[128];
	uint64_t kpfn = 0, t0 = now_ns();
	const char *specs[1] = { spec };

	while (pin_mapped_ksm(r->base + PAGE_4K) != 1)
		if (now_ns() - t0 > wait_ns) {
			snprintf(why, len, "ksmd merged nothing within %.0f s",
				 wait_ns / 1e9);
			return -1;
		} else
			sleep_ns(RACE_DWELL_NS);
	if (pin_mapped_pfn(r->base + PAGE_4K, &kpfn, why, len) < 0)
		return -1;
	snprintf(spec, sizeof(spec), "tp:ksm:ksm_merge_with_ksm_page:pfn==%" PRIu64
		 " && err!=0", kpfn);
	r->ksm_tp = counters_open(specs, 1);
	return 0;
}

int check_race_ksm(uint64_t ns, struct check_result *res)
{
	struct race r;
	char why[256], what[480], tp[COUNTER_WHY_LEN + 64] = "", mp[64];
	long f0;
	pthread_t tid;

	memset(res, 0, sizeof(*res));
	snprintf(res->path, sizeof(res->path), "race/ksm");
	/* Without it no overlap can be shown: do not drive ksmd at all. */
	if (counter_probe("tp:ksm:ksm_merge_with_ksm_page", tp, sizeof(tp)) != 1) {
		snprintf(why, sizeof(why), "no way to show ksmd scanned a held page "
			 "(ksm tracepoints: Linux 6.7 and later): %s", tp);
		return check_skip(res, why);
	}
	tp[0] = 0;
	if (race_setup(&r, true, ns, why, sizeof(why)) < 0 ||
	    pin_ksm_start(CHECK_KSM_SCAN_PAGES, RACE_KSM_SLEEP_MS, true, why,
			  sizeof(why)) < 0 ||
	    (madvise(r.base, r.len, MADV_MERGEABLE) < 0 &&
	     snprintf(why, sizeof(why), "madvise(MADV_MERGEABLE): %s",
		      strerror(errno))) ||
	    race_ksm_watch(&r, CHECK_KSM_WAIT_NS, why, sizeof(why)) < 0) {
		race_teardown(&r);
		pin_ksm_stop();
		return check_skip(res, why);
	}
	if (!r.ksm_tp || !counter_ok(r.ksm_tp, 0))
		snprintf(tp, sizeof(tp), " (not countable here: %s)",
			 r.ksm_tp ? counter_why(r.ksm_tp, 0) : "out of memory");
	r.deadline = now_ns() + ns;
	f0 = pin_ksm_counter("full_scans");
	if (pthread_create(&tid, NULL, race_pinner, &r)) {
		race_teardown(&r);
		pin_ksm_stop();
		return check_error(res, "pthread_create(pinner) failed");
	}
	pthread_join(tid, NULL);
	res->attempts = (uint64_t)(pin_ksm_counter("full_scans") - f0);
	snprintf(what, sizeof(what), "%.3g s: %" PRIu64 " pin cycles (%" PRIu64
		 " skipped; %" PRIu64 " O_DIRECT reads held in flight and checked); %"
		 PRIu64 " in which ksmd tried to merge the held page "
		 "and backed off (need %d)%s; %" PRIu64 " merges between holds; %"
		 PRIu64 " full scans; %s", ns / 1e9, r.cycles,
		 r.skipped, r.odirect, r.races, RACE_MIN_OVERLAP, tp, r.replaced, res->attempts,
		 pin_ksm_self_text("ksm_merging_pages", mp, sizeof(mp)));
	race_finish(&r, res, what);
	race_teardown(&r);
	pin_ksm_stop();
	return res->verdict == CHECK_ERROR ? -1 : 0;
}
