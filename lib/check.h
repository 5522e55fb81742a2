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
 *   3. the two views are compared: a write through the hold must show in
 *      the mapping (io_uring), a write to the mapping must show through the
 *      hold (vmsplice); the PFN before and after is evidence.
 * A held page whose views part is NOT PROTECTED; one whose views agree is
 * PROTECTED.  Each path also runs on an unheld page (the control), which
 * must be replaced (or, for uprobes, get its int3): otherwise the pinned
 * result proves nothing and is SKIPPED.  Race checks pin and unpin in a
 * loop while the path replaces the same range, counting violations.
 *
 * A kernel that fails a check is a finding, printed clearly, not an error
 * of gupsync: check_main() exits 0 when paths were checked (whatever the
 * verdicts), 4 when every one was skipped, 1 on an internal error and 2 on
 * bad options.
 */
#ifndef GUPSYNC_CHECK_H
#define GUPSYNC_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pin.h"
#include "race.h"		/* the races and the replacers, each */
#include "replacers.h"	/* declared with its own file */

#define CHECK_VIEW_OFF 2048	/* where the two views of a held page are compared */

enum check_verdict {
	CHECK_PROTECTED,	/* held page kept, views agree */
	CHECK_NOT_PROTECTED,	/* views parted: a write was lost */
	CHECK_REPLACED,		/* control: the path acted on the unheld page */
	CHECK_NOT_REPLACED,	/* control: it did not; the detector is unproven */
	CHECK_SKIPPED,
	CHECK_ERROR,
};

struct check_result {
	char path[48];		/* "collapse/io_uring-pin", "race/ksm" */
	enum check_verdict verdict;
	char detail[448];	/* what was seen, for people */
	/* evidence */
	int err;		/* errno of the replacing call, 0 if it succeeded */
	bool acted;		/* the path did its work (THP, merged, int3) */
	uint64_t pfn_before, pfn_after;
	bool views_agree;
	uint64_t cycles;	/* race: pin/unpin cycles */
	uint64_t attempts;	/* race: collapses tried, or ksmd full scans */
	uint64_t races;		/* race: attempts that overlapped a held pin */
	uint64_t replaced;	/* race: successful collapses / merges seen */
	uint64_t violations;	/* race: writes lost or data changed */
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
	char note[200];		/* "MADV_COLLAPSE -> EAGAIN" */
};

/* A way of replacing a page.  prepare() and attempt() return 0, or -1 with
 * why filled when the path cannot be tried here (the check is SKIPPED). */
struct check_replacer {
	const char *name;	/* "collapse", "ksm", "uprobe" */
	int (*prepare)(struct check_target *t, char *why, size_t len);
	int (*attempt)(struct check_target *t, enum pin_kind pin, char *why,
		       size_t len);
	void (*cleanup)(struct check_target *t);
};

/* Verdict from what was seen. */
enum check_verdict check_judge(enum pin_kind pin, bool acted, bool views_agree);
const char *check_verdict_name(enum check_verdict v);

/* Run one replacer against one hold; r filled.  Returns 0, -1 on an
 * internal error (r->verdict CHECK_ERROR). */
int check_one(const struct check_replacer *rep, enum pin_kind pin,
	      struct check_result *r);

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

/* `gupsync check [--race-time=TIME] [--output=DIR]`; argv[0] is "check". */
int check_main(int argc, char **argv);
/* The same with the driver's command signature (gupsync.c commands[]). */
int check_command(int argc, char **argv, const char *cmdline);

#endif
