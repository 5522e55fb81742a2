// SPDX-License-Identifier: GPL-2.0
/* cpuload.c - see cpuload.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
	c->driven_ns = 0;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
		return -1;
	c->self_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	return 0;
}

/* Field k (1-based, after the comm in parentheses) of /proc/PID/stat. */
static int stat_fields(const char *proc, int pid, char *comm, size_t clen,
		       unsigned long long *ppid, unsigned long long *ticks)
{
	char path[96], buf[1024], *open_, *close_;
	unsigned long long utime, stime;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%d/stat", proc, pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	open_ = strchr(buf, '(');
	close_ = strrchr(buf, ')');
	if (!open_ || !close_ || close_ < open_)
		return -1;
	snprintf(comm, clen, "%.*s", (int)(close_ - open_ - 1), open_ + 1);
	/* after ") ": state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime */
	if (sscanf(close_ + 2, "%*c %llu %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		   "%llu %llu", ppid, &utime, &stime) != 3)
		return -1;
	*ticks = utime + stime;
	return 0;
}

size_t cpuload_kthreads(const char *proc, const char *const *prefixes,
			int *pids, size_t max)
{
	DIR *d = opendir(proc ? proc : "/proc");
	struct dirent *e;
	size_t n = 0;

	while (d && n < max && (e = readdir(d))) {
		unsigned long long ppid, ticks;
		char comm[64];
		int pid = atoi(e->d_name);

		if (pid <= 2 || stat_fields(proc ? proc : "/proc", pid, comm,
					    sizeof(comm), &ppid, &ticks) < 0 ||
		    ppid != 2)	/* kthreadd's children: kernel threads */
			continue;
		for (size_t k = 0; prefixes && prefixes[k]; k++)
			if (!strncmp(comm, prefixes[k], strlen(prefixes[k]))) {
				pids[n++] = pid;
				break;
			}
	}
	if (d)
		closedir(d);
	return n;
}

void cpuload_read_driven(const char *proc, struct cpuload *c, const int *pids,
			 size_t n)
{
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long sum = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned long long ppid, ticks;
		char comm[64];

		if (stat_fields(proc ? proc : "/proc", pids[i], comm, sizeof(comm),
				&ppid, &ticks) == 0)
			sum += ticks;
	}
	c->driven_ns = hz > 0 ? sum * (1000000000ull / (unsigned long long)hz) : 0;
}

void cpuload_delta(const struct cpuload *a, const struct cpuload *b,
		   uint64_t wall_ns, double *other_cpus, double *steal_cpus,
		   double *driven_cpus)
{
	double busy = (double)b->busy_ns - (double)a->busy_ns;
	double self = (double)b->self_ns - (double)a->self_ns;
	double driven = (double)b->driven_ns - (double)a->driven_ns;
	double other = busy - self - (driven > 0 ? driven : 0);

	if (!wall_ns) {
		*other_cpus = *steal_cpus = *driven_cpus = 0;
		return;
	}
	/* Tick-sampled busy time can fall short of our precise own time. */
	*other_cpus = (other > 0 ? other : 0) / (double)wall_ns;
	*steal_cpus = ((double)b->steal_ns - (double)a->steal_ns) / (double)wall_ns;
	*driven_cpus = (driven > 0 ? driven : 0) / (double)wall_ns;
}
