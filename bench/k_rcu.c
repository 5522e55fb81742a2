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
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"
#include "knobs.h"
#include "vm.h"

enum { MODE_NORMAL, MODE_EXP, NMODES };

#define MAX_BATCH 64
#define RCU_NORMAL_KNOB "/sys/kernel/rcu_normal"
#define RCU_EXPEDITED_KNOB "/sys/kernel/rcu_expedited"

struct krcu_conf {
	uint64_t batch;
};

struct krcu_worker {
	int fd;
	uint64_t *buf;
	struct ksamples ks[NMODES];
	uint64_t iters[NMODES], verified[NMODES];
};

struct krcu_point {
	struct krcu_worker **w;
	unsigned n;
};

static const struct opt_spec krcu_opts[] = {
	{ "batch", OPT_U64, "waits per ioctl (each one timed in the kernel)",
	  "1", 1, MAX_BATCH, NULL, false, offsetof(struct krcu_conf, batch) },
	{ NULL },
};

static int krcu_setup(struct point *pt)
{
	struct krcu_point *kp = pt->priv;
	struct gupsync_info info;
	char why[256], normal[32] = "?", exp[32] = "?";
	int fd = kdev_open(&info, why, sizeof(why));

	if (fd < 0)
		return point_skip(pt, "%s", why);
	close(fd);
	kp->n = pt->nthreads;
	kp->w = calloc(kp->n, sizeof(*kp->w));
	if (!kp->w)
		return point_skip(pt, "out of memory");
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
	struct krcu_point *kp = pt->priv;
	struct krcu_worker *kw;
	struct gupsync_info info;
	char why[256];

	if (w->bg)
		return BENCH_OK;
	kw = calloc(1, sizeof(*kw));
	if (!kw)
		return point_skip(pt, "out of memory");
	w->priv = kw;
	kp->w[w->id] = kw;
	kw->fd = kdev_open(&info, why, sizeof(why));
	if (kw->fd < 0)
		return point_skip(pt, "%s", why);
	kw->buf = calloc(c->batch, sizeof(uint64_t));
	for (int m = 0; m < NMODES; m++)
		if (!kw->buf || ksamples_init(&kw->ks[m], KSAMPLES_CAP) < 0)
			return point_skip(pt, "out of memory for samples");
	return BENCH_OK;
}

static int krcu_op(struct worker *w)
{
	const struct krcu_conf *c = w->pt->conf;
	struct krcu_worker *kw = w->priv;
	struct gupsync_rcu a = { .loop = {
		.iters = c->batch, .samples = (uintptr_t)kw->buf,
		.flags = w->mode == MODE_EXP ? GUPSYNC_RCU_EXPEDITED : 0 } };

	if (ioctl(kw->fd, GUPSYNC_IOC_RCU, &a) < 0)
		return -errno;
	if (w->measuring) {
		ksamples_add(&kw->ks[w->mode], kw->buf, c->batch);
		kw->iters[w->mode] += c->batch;
		kw->verified[w->mode] += a.gp_verified;
	}
	return 0;
}

/* Busy CPUs: a normal grace period waits for them to pass a quiescent
 * state (user mode counts); an expedited one IPIs them. */
static void krcu_bg_loop(struct worker *w)
{
	while (worker_running(w))
		worker_tick(w);
}

static int krcu_mode_enter(struct point *pt, unsigned mode)
{
	struct krcu_point *kp = pt->priv;

	for (unsigned i = 0; i < kp->n; i++) {
		kp->w[i]->ks[mode].n = kp->w[i]->ks[mode].dropped = 0;
		kp->w[i]->iters[mode] = kp->w[i]->verified[mode] = 0;
	}
	return BENCH_OK;
}

static void krcu_worker_teardown(struct point *pt, struct worker *w)
{
	struct krcu_worker *kw = w->priv;

	(void)pt;
	if (!kw)
		return;
	if (kw->fd >= 0)
		close(kw->fd);
	for (int m = 0; m < NMODES; m++)
		ksamples_free(&kw->ks[m]);
	free(kw->buf);
	free(kw);
}

static void krcu_teardown(struct point *pt)
{
	struct krcu_point *kp = pt->priv;

	free(kp->w);
}

static struct stats mode_stats(const struct krcu_point *kp, unsigned m)
{
	const struct ksamples **s = calloc(kp->n, sizeof(*s));
	struct stats st;

	for (unsigned i = 0; s && i < kp->n; i++)
		s[i] = &kp->w[i]->ks[m];
	ksamples_stats(s, s ? kp->n : 0, &st);
	free(s);
	return st;
}

/* Fraction of waits that saw a full grace period (must be 1). */
static double verified(const struct krcu_point *kp, unsigned m)
{
	uint64_t it = 0, ok = 0;

	for (unsigned i = 0; i < kp->n; i++)
		it += kp->w[i]->iters[m], ok += kp->w[i]->verified[m];
	return it ? (double)ok / it : NAN;
}

static size_t krcu_derive(struct point *pt, const struct mode_result *res,
			  struct metric *out, size_t cap)
{
	const struct krcu_point *kp = pt->priv;
	struct stats n = mode_stats(kp, MODE_NORMAL), e = mode_stats(kp, MODE_EXP);

	(void)res;
	if (cap < 5)
		return 0;
	out[0] = (struct metric){ "sync_rcu_ns", "ns", BETTER_LOWER, true, n.median };
	out[1] = (struct metric){ "sync_rcu_p99_ns", "ns", BETTER_LOWER, false, n.p99 };
	out[2] = (struct metric){ "sync_rcu_exp_ns", "ns", BETTER_LOWER, true, e.median };
	out[3] = (struct metric){ "sync_rcu_exp_p99_ns", "ns", BETTER_LOWER, false, e.p99 };
	out[4] = (struct metric){ "gp_verified_fraction", "1", BETTER_NONE, false,
				  fmin(verified(kp, MODE_NORMAL), verified(kp, MODE_EXP)) };
	return 5;
}

static bool krcu_verify(struct point *pt, const struct mode_result *res,
			char *verdict, size_t len)
{
	const struct krcu_point *kp = pt->priv;
	double n = verified(kp, MODE_NORMAL), e = verified(kp, MODE_EXP);
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
	.priv_size = sizeof(struct krcu_point),
	.modes = {
		{ "normal", "synchronize_rcu(): a normal grace period", false },
		{ "expedited", "synchronize_rcu_expedited(): IPIs busy CPUs", false },
	},
	.setup = krcu_setup,
	.worker_setup = krcu_worker_setup,
	.op = krcu_op,
	.bg_loop = krcu_bg_loop,
	.mode_enter = krcu_mode_enter,
	.worker_teardown = krcu_worker_teardown,
	.teardown = krcu_teardown,
	.derive = krcu_derive,
	.verify = krcu_verify,
};
BENCH_REGISTER(k_rcu);
