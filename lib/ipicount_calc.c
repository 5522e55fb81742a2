// SPDX-License-Identifier: GPL-2.0
/*
 * ipicount_calc.c - the pure computation of ipicount.h: IPIs per operation
 * net of the idle baseline, the expected count from the victims' time on
 * CPU, the judgement and its verdict text, slowdowns.  No I/O; unit-tested
 * in tests/test_ipi_counts.c.  ipicount.c has the victims, the point's
 * context and the hooks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipicount.h"

/* ---- pure computation ---- */

double ipi_net_per_op(const struct mode_result *r, const struct mode_result *bg,
		      const int *idx, size_t n)
{
	double sum = 0;
	bool any = false;

	if (!r->ops)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		if (idx[i] < 0 || idx[i] >= BENCH_MAX_COUNTERS)
			continue;
		any = true;
		sum += (double)r->delta[idx[i]];
		if (bg && bg->elapsed_ns)
			sum -= (double)bg->delta[idx[i]] * r->elapsed_ns /
			       bg->elapsed_ns;
	}
	if (!any)
		return NAN;
	/* The baseline subtracted, noise leaves a few hundredths below zero:
	 * that is none (it printed as -0.00).  More below zero is kept: the
	 * quiet window was the busier one, which the verdict should see. */
	sum /= r->ops;
	return sum < 0 && sum > -IPI_SEEN_MIN ? 0.0 : sum;
}

double ipi_thread_per_op(const struct mode_result *r, const int *idx, size_t n)
{
	double sum = 0;
	bool any = false;

	for (size_t i = 0; r->ops && i < n; i++)
		if (idx[i] >= 0 && idx[i] < BENCH_MAX_COUNTERS) {
			any = true;
			sum += (double)r->tdelta[idx[i]];
		}
	return any ? sum / r->ops : NAN;
}

bool ipi_counted(const struct mode_result *r, int ctxsw)
{
	return ctxsw < 0 || ctxsw >= BENCH_MAX_COUNTERS || r->delta[ctxsw] > 0;
}

double ipi_latency_ratio(double p50_ns, double p99_ns)
{
	if (isnan(p50_ns) || isnan(p99_ns) || p50_ns <= 0 || p99_ns <= p50_ns)
		return 1;
	return p99_ns / p50_ns;
}

double ipi_expected_per_op(double events_per_op, const double *oncpu, size_t n,
			   double ratio)
{
	double sum = 0;

	if (isnan(ratio) || ratio < 1)
		ratio = 1;
	for (size_t i = 0; i < n; i++) {
		double s = oncpu[i] > 1 ? 1 : oncpu[i];

		/* The share of the ops that found it on CPU (ipicount.h). */
		if (!isnan(s) && s > 0)
			sum += s / (s + (1 - s) * ratio);
	}
	return events_per_op * sum;
}

double ipi_ceiling_per_op(double events_per_op, const double *oncpu, size_t n)
{
	unsigned ran = 0;

	for (size_t i = 0; i < n; i++)
		ran += !isnan(oncpu[i]);
	return events_per_op * ran;
}

enum ipi_judgement ipi_judge(const struct ipi_numbers *n)
{
	if (isnan(n->recv) || isnan(n->expected) || isnan(n->ceiling))
		return IPI_UNKNOWN;
	if (n->ceiling < IPI_EXPECT_MIN)	/* no busy target */
		return n->recv < IPI_SEEN_MIN ? IPI_NONE_EXPECTED : IPI_UNEXPECTED;
	if (n->recv > IPI_MORE_SHARE * n->ceiling + IPI_MORE_SLACK)
		return IPI_MORE;
	/* Targets so seldom on CPU that next to none is expected: what was
	 * seen, up to the ceiling, is theirs. */
	if (n->expected < IPI_EXPECT_MIN)
		return n->recv < IPI_SEEN_MIN ? IPI_NONE_EXPECTED : IPI_AS_EXPECTED;
	if (n->recv < IPI_SEEN_MIN) {
		if (n->hv_flush)
			return IPI_HYPERVISOR;
		/* The measurement: flushes to CPUs running the mm, and not
		 * one IPI sent for them nor taken. */
		if (n->tlb_flush && !isnan(n->sent) && n->sent < IPI_SEEN_MIN &&
		    !isnan(n->busy_share) && n->busy_share >= IPI_BUSY_SHARE)
			return IPI_HYPERVISOR_MEASURED;
		return IPI_ZERO;
	}
	if (n->recv >= IPI_FEWER_SHARE * n->expected)
		return IPI_AS_EXPECTED;
	return n->busy_share >= IPI_BUSY_SHARE ? IPI_FEWER : IPI_OFF_CPU;
}

