// SPDX-License-Identifier: GPL-2.0
/*
 * counters_spec.c - what a counter spec names (counters.h): the hw: and
 * sw: event tables, tp:SYS:EVENT ids read from tracefs (found, or mounted
 * in a private mount namespace), and the column-friendly names.  Opening
 * and reading are counters.c's.
 */
#include "counters.h"
#include "counters_priv.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define CTR_PATH_LEN 512
#define TRACEFS_MOUNT "/sys/kernel/tracing"
#define TRACEFS_DEBUGFS "/sys/kernel/debug/tracing"

struct ctr_named {
	const char *name;
	uint64_t config;
};

static const struct ctr_named ctr_hw[] = {
	{ "cycles", PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-misses", PERF_COUNT_HW_CACHE_MISSES },
	{ "branch-misses", PERF_COUNT_HW_BRANCH_MISSES },
};

static const struct ctr_named ctr_sw[] = {
	{ "context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "page-faults", PERF_COUNT_SW_PAGE_FAULTS },
	{ "task-clock", PERF_COUNT_SW_TASK_CLOCK },
	{ "cpu-clock", PERF_COUNT_SW_CPU_CLOCK },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))


/* ---- tracefs ---------------------------------------------------------- */

static const char *ctr_tracefs_path;          /* NULL until found */
static bool ctr_tracefs_tried;
static char ctr_tracefs_why[COUNTER_WHY_LEN]; /* why it failed, if it did */

static const char *ctr_tracefs_find(void)
{
	if (access(TRACEFS_MOUNT "/events", F_OK) == 0)
		return TRACEFS_MOUNT;
	if (access(TRACEFS_DEBUGFS "/events", F_OK) == 0)
		return TRACEFS_DEBUGFS;
	return NULL;
}

/* Mount tracefs in a mount namespace of our own: the machine's mount table
 * is untouched, and the mount disappears with the process. */
static const char *ctr_tracefs_mount(char *why, size_t len)
{
	if (unshare(CLONE_NEWNS) != 0) {
		snprintf(why, len, "unshare(CLONE_NEWNS): %s", strerror(errno));
		return NULL;
	}
	/* Without this, a shared / would propagate our mount back out. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		snprintf(why, len, "mount(/, MS_REC|MS_PRIVATE): %s",
			 strerror(errno));
		return NULL;
	}
	if (mount("nodev", TRACEFS_MOUNT, "tracefs", 0, NULL) != 0) {
		snprintf(why, len, "mount(tracefs, %s): %s", TRACEFS_MOUNT,
			 strerror(errno));
		return NULL;
	}
	return TRACEFS_MOUNT;
}

const char *counters_tracefs(char *why, size_t len)
{
	if (!ctr_tracefs_tried) {
		ctr_tracefs_tried = true;
		ctr_tracefs_path = ctr_tracefs_find();
		if (!ctr_tracefs_path)
			ctr_tracefs_path = ctr_tracefs_mount(
				ctr_tracefs_why, sizeof(ctr_tracefs_why));
	}
	if (!ctr_tracefs_path && why && len)
		snprintf(why, len, "%s", ctr_tracefs_why);
	return ctr_tracefs_path;
}

/* ---- spec parsing ----------------------------------------------------- */

/* Column-friendly: anything but [A-Za-z0-9] becomes one '_'. */
void ctr_column_name(char *dst, size_t len, const char *src)
{
	size_t j = 0;
	bool sep = false;

	for (; *src && j + 1 < len; src++) {
		if (isalnum((unsigned char)*src)) {
			if (sep && j > 0 && j + 2 < len)
				dst[j++] = '_';
			dst[j++] = *src;
			sep = false;
		} else {
			sep = true;
		}
	}
	dst[j] = '\0';
}

static int ctr_lookup(const struct ctr_named *t, size_t n, const char *name,
		      __u64 *config)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0) {
			*config = t[i].config;
			return 0;
		}
	return -1;
}

static void ctr_list_names(const struct ctr_named *t, size_t n, char *buf,
			   size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? ", " : "", t[i].name);
}

int ctr_named_attr(struct ctr *c, const char *kind, const char *name,
		   struct perf_event_attr *attr)
{
	bool hw = strcmp(kind, "hw") == 0;
	const struct ctr_named *t = hw ? ctr_hw : ctr_sw;
	size_t n = hw ? ARRAY_LEN(ctr_hw) : ARRAY_LEN(ctr_sw);
	char allowed[COUNTER_WHY_LEN];

	if (ctr_lookup(t, n, name, &attr->config) != 0) {
		ctr_list_names(t, n, allowed, sizeof(allowed));
		ctr_setwhy(c, "unknown %s counter \"%s\": allowed %s", kind,
			   name, allowed);
		return -1;
	}
	attr->type = hw ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE;
	ctr_column_name(c->name, sizeof(c->name), name);
	return 0;
}

/* "tp:SYS:EVENT[:FILTER]": id from tracefs; *filter points into c->spec. */
int ctr_tp_attr(struct ctr *c, struct perf_event_attr *attr,
		const char **filter)
{
	char sys[CTR_NAME_LEN], ev[CTR_NAME_LEN], path[CTR_PATH_LEN];
	char tfwhy[COUNTER_WHY_LEN];
	const char *rest = c->spec + 3, *tracefs;
	int used = 0;
	uint64_t id;
	FILE *f;

	if (sscanf(rest, "%63[^:]:%63[^:]%n", sys, ev, &used) != 2) {
		ctr_setwhy(c, "bad tracepoint spec \"%s\": expected "
			   "tp:SUBSYSTEM:EVENT[:FILTER]", c->spec);
		return -1;
	}
	*filter = rest[used] == ':' ? rest + used + 1 : NULL;
	ctr_column_name(c->name, sizeof(c->name), rest + strlen(sys) + 1);
	tracefs = counters_tracefs(tfwhy, sizeof(tfwhy));
	if (!tracefs) {
		ctr_setwhy(c, "tracepoint %s:%s: tracefs: %s", sys, ev, tfwhy);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs, sys, ev);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%" SCNu64, &id) != 1) {
		ctr_setwhy(c, "tracepoint %s:%s: %s: %s", sys, ev, path,
			   f ? "no id" : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	attr->type = PERF_TYPE_TRACEPOINT;
	attr->config = id;
	return 0;
}

