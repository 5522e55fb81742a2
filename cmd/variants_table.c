// SPDX-License-Identifier: GPL-2.0
/* variants_table.c - the tables and their legends; see variants_table.h. */
#include <math.h>
#include <string.h>

#include "text.h"
#include "variants_cells.h"
#include "variants_table.h"
#include "variants_text.h"

#define VT_MAX_COLS 8
#define VT_CI_WIDTH (3 * VT_NUM_WIDTH + 4)	/* "median [lo,hi]" */
#define VT_KEY_WIDTH 2		/* the row key, n */
#define NS_PER_US 1e-3
/* A legend line "  head    what it means", wrapped under the meaning. */
#define VT_TERM_INDENT 2
#define VT_TERM_HEAD 7
#define VT_TERM_HANG (VT_TERM_INDENT + VT_TERM_HEAD + 1)

static const struct vt_col vt_user[] = {
	{ "ipi_us [95% CI]", VT_IPI, "op_p50_ns", NS_PER_US, true, false,
	  "IPI variant (membarrier)", "replacer" },
	{ "ipis", VT_IPI, "ipis_per_op", 1, false, false, NULL, "other CPUs" },
	{ "slow%", VT_IPI, "victim_slowdown_pct", 1, false, true, NULL, NULL },
	{ "sync", VT_RCU, "sync_rcu_us", 1, false, false,
	  "RCU variant (synchronize_rcu)", "replacer" },
	{ "exp_us [95% CI]", VT_RCU, "sync_rcu_exp_us", 1, true, false,
	  NULL, NULL },
	{ "ipis", VT_RCU, "exp_ipis_per_call", 1, false, false, NULL,
	  "other CPUs" },
	{ "loss%", VT_RCU, "exp_bg_loss_pct", 1, false, true, NULL, NULL },
};

static const struct vt_col vt_kernel[] = {
	{ "kipi_us [95% CI]", VT_KIPI, "all_ipi_ns", NS_PER_US, true, false,
	  "in-kernel IPI", "replacer" },
	{ "tgts", VT_KIPI, "all_targets", 1, false, false, NULL, "others" },
	{ "ksync", VT_KRCU, "sync_rcu_ns", NS_PER_US, false, false,
	  "in-kernel RCU", "replacer" },
	{ "kexp_us [95% CI]", VT_KRCU, "sync_rcu_exp_ns", NS_PER_US, true,
	  false, NULL, NULL },
};

_Static_assert(VT_NELEM(vt_user) <= VT_MAX_COLS &&
	       VT_NELEM(vt_kernel) <= VT_MAX_COLS, "raise VT_MAX_COLS");

/* ---- the table -------------------------------------------------------- */

static int vt_width(const struct vt_col *c)
{
	return c->ci ? VT_CI_WIDTH : VT_NUM_WIDTH;
}

/* Where each column starts. */
static void vt_layout(const struct vt_col *cols, size_t ncols, int *start)
{
	int pos = VT_KEY_WIDTH;

	for (size_t i = 0; i < ncols; i++) {
		start[i] = pos + 1;
		pos = start[i] + vt_width(&cols[i]);
	}
}

/* A commentary line with the group labels at their columns. */
static void vt_groups(FILE *f, const struct vt_col *cols, size_t ncols,
		      const int *start, bool sub)
{
	char line[VARIANTS_WIDTH + 1];
	int end = 0;

	memset(line, ' ', VARIANTS_WIDTH);
	line[VARIANTS_WIDTH] = '\0';
	line[0] = '#';
	for (size_t i = 0; i < ncols; i++) {
		const char *l = sub ? cols[i].sub : cols[i].top;
		int at = start[i] > end + 1 ? start[i] : end + 1, n;

		if (!l || at >= VARIANTS_WIDTH)
			continue;
		n = (int)strlen(l);
		n = at + n > VARIANTS_WIDTH ? VARIANTS_WIDTH - at : n;
		memcpy(line + at, l, (size_t)n);
		end = at + n;
	}
	vt_print_line(f, line);
}

static void vt_cell(struct vt *v, const struct vt_col *c, unsigned n,
		    char *buf, size_t len)
{
	char m[16], lo[16], hi[16], tmp[64];
	double x[3];

	vt_lookup(v, c, n, x);
	vt_num(x[0], m, sizeof(m));
	vt_num(x[1], lo, sizeof(lo));
	vt_num(x[2], hi, sizeof(hi));
	if (!c->ci || isnan(x[0]))
		snprintf(tmp, sizeof(tmp), "%*s", VT_NUM_WIDTH, m);
	else
		snprintf(tmp, sizeof(tmp), "%*s [%s,%s]", VT_NUM_WIDTH, m, lo, hi);
	snprintf(buf, len, "%-*s", vt_width(c), tmp);
}