const char *ipi_judgement_name(enum ipi_judgement j)
{
	static const char *const names[] = {
		[IPI_NONE_EXPECTED] = "none expected, none seen",
		[IPI_UNEXPECTED] = "none expected, some seen",
		[IPI_AS_EXPECTED] = "as expected",
		[IPI_OFF_CPU] = "fewer: targets often off CPU (see ipicount.h)",
		[IPI_FEWER] = "FEWER THAN EXPECTED",
		[IPI_ZERO] = "ZERO where some were expected",
		[IPI_UNKNOWN] = "not counted",
		[IPI_MORE] = "MORE THAN EXPECTED",
		[IPI_HYPERVISOR] = "remote flush by the hypervisor: no IPIs to count",
		[IPI_HYPERVISOR_MEASURED] = "remote flush by the hypervisor "
			"(measured): no IPIs to count",
	};

	return (unsigned)j < sizeof(names) / sizeof(names[0]) ? names[j] : "?";
}

double ipi_slowdown_pct(double quiet_ops_per_s, double storm_ops_per_s)
{
	if (isnan(quiet_ops_per_s) || isnan(storm_ops_per_s) || quiet_ops_per_s <= 0)
		return NAN;
	return 100.0 * (1.0 - storm_ops_per_s / quiet_ops_per_s);
}

double ipi_rate_oncpu(double ops_per_s, double oncpu)
{
	return isnan(oncpu) || oncpu <= 0 ? NAN : ops_per_s / oncpu;
}

/* "IPIs sent 0.502/op", the CAL row where the ipi tracepoints are
 * missing, or NA with the reason: never nan. */
static void sent_text(char *buf, size_t len, const struct ipi_numbers *n)
{
	if (isnan(n->sent))
		snprintf(buf, len, "IPIs sent NA (needs ipi:ipi_send_cpu, since 6.3)");
	else
		snprintf(buf, len, "%s %.3f/op", n->sent_cal ? "IPIs received "
			 "(CAL row)" : "IPIs sent", n->sent);
}

/* "model 2/op x 3 targets; flush requests counted 2.01/op" */
static void model_text(char *buf, size_t len, const struct ipi_spec *s,
		       const struct ipi_numbers *n)
{
	int off = snprintf(buf, len, "%s", s->model ? s->model : "model");

	if (!isnan(n->events) && off >= 0 && (size_t)off < len)
		snprintf(buf + off, len - off, "; counted %.2f/op", n->events);
}

bool ipi_verdict(char *buf, size_t len, const struct ipi_spec *s,
		 const struct ipi_numbers *n)
{
	enum ipi_judgement j = ipi_judge(n);
	char who[64], whor[80], sent[80], model[128];

	/* "targets N", not "N target(s)": the same words at every point,
	 * so the footer can say them once (output_proof.c); where the
	 * expectation is judged, the latency ratio that turns time on CPU
	 * into ops (ipicount.h). */
	snprintf(who, sizeof(who), "targets %u, %.0f%% on CPU", n->ntargets,
		 n->ntargets ? 100 * n->oncpu / n->ntargets : 0);
	snprintf(whor, sizeof(whor), "%s, p99/p50 %.1f", who,
		 isnan(n->ratio) ? 1.0 : n->ratio);
	sent_text(sent, sizeof(sent), n);
	model_text(model, sizeof(model), s, n);
	switch (j) {
	case IPI_UNKNOWN:
		snprintf(buf, len, "unproven: IPI counters not read (%s)", who);
		return false;
	case IPI_ZERO:
		snprintf(buf, len, "WARNING: 0 IPIs per op where %.2f were "
			 "expected (%s; %s?): %s %.3f/op, %s",
			 n->expected, whor, s->fewer_hint, s->recv_what, n->recv,
			 sent);
		return false;
	case IPI_HYPERVISOR:
		snprintf(buf, len, "remote flush by the hypervisor: no IPIs to "
			 "count (%s; %s %.3f/op, %s); initiator latency and victim "
			 "slowdown are measured", who, s->recv_what, n->recv, sent);
		return true;
	case IPI_HYPERVISOR_MEASURED:
		snprintf(buf, len, "remote flush by the hypervisor (measured: "
			 "no IPI sent or taken while the targets ran the mm): no "
			 "IPIs to count (%s; %s); initiator latency and victim "
			 "slowdown are measured", who, sent);
		return true;
	case IPI_FEWER:
		snprintf(buf, len, "WARNING: FEWER THAN EXPECTED: only %.2f %s/op "
			 "of %.2f expected (%s; %s?), %s", n->recv,
			 s->recv_what, n->expected, whor, s->fewer_hint, sent);
		return false;
	case IPI_MORE:
		snprintf(buf, len, "WARNING: MORE THAN EXPECTED: %.2f %s/op, at "
			 "most %.2f expected (%s; %s): polluted (background, "
			 "other mms, TCG) or miscounted; %s", n->recv,
			 s->recv_what, n->ceiling, who, model, sent);
		return false;
	default:
		snprintf(buf, len, "%s %.3f/op, %s, expected %.2f, at most %.2f "
			 "(%s; %s) -> %s", s->recv_what, n->recv, sent,
			 n->expected, n->ceiling, whor, model,
			 ipi_judgement_name(j));
		return true;
	}
}
