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
 * of the timed window (worker_measuring()) are kept per worker and mode
 * (kdev.h), and derive() reports their per-trial median and p99 as
 * all_ipi_ns and mask_ipi_ns: the cost of the primitive as rcuscale/gup_test would
 * report it, without syscall overhead.  Targets that are idle must first
 * wake (HLT exit, worse under virtualization); --bg-threads keeps them
 * busy in user space instead.
 *
 * Proof: the module counts the CPUs each iteration targeted; the CAL row
 * of /proc/interrupts (function-call IPIs received, all CPUs) must grow by
 * about that much per iteration in "all" and "mask", and ~0 in "nop".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bench.h"
#include "kdev.h"

enum { MODE_NOP, MODE_ALL, MODE_MASK, NMODES };

#define ONLINE_PATH "/sys/devices/system/cpu/online"
#define MAX_BATCH 4096
#define CAL_MIN 0.9	/* CAL interrupts per targeted CPU, allowing noise */
#define CAL_NOP_MAX 0.1

struct kipi_conf {
	uint64_t batch;
	const char *targets;
};

/* A measured worker; its kdev events are the CPUs each iteration IPI'd. */
struct kipi_worker {
	struct kdev_worker k;
	uint8_t mask[GUPSYNC_MAX_CPUMASK_BYTES];
	uint32_t mask_bytes;
};

static const struct opt_spec kipi_opts[] = {
	{ .name = "batch", .type = OPT_U64,
	  .help = "IPIs per ioctl (each one timed in the kernel)",
	  .def = "16", .min = 1, .max = MAX_BATCH,
	  .offset = offsetof(struct kipi_conf, batch) },
	{ .name = "targets", .type = OPT_STR,
	  .help = "CPUs the mask mode IPIs: \"others\" (all online but the "
	  "worker's) or a CPU list such as 1-3",
	  .def = "others", .offset = offsetof(struct kipi_conf, targets) },
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
	struct gupsync_info info;

	if (kdev_setup(pt, &info) != BENCH_OK)
		return BENCH_SKIP;
	point_note(pt, "kmod", "gupsync.ko ABI %u on %s, %u CPUs online",
		   info.abi_version, info.release, info.online_cpus);
	return BENCH_OK;
}

static int kipi_worker_setup(struct point *pt, struct worker *w)
{
	const struct kipi_conf *c = pt->conf;

	if (w->bg)
		return BENCH_OK;
	if (kdev_worker_setup(pt, w, 1, c->batch, NULL) != BENCH_OK)
		return BENCH_SKIP;
	return build_mask(pt, w->priv, w->pu);
}

static int kipi_op(struct worker *w)
{
	const struct kipi_conf *c = w->pt->conf;
	struct kipi_worker *kw = w->priv;
	struct gupsync_ipi a = { .loop = { .iters = c->batch,
					   .samples = (uintptr_t)kw->k.buf[0] } };
	unsigned long req = GUPSYNC_IOC_IPI_ALL;
	int rc;

	if (w->mode == MODE_MASK) {
		req = GUPSYNC_IOC_IPI_MASK;
		a.cpumask = (uintptr_t)kw->mask;
		a.cpumask_bytes = kw->mask_bytes;
	}
	rc = w->mode == MODE_NOP ? ioctl(kw->k.fd, GUPSYNC_IOC_NOP, &a.loop) :
				   ioctl(kw->k.fd, req, &a);
	if (rc < 0)
		return -errno;
	kdev_keep(w, c->batch, a.ipis);
	return 0;
}

enum { M_ALL, M_ALL_P99, M_ALL_TARGETS, M_MASK, M_MASK_P99, M_MASK_TARGETS,
       M_FLOOR, NMETRICS };

static const struct metric_spec kipi_metrics[NMETRICS] = {
	KDEV_LATENCY_METRICS("all_ipi_ns", "all_ipi_p99_ns"),
	[M_ALL_TARGETS] = { .name = "all_targets", .unit = "1",
			    .better = BETTER_NONE },
	KDEV_LATENCY_METRICS("mask_ipi_ns", "mask_ipi_p99_ns"),
	[M_MASK_TARGETS] = { .name = "mask_targets", .unit = "1",
			     .better = BETTER_NONE },
	[M_FLOOR] = { .name = "timing_floor_ns", .unit = "ns",
		      .better = BETTER_NONE },
};

static void kipi_derive(struct point *pt, const struct mode_result *res,
			double *val)
{
	struct stats nop = kdev_stats(pt, 0, MODE_NOP);
	struct stats all = kdev_stats(pt, 0, MODE_ALL);
	struct stats mask = kdev_stats(pt, 0, MODE_MASK);

	(void)res;
	kdev_latency_values(&val[M_ALL], &all);
	val[M_ALL_TARGETS] = kdev_events_per_iter(pt, MODE_ALL);
	kdev_latency_values(&val[M_MASK], &mask);
	val[M_MASK_TARGETS] = kdev_events_per_iter(pt, MODE_MASK);
	val[M_FLOOR] = nop.median;
}

static bool kipi_verify(struct point *pt, const struct mode_result *res,
			char *verdict, size_t len)
{
	const struct kipi_conf *c = pt->conf;
	int cal = point_counter(pt, "irq:CAL");
	double per[NMODES], tgt[NMODES];
	bool ok;

	if (cal < 0) {
		snprintf(verdict, len, "unproven: the CAL row of /proc/interrupts "
			 "is not readable here");
		return false;
	}
	kdev_counter_per_iter(res, NMODES, cal, c->batch, per);
	for (unsigned m = 0; m < NMODES; m++)
		tgt[m] = kdev_events_per_iter(pt, m);	/* CPUs IPI'd */
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
	.worker_priv_size = sizeof(struct kipi_worker),
	.modes = {
		{ .name = "nop",
		  .what = "the in-kernel loop with an empty body: timing floor" },
		{ .name = "all",
		  .what = "smp_call_function(): every other online CPU, waiting" },
		{ .name = "mask",
		  .what = "smp_call_function_many() to --targets, waiting" },
	},
	.check = kipi_check,
	.setup = kipi_setup,
	.worker_setup = kipi_worker_setup,
	.op = kipi_op,
	/* a busy target answers an IPI without waking from idle */
	.bg_loop = kdev_bg_spin,
	.mode_enter = kdev_mode_enter,
	.worker_teardown = kdev_worker_teardown,
	METRIC_TABLE(kipi_metrics),
	.derive = kipi_derive,
	.verify = kipi_verify,
	.variant = VARIANT_K_IPI,
};
BENCH_REGISTER(k_ipi);
