// SPDX-License-Identifier: GPL-2.0
/* run.c - see run.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "counters.h"
#include "eta.h"
#include "futexhash.h"
#include "knobs.h"
#include "placement.h"
#include "results.h"
#include "run.h"
#include "rundir.h"
#include "slices.h"
#include "stats.h"
#include "sysinfo.h"
#include "text.h"
#include "thpbatch.h"
#include "workers.h"

#define IDLE_BASELINE_NS 200000000ull	/* background counts before the run */

const char *const run_default_counters[] = {
	"sw:context-switches", "sw:cpu-migrations", "hw:cycles",
	"hw:instructions", "tp:ipi:ipi_send_cpu", "tp:ipi:ipi_send_cpumask",
	"tp:tlb:tlb_flush:reason==1", "irq:CAL", "irq:TLB", NULL,
};

static void idle_baseline(struct run *r)
{
	uint64_t c0[BENCH_MAX_COUNTERS], c1[BENCH_MAX_COUNTERS];
	json_t *bg = json_object();

	counters_read(r->ctr, c0);
	sleep_ns(IDLE_BASELINE_NS);
	counters_read(r->ctr, c1);
	json_object_set_new(bg, "window_ns", json_integer(IDLE_BASELINE_NS));
	for (size_t i = 0; i < counters_n(r->ctr); i++)
		if (counter_ok(r->ctr, i))
			json_object_set_new(bg, counter_name(r->ctr, i),
					    json_real((c1[i] - c0[i]) * 1e9 /
						      IDLE_BASELINE_NS));
	json_object_set_new(r->meta, "idle_baseline_per_s", bg);
}

static int open_counters(struct run *r)
{
	const char *specs[BENCH_MAX_COUNTERS];
	size_t n = 0;

	for (size_t i = 0; run_default_counters[i] && n < BENCH_MAX_COUNTERS; i++)
		specs[n++] = run_default_counters[i];
	for (size_t i = 0; i < BENCH_MAX_COUNTERS && r->b->counters[i]; i++)
		if (n < BENCH_MAX_COUNTERS)
			specs[n++] = r->b->counters[i];
	r->ctr = counters_open(specs, n);
	return r->ctr ? 0 : -1;
}

static bool pending(const struct run *r, size_t i, uint64_t upto)
{
	const struct run_point *rp = &r->points[i];

	return rp->status != BENCH_SKIP && rp->status != BENCH_FAIL &&
	       rp->ntrials < upto;
}

/* One point after the other, each with all its trials. */
static int run_sequential(struct run *r)
{
	for (size_t i = 0; i < r->npoints; i++) {
		if (!pending(r, i, r->trials))
			continue;
		if (run_point(r, i, r->trials) == BENCH_FAIL) {
			run_save(r, false);
			return 1;
		}
		if (run_save(r, false) < 0)
			return 1;
	}
	return 0;
}

/* Round t runs trial t of every point (shuffled with --order random), so
 * drift over the run hits every configuration alike. */
static int run_rounds(struct run *r)
{
	size_t *perm = calloc(r->npoints, sizeof(*perm));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	if (!perm || !rng) {
		free(perm);
		if (rng)
			gsl_rng_free(rng);
		return 1;
	}
	gsl_rng_set(rng, r->rc.seed);
	for (uint64_t t = 0; t < r->trials; t++) {
		for (size_t i = 0; i < r->npoints; i++)
			perm[i] = i;
		if (r->rc.order == 2)
			gsl_ran_shuffle(rng, perm, r->npoints, sizeof(*perm));
		if (!r->rc.quiet) {
			char left[16];

			fprintf(stderr, "gupsync: %s round %llu/%llu (about %s s "
				"left)\n", r->b->name, (unsigned long long)t + 1,
				(unsigned long long)r->trials,
				eta_str(eta_progress(r), left, sizeof(left)));
		}
		for (size_t k = 0; k < r->npoints; k++) {
			if (!pending(r, perm[k], t + 1))
				continue;
			if (run_point(r, perm[k], t + 1) == BENCH_FAIL) {
				run_save(r, false);
				gsl_rng_free(rng);
				free(perm);
				return 1;
			}
		}
		if (run_save(r, false) < 0)
			return 1;
	}
	gsl_rng_free(rng);
	free(perm);
	return 0;
}

static int run_main(struct run *r);

int run_bench(const struct bench *b, int argc, char *const argv[],
	      const char *cmdline)
{
	struct run r = { .b = b, .cmdline = cmdline, .argc = argc, .argv = argv };

	return run_main(&r);
}

