// SPDX-License-Identifier: GPL-2.0
/* proof.c - see proof.h. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "proof.h"
#include "sysinfo.h"

double proof_per_op(const struct point *pt, const struct mode_result *res,
		    const char *spec)
{
	int c = point_counter(pt, spec);

	return c < 0 || !res->ops ? NAN : (double)res->delta[c] / res->ops;
}

double proof_thread_per_op(const struct point *pt, const struct mode_result *res,
			   const char *spec)
{
	int c = point_thread_counter(pt, spec);

	if (c < 0 || !res->ops)
		return proof_per_op(pt, res, spec);
	return (double)res->tdelta[c] / res->ops;
}

double proof_ipis_per_op(const struct point *pt, const struct mode_result *res)
{
	double cpu = proof_per_op(pt, res, "tp:ipi:ipi_send_cpu");
	double mask = proof_per_op(pt, res, "tp:ipi:ipi_send_cpumask");

	/* Before 6.3 neither tracepoint exists: the CAL row of
	 * /proc/interrupts counts the function-call IPIs taken instead. */
	if (isnan(cpu) && isnan(mask))
		return proof_per_op(pt, res, "irq:CAL");
	return (isnan(cpu) ? 0 : cpu) + (isnan(mask) ? 0 : mask);
}

double proof_shootdowns_per_op(struct point *pt, const struct mode_result *res)
{
	char why[160];

	/* Where the hypervisor does remote flushes (PVM, Hyper-V), neither
	 * this count nor the IPI count can see them: say so beside them. */
	if (sysinfo_hv_tlb_flush(why, sizeof(why)))
		point_note(pt, "tlb_flush", "by the hypervisor (%s): remote TLB "
			   "flushes send no IPIs here, so the IPI and shootdown "
			   "counts per op show none of them; the latency still "
			   "includes them", why);
	return proof_per_op(pt, res, "tp:tlb:tlb_flush:reason==1");
}

const char *proof_mmap_lock(const struct point *pt, const struct mode_result *res,
			    const unsigned *modes, size_t n, const char *what,
			    double *rate, char *verdict, size_t len)
{
	bool per_thread = point_thread_counter(pt, MMAP_LOCK_TP) >= 0;

	if (!per_thread && point_counter(pt, MMAP_LOCK_TP) < 0) {
		snprintf(verdict, len, "unproven: %s not supported here", MMAP_LOCK_TP);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!res[modes[i]].ops) {
			snprintf(verdict, len, "unproven: no %s completed", what);
			return NULL;
		}
	for (size_t i = 0; i < n; i++)
		rate[i] = proof_thread_per_op(pt, &res[modes[i]], MMAP_LOCK_TP);
	return per_thread ? "workers' threads" : "system-wide";
}

static bool word_edge(const char *s, const char *p)
{
	return p < s || !(isalnum((unsigned char)*p) || *p == '_');
}

const char *proof_slow_control(double per_call)
{
	if (!(per_call >= GUP_SLOW_MIN))
		return "detector did not see the slow path (FEWER THAN EXPECTED "
		       "in the control: 1 mmap_lock per call)";
	if (per_call > GUP_SLOW_MAX)
		return "MORE THAN EXPECTED in the control (1 mmap_lock per call): "
		       "other mmap_lock takers counted, or slow-GUP retries";
	return NULL;
}

void proof_no_nan(char *s)
{
	char *p = s;

	while ((p = strstr(p, "nan"))) {
		char *start = p > s && p[-1] == '-' ? p - 1 : p;

		if (!word_edge(s, start - 1) || !word_edge(s, p + 3)) {
			p += 3;
			continue;
		}
		/* "-nan" (4) or "nan" (3) -> "NA" (2): shift the rest left */
		memmove(start + 2, p + 3, strlen(p + 3) + 1);
		memcpy(start, "NA", 2);
		p = start + 2;
	}
}
