// SPDX-License-Identifier: GPL-2.0
/*
 * rcu-wait: how long synchronize_rcu() keeps its caller waiting, normal and
 * expedited, with the other CPUs idle or busy; the price of the RCU variant
 * of the protected replacement, measured from user space on a stock kernel.
 *
 * Kernel path: membarrier(MEMBARRIER_CMD_GLOBAL) -> synchronize_rcu()
 * (refused with EINVAL when nohz_full is on; a no-op with one CPU online).
 *   normal     a new grace period run by the rcu_preempt kthread: each CPU
 *              reports a quiescent state from its tick, a context switch or
 *              idle entry, so waits come in whole ticks (1000/HZ ms) and
 *              the distribution is multimodal with a long tail.
 *   expedited  rcu_expedited=1: synchronize_rcu_expedited() -> the exp
 *              kthread worker IPIs rcu_exp_handler() to every CPU that is
 *              not idle (smp_call_function_single), and waits for those.
 *
 * Why this path: the RCU variant of the protected replacement (khugepaged
 * or KSM clear a pmd/pte, then check the page count GUP-fast raises) sends
 * no flush IPI to push out a GUP-fast walk in flight.  GUP-fast walks with
 * IRQs off, which is an RCU read-side critical section, so one grace period
 * proves no walk that saw the old entry still runs.  The replacer pays that
 * wait; the expedited variant pays in IPIs to busy CPUs instead, and the
 * background load's throughput (<mode>_bg_ops_per_s) shows what they cost.
 *
 * Load on the other CPUs (--load, with --bg-threads N workers placed after
 * the callers): idle (none); spin (user-space loop: the tick notes the
 * quiescent state, and on a nohz_full CPU nothing would); syscall (a
 * getppid() loop: busy in the kernel); gup (shared FUTEX_WAKE on the
 * worker's own page, as bench/gup_fast.c: IRQs-off walks, the very readers
 * the wait is for); sleep (50 us nanosleep loop: idle entry and exit).
 * --threads N runs N callers at once: grace periods are shared, so per-call
 * latency (<mode>_p50_ns) and calls/s of all callers (<mode>_ops_per_s)
 * both matter.  samples.csv keeps every call's latency (the CDF).
 *
 * Proof (per point, before the trials; each mode is the other's control):
 * a normal call wakes the grace-period kthread (sched_wakeup of
 * rcu_preempt/rcu_sched) and queues no rcu_exp_handler IPI; an expedited
 * call leaves that kthread asleep, and with a busy peer (spin, syscall,
 * gup) must IPI it (csd_queue_cpu of rcu_exp_handler).  Idle CPUs
 * are skipped, so with idle peers the count depends on where the exp
 * kthread worker runs: seen here, either ~1 IPI per call, to the CPU the
 * caller just left (not idle yet), and a ~50-65 us wait, or ~0 and ~6 us,
 * sticking to one regime for a whole window.  Counts are system-wide:
 * other processes and kernel users of either wait add background.
 *
 * Pairing (--interleave slices, the default): one window of 2 x --duration
 * in which the callers alternate normal and expedited in ABBA slices: a
 * normal slice is one call (longer than --slice), an expedited one the
 * calls that fill --slice; the leader flips rcu_expedited in between, with
 * every caller between calls.  So both waits see the same seconds of the
 * host, and sync_rcu_exp_rel (expedited / normal - 1 per adjacent pair of
 * slices, the median) compares them free of what the host does to both.
 * Counts and background ops/s are per mode, from its own slices.
 *
 * Duration: a normal wait is a few ticks (~4-12 ms at HZ=250), so the
 * default 500 ms window holds only ~50-100 calls per caller; use
 * --duration 1s or more and --trials 10 for tails (p99 of 100 samples is
 * the second largest).  --duration 300ms --trials 5 is a quick look.
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "knobs.h"
#include "sysinfo.h"
#include "victim.h"

#define RCU_EXPEDITED "/sys/kernel/rcu_expedited"
#define RCU_NORMAL "/sys/kernel/rcu_normal"
#define RCUTREE_PARAMS "/sys/module/rcutree/parameters/"
#define SLEEP_LOAD_NS 50000	/* short enough to idle many times a tick */

/* Counters that tell the two waits apart (see the proof above).  The
 * .function filter (by symbol name; newer kernels only) swallows the rest of the filter
 * text, so it must come last. */
#define EXP_IPI_TP "tp:csd:csd_queue_cpu:func.function==rcu_exp_handler"
#define GP_WAKE_TP \
	"tp:sched:sched_wakeup:comm==\"rcu_preempt\"||comm==\"rcu_sched\""

