// SPDX-License-Identifier: GPL-2.0
/*
 * counters.c - perf_event_open(2) counters (system-wide, one fd per online
 * CPU, summed) and /proc/interrupts rows (read by interrupts.c) behind one
 * interface.  See counters.h; counters_spec.c says what a spec names.
 */
#include "counters.h"
#include "counters_priv.h"

#include "parse.h"	/* parse_cpulist() */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CTR_CPULIST_LEN 4096
#define CPU_ONLINE_PATH "/sys/devices/system/cpu/online"

struct counters {
	size_t n;
	struct ctr *v;
	size_t ncpus;
	int *cpus; /* online CPU numbers, or the thread ids when per_thread */
	bool per_thread;
};

void ctr_setwhy(struct ctr *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

/* ---- online CPUs ------------------------------------------------------ */

/* Online CPU numbers from sysfs (they may have holes), else 0..ONLN-1. */
static size_t ctr_online_cpus(int **out)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	char line[CTR_CPULIST_LEN], err[COUNTER_WHY_LEN];
	size_t n = 0;
	FILE *f;
	int *cpus;

	if (ncpu < 1)
		ncpu = 1;
	cpus = calloc((size_t)ncpu, sizeof(*cpus));
	if (!cpus)
		return 0;
	f = fopen(CPU_ONLINE_PATH, "r");
	if (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (parse_cpulist(line, (unsigned)INT_MAX, cpus, (size_t)ncpu,
				  &n, err, sizeof(err)) != 0) {
			fprintf(stderr, "counters: %s: %s\n", CPU_ONLINE_PATH,
				err);
			n = 0;
		}
	}
	if (f)
		fclose(f);
	if (n == 0) {
		long on = sysconf(_SC_NPROCESSORS_ONLN);

		for (n = 0; n < (size_t)ncpu && (long)n < on; n++)
			cpus[n] = (int)n;
	}
	*out = cpus;
	return n;
}

/* ---- opening ---------------------------------------------------------- */

static int ctr_perf_open(struct perf_event_attr *attr, int pid, int cpu)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static void ctr_close_fds(struct ctr *c, size_t ncpus)
{
	if (!c->fds)
		return;
	for (size_t i = 0; i < ncpus; i++)
		if (c->fds[i] >= 0)
			close(c->fds[i]);
	free(c->fds);
	c->fds = NULL;
}

/* One fd per online CPU; any failure makes the whole counter unsupported
 * (a partial sum would be silently wrong). */
