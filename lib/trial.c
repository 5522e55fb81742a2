// SPDX-License-Identifier: GPL-2.0
/* trial.c - measure one data point: setup, proof pass, trials. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eta.h"
#include "proof.h"
#include "run.h"
#include "slices.h"
#include "stats.h"
#include "workers.h"

/* Add the time since t0 to *acc (none if acc is NULL); returns now. */
static uint64_t time_add(uint64_t *acc, uint64_t t0)
{
	uint64_t t = now_ns();

	if (acc)
		*acc += t - t0;
	return t;
}

/* A timed window since t0: its first warmup_ns are warm-up. */
static void time_window(struct run *r, uint64_t t0, uint64_t warmup_ns)
{
	uint64_t d = now_ns() - t0, w = warmup_ns < d ? warmup_ns : d;

	r->time.warmup += w;
	r->time.windows += d - w;
}

json_t *run_time_json(const struct run *r)
{
	const struct run_time *t = &r->time;
	uint64_t total = t->start ? now_ns() - t->start : 0;
	uint64_t sum = t->setup + t->warmup + t->windows + t->proof + t->save;

	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:s}",
		"total", total / 1e9, "setup", t->setup / 1e9,
		"warmup", t->warmup / 1e9, "windows", t->windows / 1e9,
		"proof", t->proof / 1e9, "save", t->save / 1e9,
		"other", (total > sum ? total - sum : 0) / 1e9,
		"scope", "this process (a resumed run counts from its resume); "
		"save excludes the last write; plots are made after the run");
}

static void progress(struct run *r, size_t i)
{
	char label[256], left[16];

	if (r->rc.quiet)
		return;
	run_point_label(r, i, label, sizeof(label));
	fprintf(stderr, "gupsync: %s [%zu/%zu] %s (about %s s left)\n",
		r->b->name, i + 1, r->npoints, label,
		eta_str(eta_progress(r), left, sizeof(left)));
}

static double per_op(const struct run *r, const struct mode_result *res,
		     size_t c, bool counted)
{
	if (!counted || !counter_ok(r->ctr, c) || !res->ops)
		return NAN;
	return (double)res->delta[c] / res->ops;
}

/* Append metric "<mode>_<what>" to out[*n]. */
static void add(struct metric *out, size_t *n, const char *mode,
		const char *what, const char *unit, enum better better, double v)
{
	static char names[BENCH_MAX_METRICS][128]; /* stable storage for names */

	if (*n >= BENCH_MAX_METRICS)
		return;
	snprintf(names[*n], sizeof(names[*n]), "%s_%s", mode, what);
	out[*n] = (struct metric){ names[*n], unit, better, false, v };
	(*n)++;
}

/* The metrics of one trial: per mode, then the bench's derived ones. */
static size_t trial_metrics(const struct run *r, struct point *pt,
			    const struct mode_result *res, struct metric *out)
{
	char name[64], m_[48];
	const char *mode = m_;
	size_t n = 0;

	for (unsigned m = 0; m < r->nmodes; m++) {
		const struct mode_result *x = &res[m];

		if (r->b->modes[m].proof_only)
			continue;
		snprintf(m_, sizeof(m_), "%s", r->b->modes[m].name);
		for (char *p = m_; *p; p++)
			if (*p == '-')
				*p = '_';
		add(out, &n, mode, "ops_per_s", "ops/s", BETTER_HIGHER, x->ops_per_s);
		add(out, &n, mode, "ns_per_op", "ns", BETTER_LOWER, x->ns_per_op);
		if (r->b->kind == BENCH_LATENCY) {
			add(out, &n, mode, "p50_ns", "ns", BETTER_LOWER, x->lat_p50_ns);
			add(out, &n, mode, "p90_ns", "ns", BETTER_LOWER, x->lat_p90_ns);
			add(out, &n, mode, "p99_ns", "ns", BETTER_LOWER, x->lat_p99_ns);
			add(out, &n, mode, "max_ns", "ns", BETTER_LOWER, x->lat_max_ns);
		}
		/* What else ran: a busy machine or host shows here. */
		add(out, &n, mode, "other_cpus", "CPUs", BETTER_NONE, x->other_cpus);
		add(out, &n, mode, "steal_cpus", "CPUs", BETTER_NONE, x->steal_cpus);
		if (r->b->driven_kthreads[0])
			add(out, &n, mode, "driven_cpus", "CPUs", BETTER_NONE,
			    x->driven_cpus);
		if (r->b->bg_loop)
			add(out, &n, mode, "bg_ops_per_s", "ops/s", BETTER_HIGHER,
			    pt->nbg ? x->bg_ops_per_s : NAN);
		for (size_t c = 0; c < counters_n(r->ctr); c++) {
			snprintf(name, sizeof(name), "%s_per_op",
				 counter_name(r->ctr, c));
			add(out, &n, mode, name, "1", BETTER_NONE,
			    per_op(r, x, c, !r->rc.no_counters));
		}
	}
	if (r->b->derive && n + r->b->nmetrics <= BENCH_MAX_METRICS) {
		double val[BENCH_MAX_METRICS];

		for (size_t k = 0; k < r->b->nmetrics; k++)
			val[k] = NAN;
		r->b->derive(pt, res, val);
		for (size_t k = 0; k < r->b->nmetrics; k++) {
			const struct metric_spec *s = &r->b->metrics[k];

			out[n++] = (struct metric){ s->name, s->unit, s->better,
						    s->headline, val[k] };
		}
	}
	return n;
}

