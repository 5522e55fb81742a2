// SPDX-License-Identifier: GPL-2.0
/*
 * k-rcu: synchronize_rcu() and synchronize_rcu_expedited(), timed in the
 * kernel by gupsync.ko, the way kernel/rcu/rcuscale.c times its writers.
 *
 * Kernel path: ioctl(/dev/gupsync) -> synchronize_rcu() ("normal") or
 * synchronize_rcu_expedited() ("expedited").  This is the wait that
 * replaces the GUP-fast sync IPI when page tables are freed through RCU
 * (MMU_GATHER_RCU_TABLE_FREE) and that RCU-based replacement protocols
 * pay: a normal grace period costs ticks of latency and no IPIs, an
 * expedited one microseconds and an IPI to every CPU not idle.  Busy CPUs
 * (--bg-threads spinning in user space) change both.
 *
 * What is reported: one op() is one ioctl of --batch waits; the harness's
 * per-op latency includes the syscall.  The module times each wait alone
 * and returns every sample; those of the timed window give sync_rcu_ns and
 * sync_rcu_exp_ns (per-trial median) and their p99.  Grace periods come in
 * ticks (HZ), so the distribution is multimodal: samples.csv has the
 * harness's per-ioctl samples for the CDF.
 *
 * Proof, from the kernel itself: before each wait the module takes
 * get_state_synchronize_rcu(), after it asks poll_state_synchronize_rcu();
 * every wait must have seen a full grace period elapse.  rcu_normal=1
 * turns expedited waits into normal ones: the knobs are recorded.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bench.h"
#include "kdev.h"
#include "knobs.h"

enum { MODE_NORMAL, MODE_EXP, NMODES };

#define MAX_BATCH 64
#define RCU_NORMAL_KNOB "/sys/kernel/rcu_normal"
#define RCU_EXPEDITED_KNOB "/sys/kernel/rcu_expedited"

struct krcu_conf {
	uint64_t batch;
};

static const struct opt_spec krcu_opts[] = {
	{ .name = "batch", .type = OPT_U64,
	  .help = "waits per ioctl (each one timed in the kernel)",
	  .def = "1", .min = 1, .max = MAX_BATCH,
	  .offset = offsetof(struct krcu_conf, batch) },
	{ NULL },
};

static int krcu_setup(struct point *pt)
{
	struct gupsync_info info;
	char normal[32] = "?", exp[32] = "?";

	if (kdev_setup(pt, &info) != BENCH_OK)
		return BENCH_SKIP;
	knob_read(RCU_NORMAL_KNOB, normal, sizeof(normal));
	knob_read(RCU_EXPEDITED_KNOB, exp, sizeof(exp));
	point_note(pt, "kmod", "gupsync.ko ABI %u on %s", info.abi_version,
		   info.release);
	point_note(pt, "rcu_knobs", "rcu_normal=%s rcu_expedited=%s%s", normal,
		   exp, strcmp(normal, "1") ? "" :
		   " (rcu_normal=1: expedited waits are normal ones)");
	return BENCH_OK;
}

static int krcu_worker_setup(struct point *pt, struct worker *w)
{
	const struct krcu_conf *c = pt->conf;

	if (w->bg)
		return BENCH_OK;
	return kdev_worker_setup(pt, w, 1, c->batch, NULL);
}

static int krcu_op(struct worker *w)
{
	const struct krcu_conf *c = w->pt->conf;
	struct kdev_worker *kw = w->priv;
	struct gupsync_rcu a = { .loop = {
		.iters = c->batch, .samples = (uintptr_t)kw->buf[0],
		.flags = w->mode == MODE_EXP ? GUPSYNC_RCU_EXPEDITED : 0 } };

	if (ioctl(kw->fd, GUPSYNC_IOC_RCU, &a) < 0)
		return -errno;
	kdev_keep(w, c->batch, a.gp_verified);
	return 0;
}

enum { M_SYNC, M_SYNC_P99, M_EXP, M_EXP_P99, M_GP_VERIFIED, NMETRICS };

static const struct metric_spec krcu_metrics[NMETRICS] = {
	KDEV_LATENCY_METRICS("sync_rcu_ns", "sync_rcu_p99_ns"),
	KDEV_LATENCY_METRICS("sync_rcu_exp_ns", "sync_rcu_exp_p99_ns"),
	[M_GP_VERIFIED] = { .name = "gp_verified_fraction", .unit = "1",
			    .better = BETTER_NONE },
};

static void krcu_derive(struct point *pt, const struct mode_result *res,
			double *val)
{
	struct stats n = kdev_stats(pt, 0, MODE_NORMAL);
	struct stats e = kdev_stats(pt, 0, MODE_EXP);

	(void)res;
	kdev_latency_values(&val[M_SYNC], &n);
	kdev_latency_values(&val[M_EXP], &e);
	val[M_GP_VERIFIED] = fmin(kdev_events_per_iter(pt, MODE_NORMAL),
				  kdev_events_per_iter(pt, MODE_EXP));
}

static bool krcu_verify(struct point *pt, const struct mode_result *res,
			char *verdict, size_t len)
{
	/* the fraction of waits that saw a full grace period: must be 1 */
	double n = kdev_events_per_iter(pt, MODE_NORMAL);
	double e = kdev_events_per_iter(pt, MODE_EXP);
	bool ok = n == 1.0 && e == 1.0;

	(void)res;
	snprintf(verdict, len, "waits that saw a full grace period "
		 "(poll_state_synchronize_rcu): normal %.3f, expedited %.3f -> %s",
		 n, e, ok ? "every wait was a grace period" :
		 isnan(n) || isnan(e) ? "no wait completed" :
		 "a wait returned before its grace period ended");
	return ok;
}

static const struct bench k_rcu = {
	.name = "k-rcu",
	.summary = "in-kernel synchronize_rcu() and _expedited() latency (needs gupsync.ko)",
	.kernel_path = "ioctl(/dev/gupsync) -> synchronize_rcu() | synchronize_rcu_expedited()",
	.kind = BENCH_LATENCY,
	.opts = krcu_opts,
	.conf_size = sizeof(struct krcu_conf),
	.worker_priv_size = sizeof(struct kdev_worker),
	.modes = {
		{ .name = "normal",
		  .what = "synchronize_rcu(): a normal grace period" },
		{ .name = "expedited",
		  .what = "synchronize_rcu_expedited(): IPIs busy CPUs" },
	},
	.setup = krcu_setup,
	.worker_setup = krcu_worker_setup,
	.op = krcu_op,
	/* busy CPUs: a normal grace period waits for them to pass a
	 * quiescent state (user mode counts); an expedited one IPIs them */
	.bg_loop = kdev_bg_spin,
	.mode_enter = kdev_mode_enter,
	.worker_teardown = kdev_worker_teardown,
	METRIC_TABLE(krcu_metrics),
	.derive = krcu_derive,
	.verify = krcu_verify,
	.variant = VARIANT_K_RCU,
};
BENCH_REGISTER(k_rcu);
