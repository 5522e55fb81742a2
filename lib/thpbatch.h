/* SPDX-License-Identifier: GPL-2.0 */
/*
 * thpbatch.h - batches of 2 MiB regions, each mapped by 512 4K pages,
 * for something to collapse into THPs one by one (MADV_COLLAPSE, or
 * khugepaged on MADV_HUGEPAGE areas).
 *
 * Between measurement windows (workers parked) thp_batch_prepare() puts
 * the regions the last window used back to 4K pages (MADV_DONTNEED + one
 * write per page), so no window counts preparation faults or flushes, and
 * doubles a batch a window used 3/4 of.  A window that still runs out
 * gets a twice as large batch at once (thp_batch_next()); the old one
 * stays mapped until the next prepare, since unmapping would flush TLBs
 * inside the window.  Those refills are counted: they should not happen.
 */
#ifndef GUPSYNC_THPBATCH_H
#define GUPSYNC_THPBATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THP_BATCH_MAX 1024	/* regions: a refilled batch grows up to 2 GiB */
#define THP_BATCH_RETIRED 8	/* refilled-over batches kept until prepare */

struct thp_batch {
	char *base;		/* n regions of 2 MiB, 2 MiB aligned */
	size_t n, next;		/* regions; next one to use */
	size_t checked;		/* [0, checked) THP-verified */
	size_t used;		/* regions used in this window, refills too */
	bool *ok;		/* the collapse's result per region */
	bool kh;		/* for khugepaged: MADV_NOHUGEPAGE but in its mode */
	char *old[THP_BATCH_RETIRED]; /* refilled-over batches, unmapped later */
	size_t oldn[THP_BATCH_RETIRED], nold;
	uint64_t refills;
};

/* n regions (or more: a cached batch that grew), populated by 4K
 * pages.  kh: a khugepaged batch, which must not be scanned outside its
 * mode (MADV_NOHUGEPAGE until prepared for it).  -1 with err. */
int thp_batch_map(struct thp_batch *b, size_t n, bool kh, char *err, size_t len);
/* Gives b back: kept (up to a limit) for the next thp_batch_map() of this
 * process, which puts its used regions back to 4K pages; the next round
 * of a run then populates only what a window used. */
void thp_batch_unmap(struct thp_batch *b);
/* Unmaps the batches kept for reuse (at the end of a run). */
void thp_batch_cache_drop(void);

char *thp_batch_region(const struct thp_batch *b, size_t i);
/* madvise() of the whole batch: khugepaged only scans MADV_HUGEPAGE. */
int thp_batch_advise(struct thp_batch *b, int advice);

/* The next region to collapse in *r, refilling a used-up batch: 0, or
 * -errno.  *thp grows by the regions THP-verified before a refill. */
int thp_batch_next(struct thp_batch *b, uint64_t *thp, char **r);
/* The next region is done: collapsed (ok) or passed over. */
void thp_batch_done(struct thp_batch *b, bool ok);
/* THP-verify the regions done since the last check (workers parked, or
 * the owning worker itself): how many collapsed regions are THPs. */
uint64_t thp_batch_check(struct thp_batch *b);

/* Between windows: used or THP regions back to 512 4K pages; huge: the
 * batch becomes MADV_HUGEPAGE for khugepaged's window.  -1 with err. */
int thp_batch_prepare(struct thp_batch *b, bool huge, char *err, size_t len);

#endif
