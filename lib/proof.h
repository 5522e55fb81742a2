/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proof.h - counter rates per operation, for a benchmark's derive() and
 * verify(), and the mmap_lock test that proves a GUP-fast path ran.
 *
 * GUP-fast walks the page tables without mmap_lock; when it cannot serve a
 * call, the slow path takes mmap_lock.  So mmap_lock:mmap_lock_start_locking
 * per op is ~0 where GUP-fast served every op, and ~1 in a control whose
 * GUP-fast must fail (a FOLL_WRITE on a PROT_READ page, mem_ro_page()):
 * the control shows the detector sees the slow path when it runs.
 */
#ifndef GUPSYNC_PROOF_H
#define GUPSYNC_PROOF_H

#include <stddef.h>

#include "bench.h"

#define MMAP_LOCK_TP "tp:mmap_lock:mmap_lock_start_locking"
#define GUP_FAST_MAX 0.01	/* mmap_lock per op if GUP-fast served every op */
#define GUP_SLOW_MIN 0.5	/* ... and when the slow path had to run */
/* The slow path takes mmap_lock once per call (a FOLL_WRITE walk of a
 * read-only VMA fails in check_vma_flags(): no fault, no retry). */
#define GUP_SLOW_MAX 1.5

/* The slow-GUP control's mmap_lock per call, judged both ways: NULL in
 * [GUP_SLOW_MIN, GUP_SLOW_MAX], else what is wrong, with likely causes. */
const char *proof_slow_control(double per_call);

/* Events of counter spec per op over the window, system-wide; NAN when
 * it is not counted here or no op completed. */
double proof_per_op(const struct point *pt, const struct mode_result *res,
		    const char *spec);
/* The same, counted on the measured workers' own threads where the proof
 * pass did so (spec one of bench->counters), else system-wide. */
double proof_thread_per_op(const struct point *pt, const struct mode_result *res,
			   const char *spec);
/* IPIs sent per op: ipi_send_cpu + ipi_send_cpumask, system-wide; where
 * neither exists (before 6.3), the CAL row of /proc/interrupts. */
double proof_ipis_per_op(const struct point *pt, const struct mode_result *res);
/* Remote TLB shootdowns per op: tlb_flush with reason TLB_REMOTE_SHOOTDOWN.
 * Where the hypervisor does remote flushes (sysinfo_hv_tlb_flush()), it
 * notes on pt that neither this nor the IPI count can see them. */
double proof_shootdowns_per_op(struct point *pt, const struct mode_result *res);

/*
 * mmap_lock taken per op in each of the n modes[], into rate[]: on the
 * workers' own threads when possible (other processes' mmap_lock must not
 * blur the proof), else system-wide.  Returns where it was counted
 * ("workers' threads" or "system-wide"), or NULL with verdict filled
 * ("unproven: ...") when the tracepoint is missing or one of the modes
 * completed no op (what names the ops in that line: "calls").
 */
const char *proof_mmap_lock(const struct point *pt, const struct mode_result *res,
			    const unsigned *modes, size_t n, const char *what,
			    double *rate, char *verdict, size_t len);

/*
 * A verdict never says nan: each "nan" or "-nan" word that a printf of a
 * NaN (a counter missing on this kernel) left in s becomes "NA", in place.
 * The benchmarks print their numbers with plain %f; this is the net under
 * them all (tests/test_ipi_counts.c).
 */
void proof_no_nan(char *s);

#endif
