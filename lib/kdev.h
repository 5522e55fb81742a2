/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kdev.h - /dev/gupsync, the device of gupsync.ko, and what the k-*
 * benchmarks (bench/k_*.c) share around it.
 *
 * The module times every iteration of an ioctl's loop in the kernel and
 * returns each sample.  A k-* bench keeps the samples of the harness's
 * timed window, per measured worker and mode, and derives their per-trial
 * median and p99: the cost of the primitive without the syscall (the
 * harness's own per-op latency includes it).  Everything but the ioctl
 * itself is the same for every k-* bench, so it lives here: probing the
 * device, the per-worker state, the hooks that reset and free it, and
 * the statistics over it.
 *
 * Convention: a k-* bench's per-worker state (w->priv, .worker_priv_size
 * in its struct bench) starts with a struct kdev_worker, so the kdev_*
 * hooks below plug straight into its struct bench.
 */
#ifndef GUPSYNC_KDEV_H
#define GUPSYNC_KDEV_H

#include <stddef.h>
#include <stdint.h>

#include "../kmod/gupsync_ioctl.h"
#include "bench.h"
#include "stats.h"

#define KDEV_HINT "load gupsync.ko (make -C kmod && insmod kmod/gupsync.ko) " \
		  "or run under `gupsync vm`"

/* Open the device and check its ABI; -1 with the reason in why. */
int kdev_open(struct gupsync_info *info, char *why, size_t len);

/* In-kernel per-iteration times (ns) one worker collected in one mode's
 * timed window: appended while the harness measures, dropped past cap. */
struct ksamples {
	double *v;
	size_t n, cap, dropped;
};

#define KSAMPLES_CAP (1u << 20)

int ksamples_init(struct ksamples *s, size_t cap);
void ksamples_add(struct ksamples *s, const uint64_t *ns, size_t n);
void ksamples_free(struct ksamples *s);
/* Statistics over the samples of n workers; -1 (no samples) leaves every
 * field of out NaN. */
int ksamples_stats(const struct ksamples *const *s, size_t n, struct stats *out);

/* ---- the state of a k-* bench ---- */

/* Samples per iteration: one time, or two (k-gup times get and put apart). */
#define KDEV_MAX_SERIES 2

/* One measured worker: its open device, one ioctl's samples per series,
 * and what the timed window of each mode gathered. */
struct kdev_worker {
	int fd;
	unsigned nseries, nmodes;
	uint64_t *buf[KDEV_MAX_SERIES];
	struct ksamples ks[KDEV_MAX_SERIES][BENCH_MAX_MODES];
	/* iterations, and the events the module counted in them (IPI
	 * targets, grace periods verified), in the timed window */
	uint64_t iters[BENCH_MAX_MODES], events[BENCH_MAX_MODES];
};

/* setup(): the device opens with this gupsync's ABI (info filled, for the
 * point's notes), else the point is skipped with the reason. */
int kdev_setup(struct point *pt, struct gupsync_info *info);

/* worker_setup() of a measured worker, on the struct kdev_worker at the
 * start of w->priv: the device open (dev NULL: /dev/gupsync with its ABI
 * checked; else that file), room for nseries series of batch samples per
 * ioctl and of the timed window's samples.  BENCH_OK, or the point
 * skipped with the reason. */
int kdev_worker_setup(struct point *pt, struct worker *w, unsigned nseries,
		      size_t batch, const char *dev);

/* op(), after an ioctl of n iterations that counted events: while the
 * harness measures, keep the first n samples of each series (buf) and the
 * counts, for w's mode. */
void kdev_keep(struct worker *w, size_t n, uint64_t events);

/* Hooks for struct bench. */
int kdev_mode_enter(struct point *pt, unsigned mode); /* window starts empty */
void kdev_worker_teardown(struct point *pt, struct worker *w);
/* bg_loop: spin in user space, so an IPI or a grace period finds the CPU
 * busy rather than idle (no wake-up from HLT in what is measured). */
void kdev_bg_spin(struct worker *w);

/* derive(): statistics of one series over every measured worker's samples
 * of mode (all NaN without samples). */
struct stats kdev_stats(const struct point *pt, unsigned series, unsigned mode);
/* The two metrics a k-* bench reports per primitive, for its metric
 * table: name, the median (a headline), then p99_name, the p99. */
#define KDEV_LATENCY_METRICS(median_name, p99_name)			\
	{ .name = (median_name), .unit = "ns", .better = BETTER_LOWER,		\
	  .headline = true },						\
	{ .name = (p99_name), .unit = "ns", .better = BETTER_LOWER }
/* derive(): their values, val[0] the median of st, val[1] its p99. */
void kdev_latency_values(double *val, const struct stats *st);
/* Events per iteration of mode, all workers together; NaN without any. */
double kdev_events_per_iter(const struct point *pt, unsigned mode);

/* verify(): counter (an index into mode_result.delta) per in-kernel
 * iteration of each of nmodes modes, iters_per_op iterations an op; NaN
 * for a mode without ops. */
void kdev_counter_per_iter(const struct mode_result *res, unsigned nmodes,
			   int counter, double iters_per_op, double *out);

#endif