enum { MODE_NORMAL, MODE_EXPEDITED };

struct rcu_conf {
	int load;		/* enum victim_kind: --load is victim_names[] */
};

struct rcu_point {
	char expedited_was[KNOB_VALUE_MAX]; /* rcu_expedited before this point */
	bool knob_ready;
};

static const char *const load_what[] = {
	[VICTIM_IDLE] = "none (background workers return at once)",
	[VICTIM_SPIN] = "user-space spin (quiescent states from the tick only)",
	[VICTIM_SYSCALL] = "getppid() loop (busy in the kernel)",
	[VICTIM_GUP] = "shared FUTEX_WAKE loop (GUP-fast, IRQs off)",
	[VICTIM_SLEEP] = "nanosleep(50 us) loop (idle entry and exit)",
};

static const struct opt_spec rcu_opts[] = {
	{ .name = "load", .type = OPT_ENUM,
	  .help = "what the --bg-threads workers do on the other CPUs",
	  .def = "idle", .choices = victim_names, .list = true,
	  .offset = offsetof(struct rcu_conf, load) },
	{ NULL },
};

/* ---- setup: is GLOBAL a grace period here, and can we switch modes? --- */

static int rcu_check_membarrier(struct point *pt, const json_t *info)
{
	const json_t *cmd = json_object_get(info, "cmdline");
	const char *nohz = json_string_value(json_object_get(cmd, "nohz_full_cpus"));
	long mask = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	long online;

	if (mask < 0)
		return point_skip(pt, "membarrier(MEMBARRIER_CMD_QUERY): %s",
				  strerror(errno));
	if (!(mask & MEMBARRIER_CMD_GLOBAL))
		return point_skip(pt, "membarrier GLOBAL is not offered here "
				  "(the kernel withholds it when nohz_full is on; "
				  "nohz_full CPUs: %s)", nohz && nohz[0] ? nohz : "none");
	online = sysconf(_SC_NPROCESSORS_ONLN);
	if (online < 2)
		return point_skip(pt, "%ld CPU online: membarrier GLOBAL returns "
				  "without waiting for a grace period", online);
	return BENCH_OK;
}

/*
 * The modes switch /sys/kernel/rcu_expedited through the knobs module
 * (journaled, restored on every exit path).  Prove up front that the knob
 * can be written, by flipping it and back, so a read-only sysfs skips the
 * point instead of failing it half-way.  rcu_normal=1 would turn expedited
 * waits back into normal ones, so it is held at 0 for the run.
 */
static int rcu_prepare_knobs(struct point *pt)
{
	struct rcu_point *rp = pt->priv;
	char *cur = rp->expedited_was, normal[KNOB_VALUE_MAX], err[512];

	if (knob_read(RCU_EXPEDITED, cur, sizeof(rp->expedited_was)) < 0)
		return point_skip(pt, "expedited mode impossible: cannot read %s: %s",
				  RCU_EXPEDITED, strerror(errno));
	if (knob_set(RCU_EXPEDITED, strcmp(cur, "0") ? "0" : "1", err, sizeof(err)) < 0 ||
	    knob_set(RCU_EXPEDITED, cur, err, sizeof(err)) < 0)
		return point_skip(pt, "expedited mode impossible: %s", err);
	if (knob_read(RCU_NORMAL, normal, sizeof(normal)) < 0) {
		snprintf(normal, sizeof(normal), "unreadable (%s)", strerror(errno));
	} else if (strcmp(normal, "0")) {
		if (knob_set(RCU_NORMAL, "0", err, sizeof(err)) < 0)
			return point_skip(pt, "rcu_normal=%s forces normal grace "
					  "periods and %s", normal, err);
		strcat(normal, " -> 0 for this run");
	}
	rp->knob_ready = true;
	point_note(pt, "rcu_knobs", "rcu_expedited=%s (then per mode), "
		   "rcu_normal=%s; restored", cur, normal);
	return BENCH_OK;
}

static const char *json_str(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v && v[0] ? v : "-";
}

/* A module parameter, or "-" where this kernel has none. */
static const char *param(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), RCUTREE_PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f || !fgets(buf, (int)len, f))
		snprintf(buf, len, "-");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* What shapes the wait: tick rate, preemption, laziness, nohz. */
