// SPDX-License-Identifier: GPL-2.0
/* thpbatch.c - see thpbatch.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"
#include "pin.h"
#include "thpbatch.h"

char *thp_batch_region(const struct thp_batch *b, size_t i)
{
	return b->base + i * HPAGE_PMD_SIZE;
}

int thp_batch_advise(struct thp_batch *b, int advice)
{
	return madvise(b->base, b->n * HPAGE_PMD_SIZE, advice);
}

/* A new batch of n regions, mapped and populated by 4K pages. */
static int thp_batch_map_new(struct thp_batch *b, size_t n, bool kh, char *err,
			     size_t len)
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
	b->kh = kh;
	b->next = b->checked = 0;
	if (kh && thp_batch_advise(b, MADV_NOHUGEPAGE) < 0) {
		snprintf(err, len, "madvise(MADV_NOHUGEPAGE, %zu regions): %s", n,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Batches given back by thp_batch_unmap() wait here for the next
 * thp_batch_map() of this process: a run sets a point up again every
 * round, and populating 2 x --regions x 512 pages per worker each time was
 * most of collapse's wall time (issue 17).  Kept MADV_NOHUGEPAGE, so
 * khugepaged leaves them alone; thp_batch_cache_drop() unmaps them.
 */
#define THP_CACHE_MAX 64
static struct thp_cached {
	char *base;
	size_t n, used;		/* regions; [0, used) may have been collapsed */
	bool kh;		/* a khugepaged batch: only reused as one (a
				 * MADV_COLLAPSE batch must not be NOHUGEPAGE,
				 * nor HUGEPAGE, which faults in THPs) */
} thp_cache[THP_CACHE_MAX];
static size_t thp_ncache;
static pthread_mutex_t thp_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* Regions [0, used) and any THP back to 512 populated 4K pages. */
static int thp_batch_restore(struct thp_batch *b, size_t used, char *err,
			     size_t len)
{
	for (size_t i = 0; i < b->n; i++) {
		char *r = thp_batch_region(b, i);

		if (i >= used && pin_mapped_thp(r) != 1)
			continue;
		if (madvise(r, HPAGE_PMD_SIZE, MADV_DONTNEED) < 0) {
			snprintf(err, len, "madvise(%p, 2M, MADV_DONTNEED): %s",
				 (void *)r, strerror(errno));
			return -1;
		}
		mem_populate(r, HPAGE_PMD_SIZE);
		b->ok[i] = false;
	}
	return 0;
}

int thp_batch_map(struct thp_batch *b, size_t n, bool kh, char *err, size_t len)
{
	struct thp_cached c = { 0 };
	size_t best = THP_CACHE_MAX;

	pthread_mutex_lock(&thp_cache_lock);
	for (size_t i = 0; i < thp_ncache; i++)	/* the smallest that fits */
		if (thp_cache[i].n >= n && thp_cache[i].kh == kh &&
		    (best == THP_CACHE_MAX || thp_cache[i].n < thp_cache[best].n))
			best = i;
	if (best < THP_CACHE_MAX) {
		c = thp_cache[best];
		thp_cache[best] = thp_cache[--thp_ncache];
	}
	pthread_mutex_unlock(&thp_cache_lock);
	if (!c.base)
		return thp_batch_map_new(b, n, kh, err, len);
	*b = (struct thp_batch){ .base = c.base, .n = c.n, .kh = kh,
				 .ok = calloc(c.n, sizeof(*b->ok)) };
	if (!b->ok) {
		munmap(c.base, c.n * HPAGE_PMD_SIZE);
		b->base = NULL;
		snprintf(err, len, "out of memory");
		return -1;
	}
	return thp_batch_restore(b, c.used, err, len);
}

void thp_batch_cache_drop(void)
{
	pthread_mutex_lock(&thp_cache_lock);
	for (size_t i = 0; i < thp_ncache; i++)
		munmap(thp_cache[i].base, thp_cache[i].n * HPAGE_PMD_SIZE);
	thp_ncache = 0;
	pthread_mutex_unlock(&thp_cache_lock);
}

uint64_t thp_batch_check(struct thp_batch *b)
{
	uint64_t thp = 0;

	for (; b->checked < b->next; b->checked++)
		if (b->ok[b->checked] &&
		    pin_mapped_thp(thp_batch_region(b, b->checked)) == 1)
			thp++;
	return thp;
}

static void thp_batch_unmap_old(struct thp_batch *b)
{
	for (size_t i = 0; i < b->nold; i++)
		munmap(b->old[i], b->oldn[i] * HPAGE_PMD_SIZE);
	b->nold = 0;
}

void thp_batch_unmap(struct thp_batch *b)
{
	bool kept = false;

	thp_batch_unmap_old(b);
	if (b->base && (!b->kh || thp_batch_advise(b, MADV_NOHUGEPAGE) == 0)) {
		pthread_mutex_lock(&thp_cache_lock);
		if (thp_ncache < THP_CACHE_MAX) {
			thp_cache[thp_ncache++] = (struct thp_cached){
				b->base, b->n, b->next, b->kh };
			kept = true;
		}
		pthread_mutex_unlock(&thp_cache_lock);
	}
	if (b->base && !kept)
		munmap(b->base, b->n * HPAGE_PMD_SIZE);
	free(b->ok);
	b->base = NULL;
	b->ok = NULL;
}

/* The batch ran out inside a window: keep the old one mapped (unmapping
 * would flush TLBs inside the window) and map one twice as large. */
static int thp_batch_refill(struct thp_batch *b, uint64_t *thp)
{
	char err[256], *old = b->base;
	size_t oldn = b->n;
	bool *ok = b->ok;

	*thp += thp_batch_check(b);
	if (b->nold == THP_BATCH_RETIRED)
		return -ENOMEM;
	/* A new one, not the cache: restoring a cached batch would flush
	 * TLBs inside the window. */
	if (thp_batch_map_new(b, oldn * 2 > THP_BATCH_MAX ? oldn : oldn * 2,
			      b->kh, err, sizeof(err)) < 0) {
		fprintf(stderr, "THP batch refill: %s\n", err);
		return -ENOMEM;
	}
	if (b->kh && thp_batch_advise(b, MADV_HUGEPAGE) < 0)
		return -errno;
	free(ok);
	b->old[b->nold] = old;
	b->oldn[b->nold++] = oldn;
	b->refills++;
	return 0;
}

int thp_batch_next(struct thp_batch *b, uint64_t *thp, char **r)
{
	int rc;

	if (b->next == b->n && (rc = thp_batch_refill(b, thp)) < 0)
		return rc;
	*r = thp_batch_region(b, b->next);
	return 0;
}

void thp_batch_done(struct thp_batch *b, bool ok)
{
	b->ok[b->next++] = ok;
	b->used++;
}

/* A window used most of the batch: the next one gets twice as many. */
static int thp_batch_grow(struct thp_batch *b, char *err, size_t len)
{
	size_t n = b->n * 2;

	munmap(b->base, b->n * HPAGE_PMD_SIZE);	/* not kept: too small now */
	free(b->ok);
	b->base = NULL;
	b->ok = NULL;
	return thp_batch_map(b, n, b->kh, err, len);
}

int thp_batch_prepare(struct thp_batch *b, bool huge, char *err, size_t len)
{
	bool grow = b->used * 4 > b->n * 3 && b->n * 2 <= THP_BATCH_MAX;

	thp_batch_unmap_old(b);
	b->used = 0;
	if (grow && thp_batch_grow(b, err, len) < 0)
		return -1;
	if (!grow && thp_batch_restore(b, b->next, err, len) < 0)
		return -1;
	b->next = b->checked = 0;
	if (huge && thp_batch_advise(b, MADV_HUGEPAGE) < 0) {
		snprintf(err, len, "madvise(MADV_HUGEPAGE, %zu regions): %s", b->n,
			 strerror(errno));
		return -1;
	}
	return 0;
}
