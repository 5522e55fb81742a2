// SPDX-License-Identifier: GPL-2.0
/*
 * race_odirect.c - race/odirect of `gupsync check`: O_DIRECT reads of a
 * loop device (loopdev.h) through io_uring, ODIRECT_QD in flight at all
 * times, into the pages of a 2 MiB region that MADV_COLLAPSE (the main
 * thread) keeps trying to replace.  Each block of the device carries its
 * own pattern; every completed read is checked against what the process
 * maps at that page.  A read whose data is not there landed in a page the
 * process no longer maps: the O_DIRECT corruption the protection exists
 * to prevent.
 *
 * A read "spanned" a collapse call when a call began after the read was
 * submitted and returned before it completed: the read's pin was in place
 * throughout that call.  After a collapse succeeds the reader drains its
 * reads and the region goes back to 4K pages (copy out, zap, copy in), so
 * the next collapse has something to replace.
 */
#include <errno.h>
#include <inttypes.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "replacers.h"
#include "ksm.h"
#include "loopdev.h"
#include "mem.h"
#include "race.h"
#include "thp.h"
#include "workers.h"

#define ODIRECT_QD 16
#define ODIRECT_BLOCKS 64
#define ODIRECT_KSM_PAGES 64	/* KSM: pages of two contents, merging */

struct slot {
	unsigned page, block;
	uint_fast64_t started;	/* collapse calls begun (KSM: full scans
				 * done) when submitted */
};

struct orace {
	char *base;
	size_t len;
	unsigned npages;
	struct loopdev dev;
	struct io_uring ring;
	bool ring_ok;
	uint64_t deadline;
	atomic_uint_fast64_t calls_started, calls_done;
	atomic_int pause_req, paused;
	struct slot slots[ODIRECT_QD];
	bool ksm;		/* ksmd replaces, not MADV_COLLAPSE */
	unsigned char content[ODIRECT_KSM_PAGES];	/* KSM: block in each page */
	uint64_t completed, spanned, violations;
	uint64_t attempts, replaced, eagain;
	volatile bool failed;
	char first[256];
};

static void orace_note(struct orace *r, bool violation, const char *what)
{
	if (violation)
		r->violations++;
	else
		r->failed = true;
	if (!r->first[0])
		snprintf(r->first, sizeof(r->first), "%s", what);
}

static int submit(struct orace *r, unsigned k, uint64_t seq)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
	struct slot *s = &r->slots[k];

	if (!sqe)
		return -1;
	/* in flight together: ODIRECT_QD consecutive pages, never the same */
	s->page = (unsigned)(seq % r->npages);
	if (r->ksm) {
		/* the other of the two contents: the read changes the page */
		s->block = !r->content[s->page];
		s->started = (uint_fast64_t)pin_ksm_counter("full_scans");
	} else {
		s->block = (unsigned)((seq * 7) % ODIRECT_BLOCKS);
		s->started = atomic_load(&r->calls_started);
	}
	io_uring_prep_read(sqe, r->dev.fd, r->base + (size_t)s->page * PAGE_4K,
			   LOOPDEV_BLOCK, (uint64_t)s->block * LOOPDEV_BLOCK);
	io_uring_sqe_set_data64(sqe, k);
	return 0;
}

/* A completed read: its data must be what the process maps there. */
static void complete(struct orace *r, struct io_uring_cqe *cqe)
{
	struct slot *s = &r->slots[io_uring_cqe_get_data64(cqe)];
	const uint64_t *w = (const uint64_t *)(r->base + (size_t)s->page * PAGE_4K);
	uint64_t want = loopdev_word(r->dev.tag, s->block);
	char what[160];

	if (cqe->res != (int)LOOPDEV_BLOCK) {
		snprintf(what, sizeof(what), "O_DIRECT read of block %u: %s",
			 s->block, cqe->res < 0 ? strerror(-cqe->res) : "short");
		orace_note(r, false, what);
		return;
	}
	r->completed++;
	if (r->ksm) {
		/* a whole full scan (every mergeable page) while in flight */
		r->spanned += (uint_fast64_t)pin_ksm_counter("full_scans") >=
			      s->started + 2;
		r->content[s->page] = (unsigned char)s->block;
	} else {
		r->spanned += atomic_load(&r->calls_done) > s->started;
	}
	if (w[0] != want || w[LOOPDEV_BLOCK / 16] != want ||
	    w[LOOPDEV_BLOCK / 8 - 1] != want) {
		snprintf(what, sizeof(what), "block %u read into page %u is not in "
			 "the mapping (%#" PRIx64 " there)", s->block, s->page, w[0]);
		orace_note(r, true, what);
	}
}

