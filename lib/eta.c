// SPDX-License-Identifier: GPL-2.0
/* eta.c - see eta.h. */
#include <math.h>

#include "eta.h"
#include "run.h"
#include "workers.h"

/* The harness's own costs, measured on the 2-vCPU KVM guest from
 * meta.json time_s of default runs (README "Time"). */
#define ETA_END_S 0.3		/* the final save and the table */
#define ETA_WINDOW_S 0.012	/* around one window: mode_enter, counters */
#define ETA_ROUND_S 0.04	/* a point's round: workers, save */

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

void eta_model(const struct run *r, struct eta_model *m)
{
	*m = (struct eta_model){ .fixed_s = ETA_START_S + ETA_END_S };
	for (size_t i = 0; i < r->npoints; i++) {
		if (!live(&r->points[i]))
			continue;
		m->proof_s += eta_point_proof_s(r, i);
		m->per_trial_s += eta_point_trial_s(r, i);
	}
}

void eta_begin(struct run *r)
{
	r->eta.t0 = now_ns();
	r->eta.proof0 = r->time.proof;
	r->eta.trials_done = r->eta.proof_done = 0;
}

void eta_trial_done(struct run *r, size_t i)
{
	r->eta.trials_done += eta_point_trial_s(r, i);
}

void eta_proof_done(struct run *r, size_t i)
{
	r->eta.proof_done += eta_point_proof_s(r, i);
}

double eta_left_s(const struct run *r)
{
	double trials = 0, proof = 0, k = 1, kp = 1;
	double proof_s = (r->time.proof - r->eta.proof0) / 1e9;
	double trial_s = r->eta.t0 ? (now_ns() - r->eta.t0) / 1e9 - proof_s : 0;

	for (size_t i = 0; i < r->npoints; i++) {
		const struct run_point *rp = &r->points[i];

		if (!live(rp))
			continue;
		if (!rp->verdict[0])
			proof += eta_point_proof_s(r, i);
		if (rp->ntrials < r->trials)
			trials += (r->trials - rp->ntrials) * eta_point_trial_s(r, i);
	}
	/* Learned: this machine's pace against the model's, once seen. */
	if (r->eta.trials_done > 0 && trial_s > 0)
		k = trial_s / r->eta.trials_done;
	if (r->eta.proof_done > 0 && proof_s > 0)
		kp = proof_s / r->eta.proof_done;
	return k * trials + kp * proof + ETA_END_S;
}

uint64_t eta_fit_trials(const struct eta_model *m, double budget_s,
			uint64_t want, uint64_t need, double *need_s)
{
	double room = budget_s - m->fixed_s - m->proof_s;
	uint64_t t = m->per_trial_s > 0 && room > 0 ?
		     (uint64_t)floor(room / m->per_trial_s) : 0;

	*need_s = eta_model_total(m, want);
	if (t > want)
		t = want;
	return t < need ? need : t;
}
