// SPDX-License-Identifier: GPL-2.0
/* eta.c - see eta.h. */
#include <math.h>

#include "eta.h"
#include "run.h"
#include "text.h"
#include "workers.h"

/* The harness's own costs, measured on the 2-vCPU KVM guest from
 * meta.json time_s of default runs (README "Time"). */
#define ETA_END_S 0.1		/* the final save and the table */
#define ETA_WINDOW_S 0.006	/* around one window: mode_enter, counters */
#define ETA_ROUND_S 0.025	/* a point's round: workers, save */

static double win_s(const struct run_point *rp)
{
	return (rp->rc.warmup_ns + rp->rc.duration_ns) / 1e9;
}

double eta_point_trial_s(const struct run *r, size_t i)
{
	const struct run_point *rp = &r->points[i];
	double w = win_s(rp), windows;
	unsigned n = r->nmeasured;

	/* A paired window is one warm-up and two durations. */
	if (run_slicing(r)) {
		windows = (n - 2) * w + (rp->rc.warmup_ns + 2 * rp->rc.duration_ns) / 1e9;
		n--;
	} else {
		windows = n * w;
	}
	return windows + n * ETA_WINDOW_S + ETA_ROUND_S + r->b->time.round_s;
}

double eta_point_proof_s(const struct run *r, size_t i)
{
	return r->nmodes * (win_s(&r->points[i]) + ETA_WINDOW_S) +
	       r->b->time.proof_s;
}

static bool live(const struct run_point *rp)
{
	return rp->status != BENCH_SKIP && rp->status != BENCH_FAIL;
}

/* Figures: one per metric with a better direction (per mode: ops/s, ns
 * per op, the latency quantiles, the background's ops/s; the
 * benchmark's own), a latency CDF per point, two of IPIs (cmd/plot.c). */
static unsigned figures(const struct run *r, size_t live_points, bool bg)
{
	bool lat = r->b->kind == BENCH_LATENCY;
	unsigned n = r->nmeasured * (2 + (lat ? 4 : 0) + bg) + 2;

	for (size_t k = 0; k < r->b->nmetrics; k++)
		n += r->b->metrics[k].better != BETTER_NONE;
	return n + (lat ? live_points : 0);
}

void eta_model(const struct run *r, struct eta_model *m)
{
	size_t n = 0;
	bool bg = false;

	*m = (struct eta_model){ .fixed_s = ETA_START_S + ETA_END_S,
				 .trials = r->trials };
	for (size_t i = 0; i < r->npoints; i++) {
		if (!live(&r->points[i]))
			continue;
		m->proof_s += eta_point_proof_s(r, i);
		m->per_trial_s += eta_point_trial_s(r, i);
		bg |= r->points[i].rc.bg_threads > 0;
		n++;
	}
	m->figures = n ? figures(r, n, bg) : 0;
}

void eta_begin(struct run *r)
{
	r->eta = (struct run_eta){ .t0 = now_ns(), .proof0 = r->time.proof,
				   .setup0 = r->time.point_setup };
}

void eta_trial_done(struct run *r, size_t i)
{
	r->eta.trials_done += eta_point_trial_s(r, i);
}

void eta_proof_done(struct run *r, size_t i)
{
	r->eta.proof_done += eta_point_proof_s(r, i);
}

/* The model's rest: trials and proof passes not yet run. */
static void model_rest(const struct run *r, double *trials, double *proof)
{
	*trials = *proof = 0;
	for (size_t i = 0; i < r->npoints; i++) {
		const struct run_point *rp = &r->points[i];

		if (!live(rp))
			continue;
		if (!rp->verdict[0])
			*proof += eta_point_proof_s(r, i);
		if (rp->ntrials < r->trials)
			*trials += (r->trials - rp->ntrials) * eta_point_trial_s(r, i);
	}
}

double eta_left_s(const struct run *r)
{
	double trials, proof, kp = 1;
	double proof_s = (r->time.proof - r->eta.proof0) / 1e9;

	model_rest(r, &trials, &proof);
	if (r->eta.proof_done > 0 && proof_s > 0)
		kp = proof_s / r->eta.proof_done;
	/* Learned: this machine's pace against the model's, once seen. */
	double k = r->eta.sum_model > 0 ? r->eta.sum_took / r->eta.sum_model : 1;

	return k * trials + kp * proof + ETA_END_S;
}

const char *eta_str(double s, char *buf, size_t len)
{
	snprintf(buf, len, s < 10 ? "%.1f" : "%.0f", s);
	return buf;
}

/* The model's point setups in the trials run so far (one per point and
 * round, in ETA_ROUND_S). */
static double model_setup(const struct run *r)
{
	double n = 0;

	for (size_t i = 0; i < r->npoints; i++)
		n += r->points[i].ntrials;
	return n * ETA_ROUND_S;
}

