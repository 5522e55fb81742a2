/* SPDX-License-Identifier: GPL-2.0 */
/*
 * counters.h - perf_event_open(2) counters and /proc/interrupts rows, read
 * around each timed window and reported per operation.
 *
 * libperf is not packaged for Debian 12, so this is a thin wrapper around
 * the system call.  A counter is named by a spec:
 *   "hw:cycles", "hw:instructions"          hardware (often not supported
 *                                            in VMs: then it says so)
 *   "sw:context-switches", "sw:cpu-migrations", "sw:page-faults",
 *   "sw:task-clock"
 *   "tp:ipi:ipi_send_cpu"                   tracepoint subsystem:event
 *   "tp:tlb:tlb_flush:reason==1"            ... with a tracepoint filter
 *   "irq:CAL", "irq:TLB"                    a /proc/interrupts row
 * perf counters are opened system-wide, one per online CPU (pid -1), and
 * summed; this needs root or perf_event_paranoid <= 0.  Tracepoint ids come
 * from tracefs (counters_tracefs() finds or mounts it; see below).
 *
 * A counter that cannot be had is "not supported" with the reason (the
 * errno of perf_event_open, a missing tracepoint, ...), never a zero.
 */
#ifndef GUPSYNC_COUNTERS_H
#define GUPSYNC_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "interrupts.h"	/* interrupts_row(), interrupts_row_percpu() */

#define COUNTER_WHY_LEN 160

struct counters; /* opaque */

/*
 * Make tracefs reachable.  If it is not mounted, mount it at
 * /sys/kernel/tracing inside a private mount namespace of this process
 * (unshare(CLONE_NEWNS) + MS_PRIVATE), so the machine's mounts are never
 * changed.  Must run before any thread is created (unshare fails in a
 * multi-threaded process).  Returns the tracefs path or NULL (why filled).
 */
const char *counters_tracefs(char *why, size_t len);

/* Open the specs; never fails as a whole: unsupported ones are marked. */
struct counters *counters_open(const char *const *specs, size_t n);
/* The same, counting only the given threads (pid = tid, any CPU): no
 * other process's events get in.  irq: rows are not supported here. */
struct counters *counters_open_threads(const char *const *specs, size_t n,
				       const int *tids, size_t ntids);
void counters_close(struct counters *c);
size_t counters_n(const struct counters *c);
const char *counter_spec(const struct counters *c, size_t i);
/* Column-friendly name: "ipi_send_cpu", "tlb_flush_reason_1", "irq_CAL", "cycles" */
const char *counter_name(const struct counters *c, size_t i);
bool counter_ok(const struct counters *c, size_t i);
const char *counter_why(const struct counters *c, size_t i); /* "" if ok */

/* Current totals (summed over CPUs) into vals[counters_n]; 0 for
 * unsupported ones (check counter_ok). */
int counters_read(struct counters *c, uint64_t *vals);

/* Counters that open nothing and read 0 but say supported: for tests of
 * a benchmark's derive() and verify() on hand-made deltas (delta[i] is
 * specs[i]), through point_counter() as in a real run. */
struct counters *counters_fake(const char *const *specs, size_t n);

/* One-shot probe for `gupsync info`: 1 supported, 0 not (why filled). */
int counter_probe(const char *spec, char *why, size_t len);

#endif
