// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - what a run leaves behind: meta.json (provenance) and, written
 * atomically beside it, the CSV files whose rows output_csv.c makes
 * (trials.csv, evidence.csv, samples.csv, slices.csv, summary.csv).  The
 * text on stdout is output_text.c's (header, footer) and table.c's (the
 * table).
 */
#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <time.h>

#include "output_priv.h"
#include "run.h"
#include "rundir.h"
#include "slices.h"
#include "stats.h"
#include "sysinfo.h"
#include "workers.h"

#include "version.h"	/* build/version.h, made by the Makefile */


static void iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *options_json(const struct run *r)
{
	json_t *o = json_object();
	char buf[64];

	for (size_t k = 0; k < r->opts.n; k++) {
		const struct opt_val *v = &r->opts.vals[k];
		json_t *a = json_array();

		for (size_t j = 0; j < v->n; j++) {
			opt_format(v->spec, v->v[j], buf, sizeof(buf));
			json_array_append_new(a, json_string(buf));
		}
		json_object_set_new(o, v->spec->name,
				    v->spec->list ? a : json_incref(json_array_get(a, 0)));
		if (!v->spec->list)
			json_decref(a);
	}
	return o;
}

static json_t *bench_json(const struct bench *b, unsigned nmodes)
{
	json_t *modes = json_array();

	for (unsigned m = 0; m < nmodes; m++)
		json_array_append_new(modes, json_pack("{s:s, s:s, s:b}",
			"name", b->modes[m].name, "what", b->modes[m].what,
			"proof_only", b->modes[m].proof_only));
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", b->name,
			 "summary", b->summary, "kernel_path", b->kernel_path,
			 "kind", b->kind == BENCH_LATENCY ? "latency" : "throughput",
			 "modes", modes);
}

static json_t *counters_json(const struct run *r)
{
	json_t *a = json_array();

	for (size_t c = 0; c < counters_n(r->ctr); c++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:s, s:b}",
			"spec", counter_spec(r->ctr, c),
			"name", counter_name(r->ctr, c),
			"supported", counter_ok(r->ctr, c),
			"why", counter_why(r->ctr, c),
			"in_timed_windows", !r->rc.no_counters));
	return a;
}

/* How paired modes shared a trial (slices.h). */
static json_t *pairing_json(const struct run *r)
{
	const struct bench_pair *p = &r->b->pair;

	if (!p->test)
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:I, s:s}",
		"base", r->b->modes[p->base].name,
		"test", r->b->modes[p->test].name,
		"interleave", run_slicing(r) ? "slices" : "windows",
		"slice_target_ns", (json_int_t)r->rc.slice_ns,
		"estimate", run_slicing(r) && r->b->kind == BENCH_LATENCY ?
			"per trial: ABBA slices of calls in one window of 2 x "
			"duration (each caller at least one call, the leader's "
			"until they took slice_target_ns; the mode entered between "
			"slices with every caller between calls); a slice's ns per "
			"op is its mean call time; median over adjacent slice pairs "
			"of test - base and test / base - 1; quantiles, counts and "
			"background ops per mode from its own slices; slices.csv "
			"has every slice" :
			run_slicing(r) ?
			"per trial: ABBA slices in one window of 2 x duration, "
			"clock read at slice boundaries only; median over adjacent "
			"slice pairs of test - base and test / base - 1 (robust to "
			"the slices an interrupt or preemption hits); slices.csv "
			"has every slice" :
			"per trial: one window per mode; test - base and test / base - 1 "
			"of the windows' ns per op");
}

static json_t *method_json(const struct run *r)
{
	char topo[256];
	json_t *m;

	topo_describe(r->topo, topo, sizeof(topo));
	m = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}",
		"trials", (json_int_t)r->trials,
		"duration_ns", (json_int_t)r->rc.duration_ns,
		"warmup_ns", (json_int_t)r->rc.warmup_ns,
		"mode_order", "all modes every trial; order reversed on odd trials",
		"statistic", "median over trials; 95% CI of the median by order statistics (binomial)",
		"placement", "per point: see points[].params and pus",
		"unit", r->rc.unit == 1 ? "core" : "pu",
		"topology", topo,
		"aslr", personality(0xffffffff) & ADDR_NO_RANDOMIZE ?
			"off for this process (personality ADDR_NO_RANDOMIZE)" :
			"on (--keep-aslr)");
	json_object_set_new(m, "pairing", pairing_json(r));
	return m;
}

