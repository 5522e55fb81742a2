// SPDX-License-Identifier: GPL-2.0
/* cpuload.c - see cpuload.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpuload.h"

#define PROC_STAT "/proc/stat"

int cpuload_read(const char *path, struct cpuload *c)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal = 0;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen(path ? path : PROC_STAT, "r");
	struct timespec ts;
	int n;

	if (!f)
		return -1;
	/* "cpu  user nice system idle iowait irq softirq steal ...", summed
	 * over CPUs, in USER_HZ ticks. */
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user,
		   &nice, &sys, &idle, &iowait, &irq, &softirq, &steal);
	fclose(f);
	if (n < 7 || hz <= 0) {
		errno = EINVAL;
		return -1;
	}
	c->busy_ns = (user + nice + sys + irq + softirq) * (1000000000ull / hz);
	c->steal_ns = steal * (1000000000ull / hz);
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
		return -1;
	c->self_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	return 0;
}

void cpuload_delta(const struct cpuload *a, const struct cpuload *b,
		   uint64_t wall_ns, double *other_cpus, double *steal_cpus)
{
	double busy = (double)b->busy_ns - (double)a->busy_ns;
	double self = (double)b->self_ns - (double)a->self_ns;
	double other = busy - self;

	if (!wall_ns) {
		*other_cpus = *steal_cpus = 0;
		return;
	}
	/* Tick-sampled busy time can fall short of our precise own time. */
	*other_cpus = (other > 0 ? other : 0) / (double)wall_ns;
	*steal_cpus = ((double)b->steal_ns - (double)a->steal_ns) / (double)wall_ns;
}
