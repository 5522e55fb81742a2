/* SPDX-License-Identifier: GPL-2.0 */
/*
 * variants.h - `gupsync variants`: the IPI and the RCU variant of the
 * protected replacement side by side, per number of busy other CPUs.
 *
 * A patch author arguing IPI vs RCU needs two prices of each variant:
 *   replacer's cost    how long the CPU that replaces the entry waits:
 *                      the broadcast IPI (ipi-broadcast: membarrier
 *                      expedited, op_p50_ns), or a grace period (rcu-wait:
 *                      synchronize_rcu() sync_rcu_us, expedited
 *                      sync_rcu_exp_us);
 *   cost to others     what the other CPUs pay: IPIs per call and the
 *                      victims' slowdown (ipis_per_op, victim_slowdown_pct),
 *                      expedited IPIs per call and the load's lost
 *                      throughput (exp_ipis_per_call, exp_bg_loss_pct).
 * With k-ipi / k-rcu runs (gupsync.ko) a second table gives the in-kernel
 * smp_call_function() and synchronize_rcu{,_expedited}() times.
 *
 * Rows are the --bg-threads values (other CPUs kept busy: IPI targets, RCU
 * load).  Each cell is the median [95% CI] of summary.csv, taken from the
 * first given run of its bench that has the point: bg-threads = n, the
 * selection (--cmd, --victim, --load; victim and load only for n > 0, as
 * with no busy CPU they change nothing) and, for every other parameter, the
 * value of that run's first point.  A cell without data is "--" and a
 * footnote says why; no number is made up.
 *
 * Output: plain text, at most VARIANTS_WIDTH columns, no tabs, commentary
 * lines starting with '#'.
 */
#ifndef GUPSYNC_VARIANTS_H
#define GUPSYNC_VARIANTS_H

#include <stddef.h>
#include <stdio.h>

#include "text.h"

#define VARIANTS_WIDTH TEXT_WIDTH

/* Which points of the runs the table shows (and what the run mode runs). */
struct variants_sel {
	const char *cmd;	/* ipi-broadcast --cmd: private, global */
	const char *victim;	/* ipi-broadcast --victim (n > 0) */
	const char *load;	/* rcu-wait --load (n > 0) */
};
#define VARIANTS_SEL_DEFAULT { "private", "spin", "spin" }

/*
 * Load the run directories (or directories holding run directories, as
 * the run mode leaves them) and print the tables on f.  Returns 0, or
 * EXIT_USAGE with a one-line reason in err: not a run directory, a run of
 * another benchmark, too many runs.
 */
int variants_report(FILE *f, char *const *dirs, size_t ndirs,
		    const struct variants_sel *sel, char *err, size_t len);

/* `gupsync variants [OPTIONS] [RUN_DIR...]`; argv[0] is "variants".
 * Without directories it runs ipi-broadcast and rcu-wait briefly over
 * 0..N-1 busy other CPUs first.  Returns the exit status. */
/* The same with the driver's command signature (gupsync.c commands[]). */
int cmd_variants(int argc, char **argv, const char *cmdline);

#endif