static int store_trial(struct run *r, struct run_point *rp,
		       const struct metric *m, size_t n, char *err, size_t len)
{
	if (!r->ncols) {
		for (size_t k = 0; k < n; k++) {
			struct col *c = &r->cols[k];

			snprintf(c->name, sizeof(c->name), "%s", m[k].name);
			snprintf(c->unit, sizeof(c->unit), "%s", m[k].unit);
			c->better = m[k].better;
			c->headline = m[k].headline;
		}
		r->ncols = n;
	}
	for (size_t k = 0; k < n || k < r->ncols; k++) {
		const char *have = k < n ? m[k].name : "(none)";
		const char *want = k < r->ncols ? r->cols[k].name : "(none)";

		if (k < n && k < r->ncols && !strcmp(have, want))
			continue;
		/* Only a resume can meet this: meta.json's metrics came from
		 * the gupsync (or the machine: counters) that started the run.
		 * Nothing is written back. */
		r->foreign = true;
		snprintf(err, len, "this gupsync gives %zu metrics, the run's "
			 "meta.json lists %zu; metric %zu is %s here, %s there: the "
			 "run was started by another gupsync or on a machine with "
			 "other counters; resume it there, or start a new run "
			 "(nothing was written)", n, r->ncols, k + 1, have, want);
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		rp->vals[rp->ntrials * r->ncols + k] = m[k].value;
	rp->ntrials++;
	return 0;
}

/* p50/p90/p99/max of mode m's samples s[0..ns) into res; samples.csv
 * first (t >= 0), as the selection reorders s, which is freed. */
static void latency_quantiles(struct run *r, unsigned m, int64_t t, double *s,
			      size_t ns, struct mode_result *res)
{
	static const double q[] = { 0.5, 0.9, 0.99, 1.0 };
	double v[4];
	bool ok;

	if (t >= 0)
		run_samples_rows(r, r->cur, m, t, s, ns);
	ok = ns && stats_quantiles_select(s, ns, q, 4, v) == 0;
	res->lat_p50_ns = ok ? v[0] : NAN;
	res->lat_p90_ns = ok ? v[1] : NAN;
	res->lat_p99_ns = ok ? v[2] : NAN;
	res->lat_max_ns = ok ? v[3] : NAN;
	free(s);
}

/* One window of mode m; t is the trial (-1 in the proof pass). */
static int window(struct run *r, struct point *pt, struct pool *pool,
		  unsigned m, int64_t t, struct mode_result *res, char *err,
		  size_t len)
{
	double *s = NULL;
	size_t ns = 0;
	bool lat = r->b->kind == BENCH_LATENCY;
	bool counted = t < 0 || !r->rc.no_counters;
	uint64_t t0 = now_ns();
	int rc;

	if (r->b->mode_enter && (rc = r->b->mode_enter(pt, m)) != BENCH_OK) {
		snprintf(err, len, "%s: preparing mode %s: %s", r->b->name,
			 r->b->modes[m].name, pt->skip_reason);
		return rc;	/* BENCH_SKIP: the point is skipped */
	}
	t0 = time_add(t >= 0 ? &r->time.setup : NULL, t0);
	if (pool_window(pool, m, r->rc.warmup_ns, r->rc.duration_ns,
			counted ? r->ctr : NULL, t < 0 ? pt->tctr : NULL, res, lat ? &s : NULL, &ns, err,
			len) < 0)
		return -1;
	if (t >= 0)
		time_window(r, t0, r->rc.warmup_ns);
	if (lat)
		latency_quantiles(r, m, t, s, ns, res);
	return 0;
}

bool run_slicing(const struct run *r)
{
	return r->rc.interleave == INTERLEAVE_SLICES && r->b->pair.test;
}

/* The pair's two modes in one window of twice --duration, alternating in
 * slices; trial t's parity flips ABBA to BAAB.  Throughput: both modes
 * entered before it (they must hold at once).  Latency: the leader worker
 * enters each slice's mode itself, with every caller between calls. */
static int pair_window(struct run *r, struct point *pt, struct pool *pool,
		       uint64_t t, struct mode_result *res, char *err,
		       size_t len)
{
	struct bench_pair pr = r->b->pair;
	struct pair_info info;
	bool lat = r->b->kind == BENCH_LATENCY;
	uint64_t t0 = now_ns();
	int rc;

	for (unsigned k = 0; k < 2 && r->b->mode_enter && !lat; k++) {
		unsigned m = k ? pr.test : pr.base;

		if ((rc = r->b->mode_enter(pt, m)) != BENCH_OK) {
			snprintf(err, len, "%s: preparing mode %s: %s", r->b->name,
				 r->b->modes[m].name, pt->skip_reason);
			return rc;
		}
	}
	t0 = time_add(&r->time.setup, t0);
	if (pool_pair_window(pool, pr, t % 2, r->rc.slice_ns, r->rc.warmup_ns,
			     2 * r->rc.duration_ns,
			     r->rc.no_counters ? NULL : r->ctr, res, &info, err,
			     len) < 0)
		return -1;
	time_window(r, t0, r->rc.warmup_ns);
	run_slices_rows(r, r->cur, t, info.sums, info.nk);
	/* The same at every point (said once; slices.csv has the counts). */
	/* Latency slices are the header's pairing line; said only when some
	 * were not recorded. */
	if (t == 0 && lat && info.dropped)
		point_note(pt, "slices", "some slices not recorded (slices.csv "
			   "has those that were)");
	else if (t == 0 && !lat)
		point_note(pt, "slices", "%llu leader ops a slice, %zu pairs "
			   "in trial 0%s",
			   (unsigned long long)info.slice_ops,
			   res[pr.test].pair_n,
			   info.dropped ? "; some slices not recorded" : "");
	for (unsigned k = 0; k < 2 && lat; k++) {
		unsigned m = k ? pr.test : pr.base;

		latency_quantiles(r, m, (int64_t)t, info.samples[k],
				  info.nsamples[k], &res[m]);
	}
	free(info.sums);
	return 0;
}

/* The bench's own counters, on the measured workers' threads only. */
static struct counters *thread_counters(const struct run *r, struct pool *pool)
{
	int tids[PLACE_MAX_CPUS];
	size_t nt = pool_tids(pool, tids, PLACE_MAX_CPUS), nc = 0;

	while (nc < BENCH_MAX_COUNTERS && r->b->counters[nc])
		nc++;
	return nc ? counters_open_threads(r->b->counters, nc, tids, nt) : NULL;
}

static int proof_pass(struct run *r, struct point *pt, struct pool *pool,
		      size_t i, char *err, size_t len)
{
	struct mode_result res[BENCH_MAX_MODES];
	struct run_point *rp = &r->points[i];
	uint64_t t0 = now_ns();
	int rc = 0;

	pt->tctr = thread_counters(r, pool);
	for (unsigned m = 0; m < r->nmodes && rc == 0; m++) {
		rc = window(r, pt, pool, m, -1, &res[m], err, len);
		if (rc == 0)
			run_evidence_row(r, i, m, &res[m], pt->tctr);
	}
	if (rc == 0 && r->b->verify) {
		rp->proven = r->b->verify(pt, res, rp->verdict, sizeof(rp->verdict));
		proof_no_nan(rp->verdict);
	}
	if (rc == 0) {
		memcpy(rp->proof_res, res, sizeof(res));
		rp->have_proof_res = true;
	}
	else if (rc == 0)
		snprintf(rp->verdict, sizeof(rp->verdict),
			 "no proof defined for %s", r->b->name);
	counters_close(pt->tctr);
	pt->tctr = NULL;
	time_add(&r->time.proof, t0);
	eta_proof_done(r, i);
	return rc;
}

/* Judge a trial as the proof pass was judged (verify_each_trial). */
static void verify_trial(const struct run *r, struct point *pt,
			 struct run_point *rp, const struct mode_result *res)
{
	struct mode_result x[BENCH_MAX_MODES];
	char verdict[PROOF_VERDICT_LEN];

	if (!r->b->verify || !r->b->verify_each_trial || !rp->have_proof_res ||
	    r->rc.no_counters)
		return;
	for (unsigned m = 0; m < r->nmodes; m++)
		x[m] = r->b->modes[m].proof_only ? rp->proof_res[m] : res[m];
	rp->trials_checked++;
	rp->trials_proven += r->b->verify(pt, x, verdict, sizeof(verdict));
	proof_no_nan(verdict);
}

/* Trials rp->ntrials .. upto-1 of point i. */
static int trials(struct run *r, struct point *pt, struct pool *pool,
		  size_t i, uint64_t upto, char *err, size_t len)
{
	struct run_point *rp = &r->points[i];
	struct mode_result res[BENCH_MAX_MODES];
	struct metric m[BENCH_MAX_METRICS];

	if (!rp->vals)
		rp->vals = calloc(r->trials * BENCH_MAX_METRICS, sizeof(double));
	if (!rp->vals) {
		snprintf(err, len, "out of memory for %llu trials",
			 (unsigned long long)r->trials);
		return -1;
	}
	for (uint64_t t = rp->ntrials; t < upto; t++) {
		memset(res, 0, sizeof(res));
		for (unsigned k = 0; k < r->nmodes; k++) {
			/* A B, B A, ...: drift must not favour one mode. */
			unsigned mode = t % 2 ? r->nmodes - 1 - k : k;
			bool sliced = run_slicing(r) &&
				      (mode == r->b->pair.base || mode == r->b->pair.test);
			int rc = 0;

			if (r->b->modes[mode].proof_only ||
			    (sliced && mode == r->b->pair.test))
				continue;	/* the pair's window has it */
			if (sliced)
				rc = pair_window(r, pt, pool, t, res, err, len);
			else
				rc = window(r, pt, pool, mode, t, &res[mode], err, len);
			if (rc < 0)
				return rc;
		}
		pool_cpus_seen(pool, rp->cpus_seen, sizeof(rp->cpus_seen));
		verify_trial(r, pt, rp, res);
		if (store_trial(r, rp, m, trial_metrics(r, pt, res, m), err, len) < 0)
			return -1;
		run_trial_row(r, i, t);
		eta_trial_done(r, i);
		/* Each finished trial reaches the disk: a SIGKILL loses at
		 * most the trial in progress, and --resume starts there. */
		if (run_save(r, false) < 0) {
			snprintf(err, len, "saving trial %llu failed",
				 (unsigned long long)t);
			return -1;
		}
	}
	return 0;
}

int run_point(struct run *r, size_t i, uint64_t upto)
{
	const struct bench *b = r->b;
	struct run_point *rp = &r->points[i];
	struct point pt = {
		.bench = b, .conf = rp->conf, .nthreads = rp->rc.threads,
		.nbg = rp->rc.bg_threads, .pus = rp->pus, .ctr = r->ctr,
	};
	struct pool *pool = NULL;
	char err[512] = "";
	uint64_t t0 = now_ns();
	int rc;

	r->cur = i;
	if (r->rc.order == 0)
		progress(r, i);
	pt.priv = calloc(1, b->priv_size ? b->priv_size : 1);
	rc = pt.priv ? BENCH_OK : BENCH_FAIL;
	if (rc == BENCH_OK && b->setup)
		rc = b->setup(&pt);
	if (rc == BENCH_OK) {
		rc = pool_start(&pt, &pool, err, sizeof(err));
		r->time.point_setup += now_ns() - t0;
		time_add(&r->time.setup, t0);
		if (rc == BENCH_OK && !rp->verdict[0])
			rc = proof_pass(r, &pt, pool, i, err, sizeof(err));
		if (rc == BENCH_OK)
			rc = trials(r, &pt, pool, i, upto, err, sizeof(err));
		t0 = now_ns();
		pool_stop(pool);
		if (b->teardown)
			b->teardown(&pt);
	}
	time_add(&r->time.setup, t0);
	rp->status = rc;
	if (!rp->notes)
		rp->notes = pt.notes;	/* keep the first round's */
	snprintf(rp->reason, sizeof(rp->reason), "%s",
		 rc == BENCH_SKIP || !err[0] ? pt.skip_reason : err);
	if (rc == BENCH_FAIL)
		fprintf(stderr, "gupsync: %s: %s\n", b->name,
			err[0] ? err : pt.skip_reason);
	free(pt.priv);
	if (rc != BENCH_OK || rp->ntrials == r->trials)
		run_point_done(r, i);
	return rc;
}