static void rcu_notes(struct point *pt, const json_t *info)
{
	const json_t *config = json_object_get(info, "config");
	const json_t *cmd = json_object_get(info, "cmdline");
	const struct rcu_conf *c = pt->conf;
	char lazy[16], wake[16], fqs[16];

	/* HZ, PREEMPT_RCU, RCU_LAZY, PREEMPT_DYNAMIC and NO_HZ_FULL are the
	 * header's config line; here what the kernel was booted with. */
	point_note(pt, "rcu_config", "enable_rcu_lazy=%s "
		   "rcu_normal_wake_from_gp=%s jiffies_till_first_fqs=%s; "
		   "preempt %s (build model%s%s)",
		   param("enable_rcu_lazy", lazy, sizeof(lazy)),
		   param("rcu_normal_wake_from_gp", wake, sizeof(wake)),
		   param("jiffies_till_first_fqs", fqs, sizeof(fqs)),
		   json_str(config, "preempt_model"),
		   strcmp(json_str(cmd, "preempt"), "-") ? "; cmdline preempt=" :
		   "", strcmp(json_str(cmd, "preempt"), "-") ?
		   json_str(cmd, "preempt") : "");
	if (!strcmp(json_str(cmd, "nohz_full"), "-") &&
	    !strcmp(json_str(cmd, "isolcpus"), "-") &&
	    !strcmp(json_str(cmd, "rcu_nocbs"), "-") &&
	    !strcmp(json_str(cmd, "nohz_full_cpus"), "-") &&
	    !strcmp(json_str(cmd, "isolated_cpus"), "-"))
		point_note(pt, "nohz", "none (no nohz_full, isolcpus or rcu_nocbs, "
			   "cmdline or kernel)");
	else
		point_note(pt, "nohz", "cmdline nohz_full=%s isolcpus=%s "
			   "rcu_nocbs=%s; kernel: nohz_full CPUs %s, isolated %s",
			   json_str(cmd, "nohz_full"), json_str(cmd, "isolcpus"),
			   json_str(cmd, "rcu_nocbs"),
			   json_str(cmd, "nohz_full_cpus"),
			   json_str(cmd, "isolated_cpus"));
	point_note(pt, "load", "x%u, %s", pt->nbg, load_what[c->load]);
}

static int rcu_setup(struct point *pt)
{
	const struct rcu_conf *c = pt->conf;
	json_t *info;
	int rc;

	if (c->load != VICTIM_IDLE && !pt->nbg)
		return point_skip(pt, "--load %s needs --bg-threads >= 1 (with 0 "
				  "it is the idle point)", victim_names[c->load]);
	info = sysinfo_collect();
	if (!info)
		return point_skip(pt, "out of memory for the machine description");
	rc = rcu_check_membarrier(pt, info);
	if (rc == BENCH_OK)
		rc = rcu_prepare_knobs(pt);
	if (rc == BENCH_OK)
		rcu_notes(pt, info);
	json_decref(info);
	return rc;
}

/* The mode is the knob's value: set by the main thread before every
 * window, and with the pair in slices (the default) by the leader worker
 * between slices, every caller between calls then.  synchronize_rcu()
 * reads rcu_expedited once, on entry (rcu_gp_is_expedited()), so each
 * call runs the wait of its slice's mode; knob_set() skips the write
 * when the value is already there. */
static int rcu_mode_enter(struct point *pt, unsigned mode)
{
	char err[512];

	if (knob_set(RCU_EXPEDITED, mode == MODE_EXPEDITED ? "1" : "0", err,
		     sizeof(err)) < 0)
		return point_skip(pt, "%s", err);
	return BENCH_OK;
}

/* Leave rcu_expedited as this point found it, so the next point starts
 * (and notes) from the machine's own value; the journal still restores
 * it at exit should this fail. */
static void rcu_teardown(struct point *pt)
{
	struct rcu_point *rp = pt->priv;
	char err[512];

	if (rp->knob_ready &&
	    knob_set(RCU_EXPEDITED, rp->expedited_was, err, sizeof(err)) < 0)
		fprintf(stderr, "gupsync: rcu-wait: %s (restored at exit)\n", err);
}

/* Every background worker runs the --load kind (lib/victim.c). */
static int rcu_worker_setup(struct point *pt, struct worker *w)
{
	const struct rcu_conf *c = pt->conf;
	const struct victim_spec load = { .kind = c->load,
					  .sleep_ns = SLEEP_LOAD_NS };

	return w->bg ? victim_worker_setup(pt, w, &load) : BENCH_OK;
}

/* ---- the measured call ---------------------------------------------- */

static int rcu_op(struct worker *w)
{
	(void)w;
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0)
		return -errno;
	return 0;
}