int run_meta_init(struct run *r)
{
	json_t *args;
	FILE *f;

	iso_now(r->start, sizeof(r->start));
	r->meta = json_object();
	json_object_set_new(r->meta, "gupsync", json_pack("{s:s, s:s, s:s}",
		"version", GUPSYNC_VERSION, "command", r->cmdline,
		"start", r->start));
	json_object_set_new(r->meta, "format", json_pack("{s:i, s:i}",
		"major", RUNDIR_FORMAT_MAJOR, "minor", RUNDIR_FORMAT_MINOR));
	json_object_set_new(r->meta, "bench", bench_json(r->b, r->nmodes));
	args = json_array();
	for (int i = 0; i < r->argc; i++)
		json_array_append_new(args, json_string(r->argv[i]));
	json_object_set_new(r->meta, "argv", args);
	json_object_set_new(r->meta, "options", options_json(r));
	json_object_set_new(r->meta, "method", method_json(r));
	json_object_set_new(r->meta, "machine", sysinfo_collect());
	json_object_set_new(r->meta, "counters", counters_json(r));
	if (textbuf_open(&r->trials_csv) < 0 || textbuf_open(&r->evidence_csv) < 0 ||
	    textbuf_open(&r->samples_csv) < 0 || textbuf_open(&r->slices_csv) < 0)
		return -1;
	f = r->evidence_csv.f;
	csv_param_header(r, f);
	fputs(",mode,ops,elapsed_ns,ns_per_op", f);
	for (size_t c = 0; c < counters_n(r->ctr); c++)
		fprintf(f, ",%s_per_op", counter_name(r->ctr, c));
	for (size_t k = 0; k < BENCH_MAX_COUNTERS && r->b->counters[k]; k++)
		for (size_t c = 0; c < counters_n(r->ctr); c++)
			if (!strcmp(counter_spec(r->ctr, c), r->b->counters[k])) {
				fprintf(f, ",%s_thread_per_op", counter_name(r->ctr, c));
				break;
			}
	fputc('\n', f);
	return 0;
}

const char *run_status_name(int s)
{
	return s == BENCH_OK ? "done" : s == BENCH_SKIP ? "skipped" :
	       s == BENCH_FAIL ? "failed" : "not run";
}

static json_t *point_json(const struct run *r, size_t i)
{
	const struct run_point *rp = &r->points[i];
	json_t *params = json_object(), *pus = json_array(), *notes = json_object();
	char v[64];

	for (size_t k = 0; k < r->opts.n; k++)
		if (is_param(&r->opts.vals[k])) {
			opt_point_value(&r->opts, i, r->opts.vals[k].spec->name,
					v, sizeof(v));
			json_object_set_new(params, r->opts.vals[k].spec->name,
					    json_string(v));
		}
	for (unsigned k = 0; k < rp->rc.threads; k++)
		json_array_append_new(pus, json_integer(rp->pus[k]));
	for (const struct note *n = rp->notes; n; n = n->next)
		json_object_set_new(notes, n->key, json_string(n->val));
	return json_pack("{s:o, s:o, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:o}",
		"params", params, "pus", pus, "cpus_seen", rp->cpus_seen,
		"status", rp->status == POINT_NOT_RUN && rp->ntrials ?
		"in progress" : run_status_name(rp->status), "reason", rp->reason,
		"proof", rp->verdict, "proven", rp->proven,
		"trials_checked", (json_int_t)rp->trials_checked,
		"trials_proven", (json_int_t)rp->trials_proven,
		"trials", (json_int_t)rp->ntrials, "notes", notes);
}

static json_t *metrics_json(const struct run *r)
{
	json_t *a = json_array();

	for (size_t k = 0; k < r->ncols; k++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b}",
			"name", r->cols[k].name, "unit", r->cols[k].unit,
			"better", better_name(r->cols[k].better),
			"headline", r->cols[k].headline));
	return a;
}