static int ctr_open_fds(struct ctr *c, struct perf_event_attr *attr,
			const char *filter, const struct counters *cs)
{
	c->fds = malloc(cs->ncpus * sizeof(*c->fds));
	if (!c->fds) {
		ctr_setwhy(c, "malloc: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < cs->ncpus; i++)
		c->fds[i] = -1;
	for (size_t i = 0; i < cs->ncpus; i++) {
		c->fds[i] = cs->per_thread ? ctr_perf_open(attr, cs->cpus[i], -1) :
			    ctr_perf_open(attr, -1, cs->cpus[i]);
		if (c->fds[i] < 0) {
			ctr_setwhy(c, "perf_event_open(%s, %s %d): %s", c->spec,
				   cs->per_thread ? "tid" : "cpu", cs->cpus[i],
				   strerror(errno));
			return -1;
		}
		if (filter &&
		    ioctl(c->fds[i], PERF_EVENT_IOC_SET_FILTER, filter) != 0) {
			ctr_setwhy(c, "ioctl(PERF_EVENT_IOC_SET_FILTER, "
				   "\"%s\"): %s", filter, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int ctr_open_irq(struct ctr *c)
{
	uint64_t v;

	c->kind = CTR_IRQ;
	c->irq_row = c->spec + 4;
	ctr_column_name(c->name, sizeof(c->name), c->spec); /* "irq_CAL" */
	if (interrupts_row(NULL, c->irq_row, &v) != 0) {
		int err = errno;
		bool no_row = err == ENOENT &&
			      access(INTERRUPTS_PATH, R_OK) == 0;

		ctr_setwhy(c, "%s: row %s: %s", INTERRUPTS_PATH, c->irq_row,
			   no_row ? "no such row" : strerror(err));
		return -1;
	}
	return 0;
}

static int ctr_open_one(struct ctr *c, const struct counters *cs)
{
	struct perf_event_attr attr;
	const char *filter = NULL;
	int rc;

	if (strncmp(c->spec, "irq:", 4) == 0 && c->spec[4]) {
		if (cs->per_thread) {
			ctr_setwhy(c, "%s: interrupt rows are system-wide only", c->spec);
			return -1;
		}
		return ctr_open_irq(c);
	}
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	c->kind = CTR_PERF;
	if (strncmp(c->spec, "hw:", 3) == 0 || strncmp(c->spec, "sw:", 3) == 0)
		rc = ctr_named_attr(c, c->spec[0] == 'h' ? "hw" : "sw",
				    c->spec + 3, &attr);
	else if (strncmp(c->spec, "tp:", 3) == 0)
		rc = ctr_tp_attr(c, &attr, &filter);
	else {
		ctr_setwhy(c, "bad counter spec \"%s\": expected hw:NAME, "
			   "sw:NAME, tp:SYS:EVENT[:FILTER] or irq:ROW",
			   c->spec);
		rc = -1;
	}
	if (rc != 0)
		return rc;
	/* Counting from open; callers difference two reads. */
	if (ctr_open_fds(c, &attr, filter, cs) != 0) {
		ctr_close_fds(c, cs->ncpus);
		return -1;
	}
	return 0;
}

static struct counters *ctr_open_set(const char *const *specs, size_t n,
				     const int *tids, size_t ntids)
{
	struct counters *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return NULL;
	cs->v = calloc(n ? n : 1, sizeof(*cs->v));
	if (tids) {
		cs->per_thread = true;
		cs->cpus = malloc((ntids ? ntids : 1) * sizeof(int));
		if (cs->cpus)
			memcpy(cs->cpus, tids, ntids * sizeof(int));
		cs->ncpus = cs->cpus ? ntids : 0;
	} else {
		cs->ncpus = ctr_online_cpus(&cs->cpus);
	}
	if (!cs->v || cs->ncpus == 0) {
		free(cs->v);
		free(cs->cpus);
		free(cs);
		return NULL;
	}
	cs->n = n;
	for (size_t i = 0; i < n; i++) {
		struct ctr *c = &cs->v[i];

		snprintf(c->spec, sizeof(c->spec), "%s",
			 specs[i] ? specs[i] : "");
		ctr_column_name(c->name, sizeof(c->name), c->spec);
		c->ok = ctr_open_one(c, cs) == 0;
		if (c->ok)
			c->why[0] = '\0';
	}
	return cs;
}

struct counters *counters_open(const char *const *specs, size_t n)
{
	return ctr_open_set(specs, n, NULL, 0);
}

struct counters *counters_open_threads(const char *const *specs, size_t n,
				       const int *tids, size_t ntids)
{
	return ctr_open_set(specs, n, tids, ntids);
}

void counters_close(struct counters *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		ctr_close_fds(&c->v[i], c->ncpus);
	free(c->v);
	free(c->cpus);
	free(c);
}

size_t counters_n(const struct counters *c)
{
	return c ? c->n : 0;
}

const char *counter_spec(const struct counters *c, size_t i)
{
	return c->v[i].spec;
}

const char *counter_name(const struct counters *c, size_t i)
{
	return c->v[i].name;
}

bool counter_ok(const struct counters *c, size_t i)
{
	return c->v[i].ok;
}

const char *counter_why(const struct counters *c, size_t i)
{
	return c->v[i].ok ? "" : c->v[i].why;
}

/* ---- reading ---------------------------------------------------------- */

static int ctr_read_perf(const struct ctr *c, size_t ncpus, uint64_t *sum)
{
	*sum = 0;
	for (size_t i = 0; i < ncpus; i++) {
		uint64_t v;
		ssize_t r = read(c->fds[i], &v, sizeof(v));

		if (r != (ssize_t)sizeof(v)) {
			if (r >= 0)
				errno = EIO; /* short read */
			return -1;
		}
		*sum += v;
	}
	return 0;
}

int counters_read(struct counters *c, uint64_t *vals)
{
	int rc = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct ctr *x = &c->v[i];
		int r = 0;

		vals[i] = 0;
		if (!x->ok)
			continue;
		if (x->kind == CTR_IRQ)
			r = interrupts_row(NULL, x->irq_row, &vals[i]);
		else
			r = ctr_read_perf(x, c->ncpus, &vals[i]);
		if (r != 0) {
			fprintf(stderr, "counters: read %s: %s\n", x->spec,
				strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

int counter_probe(const char *spec, char *why, size_t len)
{
	struct counters *c = counters_open(&spec, 1);
	int ok;

	if (!c) {
		snprintf(why, len, "counters_open(%s): out of memory", spec);
		return 0;
	}
	ok = counter_ok(c, 0);
	if (why && len)
		snprintf(why, len, "%s", counter_why(c, 0));
	counters_close(c);
	return ok;
}

struct counters *counters_fake(const char *const *specs, size_t n)
{
	struct counters *cs = calloc(1, sizeof(*cs));

	if (!cs || !(cs->v = calloc(n ? n : 1, sizeof(*cs->v)))) {
		free(cs);
		return NULL;
	}
	cs->n = n;
	for (size_t i = 0; i < n; i++) {
		snprintf(cs->v[i].spec, sizeof(cs->v[i].spec), "%s", specs[i]);
		ctr_column_name(cs->v[i].name, sizeof(cs->v[i].name), specs[i]);
		cs->v[i].ok = true;	/* no fds, no CPUs: reads as 0 */
	}
	return cs;
}
