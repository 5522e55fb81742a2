/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run.h - `gupsync run BENCH`: options, data points, proof pass, trials,
 * statistics, results and the summary table.
 *
 * For each data point (the cross product of the list options):
 *   1. bench->setup(), workers started and pinned (worker_setup() on their
 *      PU);
 *   2. proof pass: every mode once, all counters read around the window;
 *      bench->verify() says whether the intended kernel path ran;
 *      evidence.csv gets the per-op counts;
 *   3. --trials trials, each running every non-proof mode once, the order
 *      reversed on every other trial (A B, B A, ...) so drift does not
 *      favour one mode; trials.csv gets one row per trial;
 *   4. median, 95% CI of the median and the rest per metric into
 *      summary.csv and a row of the table on stdout.
 * meta.json (provenance) and the CSVs are rewritten atomically after each
 * point.
 */
#ifndef GUPSYNC_RUN_H
#define GUPSYNC_RUN_H

#include <jansson.h>
#include <stdbool.h>

#include "bench.h"
#include "counters.h"
#include "placement.h"
#include "results.h"

/* The harness's own options (the first option table). */
struct run_conf {
	uint64_t threads, bg_threads;
	int placement;		/* compact, scatter, none, list */
	const char *cpu_list;
	int unit;
	uint64_t trials, target_ns, duration_ns, warmup_ns;
	int order;		/* sequential, interleave, random */
	uint64_t seed;
	const char *topology, *output;
	bool dry_run, no_counters, keep_aslr, quiet;
	bool oversubscribe;	/* more workers than PUs (--placement none) */
	bool fit;		/* skip points that do not fit, not refuse */
	int futex_hash;		/* enum futex_hash_mode */
	int interleave;		/* INTERLEAVE_SLICES or INTERLEAVE_WINDOWS */
	uint64_t slice_ns;	/* --slice: target length of one slice */
	uint64_t budget_ns;	/* --budget: the run's wall time, 0 = none */
};

/* How a bench's paired modes share a trial (bench.pair, slices.h). */
enum { INTERLEAVE_SLICES, INTERLEAVE_WINDOWS };

#define POINT_NOT_RUN 1

/* One data point: its options, placement, and what it produced. */
/* Room for one proof verdict: collapse with --bg-io odirect says about
 * 300 characters. */
#define PROOF_VERDICT_LEN 512

struct run_point {
	struct run_conf rc;
	void *conf;		/* the bench's config struct */
	struct place_spec *place;
	int *pus;
	int status;		/* BENCH_OK/SKIP/FAIL or POINT_NOT_RUN */
	char reason[512];	/* skip or failure reason */
	char verdict[PROOF_VERDICT_LEN];	/* proof verdict */
	bool proven;
	struct mode_result proof_res[BENCH_MAX_MODES];
	bool have_proof_res;	/* proof_res is this process's (not resumed) */
	unsigned trials_checked, trials_proven; /* verify_each_trial */
	char cpus_seen[256];
	struct note *notes;
	double *vals;		/* trials x ncols */
	size_t ntrials;
	double *samples;	/* BENCH_LATENCY: every sample, for the CDF */
	size_t nsamples;
};

/* A metric column of trials.csv. */
struct col {
	char name[64];
	char unit[16];
	enum better better;
	bool headline;
};

/* Wall time of one gupsync run process, in ns (meta.json "time_s"):
 * setup = the benchmark's setup/teardown, mode_enter and the workers'
 * start and stop; warmup = the warm-up part of each timed window;
 * windows = the rest of the timed windows; proof = the proof pass (its
 * windows and mode_enter included); save = writing the run's files. */
struct run_time {
	uint64_t start, setup, warmup, windows, proof, save;
	uint64_t point_setup;	/* part of setup: setup() and workers' start */
};

struct run {
	const struct bench *b;
	const char *cmdline;
	int argc;		/* the options, as given (meta.json "argv") */
	char *const *argv;
	const char *resume;	/* directory of the run to carry on, or NULL */
	bool foreign;		/* resuming a run whose metrics differ: write nothing */
	struct opt_set opts;
	struct run_conf rc;	/* point 0's harness options */
	void *bconf;
	struct topo *topo;
	bool dry;
	unsigned nmodes, nmeasured;
	uint64_t trials;
	size_t npoints;
	struct run_point *points;
	struct counters *ctr;
	char dir[1024];
	json_t *meta;
	struct col cols[BENCH_MAX_METRICS];
	size_t ncols;
	struct textbuf trials_csv, evidence_csv, samples_csv, slices_csv;
	size_t samples_row_bytes;	/* one samples.csv row, measured (+ slack) */
	size_t samples_stride_max;	/* the coarsest subsample taken */
	char start[40];
	char futex_hash[160];	/* which hash private futexes use (futexhash.h) */
	size_t cur;		/* the point being measured */
	struct run_time time;	/* where this process's wall time went */
	struct run_eta {	/* what eta.c learns of this machine's pace */
		uint64_t t0, proof0;	/* when trials began; time.proof then */
		double trials_done, proof_done;	/* modelled s of those run */
		uint64_t mark_t, mark_proof;	/* at the last progress line */
		uint64_t setup0;	/* time.point_setup when trials began */
		double mark_trials;
		double sum_took, sum_model;	/* measured / modelled trial
						 * seconds so far: the pace */
	} eta;
	struct run_budget {	/* what --budget chose (eta_fit()) */
		uint64_t want, duration_ns, warmup_ns; /* asked; 0: no budget */
		double want_s;	/* what those would take */
	} budget;
};

