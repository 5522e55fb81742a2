// SPDX-License-Identifier: GPL-2.0
/*
 * ipi-broadcast: the cost of "make every CPU that may be inside a lockless
 * walk take an IPI", measured with the nearest stock-kernel stand-in.
 *
 * The IPI variant of the protected replacement ends with
 * tlb_remove_table_sync_one(): smp_call_function(tlb_remove_table_smp_sync)
 * to all other CPUs, waiting for each; GUP-fast walks with IRQs off, so a
 * CPU inside a walk answers only when the walk is done.  No system call
 * reaches that function, but membarrier(2) drives the same machinery:
 *   private  MEMBARRIER_CMD_PRIVATE_EXPEDITED: membarrier_private_expedited()
 *            -> smp_call_function_many() to the CPUs whose current task
 *            runs this mm (the caller's CPU excluded), waiting for all.
 *   global   MEMBARRIER_CMD_GLOBAL_EXPEDITED: membarrier_global_expedited()
 *            -> the CPUs running any process registered for it (this one
 *            registers; idle CPUs and kernel threads are skipped), read
 *            from each CPU's rq->membarrier_state, which can be stale for a
 *            CPU that ran this mm before: see rq_state_fresh().
 * Both skip CPUs that are idle or run something else, where the sync IPI
 * would not; so a target must be a running thread: the --bg-threads
 * victims (--victim spin, syscall, sleep = mostly idle, gup = shared
 * FUTEX_WAKE loops, GUP-fast with IRQs off, so the IPI waits for the walk).
 *
 * One operation: one membarrier() call.  Modes: "quiet" (getppid: no IPI;
 * the victims' undisturbed rate and the counters' background) and "storm"
 * (membarrier).  Proof: function-call IPIs received per op (the CAL row of
 * /proc/interrupts), less the quiet background, against the targets'
 * on-CPU share: one per running target per call.
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "ipicount.h"

enum { MODE_QUIET, MODE_STORM };
enum { CMD_PRIVATE, CMD_GLOBAL };

#define VICTIM_PAGES 32		/* what a spin victim reads: its own pages */

struct bcast_conf {
	int cmd;
	int victim;
	int level;
};

struct bcast_point {
	struct ipi_point ipi;	/* first: lib/ipicount.c's hooks find it */
	int cmd;		/* MEMBARRIER_CMD_* of the op */
};

static const char *const cmds[] = { "private", "global", NULL };

static const struct {
	int cmd, reg;
	const char *name;
} membarrier_cmds[] = {
	[CMD_PRIVATE] = { MEMBARRIER_CMD_PRIVATE_EXPEDITED,
			  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
			  "PRIVATE_EXPEDITED" },
	[CMD_GLOBAL] = { MEMBARRIER_CMD_GLOBAL_EXPEDITED,
			 MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED,
			 "GLOBAL_EXPEDITED" },
};

static const struct opt_spec bcast_opts[] = {
	{ .name = "cmd", .type = OPT_ENUM,
	  .help = "membarrier command: private (CPUs running this mm) or "
	  "global (CPUs running registered processes) expedited",
	  .def = "private,global", .choices = cmds, .list = true,
	  .offset = offsetof(struct bcast_conf, cmd) },
	IPI_TARGET_OPTS(struct bcast_conf),
	{ NULL },
};

/* The two commands differ only in why a target could be missed. */
#define BCAST_SPEC(hint)						\
	{ .recv = IPI_IRQ_CAL, .recv_alt = NULL,			\
	  .recv_metric = "ipis_recv_per_op",				\
	  .recv_what = "function-call IPIs received",			\
	  .fewer_hint = (hint), .events_per_op = 1,			\
	  .model = "model: membarrier, 1 IPI/target",			\
	  .quiet = MODE_QUIET, .storm = MODE_STORM }

static const struct ipi_spec bcast_ipi[] = {
	[CMD_PRIVATE] = BCAST_SPEC("targets preempted or not running this mm"),
	[CMD_GLOBAL] = BCAST_SPEC("targets preempted, or a stale per-CPU "
				  "membarrier state (README)"),
};

static const struct metric_spec bcast_metrics[IPI_NMETRICS] =
	IPI_METRICS("ipis_recv_per_op");

static long membarrier(int cmd)
{
	return syscall(__NR_membarrier, cmd, 0, 0);
}

