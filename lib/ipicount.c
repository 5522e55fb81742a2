// SPDX-License-Identifier: GPL-2.0
/* ipicount.c - see ipicount.h. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipicount.h"
#include "placement.h"
#include "sysinfo.h"

const char *const ipi_victim_names[] = { "spin", "syscall", "sleep",
					 "gup", NULL };
const char *const ipi_level_names[] = { "any", "smt", "l3", "package", "numa",
					"machine", NULL };

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

double ipi_expected_per_op(double events_per_op, const double *oncpu, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(oncpu[i]))
			sum += oncpu[i] > 1 ? 1 : oncpu[i];
	return events_per_op * sum;
}

enum ipi_judgement ipi_judge(const struct ipi_numbers *n)
{
	if (isnan(n->recv) || isnan(n->expected))
		return IPI_UNKNOWN;
	if (n->expected < IPI_EXPECT_MIN)
		return n->recv < IPI_SEEN_MIN ? IPI_NONE_EXPECTED : IPI_UNEXPECTED;
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
	if (n->recv > IPI_MORE_SHARE * n->expected + IPI_MORE_SLACK)
		return IPI_MORE;
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
	char who[64], sent[80], model[128];

	snprintf(who, sizeof(who), "%u target%s, %.0f%% on CPU", n->ntargets,
		 n->ntargets == 1 ? "" : "s",
		 n->ntargets ? 100 * n->oncpu / n->ntargets : 0);
	sent_text(sent, sizeof(sent), n);
	model_text(model, sizeof(model), s, n);
	switch (j) {
	case IPI_UNKNOWN:
		snprintf(buf, len, "unproven: IPI counters not read (%s)", who);
		return false;
	case IPI_ZERO:
		snprintf(buf, len, "WARNING: 0 IPIs per op where up to %.2f were "
			 "expected (%s; %s?): %s %.3f/op, %s",
			 n->expected, who, s->fewer_hint, s->recv_what, n->recv,
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
			 "of up to %.2f expected (%s; %s?), %s", n->recv,
			 s->recv_what, n->expected, who, s->fewer_hint, sent);
		return false;
	case IPI_MORE:
		snprintf(buf, len, "WARNING: MORE THAN EXPECTED: %.2f %s/op, at "
			 "most %.2f expected (%s; %s): polluted (background, "
			 "other mms, TCG) or miscounted; %s", n->recv,
			 s->recv_what, n->expected, who, model, sent);
		return false;
	default:
		snprintf(buf, len, "%s %.3f/op, %s, expected up to %.2f (%s; %s): "
			 "%s", s->recv_what, n->recv, sent, n->expected, who,
			 model, ipi_judgement_name(j));
		return true;
	}
}

/* ---- victims as targets ---- */

int ipi_targets_alloc(struct point *pt, struct ipi_targets *tg)
{
	memset(tg, 0, sizeof(*tg));
	tg->n = pt->nbg;
	tg->v = calloc(tg->n ? tg->n : 1, sizeof(*tg->v));
	return tg->v ? BENCH_OK : point_skip(pt, "out of memory for %u victims",
					     tg->n);
}

void ipi_targets_free(struct ipi_targets *tg)
{
	free(tg->v);
	tg->v = NULL;
}

void ipi_targets_set(struct ipi_targets *tg, const struct point *pt,
		     const struct worker *w, struct victim *v)
{
	unsigned k = w->id - pt->nthreads;

	if (w->bg && k < tg->n)
		tg->v[k] = v;
}

double ipi_targets_oncpu(const struct ipi_targets *tg, unsigned m)
{
	double sum = 0;

	for (unsigned k = 0; k < tg->n; k++)
		if (tg->v[k] && m < BENCH_MAX_MODES && !isnan(tg->v[k]->oncpu[m]))
			sum += tg->v[k]->oncpu[m];
	return sum;
}

/* ---- the point's context ---- */

/* The machine does not change during a run: collect its facts once. */
static const json_t *ipi_machine(void)
{
	static json_t *info;

	if (!info)
		info = sysinfo_collect();
	return info;
}

static void note_paravirt(struct point *pt)
{
	const json_t *cpu = json_object_get(ipi_machine(), "cpu");
	const char *hvf = json_string_value(json_object_get(cpu,
						"tlb_flush_by_hypervisor"));

	if (hvf)
		point_note(pt, "tlb_flush", "by the hypervisor (%s): remote "
			   "flushes send no IPIs here; the IPI counts show only "
			   "other function calls", hvf);
	const char *hv = json_string_value(json_object_get(cpu, "hypervisor"));
	const json_t *tlb = json_object_get(cpu, "kvm_pv_tlb_flush");
	const json_t *ipi = json_object_get(cpu, "kvm_pv_send_ipi");

	if (!hv) {
		point_note(pt, "paravirt", "no hypervisor flag in /proc/cpuinfo: "
			   "native IPIs and TLB flushes");
		return;
	}
	if (!tlb) {
		point_note(pt, "paravirt", "%s guest; its PV TLB flush features "
			   "unknown: IPIs to preempted vCPUs may be skipped", hv);
		return;
	}
	point_note(pt, "paravirt", "%s guest: PV TLB flush %s%s; PV send-IPI %s%s",
		   hv, json_is_true(tlb) ? "ON" : "off",
		   json_is_true(tlb) ? " (a preempted vCPU's flush waits for its "
		   "VM entry: no IPI, fewer than targets)" : "",
		   json_is_true(ipi) ? "on" : "off",
		   json_is_true(ipi) ? " (hypercall; still traced)" : "");
}

