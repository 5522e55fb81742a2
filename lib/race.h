/* SPDX-License-Identifier: GPL-2.0 */
/*
 * race.h - the race checks of `gupsync check`: one thread pins and unpins
 * pages in a loop, looking through each hold, while MADV_COLLAPSE (the
 * main thread) or ksmd replaces the same range.  A write that does not
 * show through both views, or data that changes across a collapse, is a
 * violation; result in struct check_result (check.h).
 */
#ifndef GUPSYNC_RACE_H
#define GUPSYNC_RACE_H

#include <stdint.h>

struct check_result;

/* Pin/unpin in a loop for ns while MADV_COLLAPSE (or ksmd) replaces the
 * same range; r->violations counts lost writes and changed data. */
int check_race_collapse(uint64_t ns, struct check_result *r);
int check_race_ksm(uint64_t ns, struct check_result *r);

#endif