static void *reader(void *arg)
{
	struct orace *r = arg;
	unsigned inflight = 0;
	uint64_t seq = 0;

	while (!r->failed) {
		struct io_uring_cqe *cqe;
		bool stop = now_ns() >= r->deadline;

		/* Refill, unless the collapser wants the region quiet (or the
		 * time is up): then drain. */
		while (!stop && !atomic_load(&r->pause_req) && inflight < ODIRECT_QD) {
			unsigned k = (unsigned)(seq % ODIRECT_QD);

			if (submit(r, k, seq++) < 0)
				break;
			inflight++;
		}
		if (!inflight) {
			atomic_store(&r->paused, 1);	/* nothing in flight */
			if (stop)
				break;
			while (atomic_load(&r->pause_req) && !r->failed)
				sched_yield();
			atomic_store(&r->paused, 0);
			continue;
		}
		if (io_uring_submit_and_wait(&r->ring, 1) < 0 ||
		    io_uring_wait_cqe(&r->ring, &cqe) < 0) {
			orace_note(r, false, "io_uring_submit_and_wait failed");
			break;
		}
		complete(r, cqe);
		io_uring_cqe_seen(&r->ring, cqe);
		inflight--;
	}
	return NULL;
}

/* Back to 4K pages with no read in flight. */
static void demote(struct orace *r, char *copy)
{
	atomic_store(&r->pause_req, 1);
	while (!atomic_load(&r->paused) && !r->failed)
		sched_yield();
	memcpy(copy, r->base, r->len);
	if (madvise(r->base, r->len, MADV_DONTNEED) < 0)
		orace_note(r, false, "madvise(MADV_DONTNEED) of the race region failed");
	memcpy(r->base, copy, r->len);
	atomic_store(&r->pause_req, 0);
}

static void collapser(struct orace *r)
{
	char *copy = malloc(r->len);

	if (!copy) {
		orace_note(r, false, "out of memory for the race's copy");
		return;
	}
	while (now_ns() < r->deadline && !r->failed) {
		int rc;

		atomic_fetch_add(&r->calls_started, 1);
		rc = madvise(r->base, r->len, MADV_COLLAPSE);
		r->eagain += rc && errno == EAGAIN;
		atomic_fetch_add(&r->calls_done, 1);
		r->attempts++;
		if (rc == 0) {
			r->replaced++;
			demote(r, copy);
		}
	}
	free(copy);
}

/* The counts into res, and the race's verdict; -1 on an error. */
static int orace_judge(const struct orace *r, struct check_result *res)
{
	res->cycles = r->completed;
	res->races = r->spanned;
	res->violations = r->violations;
	res->views_agree = !r->violations;
	res->verdict = race_judge(r->spanned, r->violations, r->failed);
	return res->verdict == CHECK_ERROR ? check_error(res, r->first) : 0;
}

int check_race_odirect(uint64_t ns, struct check_result *res)
{
	struct orace r = { 0 };
	char why[256] = "", what[480];
	pthread_t tid;
	int rc;

	memset(res, 0, sizeof(*res));
	snprintf(res->path, sizeof(res->path), "race/odirect");
	r.npages = HPAGE_PMD_SIZE / PAGE_4K;
	r.len = HPAGE_PMD_SIZE;
	if (loopdev_open(&r.dev, ODIRECT_BLOCKS, check_pattern(), why,
			 sizeof(why)) < 0 ||
	    thp_madvise(THP_OK_4K_FAULTS, NULL, 0, why, sizeof(why)) < 0 ||
	    !(r.base = pin_anon_region(r.len, HPAGE_PMD_SIZE, why, sizeof(why)))) {
		loopdev_close(&r.dev);
		return check_skip(res, why);
	}
	rc = io_uring_queue_init(2 * ODIRECT_QD, &r.ring, 0);
	if (rc < 0) {
		snprintf(why, sizeof(why), "io_uring_queue_init: %s", strerror(-rc));
		loopdev_close(&r.dev);
		munmap(r.base, r.len);
		return check_skip(res, why);
	}
	r.deadline = now_ns() + ns;
	if (pthread_create(&tid, NULL, reader, &r)) {
		orace_note(&r, false, "pthread_create(reader) failed");
	} else {
		collapser(&r);
		atomic_store(&r.pause_req, 0);
		pthread_join(tid, NULL);
	}
	io_uring_queue_exit(&r.ring);
	loopdev_close(&r.dev);
	munmap(r.base, r.len);
	res->attempts = r.attempts;
	res->replaced = r.replaced;
	if (orace_judge(&r, res) < 0)
		return -1;
	snprintf(what, sizeof(what), "%.3g s: %" PRIu64 " O_DIRECT reads (io_uring, "
		 "%d in flight) of /dev/loop%d completed and checked against the "
		 "mapping, %" PRIu64 " of them in flight across a whole MADV_COLLAPSE "
		 "call (need %d); %" PRIu64 " collapses (%" PRIu64 " succeeded, %"
		 PRIu64 " EAGAIN); %" PRIu64 " violations%s%.120s", ns / 1e9, r.completed,
		 ODIRECT_QD, r.dev.num, r.spanned, RACE_MIN_OVERLAP, r.attempts,
		 r.replaced, r.eagain, r.violations, r.first[0] ? ": " : "", r.first);
	snprintf(res->detail, sizeof(res->detail), "%s%s",
		 res->verdict == CHECK_SKIPPED ? "too little activity: " : "", what);
	return 0;
}

