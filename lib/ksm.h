/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksm.h - drive ksmd for a benchmark or check: its knobs set for the run
 * (through knob_set, so restored at exit) and put back, its global
 * counters, this process's own merge count, and the other processes that
 * share ksmd's attention (a QEMU's RAM is mergeable by default).
 */
#ifndef GUPSYNC_KSM_H
#define GUPSYNC_KSM_H

#include <stdbool.h>
#include <stddef.h>

#define KSM_DIR "/sys/kernel/mm/ksm"
/* A KSM counter ("pages_sharing", "full_scans"); -1 if unreadable. */
long pin_ksm_counter(const char *name);
/* This process's line of /proc/self/ksm_stat ("ksm_merging_pages": its
 * pages that map a KSM page; exact where the global counters also count
 * other processes); -1 if unreadable. */
long pin_ksm_self(const char *key);
/* "key N", or "key unavailable" (before Linux 6.1's ksm_stat, or the key
 * missing), for notes. */
const char *pin_ksm_self_text(const char *key, char *buf, size_t len);
/* Other processes KSM may scan too ("ksm_mergeable: yes"), e.g. a QEMU:
 * how many, and the first one's "comm[pid]" in who. */
int pin_ksm_others(char *who, size_t len);
/* run=1, pages_to_scan, sleep_millisecs through knob_set (restored at
 * exit); thorough: smart_scan=0 too, so ksmd keeps trying a page that
 * failed to merge instead of skipping it.  -1 with err, e.g. when KSM is
 * not built in. */
int pin_ksm_start(unsigned pages_to_scan, unsigned sleep_ms, bool thorough,
		  char *err, size_t len);
/* The values before pin_ksm_start() back now (ksmd stops scanning). */
void pin_ksm_stop(void);

#endif