/* "PU1 l3, PU2 package" into buf; returns the first target whose
 * relation is not 'want' (-1: all match or want is NULL). */
static int relations(const struct topo *t, const struct point *pt,
		     const char *want, char *buf, size_t len)
{
	int bad = -1, init = pt->pus[0];
	size_t off = 0;

	buf[0] = 0;
	for (unsigned k = 0; k < pt->nbg; k++) {
		int pu = pt->pus[pt->nthreads + k];
		const char *rel = place_relation(t, init, pu);

		if (off < len)
			off += snprintf(buf + off, len - off, "%sPU%d %s",
					k ? ", " : "", pu, rel);
		if (want && strcmp(rel, want) && bad < 0)
			bad = (int)k;
	}
	return bad;
}

int ipi_note_context(struct point *pt, int level)
{
	const char *want = level > 0 ? ipi_level_names[level] : NULL;
	char err[256], desc[256], rel[160];
	struct topo *t;
	int bad;

	note_paravirt(pt);
	if (want && !pt->nbg)
		return point_skip(pt, "--target-level=%s: no targets (--bg-threads=0)",
				  want);
	if (topo_open(NULL, &t, err, sizeof(err)) < 0) {
		point_note(pt, "targets", "topology unavailable: %s", err);
		return want ? point_skip(pt, "--target-level=%s: %s", want, err)
			    : BENCH_OK;
	}
	topo_describe(t, desc, sizeof(desc));
	point_note(pt, "topology", "%s", desc);
	bad = relations(t, pt, want, rel, sizeof(rel));
	topo_close(t);
	if (pt->nbg)
		point_note(pt, "targets", "from the initiator's PU%d: %s",
			   pt->pus[0], rel);
	if (bad >= 0)
		return point_skip(pt, "--target-level=%s: not what this placement "
				  "gives (from PU%d: %s; topology: %s); name PUs "
				  "that are with --placement list --cpu-list LIST",
				  want, pt->pus[0], rel, desc);
	return BENCH_OK;
}

int ipi_counter(const struct point *pt, const char *spec, const char *alt)
{
	int c = point_counter(pt, spec);

	return c >= 0 || !alt ? c : point_counter(pt, alt);
}

/* ---- derive() and verify() ---- */

/* The initiator's IPI-causing events per op as counted (less the quiet
 * window's), for the verdict beside the model; NaN when not counted. */
static double events_counted(const struct point *pt, const struct ipi_spec *s,
			     const struct mode_result *res)
{
	int c = s->events ? point_counter(pt, s->events) : -1;

	return c < 0 ? NAN : ipi_net_per_op(&res[s->storm], &res[s->quiet], &c, 1);
}

static void numbers(const struct point *pt, const struct ipi_spec *s,
		    const struct ipi_targets *tg, const struct mode_result *res,
		    struct ipi_numbers *n)
{
	const struct mode_result *q = &res[s->quiet], *st = &res[s->storm];
	int sent[] = { ipi_counter(pt, IPI_CALL_CPU, IPI_SEND_CPU),
		       ipi_counter(pt, IPI_CALL_MASK, IPI_SEND_MASK) };
	int tsent[] = { point_thread_counter(pt, IPI_CALL_CPU),
			point_thread_counter(pt, IPI_CALL_MASK) };
	int recv = ipi_counter(pt, s->recv, s->recv_alt);
	int ctxsw = point_counter(pt, IPI_CTXSW);
	double busy[tg->n ? tg->n : 1], sum = 0;
	unsigned nbusy = 0;

	for (unsigned k = 0; k < tg->n; k++) {
		const struct victim *v = tg->v[k];

		busy[k] = !v || !victim_busy(v->kind) ? NAN : v->oncpu[s->storm];
		if (!isnan(busy[k]))
			sum += busy[k], nbusy++;
	}
	char why[160];

