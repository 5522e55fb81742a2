/* SPDX-License-Identifier: GPL-2.0 */
/*
 * race.h - the race checks of `gupsync check`: one thread pins and unpins
 * pages in a loop, looking through each hold, while MADV_COLLAPSE (the
 * main thread) or ksmd replaces the same range.  A write that does not
 * show through both views, data that changes across a collapse, or a
 * collapse that succeeds while a hold was in place throughout the call is
 * a violation; result in struct check_result (check.h).
 *
 * Overlap is counted only where it can be shown:
 *   race/collapse  every other pin cycle holds its page until a whole
 *                  MADV_COLLAPSE call has started and returned; a call is
 *                  "overlapped" when the same hold (a generation number)
 *                  was in place before it began and after it returned.
 *                  EAGAINs are counted apart for overlapped calls and for
 *                  calls with no hold at any point: an EAGAIN that also
 *                  comes without a hold does not by itself show the pin
 *                  made collapse back off.
 *   race/ksm       a ksmd merge attempt on the held page while it is held:
 *                  the ksm:ksm_merge_one_page tracepoint, filtered on the
 *                  twin's KSM page (the kpage it is merged into) and a
 *                  non-zero err, counted around each dwell.  Without the
 *                  tracepoint (before Linux 6.7) nothing can be shown.
 */
#ifndef GUPSYNC_RACE_H
#define GUPSYNC_RACE_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"

/*
 * How many provably overlapping attempts a race verdict needs.  With 0
 * violations in n independent attempts, the 95% upper bound on the
 * violation rate is about 3/n (the "rule of three": (1-p)^n = 0.05 gives
 * p = -ln(0.05)/n = 3.0/n).  A rate of 1 in N is detectable at 95% with
 * n >= 3N; 300 attempts bound the rate below 1 in 100.
 */
#define RACE_MIN_OVERLAP 300

/* The race judgement table (pure): an error -> ERROR; any violation ->
 * NOT PROTECTED; fewer than RACE_MIN_OVERLAP overlaps -> SKIPPED (too
 * little activity); else PROTECTED. */
enum check_verdict race_judge(uint64_t overlaps, uint64_t violations, bool failed);

/* Pin/unpin in a loop for ns while MADV_COLLAPSE (or ksmd) replaces the
 * same range; r->violations counts lost writes and changed data. */
int check_race_collapse(uint64_t ns, struct check_result *r);
int check_race_ksm(uint64_t ns, struct check_result *r);
/* O_DIRECT reads of a loop device through io_uring, always in flight,
 * while MADV_COLLAPSE replaces the pages they read into
 * (race_odirect.c); r->cycles the reads completed and checked. */
int check_race_odirect(uint64_t ns, struct check_result *r);
/* The same against ksmd, into pages that merge (race_odirect.c). */
int check_race_odirect_ksm(uint64_t ns, struct check_result *r);

#endif
