/* SPDX-License-Identifier: GPL-2.0 */
/*
 * interrupts.h - rows of /proc/interrupts ("CAL", "TLB", "LOC", an IRQ
 * number): the kernel's own per-CPU interrupt counts, which need no perf
 * permissions.  counters.h offers them as "irq:ROW" counters.
 */
#ifndef GUPSYNC_INTERRUPTS_H
#define GUPSYNC_INTERRUPTS_H

#include <stddef.h>
#include <stdint.h>

#define INTERRUPTS_PATH "/proc/interrupts"

/* Sum of a /proc/interrupts row over all CPUs ("CAL", "TLB", "LOC").
 * path NULL = /proc/interrupts (tests pass a fixture). */
int interrupts_row(const char *path, const char *row, uint64_t *total);
/* Per-CPU values of a row: fills up to cap entries, *n = CPUs in file. */
int interrupts_row_percpu(const char *path, const char *row, uint64_t *vals,
			  size_t cap, size_t *n);

#endif
