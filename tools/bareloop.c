// SPDX-License-Identifier: GPL-2.0
/*
 * bareloop - the GUP-fast difference with no harness: one thread, private
 * and shared FUTEX_WAKE (no waiters) on one word of private anonymous
 * memory, alternated in ABBA slices of --slice calls, the clock read only
 * at slice boundaries.  Per trial of --duration ms: the medians over slice
 * pairs of shared - private (ns) and shared / private - 1, the private ns
 * per call, and the shared calls per second (shared calls / time in shared
 * slices).  The process is put on the global futex hash first (prctl
 * PR_FUTEX_HASH_SET_SLOTS 0, 6.16+), as gupsync does; --hash process
 * leaves the kernel's default and starts one idle extra thread, so the
 * private wakes go through a per-process hash.
 *
 * A cross-check of `gupsync run gup-fast` (tools/bare-vs-gupsync runs both
 * in turn), not part of gupsync.  Build: make tools/bareloop.
 *
 *   bareloop [--trials N] [--duration MS] [--slice CALLS] [--hash global|process]
 *            [--move 1]   (another word, page and cache line each trial)
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PR_FUTEX_HASH 78		/* uapi/linux/prctl.h, 6.16+ */
#define PR_FUTEX_HASH_SET_SLOTS 1
#define PR_FUTEX_HASH_GET_SLOTS 2
#define MAX_PAIRS (1 << 20)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *x, size_t n)
{
	qsort(x, n, sizeof(*x), cmp);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/* ns per call of one slice of 'calls' wakes. */
static double slice(uint32_t *word, int op, long calls)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < calls; i++)
		syscall(SYS_futex, word, op, 1, NULL, NULL, 0);
	return (double)(now_ns() - t0) / calls;
}

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: bareloop [--trials N] [--duration MS] "
		"[--slice CALLS] [--hash global|process] [--move 1]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long trials = 10, dur_ms = 1000, calls = 1000;
	int process = 0, move = 0;
	static double d[MAX_PAIRS], q[MAX_PAIRS], pv[MAX_PAIRS];
	uint32_t *word;
	pthread_t th;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--trials"))
			trials = atol(argv[++i]);
		else if (!strcmp(argv[i], "--duration"))
			dur_ms = atol(argv[++i]);
		else if (!strcmp(argv[i], "--slice"))
			calls = atol(argv[++i]);
		else if (!strcmp(argv[i], "--hash"))
			process = !strcmp(argv[++i], "process");
		else if (!strcmp(argv[i], "--move"))	/* another word each trial */
			move = atoi(argv[++i]);
		else
			usage();
	}
	if (trials < 1 || dur_ms < 1 || calls < 1)
		usage();
	word = mmap(NULL, 4096 * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (word == MAP_FAILED) {
		fprintf(stderr, "bareloop: mmap 16M: %s\n", strerror(errno));
		return 1;
	}
	if (process) {
		if (pthread_create(&th, NULL, idle, NULL)) {
			fprintf(stderr, "bareloop: pthread_create failed\n");
			return 1;
		}
	} else if (prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_SET_SLOTS, 0, 0, 0) < 0 &&
		   errno != EINVAL) {
		fprintf(stderr, "bareloop: prctl(PR_FUTEX_HASH, SET_SLOTS, 0): %s\n",
			strerror(errno));
		return 1;
	}
	printf("# bareloop: hash %s (GET_SLOTS %d), %ld trials x %ld ms, "
	       "ABBA slices of %ld calls\n", process ? "process" : "global",
	       prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_GET_SLOTS, 0, 0, 0), trials,
	       dur_ms, calls);
	printf("trial,gup_fast_ns,gup_fast_rel,private_ns,shared_wakes_per_s\n");
	for (long t = 0; t < trials; t++) {
		uint64_t end = now_ns() + (uint64_t)dur_ms * 1000000;
		uint32_t *w0 = word;

		/* --move: a word on another page (and hash bucket) each trial */
		if (move)
			word = w0 + (size_t)(t % 4096) * 1024 + (size_t)(t * 7 % 64) * 16;
		double shared_ns = 0, shared_calls = 0;
		size_t n = 0;

		for (long k = 0; now_ns() < end && n < MAX_PAIRS; k += 2) {
			/* A B B A: pair k is private then shared on even
			 * pairs, shared then private on odd ones. */
			double a, b;

			if ((k / 2) % 2 == 0) {
				a = slice(word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, calls);
				b = slice(word, FUTEX_WAKE, calls);
			} else {
				b = slice(word, FUTEX_WAKE, calls);
				a = slice(word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, calls);
			}
			d[n] = b - a;
			q[n] = b / a - 1;
			pv[n++] = a;
			shared_ns += b * calls;
			shared_calls += calls;
		}
		printf("%ld,%.2f,%.5f,%.2f,%.0f\n", t, median(d, n), median(q, n),
		       median(pv, n), shared_calls * 1e9 / shared_ns);
		word = w0;
	}
	return 0;
}
