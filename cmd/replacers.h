/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replacers.h - the ways `gupsync check` tries to replace a page (struct
 * check_replacer, check.h): MADV_COLLAPSE of the 2 MiB region holding it,
 * ksmd merging it with an identical twin, and a uprobe written into it.
 * Each also runs on an unheld page, the control: replaced, acted in place
 * (uprobes since Linux 6.16) or did nothing decides what a held run can
 * mean (check.h).
 */
#ifndef GUPSYNC_REPLACERS_H
#define GUPSYNC_REPLACERS_H

#include <stdint.h>

struct check_replacer;

extern const struct check_replacer check_collapse, check_ksm, check_uprobe;

/* How long KSM checks wait for ksmd (it scans every mergeable process,
 * so a big one slows it); default CHECK_KSM_WAIT_NS. */
#define CHECK_KSM_WAIT_NS 10000000000ull
void check_set_ksm_wait(uint64_t ns);

#define CHECK_KSM_SCAN_PAGES 20000	/* ksmd pace for the checks */
#define CHECK_KSM_SLEEP_MS 1
/* A page of pat, pat+1, ...: pages filled with one pat are identical,
 * for ksmd to merge. */
void check_ksm_fill(char *page, uint64_t pat);

#endif
