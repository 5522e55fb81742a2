// SPDX-License-Identifier: GPL-2.0
/*
 * k-ipi: the synchronous IPI itself, timed in the kernel by gupsync.ko.
 *
 * Kernel path: ioctl(/dev/gupsync) -> smp_call_function(empty, NULL,
 * wait=1) ("all": every other online CPU runs the empty function and the
 * caller waits for all of them, which is what tlb_remove_table_sync_one()
 * does before a page table is freed under a possible GUP-fast walk), or
 * smp_call_function_many(mask, empty, NULL, 1) ("mask": the targets of a
 * TLB shootdown, without the flush).  "nop" runs the same loop with an
 * empty body: the floor of the in-kernel timing (two ktime_get_ns()).
 *
 * What is reported, and why it is honest: one op() is one ioctl running
 * --batch iterations; the harness times op() as usual, so its per-op
 * latency (<mode>_p50_ns) includes the syscall, the batch and copying the
 * samples out.  The module times each iteration alone (ktime_get_ns()
 * around the call, preemption off) and returns every sample; the samples
 * of the timed window (the harness's w->measuring) are kept per worker and
 * mode, and derive() reports their per-trial median and p99 as all_ipi_ns
 * and mask_ipi_ns: the cost of the primitive as rcuscale/gup_test would
 * report it, without syscall overhead.  Targets that are idle must first
 * wake (HLT exit, worse under virtualization); --bg-threads keeps them
 * busy in user space instead.
 *
 * Proof: the module counts the CPUs each iteration targeted; the CAL row
 * of /proc/interrupts (function-call IPIs received, all CPUs) must grow by
 * about that much per iteration in "all" and "mask", and ~0 in "nop".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"
#include "vm.h"

enum { MODE_NOP, MODE_ALL, MODE_MASK, NMODES };

#define ONLINE_PATH "/sys/devices/system/cpu/online"
#define MAX_BATCH 4096
#define CAL_MIN 0.9	/* CAL interrupts per targeted CPU, allowing noise */
#define CAL_NOP_MAX 0.1

struct kipi_conf {
	uint64_t batch;
	const char *targets;
};

struct kipi_worker {
	int fd;
	uint8_t mask[GUPSYNC_MAX_CPUMASK_BYTES];
	uint32_t mask_bytes;
	uint64_t *buf;		/* one ioctl's samples */
	struct ksamples ks[NMODES];
	uint64_t iters[NMODES], ipis[NMODES]; /* in the timed window */
};

struct kipi_point {
	struct gupsync_info info;
	struct kipi_worker **w;	/* measured workers, by id */
	unsigned n;
};

static const struct opt_spec kipi_opts[] = {
	{ "batch", OPT_U64, "IPIs per ioctl (each one timed in the kernel)",
	  "16", 1, MAX_BATCH, NULL, false, offsetof(struct kipi_conf, batch) },
	{ "targets", OPT_STR,
	  "CPUs the mask mode IPIs: \"others\" (all online but the worker's) "
	  "or a CPU list such as 1-3", "others", 0, 0, NULL, false,
	  offsetof(struct kipi_conf, targets) },
	{ NULL },
};

static int kipi_check(const void *conf, char *err, size_t len)
{
	const struct kipi_conf *c = conf;
	int cpus[GUPSYNC_MAX_CPUMASK_BYTES * 8];
	size_t n;

	if (!strcmp(c->targets, "others"))
		return 0;
	if (parse_cpulist(c->targets, GUPSYNC_MAX_CPUMASK_BYTES * 8 - 1, cpus,
			  sizeof(cpus) / sizeof(cpus[0]), &n, err, len) < 0) {
		char why[200];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, len, "--targets: %s; allowed: others or a CPU list", why);
		return -1;
	}
	return 0;
}

/* The online CPUs, as a list ("0-3"); "" on failure. */
static void online_cpus(char *buf, size_t len)
{
	FILE *f = fopen(ONLINE_PATH, "r");
	size_t got = f ? fread(buf, 1, len - 1, f) : 0;

	buf[got] = 0;
	buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
}

/* The mask of the "mask" mode, in sched_setaffinity() layout: the online
 * CPUs but the worker's own, or --targets, each of which must be online. */
