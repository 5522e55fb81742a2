/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h - the contract between one bench/ file and the harness.
 *
 * A benchmark fills in a struct bench and registers it with
 * BENCH_REGISTER(); the build links every bench/ file and the driver finds
 * them through the gupsync_bench section, so adding a benchmark is adding
 * one file.  The benchmark says what to do; the harness does everything
 * else: parses options, allocates its per-point and per-worker state
 * (zeroed), places and pins workers, runs the start barrier, warm-up and
 * timed window, reads clocks and counters, repeats trials, computes
 * statistics and writes results.  A bench file never parses argv, pins
 * threads, reads clocks for reporting or formats output.
 *
 * Kinds:
 *   BENCH_THROUGHPUT  loop() runs the operation until worker_running() is
 *                     false, calling worker_tick() once per operation; the
 *                     harness samples the per-worker counters (will-it-scale
 *                     style) around the timed window.
 *   BENCH_LATENCY     op() does one operation; the harness times every call
 *                     and keeps every raw sample of the timed window.
 *
 * Modes: each trial runs every mode once (alternating the order from trial
 * to trial so drift does not favour one), e.g. the GUP-fast benchmark's "private"
 * (baseline, no GUP) and "shared" (GUP-fast).  A mode with .proof_only runs
 * only in the proof pass: before its trials, each data point runs every
 * mode once with all counters, and verify() judges from those counts
 * whether the intended kernel path ran.
 */
#ifndef GUPSYNC_BENCH_H
#define GUPSYNC_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

#define BENCH_MAX_MODES 4
#define BENCH_MAX_COUNTERS 16
#define BENCH_MAX_METRICS 96
#define CACHELINE 64

/* setup() and worker_setup() return one of these. */
enum { BENCH_OK = 0, BENCH_FAIL = -1, BENCH_SKIP = -2 };

enum bench_kind { BENCH_THROUGHPUT, BENCH_LATENCY };
enum better { BETTER_HIGHER, BETTER_LOWER, BETTER_NONE };

struct bench_mode {
	const char *name;
	const char *what;	/* one line for --help and meta.json */
	bool proof_only;
};

struct point;

/*
 * One worker as its benchmark sees it.  The harness keeps the rest of a
 * worker (its thread id, latency samples, where it ran) in a struct of
 * lib/workers.c around this one, out of the benchmark's reach.
 */
struct worker {
	/* The operation counter, alone in its cache line on purpose: the
	 * owning thread writes it every operation while the main thread
	 * reads every worker's at the window's edges and writes this
	 * worker's control fields below.  Sharing the line with them, or
	 * with the next worker's counter (workers sit in one array), would
	 * move the line between CPUs on every operation (false sharing) and
	 * slow the very loop being counted. */
	_Alignas(CACHELINE) volatile uint64_t count;
	char pad_[CACHELINE - sizeof(uint64_t)];
	unsigned id;		/* 0 .. nthreads-1, then the background ones */
	bool bg;		/* a background worker (victim/load): runs bg_loop */
	int pu;			/* OS PU index it is bound to; -1 unbound */
	unsigned mode;		/* index into bench->modes for this window */
	struct point *pt;
	/* The benchmark's per-worker state: bench->worker_priv_size bytes,
	 * zeroed, allocated on the worker's own thread before worker_setup()
	 * and freed by the harness after worker_teardown() (and after a
	 * worker_setup() that failed); NULL when worker_priv_size is 0 (then
	 * a lib/ helper such as victim_worker_setup() may keep its own). */
	void *priv;
	/* The harness's, written by it and read only through the inline
	 * functions below (they run in the hot loop). */
	struct worker_ctl {
		const volatile int *stop;
		/* Paired slices (slices.h): the shared schedule's slice
		 * index, the one this worker runs, and the count that ends
		 * it (leader only). */
		const volatile uint64_t *slice;
		uint64_t slice_seen, slice_end;
		volatile int measuring;
	} ctl_;
};
_Static_assert(offsetof(struct worker, id) == CACHELINE,
	       "struct worker: count must have its cache line to itself");
_Static_assert(sizeof(struct worker) % CACHELINE == 0,
	       "struct worker: an array of them keeps every count aligned");

/* False at the end of the window, and (paired slices) at the end of a
 * slice: loop() returns and is called again in the next slice's mode. */
