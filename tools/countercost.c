// SPDX-License-Identifier: GPL-2.0
/*
 * countercost - what each of gupsync's window counters costs a shared
 * FUTEX_WAKE loop: the loop's rate with no counter open, then with each
 * counter alone (opened system-wide as gupsync opens it), in ABAB rounds.
 * Build: make tools/countercost (links lib/).  Run as root.
 *
 *   countercost [SPEC...]    default: run_default_counters + mmap_lock
 */
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "proof.h"
#include "run.h"

#define WINDOW_NS 300000000ull
#define ROUNDS 3

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Shared wakes per second over one window. */
static double rate(uint32_t *word)
{
	uint64_t t0 = now_ns(), end = t0 + WINDOW_NS, n = 0;

	while (now_ns() < end) {
		for (int i = 0; i < 1000; i++)
			syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
		n += 1000;
	}
	return n * 1e9 / (double)(now_ns() - t0);
}

int main(int argc, char **argv)
{
	const char *defaults[32];
	const char *const *specs = (const char *const *)argv + 1;
	size_t n = (size_t)argc - 1;
	uint32_t *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (word == MAP_FAILED)
		return 1;
	if (!n) {
		while (run_default_counters[n])
			defaults[n] = run_default_counters[n], n++;
		defaults[n++] = MMAP_LOCK_TP;
		specs = defaults;
	}
	char why[256];

	counters_tracefs(why, sizeof(why));
	printf("counter,rate_without,rate_with,cost_pct\n");
	for (size_t i = 0; i < n; i++) {
		double off = 0, on = 0;

		for (int r = 0; r < ROUNDS; r++) {
			struct counters *c = counters_open(&specs[i], 1);

			off += rate(word);
			if (c)
				on += rate(word);
			counters_close(c);
		}
		printf("%s,%.0f,%.0f,%.1f\n", specs[i], off / ROUNDS, on / ROUNDS,
		       100 * (1 - on / off));
	}
	return 0;
}