static int build_mask(struct point *pt, struct kipi_worker *kw, int self)
{
	const struct kipi_conf *c = pt->conf;
	bool others = !strcmp(c->targets, "others");
	int on[GUPSYNC_MAX_CPUMASK_BYTES * 8], cpus[GUPSYNC_MAX_CPUMASK_BYTES * 8];
	char online[1024], err[256];
	size_t non, n;
	uint8_t is_on[GUPSYNC_MAX_CPUMASK_BYTES * 8] = { 0 };

	online_cpus(online, sizeof(online));
	if (parse_cpulist(online, GUPSYNC_MAX_CPUMASK_BYTES * 8 - 1, on,
			  sizeof(on) / sizeof(on[0]), &non, err, sizeof(err)) < 0)
		return point_skip(pt, "online CPUs from %s ('%s'): %s", ONLINE_PATH,
				  online, err);
	for (size_t i = 0; i < non; i++)
		is_on[on[i]] = 1;
	if (!others)
		parse_cpulist(c->targets, GUPSYNC_MAX_CPUMASK_BYTES * 8 - 1, cpus,
			      sizeof(cpus) / sizeof(cpus[0]), &n, err, sizeof(err));
	for (size_t i = 0; i < (others ? non : n); i++) {
		int cpu = others ? on[i] : cpus[i];

		if (!is_on[cpu])
			return point_skip(pt, "--targets: CPU %d is not online; "
					  "online: %s", cpu, online);
		if (others && cpu == self)
			continue;
		kw->mask[cpu / 8] |= 1u << (cpu % 8);
		if ((uint32_t)cpu / 8 + 1 > kw->mask_bytes)
			kw->mask_bytes = cpu / 8 + 1;
	}
	if (!kw->mask_bytes)
		return point_skip(pt, "mask mode: no CPU to IPI besides the "
				  "worker's own (online: %s)", online);
	return BENCH_OK;
}

static int kipi_setup(struct point *pt)
{
	struct kipi_point *kp = pt->priv;
	char why[256];
	int fd = kdev_open(&kp->info, why, sizeof(why));

	if (fd < 0)
		return point_skip(pt, "%s", why);
	close(fd);
	kp->n = pt->nthreads;
	kp->w = calloc(kp->n, sizeof(*kp->w));
	if (!kp->w)
		return point_skip(pt, "out of memory");
	point_note(pt, "kmod", "gupsync.ko ABI %u on %s, %u CPUs online",
		   kp->info.abi_version, kp->info.release, kp->info.online_cpus);
	return BENCH_OK;
}

static int kipi_worker_setup(struct point *pt, struct worker *w)
{
	const struct kipi_conf *c = pt->conf;
	struct kipi_point *kp = pt->priv;
	struct kipi_worker *kw;
	char why[256];

	if (w->bg)
		return BENCH_OK;
	kw = calloc(1, sizeof(*kw));
	if (!kw)
		return point_skip(pt, "out of memory");
	w->priv = kw;
	kp->w[w->id] = kw;
	kw->fd = kdev_open(&kp->info, why, sizeof(why));
	if (kw->fd < 0)
		return point_skip(pt, "%s", why);
	kw->buf = calloc(c->batch, sizeof(uint64_t));
	for (int m = 0; m < NMODES; m++)
		if (!kw->buf || ksamples_init(&kw->ks[m], KSAMPLES_CAP) < 0)
			return point_skip(pt, "out of memory for samples");
	return build_mask(pt, kw, w->pu);
}

static int kipi_op(struct worker *w)
{
	const struct kipi_conf *c = w->pt->conf;
	struct kipi_worker *kw = w->priv;
	struct gupsync_ipi a = { .loop = { .iters = c->batch,
					   .samples = (uintptr_t)kw->buf } };
	unsigned long req = GUPSYNC_IOC_IPI_ALL;
	int rc;

	if (w->mode == MODE_MASK) {
		req = GUPSYNC_IOC_IPI_MASK;
		a.cpumask = (uintptr_t)kw->mask;
		a.cpumask_bytes = kw->mask_bytes;
	}
	rc = w->mode == MODE_NOP ? ioctl(kw->fd, GUPSYNC_IOC_NOP, &a.loop) :
				   ioctl(kw->fd, req, &a);
	if (rc < 0)
		return -errno;
	if (w->measuring) {
		ksamples_add(&kw->ks[w->mode], kw->buf, c->batch);
		kw->iters[w->mode] += c->batch;
		kw->ipis[w->mode] += a.ipis;
	}
	return 0;
}

/* The spinning background worker: a busy target answers an IPI without
 * waking from idle. */
static void kipi_bg_loop(struct worker *w)
{
	while (worker_running(w))
		worker_tick(w);
}

/* Before each window: that mode's in-kernel samples start empty. */
static int kipi_mode_enter(struct point *pt, unsigned mode)
{
	struct kipi_point *kp = pt->priv;

	for (unsigned i = 0; i < kp->n; i++) {
		kp->w[i]->ks[mode].n = kp->w[i]->ks[mode].dropped = 0;
		kp->w[i]->iters[mode] = kp->w[i]->ipis[mode] = 0;
	}
	return BENCH_OK;
}