/*
 * race/odirect-ksm: the same reads into ODIRECT_KSM_PAGES mergeable pages
 * that hold one of two contents (blocks 0 and 1), each read bringing the
 * other, while ksmd merges the identical ones without pause.  A read that
 * spanned a whole full scan had its page pinned while ksmd looked at it.
 */
int check_race_odirect_ksm(uint64_t ns, struct check_result *res)
{
	struct orace r = { .ksm = true };
	char why[256] = "", what[480], mp[64];
	long f0;
	pthread_t tid;
	int rc;

	memset(res, 0, sizeof(*res));
	snprintf(res->path, sizeof(res->path), "race/odirect-ksm");
	r.npages = ODIRECT_KSM_PAGES;
	r.len = (size_t)r.npages * PAGE_4K;
	if (loopdev_open(&r.dev, 2, check_pattern(), why, sizeof(why)) < 0 ||
	    !(r.base = pin_anon_region(r.len, PAGE_4K, why, sizeof(why)))) {
		loopdev_close(&r.dev);
		return check_skip(res, why);
	}
	for (unsigned p = 0; p < r.npages; p++)
		for (size_t w = 0; w < PAGE_4K / sizeof(uint64_t); w++)
			((uint64_t *)(r.base + (size_t)p * PAGE_4K))[w] =
				loopdev_word(r.dev.tag, 0);
	rc = io_uring_queue_init(2 * ODIRECT_QD, &r.ring, 0);
	if (rc < 0 || pin_ksm_start(CHECK_KSM_SCAN_PAGES, 0, true, why,
				    sizeof(why)) < 0 ||
	    madvise(r.base, r.len, MADV_MERGEABLE) < 0) {
		if (rc < 0)
			snprintf(why, sizeof(why), "io_uring_queue_init: %s",
				 strerror(-rc));
		else if (!why[0])
			snprintf(why, sizeof(why), "madvise(MADV_MERGEABLE): %s",
				 strerror(errno));
		if (rc >= 0)
			io_uring_queue_exit(&r.ring);
		pin_ksm_stop();
		loopdev_close(&r.dev);
		munmap(r.base, r.len);
		return check_skip(res, why);
	}
	f0 = pin_ksm_counter("full_scans");
	r.deadline = now_ns() + ns;
	if (pthread_create(&tid, NULL, reader, &r))
		orace_note(&r, false, "pthread_create(reader) failed");
	else
		pthread_join(tid, NULL);
	res->attempts = (uint64_t)(pin_ksm_counter("full_scans") - f0);
	pin_ksm_self_text("ksm_merging_pages", mp, sizeof(mp));
	io_uring_queue_exit(&r.ring);
	pin_ksm_stop();
	loopdev_close(&r.dev);
	munmap(r.base, r.len);
	if (orace_judge(&r, res) < 0)
		return -1;
	snprintf(what, sizeof(what), "%.3g s: %" PRIu64 " O_DIRECT reads (io_uring, "
		 "%d in flight) of /dev/loop%d into %u merging pages, completed and "
		 "checked against the mapping, %" PRIu64 " of them in flight across "
		 "a whole ksmd scan (need %d); %" PRIu64 " full scans; %s; %" PRIu64
		 " violations%s%.120s", ns / 1e9, r.completed, ODIRECT_QD, r.dev.num,
		 r.npages, r.spanned, RACE_MIN_OVERLAP, res->attempts, mp,
		 r.violations, r.first[0] ? ": " : "", r.first);
	snprintf(res->detail, sizeof(res->detail), "%s%s",
		 res->verdict == CHECK_SKIPPED ? "too little activity: " : "", what);
	return 0;
}
