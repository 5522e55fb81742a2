/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check.h - `gupsync check`: is a page that GUP pinned ever replaced?
 *
 * The guarantee the IPI/RCU machinery buys: a page GUP-fast took a pin on
 * (O_DIRECT, io_uring, vfio, RDMA) is never swapped for another page, or a
 * write through the pin is lost.  For each replacement path (MADV_COLLAPSE,
 * KSM, uprobes) and each hold (pin.h: io_uring pin, vmsplice reference):
 *   1. a page is prepared the way the path wants it, and held;
 *   2. the path tries to replace it;
 *   3. the evidence is collected: the PFN before and after, the replacer's
 *      own report (its errno; KSM: merged or not; uprobes: where the int3
 *      went), and the two views: a write through the hold must show in
 *      the mapping (io_uring), a write to the mapping must show through
 *      the hold (vmsplice).
 * Each path first runs on an unheld page, the control, which decides what
 * a held run can mean (check_judge_control(), check_judge_held()):
 *   replaced (the PFN changed; KSM: the page shares its twin's page)
 *       the held run is PROTECTED only if the views agree, the PFN is
 *       unchanged and the replacer reported the back-off the kernel code
 *       promises (EAGAIN from MADV_COLLAPSE; KSM: the held page left
 *       unmerged while its unheld twin pair merged in the same scans;
 *       uprobes: the int3 written into the held page itself).  Views that
 *       part or a page that moved is NOT PROTECTED; no back-off (another
 *       errno) is SKIPPED with that errno.
 *   acted in place (the PFN did not change: uprobe_write_opcode() writes
 *       the int3 into the existing page since Linux 6.16)
 *       the held run is NOT APPLICABLE: nothing is replaced, so nothing
 *       can be protected.  Counted apart, neither a pass nor a failure.
 *   did nothing: the held run is SKIPPED.
 * Race checks pin and unpin in a loop while the path replaces the same
 * range (race.h); their verdict needs RACE_MIN_OVERLAP attempts that
 * provably overlapped a hold (race_judge()).
 *
 * A kernel that fails a check is a finding, printed clearly, not an error
 * of gupsync: cmd_check() exits 0 when a PROTECTED or NOT PROTECTED
 * verdict was reached, 4 when none was (all SKIPPED or NOT APPLICABLE), 1
 * on an internal error and 2 on bad options.
 */
#ifndef GUPSYNC_CHECK_H
#define GUPSYNC_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pin.h"

#define CHECK_VIEW_OFF 2048	/* where the two views of a held page are compared */

enum check_verdict {
	CHECK_PROTECTED,	/* held page kept, with the replacer's back-off */
	CHECK_NOT_PROTECTED,	/* held page replaced, or the views parted */
	CHECK_NOT_APPLICABLE,	/* the path replaces nothing on this kernel */
	CHECK_REPLACED,		/* control: the unheld page was replaced */
	CHECK_IN_PLACE,		/* control: the path acted, same page */
	CHECK_DID_NOTHING,	/* control: the path did not act */
	CHECK_SKIPPED,
	CHECK_ERROR,
};

struct check_result {
	char path[48];		/* "collapse/io_uring-pin", "race/ksm" */
	enum check_verdict verdict;
	char detail[512];	/* what was seen, for people */
	/* evidence */
	int err;		/* errno of the replacing call, 0 if none */
	bool acted;		/* the path did its work (THP, merged, int3) */
	bool moved;		/* another page is mapped there now (PFN
				 * changed; KSM: merged with its twin) */
	bool backed_off;	/* the replacer reported the back-off the
				 * kernel promises a held page */
	uint64_t pfn_before, pfn_after;
	bool undone;		/* uprobes: unregistered after the views */
	uint64_t pfn_undone;	/* PFN after it; 0: not mapped */
	bool views_agree;
	uint64_t cycles;	/* race: pin/unpin cycles */
	uint64_t attempts;	/* race: collapses tried, or ksmd full scans */
	uint64_t races;		/* race: attempts that provably overlapped a
				 * hold (the whole call; KSM: a merge attempt
				 * on the held page while held) */
	uint64_t replaced;	/* race: successful collapses / merges seen */
	uint64_t violations;	/* race: writes lost or data changed */
	uint64_t eagain_held;	/* race/collapse: EAGAINs with a hold
				 * throughout the call, */
	uint64_t eagain_unheld;	/* and with no hold at any point */
};

/* One page under test, as a replacer prepares it. */
struct check_target {
	char *base;		/* the mapping holding the page */
	size_t len;
	char *page;		/* the page that gets held (4K) */
	void *ctx;		/* the replacer's own */
	/* filled by attempt() */
	int err;
	bool acted;
	bool merged;		/* KSM: the page shares its twin's page */
	bool backed_off;	/* see struct check_result */
	char note[200];		/* "MADV_COLLAPSE -> EAGAIN" */
};

/* A way of replacing a page.  prepare() and attempt() return 0, or -1 with
 * why filled when the path cannot be tried here (the check is SKIPPED).
 * undo(), if any, takes the path's change back after the views were
 * compared (uprobes: unregister), for the PFN after it. */
struct check_replacer {
	const char *name;	/* "collapse", "ksm", "uprobe" */
	const char *backoff;	/* what a kept held page shows, for people */
	const char *in_place;	/* why a control acts in place, if it can */
	int (*prepare)(struct check_target *t, char *why, size_t len);
	int (*attempt)(struct check_target *t, enum pin_kind pin, char *why,
		       size_t len);
	int (*undo)(struct check_target *t, char *why, size_t len);
	void (*cleanup)(struct check_target *t);
};

/* The judgement tables (pure; tests/test_check.c covers every row).
 * Control: acted and moved -> REPLACED; acted, same page -> IN_PLACE;
 * not acted -> DID_NOTHING. */
enum check_verdict check_judge_control(bool acted, bool moved);
/* Held, given the control's verdict: see the top of this file. */
enum check_verdict check_judge_held(enum check_verdict control, bool views_agree,
				    bool moved, bool backed_off);
const char *check_verdict_name(enum check_verdict v);

/* Run one replacer against one hold; r filled.  A held run is judged
 * against control (the unheld run's result; NULL: as if it was
 * replaced).  Returns 0, -1 on an internal error (r->verdict CHECK_ERROR). */
int check_one(const struct check_replacer *rep, enum pin_kind pin,
	      const struct check_result *control, struct check_result *r);

/* The detector's parts, shared with the replacers and races. */
/* A word no page holds by chance: a sequence number and the clock. */
uint64_t check_pattern(void);
/* io_uring: a write through the pin must show in the mapping; vmsplice:
 * a write to the mapping must show through the hold.  1 agree, 0 not,
 * -1 could not look (why filled). */
int check_views(struct pin *p, char *page, char *why, size_t len);
/* r becomes SKIPPED (returns 0) or ERROR (returns -1), why its detail. */
int check_skip(struct check_result *r, const char *why);
int check_error(struct check_result *r, const char *why);

/* Print the summary line and the findings; the exit status: 1 on an
 * internal error, 4 when no line came to PROTECTED or NOT PROTECTED (NOT
 * APPLICABLE is neither a pass nor a failure), else 0. */
int check_summary(const struct check_result *res, size_t n);

/* `gupsync check [--race-time=TIME] [--output=DIR]`; argv[0] is "check". */
/* The same with the driver's command signature (gupsync.c commands[]). */
int cmd_check(int argc, char **argv, const char *cmdline);

/* The races and the replacers, each declared with its own file (last:
 * race.h needs enum check_verdict). */
#include "race.h"
#include "replacers.h"

#endif
