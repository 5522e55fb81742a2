/* SPDX-License-Identifier: GPL-2.0 */
/*
 * counters_priv.h - one counter as counters.c (opening, reading) and
 * counters_spec.c (what a spec names) share it.  Others use counters.h.
 */
#ifndef GUPSYNC_COUNTERS_PRIV_H
#define GUPSYNC_COUNTERS_PRIV_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>

#include "counters.h"

#define CTR_SPEC_LEN 128
#define CTR_NAME_LEN 64

enum ctr_kind { CTR_PERF, CTR_IRQ };

struct ctr {
	char spec[CTR_SPEC_LEN];
	char name[CTR_NAME_LEN];
	char why[COUNTER_WHY_LEN];
	enum ctr_kind kind;
	bool ok;
	const char *irq_row; /* points into spec after "irq:" */
	int *fds;            /* one per online CPU, CTR_PERF only */
};

/* Set c->why; truncating is fine (the start says what failed). */
__attribute__((format(printf, 2, 3)))
void ctr_setwhy(struct ctr *c, const char *fmt, ...);

/* Column-friendly: anything but [A-Za-z0-9] becomes one '_'. */
void ctr_column_name(char *dst, size_t len, const char *src);
/* "hw:NAME" / "sw:NAME" (kind "hw" or "sw"): type and config into attr. */
int ctr_named_attr(struct ctr *c, const char *kind, const char *name,
		   struct perf_event_attr *attr);
/* "tp:SYS:EVENT[:FILTER]": id from tracefs; *filter points into c->spec. */
int ctr_tp_attr(struct ctr *c, struct perf_event_attr *attr,
		const char **filter);

#endif