static void kipi_worker_teardown(struct point *pt, struct worker *w)
{
	struct kipi_worker *kw = w->priv;

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

static void kipi_teardown(struct point *pt)
{
	struct kipi_point *kp = pt->priv;

	free(kp->w);
}

/* Targets per iteration of mode m, all workers together. */
static double targets_per_iter(const struct kipi_point *kp, unsigned m)
{
	uint64_t iters = 0, ipis = 0;

	for (unsigned i = 0; i < kp->n; i++)
		iters += kp->w[i]->iters[m], ipis += kp->w[i]->ipis[m];
	return iters ? (double)ipis / iters : NAN;
}

static struct stats mode_stats(const struct kipi_point *kp, unsigned m)
{
	const struct ksamples **s = calloc(kp->n, sizeof(*s));
	struct stats st;

	for (unsigned i = 0; s && i < kp->n; i++)
		s[i] = &kp->w[i]->ks[m];
	ksamples_stats(s, s ? kp->n : 0, &st);
	free(s);
	return st;
}

static size_t kipi_derive(struct point *pt, const struct mode_result *res,
			  struct metric *out, size_t cap)
{
	const struct kipi_point *kp = pt->priv;
	struct stats nop = mode_stats(kp, MODE_NOP);
	struct stats all = mode_stats(kp, MODE_ALL);
	struct stats mask = mode_stats(kp, MODE_MASK);

	(void)res;
	if (cap < 7)
		return 0;
	out[0] = (struct metric){ "all_ipi_ns", "ns", BETTER_LOWER, true, all.median };
	out[1] = (struct metric){ "all_ipi_p99_ns", "ns", BETTER_LOWER, false, all.p99 };
	out[2] = (struct metric){ "all_targets", "1", BETTER_NONE, false,
				  targets_per_iter(kp, MODE_ALL) };
	out[3] = (struct metric){ "mask_ipi_ns", "ns", BETTER_LOWER, true, mask.median };
	out[4] = (struct metric){ "mask_ipi_p99_ns", "ns", BETTER_LOWER, false, mask.p99 };
	out[5] = (struct metric){ "mask_targets", "1", BETTER_NONE, false,
				  targets_per_iter(kp, MODE_MASK) };
	out[6] = (struct metric){ "timing_floor_ns", "ns", BETTER_NONE, false, nop.median };
	return 7;
}

static bool kipi_verify(struct point *pt, const struct mode_result *res,
			char *verdict, size_t len)
{
	const struct kipi_point *kp = pt->priv;
	const struct kipi_conf *c = pt->conf;
	int cal = point_counter(pt, "irq:CAL");
	double per[NMODES], tgt[NMODES];
	bool ok;

	if (cal < 0) {
		snprintf(verdict, len, "unproven: the CAL row of /proc/interrupts "
			 "is not readable here");
		return false;
	}
	for (unsigned m = 0; m < NMODES; m++) {
		per[m] = res[m].ops ? (double)res[m].delta[cal] /
				      (res[m].ops * c->batch) : NAN;
		tgt[m] = targets_per_iter(kp, m);
	}
	if (!(tgt[MODE_ALL] > 0)) {
		snprintf(verdict, len, "unproven: no other online CPU to IPI");
		return false;
	}
	ok = per[MODE_ALL] >= CAL_MIN * tgt[MODE_ALL] &&
	     per[MODE_MASK] >= CAL_MIN * tgt[MODE_MASK] && per[MODE_NOP] <= CAL_NOP_MAX;
	snprintf(verdict, len, "CAL IPIs/iteration: all %.2f (targets %.2f), "
		 "mask %.2f (targets %.2f), nop %.3f -> %s", per[MODE_ALL],
		 tgt[MODE_ALL], per[MODE_MASK], tgt[MODE_MASK], per[MODE_NOP],
		 ok ? "every target took the function-call IPI" :
		 "fewer CAL interrupts than targets");
	return ok;
}

static const struct bench k_ipi = {
	.name = "k-ipi",
	.summary = "in-kernel sync IPI cost: smp_call_function() to all, or to a mask (needs gupsync.ko)",
	.kernel_path = "ioctl(/dev/gupsync) -> smp_call_function(empty, wait=1) "
		       "[as tlb_remove_table_sync_one()] | smp_call_function_many(mask)",
	.kind = BENCH_LATENCY,
	.opts = kipi_opts,
	.conf_size = sizeof(struct kipi_conf),
	.priv_size = sizeof(struct kipi_point),
	.modes = {
		{ "nop", "the in-kernel loop with an empty body: timing floor", false },
		{ "all", "smp_call_function(): every other online CPU, waiting", false },
		{ "mask", "smp_call_function_many() to --targets, waiting", false },
	},
	.check = kipi_check,
	.setup = kipi_setup,
	.worker_setup = kipi_worker_setup,
	.op = kipi_op,
	.bg_loop = kipi_bg_loop,
	.mode_enter = kipi_mode_enter,
	.worker_teardown = kipi_worker_teardown,
	.teardown = kipi_teardown,
	.derive = kipi_derive,
	.verify = kipi_verify,
};
BENCH_REGISTER(k_ipi);