int run_save(struct run *r, bool final)
{
	json_t *points;
	struct textbuf sum;
	char err[512], now[40];
	sigset_t block, old;
	uint64_t t0 = now_ns();
	int rc = 0;

	if (r->foreign)
		return -1;	/* not this gupsync's run: leave it as it was */
	points = json_array();
	json_object_set_new(r->meta, "time_s", run_time_json(r));

	/* Only this thread runs now.  A signal mid-save would leave the files
	 * of different points (each whole, but not matching): hold it off
	 * until all of them are written; the knobs handler runs right after. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &block, &old);

	/* A point in progress is listed with the trials it finished (in
	 * trials.csv too), so the two files agree after a SIGKILL. */
	for (size_t i = 0; i < r->npoints; i++)
		if (r->points[i].status != POINT_NOT_RUN || r->points[i].ntrials)
			json_array_append_new(points, point_json(r, i));
	json_object_set_new(r->meta, "points", points);
	if (r->b->kind == BENCH_LATENCY)
		json_object_set_new(r->meta, "samples_csv", json_pack(
			"{s:i, s:I, s:i, s:s}", "max_per_window", SAMPLES_PER_WINDOW,
			"max_bytes", (json_int_t)SAMPLES_CSV_MAX,
			"coarsest_stride", (int)r->samples_stride_max,
			"rule", "every stride-th sample of a window; the stride keeps "
			"each window within its share of max_bytes"));
	json_object_set_new(r->meta, "metrics", metrics_json(r));
	iso_now(now, sizeof(now));
	json_object_set_new(json_object_get(r->meta, "gupsync"),
			    final ? "end" : "last_update", json_string(now));
	/* Written from the start of a run: "running" until the end, so a
	 * directory a SIGKILL left behind says so and --resume can use it. */
	json_object_set_new(r->meta, "status",
			    json_string(final ? "complete" : "running"));
	if (textbuf_open(&sum) < 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	summary_csv(r, &sum);
	if (results_write_json(r->dir, "meta.json", r->meta, err, sizeof(err)) < 0 ||
	    textbuf_flush_to(&r->trials_csv, r->dir, "trials.csv", err, sizeof(err)) < 0 ||
	    textbuf_flush_to(&r->evidence_csv, r->dir, "evidence.csv", err, sizeof(err)) < 0 ||
	    textbuf_flush_to(&sum, r->dir, "summary.csv", err, sizeof(err)) < 0 ||
	    (r->b->kind == BENCH_LATENCY &&
	     textbuf_flush_to(&r->samples_csv, r->dir, "samples.csv", err, sizeof(err)) < 0) ||
	    (run_slicing(r) &&
	     textbuf_flush_to(&r->slices_csv, r->dir, "slices.csv", err, sizeof(err)) < 0)) {
		fprintf(stderr, "gupsync: writing results: %s\n", err);
		rc = -1;
	}
	textbuf_close(&sum);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	r->time.save += now_ns() - t0;
	return rc;
}

/*
 * Whether meta.json (of a run to resume) is this benchmark's - its name,
 * kind and modes - and has the options its argv gives.  Texts (what a
 * mode does, the kernel path) and options a newer gupsync added are not
 * compared: a run from before them still resumes.
 */
static bool same_bench(const json_t *a, const json_t *b)
{
	static const char *const keys[] = { "name", "kind", NULL };
	const json_t *ma = json_object_get(a, "modes"), *mb = json_object_get(b, "modes");
	size_t i;
	json_t *m;

	for (int k = 0; keys[k]; k++)
		if (!json_equal(json_object_get(a, keys[k]), json_object_get(b, keys[k])))
			return false;
	if (json_array_size(ma) != json_array_size(mb))
		return false;
	json_array_foreach(ma, i, m)
		if (!json_equal(json_object_get(m, "name"),
				json_object_get(json_array_get(mb, i), "name")))
			return false;
	return true;
}

int run_meta_matches(const struct run *r, const json_t *meta, char *err,
		     size_t len)
{
	json_t *b = bench_json(r->b, r->nmodes), *o = options_json(r), *v;
	const json_t *mo = json_object_get(meta, "options");
	bool same_b = same_bench(b, json_object_get(meta, "bench"));
	bool same_o = json_is_object(mo);
	const char *key;

	json_object_foreach((json_t *)mo, key, v)
		if (json_object_get(o, key) && !json_equal(json_object_get(o, key), v))
			same_o = false;
	json_decref(b);
	json_decref(o);
	if (!same_b)
		snprintf(err, len, "meta.json's bench is not %s as this gupsync "
			 "describes it (its name, kind or modes edited?)", r->b->name);
	else if (!same_o)
		snprintf(err, len, "meta.json's options are not what its argv "
			 "gives %s (edited?)", r->b->name);
	return same_b && same_o ? 0 : -1;
}