static inline bool worker_running(const struct worker *w)
{
	return !__atomic_load_n(w->ctl_.stop, __ATOMIC_RELAXED) &&
	       __atomic_load_n(w->ctl_.slice, __ATOMIC_RELAXED) ==
		       w->ctl_.slice_seen &&
	       w->count != w->ctl_.slice_end;
}

/* Whether the harness is inside the timed part of the window (after the
 * warm-up): for benchmarks that keep their own per-op data. */
static inline bool worker_measuring(const struct worker *w)
{
	return __atomic_load_n(&w->ctl_.measuring, __ATOMIC_RELAXED);
}

/* Paired slices: the index of the slice this worker runs (it grows by
 * one per slice, two per pair), for benchmarks that move on to fresh
 * data every pair. */
static inline uint64_t worker_slice(const struct worker *w)
{
	return w->ctl_.slice_seen;
}

/* One operation done: only the owning thread writes its counter. */
static inline void worker_tick(struct worker *w)
{
	__atomic_store_n(&w->count, w->count + 1, __ATOMIC_RELAXED);
}

/* A derived metric: per trial, from the modes' results. */
struct metric {
	const char *name;	/* with its unit: "gup_fast_ns" */
	const char *unit;	/* "ns", "ops/s", "1" */
	enum better better;
	bool headline;		/* shown in the summary table */
	double value;
};

/* A derived metric as a benchmark declares it: a static table in the
 * descriptor (.metrics, .nmetrics, see METRIC_TABLE), one entry per
 * metric, in output order.  The harness names the columns from it;
 * derive() only fills the values, by index. */
struct metric_spec {
	const char *name;	/* with its unit: "gup_fast_ns" */
	const char *unit;	/* "ns", "ops/s", "1" */
	enum better better;
	bool headline;		/* shown in the summary table */
};

/* .metrics and .nmetrics of a descriptor from a static array. */
#define METRIC_TABLE(t) .metrics = (t), .nmetrics = sizeof(t) / sizeof((t)[0])

/* What one mode measured in one window. */
struct mode_result {
	uint64_t ops;		/* all workers together */
	uint64_t elapsed_ns;
	double ops_per_s;	/* all workers together */
	double ns_per_op;	/* per worker: elapsed * nthreads / ops */
	uint64_t delta[BENCH_MAX_COUNTERS]; /* counter deltas over the window */
	/* Proof pass only: the bench's own counters (bench->counters[k]),
	 * counted on the measured workers' threads alone, so no other
	 * process's events get in; see point_thread_counter(). */
	uint64_t tdelta[BENCH_MAX_COUNTERS];
	double lat_p50_ns;	/* BENCH_LATENCY only: median of the window */
	double lat_p90_ns, lat_p99_ns, lat_max_ns;
	uint64_t bg_ops;	/* background workers' operations */
	double bg_ops_per_s;
	double other_cpus;	/* CPUs other processes used (cpuload.h) */
	double steal_cpus;	/* CPUs the hypervisor took (steal time) */
	double driven_cpus;	/* CPUs of the kernel threads it drives */
	/* Paired slices, on the pair's test mode: medians over slice pairs
	 * of test - base (ns per op) and test / base - 1 (slices.h). */
	bool paired;
	double pair_diff_ns, pair_rel;
	size_t pair_n;		/* slice pairs behind them */
};

/* Two modes measured in fine alternating slices of one window (issue
 * 13): the base (no path under test) and the test mode.  .test == 0
 * means no pair (mode 0 is always a base). */
struct bench_pair {
	unsigned base, test;
};

/* test - base per op: the median of the slice pairs where the modes were
 * interleaved, else the difference of the two windows. */
static inline double pair_diff_ns(const struct mode_result *res,
				  struct bench_pair p)
{
	return res[p.test].paired ? res[p.test].pair_diff_ns :
	       res[p.test].ns_per_op - res[p.base].ns_per_op;
}

/* test / base - 1, the same way: dimensionless, so a host that slows
 * both modes alike cancels out. */
static inline double pair_rel(const struct mode_result *res,
			      struct bench_pair p)
{
	return res[p.test].paired ? res[p.test].pair_rel :
	       res[p.test].ns_per_op / res[p.base].ns_per_op - 1.0;
}

