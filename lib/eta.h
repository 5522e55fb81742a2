/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eta.h - how long a run will take: a model before it starts, learned
 * from its own rounds as it goes, and the trials that fit a --budget.
 *
 * The model (eta_model()) adds, per data point, the proof pass (each mode
 * once, plus the benchmark's own .time.proof_s, e.g. ksmd's settling
 * scans) and per trial its timed windows, the harness's cost around each
 * window and round (mode_enter, counters, workers' start and stop, the
 * save after every trial) and the benchmark's .time.round_s (e.g.
 * collapse's regions put back to 4K pages); plus a start and an end
 * (idle baseline, final save and table).  The constants were measured on
 * a 2-vCPU KVM guest (README "Time"); a machine where they differ is
 * caught by learning: at each progress line eta_progress() scales the
 * model's rest of trials by measured / modelled time of the trials so
 * far (the first round's one-time setups taken out), and the proof part
 * by that of the proof passes so far.
 */
#ifndef GUPSYNC_ETA_H
#define GUPSYNC_ETA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct run;

#define ETA_START_S 0.35	/* sysinfo, idle baseline (0.2 s), header */

/* What the model says for a whole run of r's points with 'trials'
 * trials each: fixed = start + end, proof = all proof passes, per_trial
 * = one trial of every point (a round). */
struct eta_model {
	double fixed_s, proof_s, per_trial_s;
	uint64_t trials;	/* the run's */
	unsigned figures;	/* what `gupsync plot` will draw, about */
};

/* One figure of `gupsync plot` (gnuplot, PNG + SVG), in seconds: 36 of
 * collapse took 2.8 s on the 2-vCPU KVM guest, 28 of tlb-shootdown 3.3. */
#define ETA_FIGURE_S 0.09

void eta_model(const struct run *r, struct eta_model *m);
static inline double eta_model_total(const struct eta_model *m, uint64_t trials)
{
	return m->fixed_s + m->proof_s + (double)trials * m->per_trial_s;
}

/* Modelled seconds of one trial / the proof pass of point i. */
double eta_point_trial_s(const struct run *r, size_t i);
double eta_point_proof_s(const struct run *r, size_t i);

/* Learning: call when trials are about to start (after the header), and
 * after each trial / proof pass of point i. */
void eta_begin(struct run *r);
void eta_trial_done(struct run *r, size_t i);
void eta_proof_done(struct run *r, size_t i);
/* Seconds still to go: the model's rest of trials scaled by the pace
 * learned so far (eta_progress(); 1 before any), the rest of proof
 * passes by the pace of those run, plus the end. */
double eta_left_s(const struct run *r);
/* At a progress line (each round, or each point): learn the pace of the
 * trials so far (measured / modelled seconds, proof passes apart, the
 * first round's one-time point setups at the model's rate), then
 * eta_left_s(). */
double eta_progress(struct run *r);
/* Seconds as a progress line says them: "7.5", "42". */
const char *eta_str(double s, char *buf, size_t len);

/*
 * Fit r to a budget of budget_s seconds (the whole run): fewer trials,
 * down to need (the fewest its statistics can use), then shorter warm-ups
 * and windows, down to a third of what was asked (at least 50 ms).
 * r->budget says what was asked and what that would take.
 */
void eta_fit(struct run *r, double budget_s, uint64_t need);
/* "# budget ..." on f and meta.json "budget": what eta_fit() chose. */
void eta_budget_note(struct run *r, FILE *f);

#endif