/* ---- metrics and proof -------------------------------------------------- */

#define CTXSW "sw:context-switches"
static const char *const ipi_specs[] = {
	"tp:ipi:ipi_send_cpu", "tp:ipi:ipi_send_cpumask",
};

/* Counter delta per call; NaN when the counter is missing here or was
 * not read in this window (--no-counters: a normal call always blocks,
 * so a window with no context switch at all was not counted). */
static double per_call(const struct point *pt, const struct mode_result *res,
		       const char *spec)
{
	int c = point_counter(pt, spec), cs = point_counter(pt, CTXSW);

	if (c < 0 || !res->ops || (cs >= 0 && !res->delta[cs]))
		return NAN;
	return (double)res->delta[c] / res->ops;
}

/* Every IPI sent during the window per call (wakeups included). */
static double ipis_per_call(const struct point *pt, const struct mode_result *res)
{
	double sum = 0;

	for (size_t i = 0; i < sizeof(ipi_specs) / sizeof(ipi_specs[0]); i++) {
		double v = per_call(pt, res, ipi_specs[i]);

		if (isnan(v))
			return NAN;
		sum += v;
	}
	return sum;
}

/* Background load throughput lost while expedited waits ran, in percent
 * of what it did during the normal waits. */
static double bg_loss_pct(const struct point *pt, const struct mode_result *res)
{
	double n = res[MODE_NORMAL].bg_ops_per_s;

	if (!pt->nbg || n <= 0)
		return NAN;
	return (n - res[MODE_EXPEDITED].bg_ops_per_s) / n * 100;
}

enum { M_SYNC_US, M_SYNC_EXP_US, M_EXP_SPEEDUP, M_EXP_REL, M_EXP_DIFF_US,
       M_EXP_IPIS, M_EXP_ALL_IPIS, M_NORMAL_ALL_IPIS, M_EXP_BG_LOSS, NMETRICS };

static const struct metric_spec rcu_metrics[NMETRICS] = {
	[M_SYNC_US] = { .name = "sync_rcu_us", .unit = "us",
			.better = BETTER_LOWER, .headline = true },
	[M_SYNC_EXP_US] = { .name = "sync_rcu_exp_us", .unit = "us",
			    .better = BETTER_LOWER, .headline = true },
	/* The paired estimates (slices.h): per adjacent pair of slices,
	 * expedited / normal - 1 and expedited - normal of their mean call
	 * times, the median over pairs. */
	[M_EXP_REL] = { .name = "sync_rcu_exp_rel", .unit = "1",
			.better = BETTER_LOWER },
	/* The same ratio the way round that reads: normal / expedited,
	 * 1 / (1 + rel) (the median of a ratio inverts with it), since rel
	 * is ~-0.999 here and prints as -1.00. */
	[M_EXP_SPEEDUP] = { .name = "sync_rcu_exp_speedup", .unit = "x",
			    .better = BETTER_HIGHER, .headline = true },
	[M_EXP_DIFF_US] = { .name = "sync_rcu_exp_diff_us", .unit = "us",
			    .better = BETTER_LOWER },
	[M_EXP_IPIS] = { .name = "exp_ipis_per_call", .unit = "1",
			 .better = BETTER_LOWER, .headline = true },
	[M_EXP_ALL_IPIS] = { .name = "exp_all_ipis_per_call", .unit = "1",
			     .better = BETTER_LOWER },
	[M_NORMAL_ALL_IPIS] = { .name = "normal_all_ipis_per_call", .unit = "1",
				.better = BETTER_LOWER },
	[M_EXP_BG_LOSS] = { .name = "exp_bg_loss_pct", .unit = "%",
			    .better = BETTER_LOWER },
};

static void rcu_derive(struct point *pt, const struct mode_result *res,
		       double *val)
{
	const struct mode_result *n = &res[MODE_NORMAL], *e = &res[MODE_EXPEDITED];

	val[M_SYNC_US] = n->lat_p50_ns / 1e3;
	val[M_SYNC_EXP_US] = e->lat_p50_ns / 1e3;
	val[M_EXP_REL] = pair_rel(res, pt->bench->pair);
	val[M_EXP_SPEEDUP] = 1.0 / (1.0 + val[M_EXP_REL]);
	val[M_EXP_DIFF_US] = pair_diff_ns(res, pt->bench->pair) / 1e3;
	val[M_EXP_IPIS] = per_call(pt, e, EXP_IPI_TP);
	val[M_EXP_ALL_IPIS] = ipis_per_call(pt, e);
	val[M_NORMAL_ALL_IPIS] = ipis_per_call(pt, n);
	val[M_EXP_BG_LOSS] = bg_loss_pct(pt, res);
}