struct bench {
	const char *name;
	const char *summary;	 /* one line for `gupsync list` */
	const char *kernel_path; /* "FUTEX_WAKE shared -> get_futex_key() -> ..." */
	enum bench_kind kind;
	const struct opt_spec *opts; /* its own options, or NULL */
	size_t conf_size;	     /* sizeof its config struct */
	struct bench_mode modes[BENCH_MAX_MODES];
	/* The paired modes, alternated in slices within each trial
	 * (--interleave slices, the default): BENCH_THROUGHPUT in slices of
	 * ops, BENCH_LATENCY in slices of calls (workers_pair.c). */
	struct bench_pair pair;
	const char *counters[BENCH_MAX_COUNTERS]; /* extra counter specs */
	size_t priv_size;	/* per-point state, zeroed, at pt->priv */
	size_t worker_priv_size; /* per-worker state, zeroed, at w->priv */
	/* Kernel threads the benchmark itself makes work (name prefixes:
	 * "rcu", "khugepaged", "ksmd"): their CPU time is reported per mode
	 * as MODE_driven_cpus, apart from the other work it would be
	 * counted in (cpuload.h). */
	const char *driven_kthreads[4];

	/* Memory one measured worker maps at most with this config, in
	 * bytes, and how that comes about ("256 regions x 2 MiB x 2") in how;
	 * NULL for benchmarks whose workers map little.  The harness refuses
	 * (exit 2) a point that needs more than the machine has available. */
	uint64_t (*mem_per_worker)(const void *conf, char *how, size_t len);
	/* Reject a bad combination of option values before anything runs
	 * (exit 2): write what is wrong and what is allowed into err. */
	int (*check)(const void *conf, char *err, size_t len);
	int (*setup)(struct point *pt);		/* main thread, per point */
	int (*worker_setup)(struct point *pt, struct worker *w); /* on its PU */
	void (*loop)(struct worker *w);		/* BENCH_THROUGHPUT */
	int (*op)(struct worker *w);		/* BENCH_LATENCY; <0 = error */
	/* Background workers (victims of IPIs, load on other CPUs): with
	 * --bg-threads N, N more workers are placed after the measured ones
	 * (same policy) and run bg_loop() through every window, ticking their
	 * own counters, so what the mode does to them is measured too.
	 * worker_setup() runs for them as well (w->bg is set). */
	void (*bg_loop)(struct worker *w);
	/* Main thread, before each window of 'mode' (e.g. set a knob); for a
	 * BENCH_LATENCY pair in slices, the leader worker (id 0) between
	 * slices instead, with every measured worker between calls: keep it
	 * short (a sysfs write), and let it not need the main thread. */
	int (*mode_enter)(struct point *pt, unsigned mode);
	/* Runs only for workers whose worker_setup() returned BENCH_OK: a
	 * worker_setup() that fails cleans up what it made itself. */
	void (*worker_teardown)(struct point *pt, struct worker *w);
	void (*teardown)(struct point *pt);
	/* Derived metrics of one trial: the table (names, units, directions,
	 * headlines) and derive(), which writes val[i] for metrics[i]; the
	 * harness sizes val[] from the table and fills it with NaN first.
	 * res[] indexed by mode. */
	const struct metric_spec *metrics;
	size_t nmetrics;
	void (*derive)(struct point *pt, const struct mode_result *res,
		       double *val);
	/* Proof pass verdict: write a one-line verdict, "EVIDENCE ->
	 * CONCLUSION" (the footer says evidence alike but for its numbers
	 * once: output_proof.c); return true if the intended path is
	 * proven. */
	bool (*verify)(struct point *pt, const struct mode_result *res,
		       char *verdict, size_t len);
	/* verify() depends only on the windows' results: the harness also
	 * runs it on every trial (proof-only modes from the proof pass) and
	 * reports how many trials showed the path, so a path that ran in the
	 * proof window but not in the trials does not pass unseen. */
	bool verify_each_trial;

