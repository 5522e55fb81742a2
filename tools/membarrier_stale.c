// SPDX-License-Identifier: GPL-2.0
/*
 * membarrier_stale - does membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED) reach
 * a thread of this (registered) process that spins on another CPU?
 *
 * The process registers, then for each of --rounds rounds starts a thread
 * pinned to --cpu that spins, calls membarrier for --ms milliseconds from
 * this CPU, counts the function-call IPIs --cpu took (its CAL row in
 * /proc/interrupts) per call, and ends the thread.  Ending it runs
 * exit_mm() on --cpu, which clears that CPU's rq->membarrier_state while
 * the CPU keeps this mm as its lazy active_mm; context_switch() copies an
 * mm's state to the CPU only when active_mm changes, so the next round's
 * thread, run there from idle, is not IPI'd (README: ipi-broadcast).
 * --fork 1 runs a child process on --cpu before each round: the switch
 * back then comes from another mm and sets the state.  --cmd private
 * (PRIVATE_EXPEDITED reads rq->curr->mm) is the control.
 *
 * Not part of gupsync.  Build: make tools/membarrier_stale.  Counts are
 * system-wide: another process running on --cpu sets the state too, so a
 * loaded machine shows fewer stale rounds.  The thread's share of the
 * round on CPU is printed beside each count.
 *
 *   membarrier_stale [--cmd global|private] [--fork 0|1] [--cpu N]
 *                    [--rounds N] [--ms MS]
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int stop;

struct conf {
	int cmd, fork, cpu, rounds, ms;
};

static long membarrier(int cmd)
{
	return syscall(__NR_membarrier, cmd, 0, 0);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double clock_s(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The CAL row's count for one CPU (column cpu), -1 if not found. */
static long cal_irqs(int cpu)
{
	char line[4096];
	long v = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		while (*p == ' ')
			p++;
		if (strncmp(p, "CAL:", 4))
			continue;
		p += 4;
		for (int i = 0; i <= cpu; i++, p = end) {
			v = strtol(p, &end, 10);
			if (end == p) {
				v = -1;
				break;
			}
		}
		break;
	}
	fclose(f);
	return v;
}

static void *spin(void *arg)
{
	(void)arg;
	while (!stop)
		;
	return NULL;
}

static int pin_self(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return sched_setaffinity(0, sizeof(s), &s);
}

/* A child process on cpu: the CPU's next switch to this mm comes from
 * another mm. */
static void other_mm_on(int cpu)
{
	pid_t pid = fork();

	if (pid == 0) {
		pin_self(cpu);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static int round_once(const struct conf *c, int mb_cmd)
{
	pthread_attr_t at;
	pthread_t t;
	clockid_t ck;
	cpu_set_t s;
	long calls = 0, i0, i1;
	double t0, c0, el, on;
	int rc;

	pthread_attr_init(&at);
	CPU_ZERO(&s);
	CPU_SET(c->cpu, &s);
	pthread_attr_setaffinity_np(&at, sizeof(s), &s);
	stop = 0;
	rc = pthread_create(&t, &at, spin, NULL);
	pthread_attr_destroy(&at);
	if (rc) {
		fprintf(stderr, "pthread_create on CPU %d: %s\n", c->cpu,
			strerror(rc));
		return -1;
	}
	pthread_getcpuclockid(t, &ck);
	usleep(5000);
	i0 = cal_irqs(c->cpu);
	t0 = now_s();
	c0 = clock_s(ck);
	while (now_s() - t0 < c->ms / 1e3) {
		if (membarrier(mb_cmd) < 0) {
			perror("membarrier");
			break;
		}
		calls++;
	}
	on = clock_s(ck) - c0;
	el = now_s() - t0;
	i1 = cal_irqs(c->cpu);
	printf(" %.2f(%.0f%%)", calls ? (double)(i1 - i0) / calls : 0,
	       100 * on / el);
	fflush(stdout);
	stop = 1;
	pthread_join(t, NULL);
	return 0;
}

static int parse(int argc, char **argv, struct conf *c)
{
	*c = (struct conf){ .cmd = 0, .fork = 0, .cpu = 1, .rounds = 8, .ms = 50 };
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		if (!strcmp(o, "--cmd") && (!strcmp(v, "global") || !strcmp(v, "private")))
			c->cmd = !strcmp(v, "private");
		else if (!strcmp(o, "--fork"))
			c->fork = atoi(v) != 0;
		else if (!strcmp(o, "--cpu"))
			c->cpu = atoi(v);
		else if (!strcmp(o, "--rounds"))
			c->rounds = atoi(v);
		else if (!strcmp(o, "--ms"))
			c->ms = atoi(v);
		else
			return -1;
	}
	return argc % 2 == 1 && c->cpu > 0 && c->rounds > 0 && c->ms > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct conf c;
	int mb_cmd;

	if (parse(argc, argv, &c) < 0) {
		fprintf(stderr, "usage: membarrier_stale [--cmd global|private] "
			"[--fork 0|1] [--cpu N>0] [--rounds N] [--ms MS]\n");
		return 2;
	}
	mb_cmd = c.cmd ? MEMBARRIER_CMD_PRIVATE_EXPEDITED :
			 MEMBARRIER_CMD_GLOBAL_EXPEDITED;
	if (pin_self(0) < 0 || cal_irqs(c.cpu) < 0) {
		fprintf(stderr, "CPU 0 and CPU %d and the CAL row of "
			"/proc/interrupts are needed\n", c.cpu);
		return 4;
	}
	if (membarrier(c.cmd ? MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED :
			       MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) < 0) {
		perror("membarrier(REGISTER)");
		return 4;
	}
	printf("# IPIs per %s call on CPU %d (thread's share on CPU), %s:",
	       c.cmd ? "PRIVATE_EXPEDITED" : "GLOBAL_EXPEDITED", c.cpu,
	       c.fork ? "a child process there before each round" :
			"rounds back to back");
	for (int r = 0; r < c.rounds; r++) {
		if (c.fork)
			other_mm_on(c.cpu);
		if (round_once(&c, mb_cmd) < 0)
			return 1;
	}
	printf("\n");
	return 0;
}