/*
 * Each mode is the other's control.  A normal grace period is run by the
 * GP kthread, which must be woken (to start it, and again when quiescent
 * states are in or its FQS timer fires) and sends no rcu_exp_handler IPI;
 * an expedited one is driven by the expedited machinery and leaves the
 * GP kthread asleep, IPIing every CPU it does not see idle.  Callers at
 * once share grace periods, so counts are per grace period's worth of
 * calls: per call times the number of callers.
 */
#define SIGNATURE_MIN 0.5	/* own mode's event per grace period */
/* The other mode's event: a mode that ran the wrong wait shows ~1-2 per
 * grace period; background grace periods (other kernel users, e.g.
 * mount-namespace teardown) add ~0.1 per normal call here. */
#define FOREIGN_MAX 0.5

static bool busy_peer(const struct point *pt)
{
	const struct rcu_conf *c = pt->conf;

	return pt->nbg && victim_busy(c->load);
}

static bool rcu_verify(struct point *pt, const struct mode_result *res,
		       char *verdict, size_t len)
{
	const struct mode_result *n = &res[MODE_NORMAL], *e = &res[MODE_EXPEDITED];
	double k = pt->nthreads;
	double nw = per_call(pt, n, GP_WAKE_TP) * k, ni = per_call(pt, n, EXP_IPI_TP) * k;
	double ew = per_call(pt, e, GP_WAKE_TP) * k, ei = per_call(pt, e, EXP_IPI_TP) * k;
	bool normal_ok = nw >= SIGNATURE_MIN && ni <= FOREIGN_MAX;
	bool exp_ok = ew <= FOREIGN_MAX && (!busy_peer(pt) || ei >= SIGNATURE_MIN);

	if (isnan(nw) || isnan(ni) || isnan(ew) || isnan(ei)) {
		snprintf(verdict, len, "unproven: %s or %s not counted here "
			 "(or no calls completed)", GP_WAKE_TP, EXP_IPI_TP);
		return false;
	}
	snprintf(verdict, len, "per grace period: GP-kthread wakeups normal "
		 "%.2f expedited %.2f; rcu_exp_handler IPIs normal %.2f "
		 "expedited %.2f%s -> %s", nw, ew, ni, ei,
		 busy_peer(pt) ? " (busy peer)" : "",
		 normal_ok && exp_ok ? "both waits ran as intended" :
		 !normal_ok ? "normal calls did not show a normal grace period" :
		 ew > FOREIGN_MAX ? "expedited calls woke the GP kthread" :
		 "expedited calls did not IPI the busy peer");
	return normal_ok && exp_ok;
}

static const struct bench rcu_wait = {
	.name = "rcu-wait",
	.summary = "synchronize_rcu() wait, normal and expedited, under load",
	.kernel_path = "membarrier(MEMBARRIER_CMD_GLOBAL) -> synchronize_rcu() "
		       "[-> synchronize_rcu_expedited() with rcu_expedited=1]",
	.kind = BENCH_LATENCY,
	.opts = rcu_opts,
	.conf_size = sizeof(struct rcu_conf),
	.priv_size = sizeof(struct rcu_point),
	.driven_kthreads = { "rcu" },
	.modes = {
		{ .name = "normal",
		  .what = "rcu_expedited=0: a normal grace period (ticks)" },
		{ .name = "expedited",
		  .what = "rcu_expedited=1: IPIs to non-idle CPUs" },
	},
	.pair = { .base = MODE_NORMAL, .test = MODE_EXPEDITED },
	.counters = { EXP_IPI_TP, GP_WAKE_TP },
	.setup = rcu_setup,
	.worker_setup = rcu_worker_setup,
	.op = rcu_op,
	.bg_loop = victim_bg_loop,
	.mode_enter = rcu_mode_enter,
	.worker_teardown = victim_worker_teardown,
	.teardown = rcu_teardown,
	METRIC_TABLE(rcu_metrics),
	.derive = rcu_derive,
	.verify = rcu_verify,
	.sweep = { .order = 20,
		   .short_args = "--threads=1 --bg-threads=1 --load=idle,spin,gup "
				 "--duration=300ms --trials=6 --order=interleave",
		   .full_args = "--threads=1,%N --bg-threads=1 "
				"--load=idle,spin,syscall,gup,sleep --duration=1s "
				"--order=interleave" },
	.variant = VARIANT_RCU,
};
BENCH_REGISTER(rcu_wait);
