/* SPDX-License-Identifier: GPL-2.0 */
/*
 * thp.h - transparent huge pages as a benchmark or check needs them: the
 * THP "enabled" mode set for the run, and regions whose THP backing is
 * verified (AnonHugePages) rather than hoped for.
 */
#ifndef GUPSYNC_THP_H
#define GUPSYNC_THP_H

#include <stddef.h>
#include <stdint.h>

struct point;

/* THP "enabled" modes (space-separated) that serve a purpose as they are:
 * MADV_HUGEPAGE works under "madvise" and "always"; regions meant to fault
 * 4K pages need anything but "always"; khugepaged scans MADV_HUGEPAGE
 * areas only under "madvise" (and "always" would fault THPs into them). */
#define THP_OK_MADV_HUGEPAGE "madvise always"
#define THP_OK_4K_FAULTS "madvise never"
#define THP_OK_KHUGEPAGED "madvise"

/*
 * Leave THP "enabled" alone if its mode is one of ok, else set it to
 * "madvise" through knob_set() (journaled, restored at exit).  was (if
 * not NULL) gets the mode found.  Returns 0 unchanged, 1 changed, -1 with
 * err ("THP not available: ..." or "THP is '<mode>' and ...").
 */
int thp_madvise(const char *ok, char *was, size_t wlen, char *err, size_t len);

/* The same for a data point: BENCH_OK (a "thp_knob" note when changed),
 * or BENCH_SKIP with the reason. */
int thp_point_madvise(struct point *pt, const char *ok);

/* A benchmark's --page-size: 4K or 2M (THP); -1 with err otherwise. */
int thp_check_page_size(uint64_t page_size, char *err, size_t len);

/*
 * A populated region of size bytes in pages of page_size: PAGE_4K
 * (MADV_NOHUGEPAGE), or HPAGE_PMD_SIZE (MADV_HUGEPAGE, and the VMA must
 * show AnonHugePages for all of it, noted as "thp": "yes: <what>'s VMA
 * has ...").  NULL when the point was skipped (reason given).  Free with
 * mem_free(p, size).
 */
char *thp_point_region(struct point *pt, size_t size, size_t page_size,
		       const char *what);

#endif