/* The harness's option table (NULL-name-terminated), e.g. for
 * bench_check(). */
const struct opt_spec *run_harness_opts(void);

/* Between run.c and run_prepare.c: the modes a bench declares; parse and
 * validate every point and its placement before any file (0, 1 after
 * --help, or EXIT_USAGE); print what a dry run shows. */
unsigned run_nmodes(const struct bench *b);
int run_prepare(struct run *r, int argc, char *const argv[]);
void run_dry(struct run *r);

/* Print "gupsync run BENCH: msg" on stderr; returns EXIT_USAGE. */
int run_usage(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int run_prepare_point(struct run *r, size_t i);
/* "threads=2 page-size=2M layout=own": the list options of point i. */
void run_point_label(const struct run *r, size_t i, char *buf, size_t len);
/* Measure point i (trial.c): set it up, run the proof pass if it has not
 * run, then trials until the point has 'upto' of them, tear it down. */
int run_point(struct run *r, size_t i, uint64_t upto);
/* r->time as meta.json's "time_s" object, in seconds (trial.c). */
json_t *run_time_json(const struct run *r);
/* meta.json and the CSVs (output.c). */
int run_meta_init(struct run *r);
/* Whether meta (of a run to resume) describes this bench and the options
 * its argv gave (output.c); -1 with err if not. */
int run_meta_matches(const struct run *r, const json_t *meta, char *err,
		     size_t len);
/* Take back what the run in dir finished (resume.c). */
int run_resume(struct run *r, const char *dir, char *err, size_t len);
int run_save(struct run *r, bool final);
/* Append a row to evidence.csv / trials.csv (output.c). */
void run_evidence_row(struct run *r, size_t i, unsigned mode,
		      const struct mode_result *res, struct counters *tctr);
void run_trial_row(struct run *r, size_t i, uint64_t t);
/* BENCH_LATENCY: raw samples of one window into samples.csv (a stride
 * subsample of at most SAMPLES_PER_WINDOW, for CDFs). */
#define SAMPLES_PER_WINDOW 1000
/* What samples.csv may grow to in all: half the readers' limit (rundir.c
 * takes CSV files up to 256 MiB), so a run of many windows (--trials
 * 10000) keeps a bounded buffer and writes a file its readers take. */
#define SAMPLES_CSV_MAX (128ull << 20)
void run_samples_rows(struct run *r, size_t i, unsigned mode, uint64_t t,
		      const double *s, size_t n);
/* Paired slices: one row per slice of trial t into slices.csv. */
struct slice_sum;
void run_slices_rows(struct run *r, size_t i, uint64_t t,
		     const struct slice_sum *s, size_t n);
/* Whether point windows of this run alternate the bench's pair in
 * slices. */
bool run_slicing(const struct run *r);
/* Statistics of metric column k of a point over its trials (output.c). */
struct stats;
int run_col_stats(const struct run *r, const struct run_point *rp, size_t k,
		  struct stats *st);
const char *run_status_name(int status);
/* Commentary before and after the table (output.c). */
void run_print_header(struct run *r);
void run_print_footer(struct run *r);
/* Footer lines for points whose headline trials fall into two regimes
 * (regimes.c, stats_regimes()). */
void run_print_regimes(const struct run *r);
/* The table on stdout, at the end of the run, in blocks of at most 72
 * columns (table.c); and one stderr line per finished point. */
void run_print_table(struct run *r);
void run_point_done(const struct run *r, size_t i);

/* argv[0] is the first option (after "run BENCH").  Returns the exit
 * status: 0, EXIT_USAGE, EXIT_SKIP (every point skipped) or 1. */
int run_bench(const struct bench *b, int argc, char *const argv[],
	      const char *cmdline);
/* Carry on the interrupted run in dir (its meta.json names the bench and
 * the options); returns the exit status like run_bench(). */
int run_resume_dir(const char *dir, const char *cmdline);
/* The time model (eta.h) of `gupsync run b argv` without running it; -1
 * with err when the options do not parse (said on stderr as a run would). */
struct eta_model;
int run_model(const struct bench *b, int argc, char *const argv[],
	      struct eta_model *m, char *err, size_t len);
/* The run directory of the last run_bench()/run_resume_dir() in this
 * process ("" if none was made). */
const char *run_last_dir(void);
void run_last_dir_clear(void);
void run_help(const struct bench *b);

/* Default counters read around every window (besides the bench's own). */
extern const char *const run_default_counters[];
/* --placement's values, in the order place_parse() takes them. */
extern const char *const placement_names[];

#endif
