// SPDX-License-Identifier: GPL-2.0
/*
 * output_csv.c - the CSV files of a run directory (output.c writes them out
 * atomically with meta.json): trials.csv (one row per trial and data
 * point), evidence.csv (the proof pass: per-op counts per mode),
 * samples.csv (latency samples, strided to fit), slices.csv and
 * summary.csv (statistics per metric and point).  Every row starts with
 * the point's parameters.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output_priv.h"
#include "run.h"
#include "rundir.h"
#include "slices.h"
#include "stats.h"
#include "workers.h"

void csv_param_header(const struct run *r, FILE *f)
{
	int first = 1;

	for (size_t k = 0; k < r->opts.n; k++)
		if (is_param(&r->opts.vals[k])) {
			csv_field(f, r->opts.vals[k].spec->name, first);
			first = 0;
		}
}

void csv_params(const struct run *r, FILE *f, size_t i)
{
	char v[64];
	int first = 1;

	for (size_t k = 0; k < r->opts.n; k++)
		if (is_param(&r->opts.vals[k])) {
			opt_point_value(&r->opts, i, r->opts.vals[k].spec->name,
					v, sizeof(v));
			csv_field(f, v, first);
			first = 0;
		}
}

void run_evidence_row(struct run *r, size_t i, unsigned mode,
		      const struct mode_result *res, struct counters *tctr)
{
	FILE *f = r->evidence_csv.f;

	csv_params(r, f, i);
	fprintf(f, ",%s,%llu,%llu,", r->b->modes[mode].name,
		(unsigned long long)res->ops, (unsigned long long)res->elapsed_ns);
	csv_num(f, res->ns_per_op);
	for (size_t c = 0; c < counters_n(r->ctr); c++) {
		fputc(',', f);
		csv_num(f, counter_ok(r->ctr, c) && res->ops ?
			   (double)res->delta[c] / res->ops : NAN);
	}
	/* Per-thread counts of the bench's own counters (the proof's). */
	for (size_t k = 0; k < BENCH_MAX_COUNTERS && r->b->counters[k]; k++) {
		fputc(',', f);
		csv_num(f, tctr && counter_ok(tctr, k) && res->ops ?
			   (double)res->tdelta[k] / res->ops : NAN);
	}
	fputc('\n', f);
}

void run_samples_rows(struct run *r, size_t i, unsigned mode, uint64_t t,
		      const double *s, size_t n)
{
	FILE *f = r->samples_csv.f;
	/* Each window gets an equal share of SAMPLES_CSV_MAX (rows measured
	 * by the first one written), at most SAMPLES_PER_WINDOW: an evenly
	 * strided subsample, so its CDF stays the window's. */
	uint64_t windows = (uint64_t)r->npoints * r->trials * r->nmeasured;
	size_t cap = SAMPLES_PER_WINDOW, stride;
	long start;

	if (!ftell(f)) {
		csv_param_header(r, f);
		fputs(",mode,trial,sample,latency_ns\n", f);
	}
	if (r->samples_row_bytes && windows)
		cap = (size_t)(SAMPLES_CSV_MAX / r->samples_row_bytes / windows);
	cap = cap > SAMPLES_PER_WINDOW ? SAMPLES_PER_WINDOW : cap ? cap : 1;
	stride = n > cap ? (n + cap - 1) / cap : 1;
	if (stride > r->samples_stride_max)
		r->samples_stride_max = stride;
	/* The row's fixed part (parameters, mode, trial) once per window:
	 * formatting it per row was most of a latency run's time outside
	 * its windows. */
	{
		char *head = NULL;
		size_t hlen = 0;
		FILE *m = open_memstream(&head, &hlen);

		if (!m)
			return;
		csv_params(r, m, i);
		fprintf(m, ",%s,%llu,", r->b->modes[mode].name,
			(unsigned long long)t);
		fclose(m);
		start = ftell(f);
		for (size_t k = 0; k < n; k += stride) {
			fputs(head, f);
			fprintf(f, "%zu,%.0f\n", k, s[k]);
			if (!r->samples_row_bytes && ftell(f) > start) /* the first row */
				r->samples_row_bytes = (size_t)(ftell(f) - start) + 8;
		}
		free(head);
	}
}

void run_slices_rows(struct run *r, size_t i, uint64_t t,
		     const struct slice_sum *s, size_t n)
{
	FILE *f = r->slices_csv.f;

	if (!ftell(f)) {
		csv_param_header(r, f);
		fputs(",trial,slice,mode,ops,ns_per_op\n", f);
	}
	for (size_t k = 0; k < n; k++) {
		if (!s[k].ops)
			continue;
		csv_params(r, f, i);
		fprintf(f, ",%llu,%zu,%s,%llu,%.2f\n", (unsigned long long)t, k,
			r->b->modes[s[k].mode].name,
			(unsigned long long)s[k].ops, slice_ns_per_op(&s[k]));
	}
}

void run_trial_row(struct run *r, size_t i, uint64_t t)
{
	const struct run_point *rp = &r->points[i];
	FILE *f = r->trials_csv.f;

	if (!ftell(f)) {
		csv_param_header(r, f);
		fputs(",trial,cpus", f);
		for (size_t k = 0; k < r->ncols; k++)
			fprintf(f, ",%s", r->cols[k].name);
		fputc('\n', f);
	}
	csv_params(r, f, i);
	fprintf(f, ",%llu,", (unsigned long long)t);
	csv_field(f, rp->cpus_seen, 1);
	for (size_t k = 0; k < r->ncols; k++) {
		fputc(',', f);
		csv_num(f, rp->vals[t * r->ncols + k]);
	}
	fputc('\n', f);
}

/* Statistics of column k of point rp over its trials, NaNs left out. */
int run_col_stats(const struct run *r, const struct run_point *rp,
		     size_t k, struct stats *st)
{
	double x[rp->ntrials ? rp->ntrials : 1];
	size_t n = 0;

	for (size_t t = 0; t < rp->ntrials; t++)
		if (!isnan(rp->vals[t * r->ncols + k]))
			x[n++] = rp->vals[t * r->ncols + k];
	return n ? stats_compute(x, n, st) : -1;
}

void summary_csv(const struct run *r, struct textbuf *t)
{
	FILE *f = t->f;

	csv_param_header(r, f);
	fputs(",metric,unit,better,n,median,ci_lo,ci_hi,ci_level,mean,stddev,"
	      "min,max,p10,p90,p99\n", f);
	for (size_t i = 0; i < r->npoints; i++) {
		const struct run_point *rp = &r->points[i];

		for (size_t k = 0; rp->status == BENCH_OK && k < r->ncols; k++) {
			struct stats st;
			double v[13];

			if (run_col_stats(r, rp, k, &st) < 0)
				continue;
			csv_params(r, f, i);
			fprintf(f, ",%s,%s,%s,%zu", r->cols[k].name,
				r->cols[k].unit, better_name(r->cols[k].better),
				st.n);
			memcpy(v, (double[]){ st.median, st.ci_lo, st.ci_hi,
				st.ci_level, st.mean, st.stddev, st.min, st.max,
				st.p10, st.p90, st.p99 }, 11 * sizeof(double));
			for (int j = 0; j < 11; j++) {
				fputc(',', f);
				csv_num(f, v[j]);
			}
			fputc('\n', f);
		}
	}
}

