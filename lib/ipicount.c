// SPDX-License-Identifier: GPL-2.0
/* ipicount.c - see ipicount.h; its pure computation is ipicount_calc.c. */
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
		   json_is_true(tlb) ? " (a preempted vCPU flushes at VM entry, "
		   "no IPI: fewer than targets)" : "",
		   json_is_true(ipi) ? "on" : "off",
		   json_is_true(ipi) ? " (still traced)" : "");
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

	*n = (struct ipi_numbers){
		.sent = NAN, .recv = NAN, .expected = NAN,
		.oncpu = ipi_targets_oncpu(tg, s->storm),
		.busy_share = nbusy ? sum / nbusy : NAN, .ntargets = tg->n,
		.events = NAN,
		.hv_flush = s->tlb_flush && sysinfo_hv_tlb_flush(why, sizeof(why)),
		.tlb_flush = s->tlb_flush,
		.ceiling = ipi_ceiling_per_op(s->events_per_op, busy, tg->n),
		.ratio = ipi_latency_ratio(st->lat_p50_ns, st->lat_p99_ns),
	};
	if (!ipi_counted(st, ctxsw) || !ipi_counted(q, ctxsw))
		return;
	n->expected = ipi_expected_per_op(s->events_per_op, busy, tg->n,
					  n->ratio);
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
