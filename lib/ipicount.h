/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipicount.h - what the IPI benchmarks (tlb-shootdown, ipi-broadcast)
 * share: IPIs per operation from counter deltas, the IPIs the design
 * expects, the victims (lib/victim.h) that receive them as targets, and
 * where the targets sit.
 *
 * Counting.  The counters are system-wide, so a window also sees IPIs that
 * other processes (and the harness) caused.  Each trial runs a "quiet"
 * mode (the initiator makes a null system call; victims run as in the
 * storm) next to the "storm" mode; the quiet window's rate per second is
 * the background, taken off the storm's count over the storm's elapsed
 * time before dividing by the storm's operations:
 *     net/op = (storm_delta - quiet_delta * storm_ns / quiet_ns) / storm_ops
 * It is not clamped: a slightly negative value is background noise.
 *
 * Expectation.  An IPI only reaches a CPU that runs a thread of this mm
 * (a sleeping peer's CPU is lazy: x86 skips it; membarrier skips it too),
 * and under KVM's paravirtual TLB flush a preempted vCPU gets its flush at
 * its next VM entry instead of an IPI.  events_per_op comes from what the
 * operation does (the benchmark's model: an mprotect RO+RW pair is two
 * flush requests), never from a count, so that polluted counts cannot
 * raise their own bar.  Two numbers follow from it:
 *   ceiling  = events_per_op * busy targets: every event reached every
 *              busy target; more than IPI_MORE_SHARE times that plus
 *              IPI_MORE_SLACK is MORE THAN EXPECTED (the window was
 *              polluted: background flushes, other mms' flushes the quiet
 *              window did not show, TCG; or the count is wrong).  Not
 *              scaled by time on CPU: a target can be off CPU exactly
 *              between events (a gup victim blocked on mmap_lock while
 *              mprotect holds it still took both flushes).
 *   expected = events_per_op * sum over busy targets of the share of OPS
 *              that found it on CPU.  A target on CPU a share s of the
 *              TIME is not on CPU for a share s of the ops: an op that
 *              finds it off CPU sends nothing and is R times faster (R:
 *              the op with its IPIs over the op without; membarrier here
 *              ~5 us vs ~0.17 us, R ~ 30), so such ops crowd the window:
 *                  ops share = s / (s + (1 - s) * R)
 *              (measured with a nice 10 loop on the target's PU: s 0.90,
 *              0.24-0.37 IPIs/op, predicted 0.22-0.29).  R is the storm's
 *              op_p99 / op_p50 (>= 1): between 1% and half the ops with
 *              IPIs, p50 is an op without and p99 one with.  Outside that
 *              R comes out near 1 and the expectation near s, and the
 *              judgement still holds: half the ops or more with IPIs is
 *              at least half of one target's expectation; under 1% with
 *              the targets on CPU 90% of the time or more would need
 *              R > 900.  Sleep victims count 0.
 * Fewer than IPI_FEWER_SHARE of the expected is flagged as skipped IPIs
 * (PV flush, lazy TLB, membarrier's per-CPU state) only when the busy
 * targets were on CPU at least IPI_BUSY_SHARE of the time.
 */
#ifndef GUPSYNC_IPICOUNT_H
#define GUPSYNC_IPICOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "victim.h"

/* Default counter specs the IPI benches read (lib/run.c). */
#define IPI_SEND_CPU "tp:ipi:ipi_send_cpu"
#define IPI_SEND_MASK "tp:ipi:ipi_send_cpumask"
#define IPI_TLB_REMOTE "tp:tlb:tlb_flush:reason==1" /* TLB_REMOTE_SHOOTDOWN */
#define IPI_IRQ_CAL "irq:CAL"
#define IPI_IRQ_TLB "irq:TLB"
#define IPI_CTXSW "sw:context-switches"
/* Function-call IPIs only (smp_call_function*, TLB flushes, membarrier):
 * a reschedule IPI is traced with no callback.  The benches count these
 * too, system-wide and, in the proof pass, on the initiator's thread. */
#define IPI_CALL_CPU "tp:ipi:ipi_send_cpu:callback!=0"
#define IPI_CALL_MASK "tp:ipi:ipi_send_cpumask:callback!=0"

/* Below this many per op nothing is expected / nothing was seen. */
#define IPI_EXPECT_MIN 0.05
#define IPI_SEEN_MIN 0.01
/* Fewer than this share of the expected count is flagged ... */
#define IPI_FEWER_SHARE 0.5
/* ... when the busy targets were on CPU at least this share of the time. */
#define IPI_BUSY_SHARE 0.9
/* More than IPI_MORE_SHARE * ceiling + IPI_MORE_SLACK is flagged: the
 * ceiling is already the most the design allows, the margin is for the
 * background subtraction's noise (a quiet window is an estimate). */
#define IPI_MORE_SHARE 1.25
#define IPI_MORE_SLACK 0.1

/* ---- pure computation (tests/test_ipi_counts.c) ---- */

/*
 * Net per op of the counters idx[0..n) summed (see above); bg is the quiet
 * window, or NULL for no background correction.  Indices < 0 (unsupported
 * counters) are left out.  NaN when r has no ops or no index is valid.
 */
double ipi_net_per_op(const struct mode_result *r, const struct mode_result *bg,
		      const int *idx, size_t n);

/* Per op of the per-thread counts (mode_result.tdelta) idx[0..n) summed:
 * only the measured workers' own events, so no background to remove. */
double ipi_thread_per_op(const struct mode_result *r, const int *idx, size_t n);

/*
 * Were counters read in this window at all?  The harness leaves deltas 0
 * under --no-counters; context switches never stay 0 over a window (the
 * harness thread sleeps through it), so a 0 there means "not read".
 * ctxsw < 0 (unsupported): assume read.
 */
bool ipi_counted(const struct mode_result *r, int ctxsw);

/* R above: p99 / p50 of the storm's op latency, at least 1; 1 when
 * either is NaN or not positive. */
double ipi_latency_ratio(double p50_ns, double p99_ns);
/* IPIs the design expects per op (see above): oncpu[] the busy targets'
 * time shares (NaN: did not run, adds nothing; > 1 counts as 1). */
double ipi_expected_per_op(double events_per_op, const double *oncpu, size_t n,
			   double ratio);
/* The most the design allows per op: events_per_op per busy target that
 * ran (a non-NaN share). */
double ipi_ceiling_per_op(double events_per_op, const double *oncpu, size_t n);

/* One point's (or trial's) counts; per op of the storm mode. */
struct ipi_numbers {
	double sent;		/* function-call IPI send events */
	double recv;		/* IPIs the targets took (the bench's counter) */
	double expected;	/* from the ops' share on CPU, see above */
	double oncpu;		/* sum of all targets' on-CPU shares */
	double busy_share;	/* mean on-CPU share of busy targets; NaN: none */
	unsigned ntargets;
	double events;		/* IPI-causing events counted per op; NaN: not */
	bool sent_cal;		/* sent is the CAL row (no ipi tracepoints) */
	bool hv_flush;		/* remote TLB flushes go through the hypervisor:
				 * none is an IPI (sysinfo_hv_tlb_flush()) */
	bool tlb_flush;		/* the IPIs counted are remote TLB flushes: then
				 * none sent nor taken while busy targets ran
				 * the mm is the measured sign of hv_flush */
	double ceiling;		/* the most the design allows, see above */
	double ratio;		/* R, see above (for the verdict) */
};

enum ipi_judgement {
	IPI_NONE_EXPECTED,	/* expected < IPI_EXPECT_MIN and none seen */
	IPI_UNEXPECTED,		/* no busy target, some seen */
	IPI_AS_EXPECTED,	/* >= IPI_FEWER_SHARE of the expected */
	IPI_OFF_CPU,		/* fewer, but the targets were often off CPU */
	IPI_FEWER,		/* fewer, though the targets were on CPU */
	IPI_ZERO,		/* none seen where some were expected */
	IPI_UNKNOWN,		/* NaN in: not counted */
	IPI_MORE,		/* above the band: polluted or miscounted */
	IPI_HYPERVISOR,		/* none seen, and the hypervisor flushes:
				 * nothing to count, not a failure */
	IPI_HYPERVISOR_MEASURED, /* the same, seen only in the counts (none
				 * sent or taken, busy targets on CPU); the
				 * kernel's log does not say it */
};
enum ipi_judgement ipi_judge(const struct ipi_numbers *n);
/* "as expected", "ZERO where some were expected", ... */
const char *ipi_judgement_name(enum ipi_judgement j);

/* Victims' slowdown in % (positive = slower under the storm); NaN when
 * quiet is 0 or either is NaN. */
double ipi_slowdown_pct(double quiet_ops_per_s, double storm_ops_per_s);
/*
 * Victims' rate per second on CPU: ops_per_s / sum of on-CPU shares; NaN
 * when no victim was on CPU.  Taking the slowdown of this rate leaves out
 * time the victims lost to other tasks and to the host (steal time is not
 * task time with PARAVIRT_TIME_ACCOUNTING), and keeps the IPI handlers'
 * time (charged to the interrupted task without IRQ_TIME_ACCOUNTING).
 */
double ipi_rate_oncpu(double ops_per_s, double oncpu);

/* ---- victims: background workers in this mm that take the IPIs ---- */

/* The --victim kinds (lib/victim.h) an IPI bench offers, in option order:
 * "spin", "syscall", "sleep", "gup", NULL (idle takes no IPI). */
extern const char *const ipi_victim_names[];

#define VICTIM_SLEEP_NS 100000ull /* sleep victims wake every 100 us */

/* The --victim and --target-level options of an IPI bench, the last two
 * of its options table; conf: its config struct (int victim, level). */
#define IPI_TARGET_OPTS(conf)						\
	{ .name = "victim", .type = OPT_ENUM,				\
	  .help = "what the --bg-threads targets do: spin in user space, " \
	  "getppid loop, sleep, or a GUP-fast loop (shared FUTEX_WAKE)", \
	  .def = "spin,syscall,sleep,gup", .choices = ipi_victim_names,	\
	  .list = true, .offset = offsetof(conf, victim) },		\
	{ .name = "target-level", .type = OPT_ENUM,			\
	  .help = "skip a point unless every target has this relation " \
	  "to the initiator's PU (any: no check)",			\
	  .def = "any", .choices = ipi_level_names, .list = true,	\
	  .offset = offsetof(conf, level) }

/* The point's victims, for derive()/verify(). */
struct ipi_targets {
	struct victim **v;	/* nbg entries, set by worker_setup */
	unsigned n;
};
int ipi_targets_alloc(struct point *pt, struct ipi_targets *tg);
void ipi_targets_free(struct ipi_targets *tg);
/* Register a background worker's victim (from worker_setup). */
void ipi_targets_set(struct ipi_targets *tg, const struct point *pt,
		     const struct worker *w, struct victim *v);
/* Sum of the victims' on-CPU shares in mode m. */
double ipi_targets_oncpu(const struct ipi_targets *tg, unsigned m);

/* ---- derive() and verify() of both IPI benches ---- */

struct ipi_spec {
	const char *recv, *recv_alt; /* counter of IPIs received, fallback */
	const char *recv_metric;     /* "shootdowns_per_op", ... */
	const char *recv_what;	     /* "remote shootdowns", for verdicts */
	const char *fewer_hint;	     /* why fewer than expected may be */
	const char *events;	     /* initiator's IPI-causing events, or NULL */
	double events_per_op;	     /* ... as many per op as the op makes */
	const char *model;	     /* "mprotect RO+RW: 2 flushes", for verdicts */
	unsigned quiet, storm;	     /* mode indices */
	bool tlb_flush;		     /* the IPIs are remote TLB flushes */
};

/* Per-trial metrics: op_p50_ns, op_p99_ns, ipis_per_op, the received
 * count, expected_per_op, targets_oncpu (storm), quiet_targets_oncpu,
 * victim_slowdown_pct (per on-CPU second), victim_wall_slowdown_pct. */
enum { IPI_M_P50, IPI_M_P99, IPI_M_SENT, IPI_M_RECV, IPI_M_EXPECTED,
       IPI_M_ONCPU, IPI_M_QUIET_ONCPU, IPI_M_SLOWDOWN, IPI_M_WALL_SLOWDOWN,
       IPI_NMETRICS };
/* The metric table of an IPI bench, recv_metric its name of the
 * received count (the ipi_spec's recv_metric). */
#define IPI_METRICS(recv_metric) {					\
	[IPI_M_P50] = { .name = "op_p50_ns", .unit = "ns",		\
			.better = BETTER_LOWER, .headline = true },	\
	[IPI_M_P99] = { .name = "op_p99_ns", .unit = "ns",		\
			.better = BETTER_LOWER, .headline = true },	\
	[IPI_M_SENT] = { .name = "ipis_per_op", .unit = "1",		\
			 .better = BETTER_NONE, .headline = true },	\
	[IPI_M_RECV] = { .name = (recv_metric), .unit = "1",		\
			 .better = BETTER_NONE },			\
	[IPI_M_EXPECTED] = { .name = "expected_per_op", .unit = "1",	\
			     .better = BETTER_NONE },			\
	[IPI_M_ONCPU] = { .name = "targets_oncpu", .unit = "1",		\
			  .better = BETTER_NONE },			\
	[IPI_M_QUIET_ONCPU] = { .name = "quiet_targets_oncpu", .unit = "1", \
				.better = BETTER_NONE },		\
	[IPI_M_SLOWDOWN] = { .name = "victim_slowdown_pct", .unit = "%", \
			     .better = BETTER_LOWER, .headline = true }, \
	[IPI_M_WALL_SLOWDOWN] = { .name = "victim_wall_slowdown_pct",	\
				  .unit = "%", .better = BETTER_LOWER },	\
}
void ipi_derive(struct point *pt, const struct ipi_spec *s,
		struct ipi_targets *tg, const struct mode_result *res,
		double *val);
bool ipi_verify(struct point *pt, const struct ipi_spec *s,
		const struct ipi_targets *tg, const struct mode_result *res,
		char *verdict, size_t len);
/* The verdict line from the numbers (pure); returns "proven". */
bool ipi_verdict(char *buf, size_t len, const struct ipi_spec *s,
		 const struct ipi_numbers *n);

/* ---- the point's context ---- */

extern const char *const ipi_level_names[]; /* "any", "smt", "l3", ... */

/*
 * Note where each target (background worker) sits relative to the
 * initiator (worker 0) and what the topology has; with level != 0 ("any")
 * skip the point unless every target is at that level.  Also notes
 * whether KVM paravirtual TLB flush / send-IPI are offered, so fewer IPIs
 * than targets are read right.  BENCH_OK or BENCH_SKIP.
 */
int ipi_note_context(struct point *pt, int level);

/* Index of a counter by spec, falling back to 'alt' when unsupported. */
int ipi_counter(const struct point *pt, const char *spec, const char *alt);

/* ---- the hooks both IPI benches share ---- */

/* Per point: the FIRST member of an IPI bench's priv struct, so the hooks
 * below find it from the point alone. */
struct ipi_point {
	const struct ipi_spec *spec;
	struct ipi_targets tg;
};

/* From setup(), after the bench's own checks: ipi_note_context(), then
 * room for the targets.  BENCH_OK or BENCH_SKIP. */
int ipi_point_setup(struct point *pt, const struct ipi_spec *s, int level);
/*
 * worker_setup(): a background worker becomes a victim of kind
 * ipi_victim_names[victim] (pages/npages: see struct victim_spec; sleep
 * victims nap VICTIM_SLEEP_NS), registered as a target; a measured worker
 * needs nothing.  BENCH_OK or BENCH_SKIP.
 */
int ipi_target_setup(struct point *pt, struct worker *w, int victim,
		     const char *pages, size_t npages);
/* These fit .derive, .verify and .teardown as they are (ipi_derive(),
 * ipi_verify() with the point's spec and targets). */
void ipi_point_derive(struct point *pt, const struct mode_result *res,
		      double *val);
bool ipi_point_verify(struct point *pt, const struct mode_result *res,
		      char *verdict, size_t len);
void ipi_point_teardown(struct point *pt);

#endif
