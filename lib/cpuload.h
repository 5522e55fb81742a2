/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpuload.h - how busy the machine was with other work during a window.
 *
 * On a shared or virtual machine a measurement can lose its CPUs to other
 * processes or to the host (steal time).  The harness reads the "cpu"
 * line of /proc/stat and this process's CPU time around every window and
 * reports, in CPUs (1.0 = one CPU all the time): what everything else ran
 * (all busy time less this process's), and the steal time the hypervisor
 * took.  /proc/stat counts in USER_HZ ticks (10 ms), so short windows give
 * coarse values.
 */
#ifndef GUPSYNC_CPULOAD_H
#define GUPSYNC_CPULOAD_H

#include <stdint.h>

struct cpuload {
	uint64_t busy_ns;	/* all CPUs: user+nice+system+irq+softirq */
	uint64_t steal_ns;
	uint64_t self_ns;	/* this process, CLOCK_PROCESS_CPUTIME_ID */
	uint64_t driven_ns;	/* the kernel threads the benchmark drives */
};

#define CPULOAD_MAX_KTHREADS 64

/*
 * The kernel threads (children of kthreadd) whose name starts with one
 * of prefixes (NULL-terminated): their PIDs into pids[max]; the count.
 * A benchmark that makes the kernel work in its own threads (grace-period
 * kthreads for rcu-wait, khugepaged, ksmd) has that time counted apart
 * from "other work".  proc: NULL = /proc (tests pass a fixture).
 */
size_t cpuload_kthreads(const char *proc, const char *const *prefixes,
			int *pids, size_t max);
/* CPU time (utime + stime) of those threads into c->driven_ns. */
void cpuload_read_driven(const char *proc, struct cpuload *c, const int *pids,
			 size_t n);

/* path NULL = /proc/stat (tests pass a fixture).  0, or -1 with errno. */
int cpuload_read(const char *path, struct cpuload *c);
/* Other processes' CPUs (less the driven kernel threads', given apart)
 * and steal CPUs between a and b over wall_ns. */
void cpuload_delta(const struct cpuload *a, const struct cpuload *b,
		   uint64_t wall_ns, double *other_cpus, double *steal_cpus,
		   double *driven_cpus);

#endif