	*n = (struct ipi_numbers){ NAN, NAN, NAN, ipi_targets_oncpu(tg, s->storm),
				   nbusy ? sum / nbusy : NAN, tg->n, NAN, false,
				   s->tlb_flush && sysinfo_hv_tlb_flush(why, sizeof(why)),
				   s->tlb_flush };
	if (!ipi_counted(st, ctxsw) || !ipi_counted(q, ctxsw))
		return;
	n->expected = ipi_expected_per_op(s->events_per_op, busy, tg->n);
	n->events = events_counted(pt, s, res);
	/* The proof pass counts the initiator's own sends exactly. */
	n->sent = ipi_thread_per_op(st, tsent, 2);
	if (isnan(n->sent))
		n->sent = ipi_net_per_op(st, q, sent, 2);
	/* Before 6.3 there are no ipi tracepoints: each function-call IPI
	 * (a TLB shootdown too) is one on the CAL row of /proc/interrupts. */
	if (isnan(n->sent) && sent[0] < 0 && sent[1] < 0) {
		int cal = point_counter(pt, IPI_IRQ_CAL);

		n->sent = ipi_net_per_op(st, q, &cal, 1);
		n->sent_cal = !isnan(n->sent);
	}
	n->recv = ipi_net_per_op(st, q, &recv, 1);
}

static double slowdown(const struct ipi_targets *tg, const struct ipi_spec *s,
		       const struct mode_result *res, bool oncpu)
{
	double q = res[s->quiet].bg_ops_per_s, st = res[s->storm].bg_ops_per_s;

	if (!tg->n)
		return NAN;
	if (oncpu) {
		q = ipi_rate_oncpu(q, ipi_targets_oncpu(tg, s->quiet));
		st = ipi_rate_oncpu(st, ipi_targets_oncpu(tg, s->storm));
	}
	return ipi_slowdown_pct(q, st);
}

void ipi_derive(struct point *pt, const struct ipi_spec *s,
		struct ipi_targets *tg, const struct mode_result *res,
		double *val)
{
	const struct mode_result *st = &res[s->storm];
	struct ipi_numbers n;

	numbers(pt, s, tg, res, &n);
	if (n.sent_cal)
		point_note(pt, "ipi_source", "no ipi:ipi_send_cpu/_cpumask "
			   "tracepoints (since 6.3): ipis_per_op counts the CAL "
			   "row of /proc/interrupts (function-call IPIs taken)");
	val[IPI_M_P50] = st->lat_p50_ns;
	val[IPI_M_P99] = st->lat_p99_ns;
	val[IPI_M_SENT] = n.sent;
	val[IPI_M_RECV] = n.recv;
	val[IPI_M_EXPECTED] = n.expected;
	val[IPI_M_ONCPU] = n.oncpu;
	val[IPI_M_QUIET_ONCPU] = ipi_targets_oncpu(tg, s->quiet);
	val[IPI_M_SLOWDOWN] = slowdown(tg, s, res, true);
	val[IPI_M_WALL_SLOWDOWN] = slowdown(tg, s, res, false);
}

bool ipi_verify(struct point *pt, const struct ipi_spec *s,
		const struct ipi_targets *tg, const struct mode_result *res,
		char *verdict, size_t len)
{
	struct ipi_numbers n;

	if (!res[s->storm].ops) {
		snprintf(verdict, len, "unproven: no operation completed");
		return false;
	}
	numbers(pt, s, tg, res, &n);
	/* The measured sign goes where the kernel's account would: the
	 * point's notes (meta.json and the output). */
	if (ipi_judge(&n) == IPI_HYPERVISOR_MEASURED)
		point_note(pt, "tlb_flush", "by the hypervisor, measured: flushes "
			   "to targets %.0f%% on the mm's CPU sent and took no IPI "
			   "(the kernel's log does not say it)", 100 * n.busy_share);
	return ipi_verdict(verdict, len, s, &n);
}

/* ---- the hooks both IPI benches share ---- */

int ipi_point_setup(struct point *pt, const struct ipi_spec *s, int level)
{
	struct ipi_point *ip = pt->priv;
	int rc = ipi_note_context(pt, level);

	ip->spec = s;
	return rc == BENCH_OK ? ipi_targets_alloc(pt, &ip->tg) : rc;
}

int ipi_target_setup(struct point *pt, struct worker *w, int victim,
		     const char *pages, size_t npages)
{
	struct ipi_point *ip = pt->priv;
	const struct victim_spec s = {
		.kind = victim_kind(ipi_victim_names[victim]),
		.pages = pages, .npages = npages, .sleep_ns = VICTIM_SLEEP_NS,
	};
	int rc;

	if (!w->bg)
		return BENCH_OK;
	rc = victim_worker_setup(pt, w, &s);
	ipi_targets_set(&ip->tg, pt, w, w->priv);
	return rc;
}

void ipi_point_derive(struct point *pt, const struct mode_result *res,
		      double *val)
{
	struct ipi_point *ip = pt->priv;

	ipi_derive(pt, ip->spec, &ip->tg, res, val);
}

bool ipi_point_verify(struct point *pt, const struct mode_result *res,
		      char *verdict, size_t len)
{
	struct ipi_point *ip = pt->priv;

	return ipi_verify(pt, ip->spec, &ip->tg, res, verdict, len);
}

void ipi_point_teardown(struct point *pt)
{
	struct ipi_point *ip = pt->priv;

	ipi_targets_free(&ip->tg);
}