	/* Its sets in `gupsync sweep` (the runs' options).  The sweep fits
	 * them to the PUs it finds: %N is the PU count, %M one less, %T the
	 * thread counts 1..N and %G the background counts 0..N-1 it affords,
	 * and each run gets --fit, so a point whose measured + background
	 * workers exceed the PUs is skipped with its reason and the rest run
	 * (unless .oversubscribe: its set means to have more workers than
	 * PUs, and runs them).
	 * .order places it in the sweep (lower first); 0 = not swept.  Short
	 * is `make run`'s default set (about two minutes on 2 CPUs), full
	 * also sweeps placements and variables. */
	struct bench_sweep {
		unsigned order;
		const char *short_args, *full_args;
		bool oversubscribe;
	} sweep;
	/* Its costs beyond the timed windows that the harness cannot know,
	 * for the time model (eta.h), in seconds on a 2-vCPU KVM guest:
	 * round_s per trial of a data point (e.g. memory put back between
	 * windows), proof_s per data point's proof pass (e.g. waiting for a
	 * kernel thread to settle).  0 where the harness's own model fits. */
	struct bench_time {
		double round_s, proof_s;
	} time;
	/* Its role in `gupsync variants`, which sets the IPI variant of the
	 * protected replacement beside the RCU variant, each from user space
	 * and in the kernel (module): at most one benchmark per role.  A
	 * role is run over --bg-threads (bg_loop needed); VARIANT_IPI also
	 * with --cmd and --victim, VARIANT_RCU with --load (bench_check). */
	enum bench_variant {
		VARIANT_NONE, VARIANT_IPI, VARIANT_RCU, VARIANT_K_IPI,
		VARIANT_K_RCU,
	} variant;
};

/* What a benchmark sees of the data point being measured. */
struct point {
	const struct bench *bench;
	const void *conf;	/* the bench's config struct for this point */
	unsigned nthreads;	/* measured workers */
	unsigned nbg;		/* background workers, after them */
	const int *pus;		/* OS PU of each worker (nthreads + nbg); -1 = unbound */
	void *priv;		/* priv_size bytes, zeroed */
	/* The workers' w->priv by id (nthreads + nbg of them), while the
	 * workers exist; NULL before and after.  Set by the harness (a test
	 * may point it at its own); read it through point_worker_priv(). */
	void *const *worker_priv;
	struct counters *ctr;	/* system-wide: point_counter() */
	struct counters *tctr;	/* proof pass, per thread: point_thread_counter() */
	char skip_reason[256];
	struct note *notes;	/* provenance notes for meta.json */
};

struct note {
	char key[48];
	char val[208];
	struct note *next;
};

/* Record a provenance fact for this point ("thp", "yes: AnonHugePages ..."). */
void point_note(struct point *pt, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Say why this point is skipped; setup() then returns BENCH_SKIP. */
int point_skip(struct point *pt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Worker id's w->priv (ids 0 .. nthreads + nbg - 1), from the main thread
 * (mode_enter, derive, verify) or another worker's loop, while the
 * workers exist: after setup() and before teardown(). */
void *point_worker_priv(const struct point *pt, unsigned id);
/* Index of a counter (by spec) in mode_result.delta, -1 if unsupported. */
int point_counter(const struct point *pt, const char *spec);
/* Index of one of bench->counters in mode_result.tdelta (per-thread counts
 * of the proof pass), -1 if not counted per thread. */
int point_thread_counter(const struct point *pt, const char *spec);

#define BENCH_REGISTER(b)                                                   \
	static const struct bench *const bench_ptr_##b                      \
		__attribute__((used, section("gupsync_bench"))) = &b

/* All registered benchmarks, sorted by name. */
size_t bench_all(const struct bench ***out);
const struct bench *bench_find(const char *name);

/*
 * Whether a descriptor keeps the contract above: 0, or -1 with one line
 * naming the benchmark and the fault in err.  Checked: name and texts;
 * kind against loop/op; modes (contiguous, unique, mode 0 no proof_only)
 * and the pair (two of them, neither proof_only); counters (contiguous
 * specs); the metric table (names, units, directions, a headline, with derive);
 * options (unique, none of the harness's, inside conf_size); the sweep
 * sets (they parse against harness's and its own options, %N etc.
 * filled in for a 2-PU machine; background workers need bg_loop); a
 * variants role (bg_loop, the options the role is run with).  harness:
 * the harness's option table.
 */
int bench_check(const struct bench *b, const struct opt_spec *harness,
		char *err, size_t len);
/* bench_check() for every registered benchmark, and what they must not
 * share: names, sweep orders, variants roles.  gupsync runs it at
 * start-up. */
int bench_check_all(const struct opt_spec *harness, char *err, size_t len);

#endif
