// SPDX-License-Identifier: GPL-2.0
/*
 * odirect.c - proof that the O_DIRECT hold of `gupsync check` (pin.h
 * PIN_ODIRECT: a read of a FUSE file held in flight) took its pin through
 * GUP-fast: mmap_lock taken on the reader's own thread, per read, is
 * about 0 for reads into a writable page (pin_user_pages_fast() served
 * them without the lock), and about 1 for the control, a read into a
 * PROT_READ page (FOLL_WRITE fails GUP-fast, the slow path takes the lock
 * and fails: EFAULT before any request reaches the server).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "counters.h"
#include "fusehold.h"
#include "odirect.h"
#include "pin.h"
#include "proof.h"

#define ODIRECT_READS 16	/* held reads into the writable page */
#define ODIRECT_CONTROLS 4	/* reads into the PROT_READ page */
#define PAGE 4096

struct reader {
	const char *file;
	char *page;
	ssize_t rc;
	int err;
	double locks;		/* mmap_lock_start_locking on this thread; NAN */
};

/* One read, counted on the reading thread itself. */
static void *reader_main(void *arg)
{
	static const char *const spec[] = { MMAP_LOCK_TP };
	struct reader *r = arg;
	int tid = gettid(), fd = open(r->file, O_RDONLY | O_DIRECT | O_CLOEXEC);
	struct counters *c = counters_open_threads(spec, 1, &tid, 1);
	uint64_t v0 = 0, v1 = 0;

	r->locks = -1;
	if (c && counter_ok(c, 0) && fd >= 0 && counters_read(c, &v0) == 0) {
		r->rc = pread(fd, r->page, PAGE, 0);
		r->err = errno;
		if (counters_read(c, &v1) == 0)
			r->locks = (double)(v1 - v0);
	} else {
		r->rc = -1;
		r->err = fd < 0 ? errno : ENOTSUP;
	}
	counters_close(c);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* n reads into page; the held ones answered.  Sum of the counts, or -1. */
static double reads(struct fusehold *f, char *page, unsigned n, bool held,
		    unsigned *ok, char *why, size_t len)
{
	static char answer[PAGE];
	double sum = 0;

	*ok = 0;
	for (unsigned i = 0; i < n; i++) {
		struct reader r = { .file = fusehold_file(f), .page = page };
		pthread_t t;

		if (pthread_create(&t, NULL, reader_main, &r)) {
			snprintf(why, len, "pthread_create failed");
			return -1;
		}
		if (held && fusehold_wait_read(f, 5000) == 1)
			fusehold_answer(f, answer, PAGE, why, len);
		pthread_join(t, NULL);
		if (r.locks < 0) {
			snprintf(why, len, "%s not countable on the reader's thread",
				 MMAP_LOCK_TP);
			return -1;
		}
		sum += r.locks;
		*ok += held ? r.rc == PAGE : r.rc < 0 && r.err == EFAULT;
	}
	return sum;
}

int check_odirect_proof(struct odirect_proof *pr)
{
	struct fusehold *f = NULL;
	char *rw = NULL, *ro = MAP_FAILED, why[256] = "";
	double fast, slow;
	const char *bad;

	memset(pr, 0, sizeof(*pr));
	if (!fusehold_available(why, sizeof(why)) ||
	    fusehold_start(&f, why, sizeof(why)) < 0 ||
	    !(rw = pin_anon_region(PAGE, PAGE, why, sizeof(why))) ||
	    (ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_POPULATE, -1, 0)) == MAP_FAILED) {
		snprintf(pr->text, sizeof(pr->text), "not proven: %s",
			 why[0] ? why : strerror(errno));
		goto out;
	}
	fast = reads(f, rw, ODIRECT_READS, true, &pr->reads, why, sizeof(why));
	slow = fast < 0 ? -1 : reads(f, ro, ODIRECT_CONTROLS, false,
				    &pr->control_reads, why, sizeof(why));
	if (slow < 0) {
		snprintf(pr->text, sizeof(pr->text), "not proven: %s", why);
		goto out;
	}
	pr->fast_per_read = fast / ODIRECT_READS;
	pr->slow_per_read = slow / ODIRECT_CONTROLS;
	bad = proof_slow_control(pr->slow_per_read);
	pr->proven = pr->reads == ODIRECT_READS &&
		     pr->control_reads == ODIRECT_CONTROLS &&
		     pr->fast_per_read <= GUP_FAST_MAX && !bad;
	snprintf(pr->text, sizeof(pr->text), "mmap_lock per read on the "
		 "reader's thread: %.2f in %u held reads (expected 0), %.2f in "
		 "%u reads into a PROT_READ page (expected 1, EFAULT) -> %s",
		 pr->fast_per_read, pr->reads, pr->slow_per_read,
		 pr->control_reads, pr->proven ? "GUP-fast pinned the read's page" :
		 pr->reads != ODIRECT_READS ? "held reads failed" :
		 pr->control_reads != ODIRECT_CONTROLS ?
		 "control reads did not fail with EFAULT" : bad ? bad :
		 "the reads took mmap_lock: not GUP-fast");
out:
	fusehold_stop(f);
	if (rw)
		munmap(rw, PAGE);
	if (ro != MAP_FAILED)
		munmap(ro, PAGE);
	return pr->proven ? 0 : -1;
}