double eta_progress(struct run *r)
{
	struct run_eta *e = &r->eta;
	uint64_t now = now_ns();
	double model = e->trials_done - e->mark_trials;
	double took = (now - (e->mark_t ? e->mark_t : e->t0)) / 1e9 -
		      (r->time.proof - (e->mark_t ? e->mark_proof : e->proof0)) / 1e9;

	/* The pace of the trials at the progress lines so far (each a round
	 * or a point): what this machine does.  The first interval also
	 * holds one-time costs: each point's first setup (collapse's
	 * regions first populated - 17 s of a 36 s run in a TCG guest,
	 * where later rounds reuse them): it counts at the model's rate,
	 * not at what it took. */
	if (!(e->sum_model > 0) && model > 0)
		took -= (r->time.point_setup - e->setup0) / 1e9 -
			model_setup(r);
	if (e->t0 && model > 0 && took > 0) {
		e->sum_took += took;
		e->sum_model += model;
	}
	e->mark_t = now;
	e->mark_proof = r->time.proof;
	e->mark_trials = e->trials_done;
	return eta_left_s(r);
}

static void set_windows(struct run *r, uint64_t d, uint64_t w)
{
	r->rc.duration_ns = d;
	r->rc.warmup_ns = w;
	for (size_t i = 0; i < r->npoints; i++) {
		r->points[i].rc.trials = r->trials;
		r->points[i].rc.duration_ns = d;
		r->points[i].rc.warmup_ns = w;
	}
}

static double model_total(const struct run *r)
{
	struct eta_model m;

	eta_model(r, &m);
	return eta_model_total(&m, r->trials);
}

#define ETA_MIN_WINDOW_NS 50000000ull

void eta_fit(struct run *r, double budget_s, uint64_t need)
{
	uint64_t d0 = r->rc.duration_ns, w0 = r->rc.warmup_ns, dmin = d0 / 3;
	struct eta_model m;
	double room;

	r->budget = (struct run_budget){ r->trials, d0, w0, model_total(r) };
	if (need > r->trials)
		need = r->trials;
	eta_model(r, &m);
	room = budget_s - m.fixed_s - m.proof_s;
	r->trials = m.per_trial_s > 0 && room > 0 ?
		    (uint64_t)floor(room / m.per_trial_s) : 0;
	r->trials = r->trials > r->budget.want ? r->budget.want :
		    r->trials < need ? need : r->trials;
	set_windows(r, d0, w0);
	/* Then shorter windows, 10% at a time. */
	if (dmin < ETA_MIN_WINDOW_NS)
		dmin = d0 < ETA_MIN_WINDOW_NS ? d0 : ETA_MIN_WINDOW_NS;
	for (double f = 0.9; model_total(r) > budget_s; f *= 0.9) {
		uint64_t d = (uint64_t)(d0 * f);

		if (d < dmin)
			break;
		set_windows(r, d, (uint64_t)(w0 * f));
	}
}

void eta_budget_note(struct run *r, FILE *f)
{
	double est = model_total(r), budget = r->rc.budget_ns / 1e9;
	bool shorter = r->rc.duration_ns != r->budget.duration_ns;
	char line[640], win[160] = "";

	if (!r->budget.want)
		return;
	if (shorter)
		snprintf(win, sizeof(win), ", windows of %.0f ms (+%.0f ms "
			 "warm-up) instead of %.0f (+%.0f)",
			 r->rc.duration_ns / 1e6, r->rc.warmup_ns / 1e6,
			 r->budget.duration_ns / 1e6, r->budget.warmup_ns / 1e6);
	if (r->trials == r->budget.want && !shorter)
		snprintf(line, sizeof(line), "budget %.0f s: all %llu trials "
			 "fit (about %.0f s)", budget,
			 (unsigned long long)r->trials, est);
	else
		snprintf(line, sizeof(line), "budget %.0f s: %llu trials per "
			 "point%s, about %.0f s; as asked (%llu trials) about "
			 "%.0f s%s", budget, (unsigned long long)r->trials, win,
			 est, (unsigned long long)r->budget.want,
			 r->budget.want_s, est > budget * 1.05 ?
			 "; WARNING: the budget is too short for 6 trials (a 95% "
			 "CI of the median needs them) of windows a third as "
			 "long as asked: the run takes longer" : "");
	fputs("# ", f);
	text_wrap(f, 2, "#   ", TEXT_WIDTH, line);
	if (r->meta)
		json_object_set_new(r->meta, "budget", json_pack(
			"{s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f}",
			"budget_s", budget, "trials", (json_int_t)r->trials,
			"duration_ns", (json_int_t)r->rc.duration_ns,
			"warmup_ns", (json_int_t)r->rc.warmup_ns,
			"asked_trials", (json_int_t)r->budget.want,
			"asked_duration_ns", (json_int_t)r->budget.duration_ns,
			"asked_warmup_ns", (json_int_t)r->budget.warmup_ns,
			"estimate_s", est, "asked_estimate_s", r->budget.want_s));
}
