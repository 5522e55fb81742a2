// SPDX-License-Identifier: GPL-2.0
/* thp.c - see thp.h. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "knobs.h"
#include "mem.h"
#include "thp.h"

/* Whether word is one of the space-separated words of list. */
static int thp_word_in(const char *word, const char *list)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

int thp_madvise(const char *ok, char *was, size_t wlen, char *err, size_t len)
{
	char val[KNOB_VALUE_MAX], why[256];

	if (knob_read(THP_ENABLED, val, sizeof(val)) < 0) {
		snprintf(err, len, "THP not available: cannot read %s", THP_ENABLED);
		return -1;
	}
	if (was)
		snprintf(was, wlen, "%s", val);
	if (thp_word_in(val, ok))
		return 0;
	if (knob_set(THP_ENABLED, "madvise", why, sizeof(why)) < 0) {
		snprintf(err, len, "THP is '%s' and %s", val, why);
		return -1;
	}
	return 1;
}

int thp_point_madvise(struct point *pt, const char *ok)
{
	char was[KNOB_VALUE_MAX], err[512];
	int rc = thp_madvise(ok, was, sizeof(was), err, sizeof(err));

	if (rc < 0)
		return point_skip(pt, "%s", err);
	if (rc > 0)
		point_note(pt, "thp_knob", "enabled: %s -> madvise for this run", was);
	return BENCH_OK;
}

int thp_check_page_size(uint64_t page_size, char *err, size_t len)
{
	if (page_size == PAGE_4K || page_size == HPAGE_PMD_SIZE)
		return 0;
	snprintf(err, len, "--page-size: '%llu' bytes is not supported; "
		 "allowed: 4K, 2M", (unsigned long long)page_size);
	return -1;
}

char *thp_point_region(struct point *pt, size_t size, size_t page_size,
		       const char *what)
{
	int huge = page_size == HPAGE_PMD_SIZE;
	char err[256];
	char *p = mem_region(size, page_size, huge, err, sizeof(err));
	long kb;

	if (!p) {
		point_skip(pt, "%s", err);
		return NULL;
	}
	if (!huge)
		return p;
	kb = mem_anon_huge_kb(p);
	if (kb < (long)(size >> 10)) {
		point_skip(pt, "THP could not be had: AnonHugePages %ld kB of %zu "
			   "after MADV_HUGEPAGE (fragmented memory or THP disabled)",
			   kb, size >> 10);
		mem_free(p, size);
		return NULL;
	}
	point_note(pt, "thp", "yes (%s: AnonHugePages %ld kB)", what, kb);
	return p;
}