static int bcast_setup(struct point *pt)
{
	const struct bcast_conf *c = pt->conf;
	struct bcast_point *bp = pt->priv;
	long mask = membarrier(MEMBARRIER_CMD_QUERY);

	if (mask < 0)
		return point_skip(pt, "membarrier(MEMBARRIER_CMD_QUERY): %s",
				  strerror(errno));
	if (!(mask & membarrier_cmds[c->cmd].cmd))
		return point_skip(pt, "membarrier %s not supported here "
				  "(supported mask 0x%lx; nohz_full?)",
				  membarrier_cmds[c->cmd].name, mask);
	/* Registration is per mm and for good: repeating it is harmless. */
	if (membarrier(membarrier_cmds[c->cmd].reg) < 0)
		return point_skip(pt, "membarrier(REGISTER_%s): %s",
				  membarrier_cmds[c->cmd].name, strerror(errno));
	bp->cmd = membarrier_cmds[c->cmd].cmd;
	if (c->cmd == CMD_GLOBAL && pt->nbg)
		point_note(pt, "membarrier_state", "set: target PUs ran another "
			   "process first (kernel bug, README)");
	return ipi_point_setup(pt, &bcast_ipi[c->cmd], c->level);
}

/*
 * membarrier(GLOBAL_EXPEDITED) IPIs a CPU only if its runqueue's
 * membarrier_state has MEMBARRIER_STATE_GLOBAL_EXPEDITED.  The scheduler
 * copies the state of the mm it switches to (membarrier_switch_mm() in
 * context_switch()), but only when the CPU's active_mm changes, and
 * exit_mm() clears it (membarrier_update_current_mm(NULL)) while the CPU
 * keeps the exiting mm as its lazy active_mm; registration only reaches
 * CPUs running this mm right then.  So once a thread of this process has
 * exited on a PU (every point's workers do), a new thread of ours that the
 * PU runs from idle keeps the cleared state and takes no IPI, however long
 * it runs, until some other process runs there.  A child process run on
 * the victim's PU (its affinity is this thread's) makes the next switch to
 * this mm come from another mm: the state the kernel's design has, and
 * what tlb_remove_table_sync_one(), which membarrier stands in for, would
 * find (it IPIs every CPU).  From the victim's own thread, before its loop.
 */
static int rq_state_fresh(struct point *pt)
{
	pid_t pid = fork();

	if (pid < 0)
		return point_skip(pt, "fork (a child on the target's PU for its "
				  "membarrier state): %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	while (waitpid(pid, NULL, 0) < 0)
		if (errno != EINTR)	/* ECHILD: SIGCHLD ignored, reaped */
			break;
	return BENCH_OK;
}

static int bcast_worker_setup(struct point *pt, struct worker *w)
{
	const struct bcast_conf *c = pt->conf;
	int rc = ipi_target_setup(pt, w, c->victim, NULL, VICTIM_PAGES);

	if (rc == BENCH_OK && w->bg && c->cmd == CMD_GLOBAL)
		rc = rq_state_fresh(pt);
	return rc;
}

static int bcast_op(struct worker *w)
{
	struct bcast_point *bp = w->pt->priv;

	if (w->mode == MODE_QUIET) {
		syscall(SYS_getppid);
		return 0;
	}
	if (membarrier(bp->cmd) < 0) {
		int e = errno;

		fprintf(stderr, "ipi-broadcast: membarrier(%d): %s\n", bp->cmd,
			strerror(e));
		return -e;
	}
	return 0;
}

static const struct bench ipi_broadcast = {
	.name = "ipi-broadcast",
	.summary = "membarrier expedited (stand-in for the GUP-fast sync IPI): "
		   "latency vs targets, busy or idle; victim slowdown",
	.kernel_path = "membarrier(PRIVATE_EXPEDITED|GLOBAL_EXPEDITED) -> "
		       "smp_call_function_many() -> IPI -> ipi_mb()",
	.kind = BENCH_LATENCY,
	.opts = bcast_opts,
	.conf_size = sizeof(struct bcast_conf),
	.priv_size = sizeof(struct bcast_point),
	.modes = {
		{ .name = "quiet",
		  .what = "initiator: getppid() (no IPI); victims undisturbed" },
		{ .name = "storm",
		  .what = "initiator: membarrier(--cmd) expedited" },
	},
	.counters = { IPI_CALL_CPU, IPI_CALL_MASK },
	.setup = bcast_setup,
	.worker_setup = bcast_worker_setup,
	.op = bcast_op,
	.bg_loop = victim_bg_loop,
	.worker_teardown = victim_worker_teardown,
	.teardown = ipi_point_teardown,
	METRIC_TABLE(bcast_metrics),
	.derive = ipi_point_derive,
	.verify = ipi_point_verify,
	.verify_each_trial = true,
	.sweep = { .order = 40,
		   .short_args = "--bg-threads=%G --cmd=private,global --victim=spin,sleep "
				 "--trials=6 --duration=100ms --warmup=20ms "
				 "--order=interleave",
		   .full_args = "--bg-threads=%G --cmd=private,global "
				"--victim=spin,sleep,gup --placement=compact,scatter "
				"--order=interleave" },
	.variant = VARIANT_IPI,
};
BENCH_REGISTER(ipi_broadcast);