int run_resume_dir(const char *dir, const char *cmdline)
{
	struct rundir rd;
	char err[1024];
	json_t *meta, *args;
	const struct bench *b;
	const char *name;
	char **argv;
	size_t n;

	/* The loader every reader uses: a damaged directory is refused (exit
	 * 1) before anything runs; run_resume() loads it again to keep it.
	 * No run directory there at all is bad input (exit 2). */
	snprintf(err, sizeof(err), "%s/meta.json", dir);
	if (access(err, F_OK) < 0 && errno == ENOENT) {
		fprintf(stderr, "gupsync run --resume: %s: no such file (not a run "
			"directory?)\n", err);
		return EXIT_USAGE;
	}
	if (rundir_open(dir, RUNDIR_TORN_OK | RUNDIR_STRICT, NULL, &rd, err,
			sizeof(err)) < 0) {
		fprintf(stderr, "gupsync run --resume: %s\n", err);
		return 1;
	}
	meta = json_incref(rd.meta);
	rundir_free(&rd);
	name = json_string_value(json_object_get(json_object_get(meta, "bench"), "name"));
	args = json_object_get(meta, "argv");
	b = name ? bench_find(name) : NULL;
	if (!b || !json_is_array(args)) {
		fprintf(stderr, "gupsync run --resume: %s/meta.json names no known "
			"benchmark and options (not a gupsync run directory?)\n", dir);
		json_decref(meta);
		return EXIT_USAGE;
	}
	n = json_array_size(args);
	argv = calloc(n + 1, sizeof(*argv));
	for (size_t i = 0; argv && i < n; i++)
		argv[i] = strdup(json_string_value(json_array_get(args, i)) ?: "");
	json_decref(meta);
	if (!argv)
		return 1;
	return run_main(&(struct run){ .b = b, .cmdline = cmdline, .argc = n,
				       .argv = argv, .resume = dir });
}

static char last_dir[1024];

const char *run_last_dir(void)
{
	return last_dir;
}

void run_last_dir_clear(void)
{
	last_dir[0] = 0;
}

static int run_main_(struct run *rr);

/* A run, then what it kept for its rounds let go (thpbatch.h). */
static int run_main(struct run *rr)
{
	int rc = run_main_(rr);

	thp_batch_cache_drop();
	return rc;
}

static int run_main_(struct run *rr)
{
	struct run r = *rr;
	const struct bench *b = r.b;
	char err[512], note[1200];
	int rc, done = 0, skipped = 0;

	r.nmodes = run_nmodes(b);
	for (unsigned m = 0; m < r.nmodes; m++)
		r.nmeasured += !b->modes[m].proof_only;
	rc = run_prepare(&r, r.argc, r.argv);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (r.dry) {
		run_dry(&r);
		return 0;
	}
	r.time.start = now_ns();
	/* Before any worker thread: see futexhash.h. */
	if (futex_hash_apply(r.rc.futex_hash, r.futex_hash,
			     sizeof(r.futex_hash)) < 0) {
		fprintf(stderr, "gupsync: %s\n", r.futex_hash);
		return 1;
	}
	if (open_counters(&r) < 0)
		return 1;
	if (r.resume) {
		if (run_resume(&r, r.resume, err, sizeof(err)) < 0) {
			fprintf(stderr, "gupsync run --resume %s: %s\n", r.resume, err);
			return 1;
		}
	} else {
		if (run_meta_init(&r) < 0)
			return 1;
		if (results_mkdir(r.rc.output, b->name, r.dir, sizeof(r.dir), err,
				  sizeof(err)) < 0) {
			fprintf(stderr, "gupsync: %s\n", err);
			return 1;
		}
		idle_baseline(&r);
		/* meta.json exists before the first trial (resume.c). */
		if (run_save(&r, false) < 0)
			return 1;
	}
	snprintf(last_dir, sizeof(last_dir), "%s", r.dir);
	json_object_set_new(r.meta, "futex_hash", json_pack("{s:s, s:s}",
		"requested", futex_hash_names[r.rc.futex_hash],
		"used", r.futex_hash));
	run_print_header(&r);
	eta_budget_note(&r, stdout);
	fflush(stdout);
	eta_begin(&r);
	/* Ended by a signal from here on: say how to go on. */
	snprintf(note, sizeof(note), "gupsync: interrupted; the trials that "
		 "finished are kept; go on with:\n  gupsync run --resume %s\n",
		 r.dir);
	knobs_exit_note(note);
	rc = r.rc.order == 0 ? run_sequential(&r) : run_rounds(&r);
	knobs_exit_note(NULL);
	if (rc) {
		fprintf(stderr, "gupsync: go on with: gupsync run --resume %s\n",
			r.dir);
		return rc;
	}
	if (run_save(&r, true) < 0)
		return 1;
	run_print_table(&r);
	run_print_footer(&r);
	run_print_regimes(&r);
	for (size_t i = 0; i < r.npoints; i++) {
		done += r.points[i].status == BENCH_OK;
		skipped += r.points[i].status == BENCH_SKIP;
	}
	if (!done && skipped)
		return EXIT_SKIP;
	return 0;
}
