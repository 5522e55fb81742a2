// SPDX-License-Identifier: GPL-2.0
/*
 * example: the README's example benchmark ("Adding a benchmark"); the
 * tests link it into build/tests/gupsync-example in ipi-broadcast's place.
 * Its descriptor alone puts it in run, sweep (.sweep) and variants
 * (.variant: the IPI side).  Kernel path: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) ->
 * membarrier_private_expedited() -> smp_call_function_many() to the CPUs
 * running this mm, waiting for each: the sync IPI that the IPI variant of
 * the protected replacement sends (tlb_remove_table_sync_one()), with the
 * --bg-threads victims (lib/victim.c) as its targets.  lib/ipicount.c
 * counts, derives and proves the IPIs; the modes are quiet (getppid: no
 * IPI, the victims' undisturbed rate) and storm.
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "ipicount.h"

enum { MODE_QUIET, MODE_STORM };

struct ex_conf { int cmd, victim, level; };

static const char *const ex_cmds[] = { "private", NULL };

/* --cmd because `variants` names it for the IPI side; one choice here. */
static const struct opt_spec ex_opts[] = {
	{ .name = "cmd", .type = OPT_ENUM, .help = "membarrier command: "
	  "private expedited (the CPUs running this mm)", .def = "private",
	  .choices = ex_cmds, .offset = offsetof(struct ex_conf, cmd) },
	IPI_TARGET_OPTS(struct ex_conf),
	{ NULL },
};

static const struct ipi_spec ex_ipi = {
	.recv = IPI_IRQ_CAL, .recv_metric = "ipis_recv_per_op",
	.recv_what = "function-call IPIs received",
	.fewer_hint = "targets preempted or not running",
	.events_per_op = 1, .model = "model: membarrier, 1 IPI/target",
	.quiet = MODE_QUIET, .storm = MODE_STORM,
};

static const struct metric_spec ex_metrics[IPI_NMETRICS] =
	IPI_METRICS("ipis_recv_per_op");

static int ex_setup(struct point *pt)
{
	const struct ex_conf *c = pt->conf;

	/* Registration is per mm and for good: repeating it is harmless. */
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) < 0)
		return point_skip(pt, "membarrier(REGISTER_PRIVATE_EXPEDITED): %s",
				  strerror(errno));
	return ipi_point_setup(pt, &ex_ipi, c->level);
}

static int ex_worker_setup(struct point *pt, struct worker *w)
{
	const struct ex_conf *c = pt->conf;

	return ipi_target_setup(pt, w, c->victim, NULL, 0);
}

static int ex_op(struct worker *w)
{
	long rc = w->mode == MODE_STORM ?
		  syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) :
		  syscall(SYS_getppid);

	return rc < 0 ? -errno : 0;
}

static const struct bench example = {
	.name = "example",
	.summary = "README example: membarrier private expedited to the victims",
	.kernel_path = "membarrier(PRIVATE_EXPEDITED) -> smp_call_function_many()",
	.kind = BENCH_LATENCY,
	.opts = ex_opts,
	.conf_size = sizeof(struct ex_conf),
	.priv_size = sizeof(struct ipi_point),
	.modes = {
		{ .name = "quiet", .what = "getppid(): no IPI; victims undisturbed" },
		{ .name = "storm", .what = "membarrier(PRIVATE_EXPEDITED)" },
	},
	.counters = { IPI_CALL_CPU, IPI_CALL_MASK },
	.setup = ex_setup,
	.worker_setup = ex_worker_setup,
	.op = ex_op,
	.bg_loop = victim_bg_loop,
	.worker_teardown = victim_worker_teardown,
	.teardown = ipi_point_teardown,
	METRIC_TABLE(ex_metrics),
	.derive = ipi_point_derive,
	.verify = ipi_point_verify,
	/* `gupsync sweep` runs it after the benchmarks of order < 45. */
	.sweep = { .order = 45,
		   .short_args = "--bg-threads=%G --victim=spin --trials=6 "
				 "--duration=100ms --warmup=20ms --order=interleave",
		   .full_args = "--bg-threads=%G --victim=spin,sleep,gup "
				"--placement=compact,scatter --order=interleave" },
	/* `gupsync variants` runs it as the IPI variant. */
	.variant = VARIANT_IPI,
};
BENCH_REGISTER(example);