static void vt_table(FILE *f, struct vt *v, const struct vt_col *cols,
		     size_t ncols)
{
	char line[VT_TEXT], cell[64];
	int start[VT_MAX_COLS] = { 0 };

	vt_layout(cols, ncols, start);
	vt_groups(f, cols, ncols, start, false);
	vt_groups(f, cols, ncols, start, true);
	snprintf(line, sizeof(line), "%*s", VT_KEY_WIDTH, "n");
	for (size_t i = 0; i < ncols; i++)
		text_append(line, sizeof(line), cols[i].ci ? " %-*s" : " %*s",
			    vt_width(&cols[i]), cols[i].head);
	vt_print_line(f, line);
	for (size_t r = 0; r < v->nrows; r++) {
		snprintf(line, sizeof(line), "%*u", VT_KEY_WIDTH, v->rows[r]);
		for (size_t i = 0; i < ncols; i++) {
			vt_cell(v, &cols[i], v->rows[r], cell, sizeof(cell));
			text_append(line, sizeof(line), " %s", cell);
		}
		vt_print_line(f, line);
	}
}

/* ---- the legends ------------------------------------------------------ */

/* A legend line: a column's head and what it means. */
struct vt_term {
	const char *head, *means;
};

static void vt_terms(FILE *f, const struct vt_term *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vt_say(f, VT_TERM_HANG, "%*s%-*s %s", VT_TERM_INDENT, "",
		       VT_TERM_HEAD, t[i].head, t[i].means);
}

static void vt_user_legend(FILE *f, const struct vt *v)
{
	char ipi_us[128];
	const struct vt_term replacer[] = {
		{ "ipi_us", ipi_us },
		{ "sync", "synchronize_rcu(), p50 (sync_rcu_us)" },
		{ "exp_us", "synchronize_rcu_expedited(), p50 (sync_rcu_exp_us)" },
	};
	static const struct vt_term others[] = {
		{ "ipis", "IPIs per membarrier call (ipis_per_op)" },
		{ "slow%", "victims' slowdown while the calls ran "
		  "(victim_slowdown_pct)" },
		{ "ipis", "rcu_exp_handler IPIs per expedited call "
		  "(exp_ipis_per_call); a normal grace period sends none: "
		  "CPUs report quiescent states from their tick" },
		{ "loss%", "load throughput lost to expedited waits "
		  "(exp_bg_loss_pct)" },
	};

	snprintf(ipi_us, sizeof(ipi_us), "one membarrier %s expedited call, "
		 "p50 (op_p50_ns)", v->sel->cmd);
	vt_say(f, 8, "n       other CPUs kept busy (--bg-threads): membarrier "
	       "targets (victim %s), %s load (%s); 0 = all others idle",
	       v->sel->victim, vt_bench(VT_RCU), v->sel->load);
	vt_say(f, 0, "replacer's cost, us (the CPU replacing the entry waits):");
	vt_terms(f, replacer, VT_NELEM(replacer));
	vt_say(f, 0, "cost to the other CPUs:");
	vt_terms(f, others, VT_NELEM(others));
	vt_say(f, 2, "membarrier stands in for tlb_remove_table_sync_one(): "
	       "both IPI their targets and wait for every one, but membarrier "
	       "IPIs only CPUs running this mm (private) or a registered "
	       "process (global) and skips idle ones, where "
	       "smp_call_function() IPIs every other online CPU; %s times "
	       "the real call (needs gupsync.ko).", vt_bench(VT_KIPI));
}

static void vt_kernel_legend(FILE *f)
{
	static const struct vt_term terms[] = {
		{ "kipi_us", "smp_call_function() to every other online CPU, "
		  "waiting, p50 (all_ipi_ns): tlb_remove_table_sync_one()" },
		{ "tgts", "CPUs it IPIed per call (all_targets)" },
		{ "ksync", "synchronize_rcu(), p50 (sync_rcu_ns)" },
		{ "kexp_us", "synchronize_rcu_expedited(), p50 (sync_rcu_exp_ns)" },
	};

	vt_say(f, 0, "in the kernel (gupsync.ko), us:");
	vt_terms(f, terms, VT_NELEM(terms));
}

void vt_user_table(FILE *f, struct vt *v)
{
	vt_table(f, v, vt_user, VT_NELEM(vt_user));
	vt_user_legend(f, v);
}

void vt_kernel_table(FILE *f, struct vt *v)
{
	vt_table(f, v, vt_kernel, VT_NELEM(vt_kernel));
	vt_kernel_legend(f);
}
