// SPDX-License-Identifier: GPL-2.0
/* victim.c - see victim.h. */
#include <errno.h>
#include <linux/futex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "victim.h"
#include "workers.h"

#define NS_PER_S 1000000000ull

const char *const victim_names[] = {
	[VICTIM_IDLE] = "idle", [VICTIM_SPIN] = "spin",
	[VICTIM_SYSCALL] = "syscall", [VICTIM_GUP] = "gup",
	[VICTIM_SLEEP] = "sleep", NULL,
};

int victim_kind(const char *name)
{
	for (int k = 0; victim_names[k]; k++)
		if (!strcmp(victim_names[k], name))
			return k;
	return -1;
}

bool victim_busy(int kind)
{
	return kind == VICTIM_SPIN || kind == VICTIM_SYSCALL ||
	       kind == VICTIM_GUP;
}

/* ---- per-worker setup ---- */

static long futex_wake_shared(uint32_t *word)
{
	/* No FUTEX_PRIVATE_FLAG: get_futex_key() -> get_user_pages_fast(). */
	return syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Map what the kind needs; pages stays s->pages unless the spin victim
 * maps its own. */
static int victim_map(struct point *pt, struct victim *v,
		      const struct victim_spec *s)
{
	char err[256];

	if (v->kind == VICTIM_SPIN && !s->pages && s->npages)
		v->own_size = s->npages * PAGE_4K;
	else if (v->kind == VICTIM_GUP)
		v->own_size = PAGE_4K;
	if (!v->own_size)
		return BENCH_OK;
	v->own = mem_region(v->own_size, PAGE_4K, 0, err, sizeof(err));
	if (!v->own)
		return point_skip(pt, "victim memory: %s", err);
	if (v->kind == VICTIM_SPIN) {
		v->pages = v->own;
		return BENCH_OK;
	}
	v->futex_word = (uint32_t *)v->own;
	if (futex_wake_shared(v->futex_word) < 0)
		return point_skip(pt, "futex(%p, FUTEX_WAKE): %s",
				  (void *)v->futex_word, strerror(errno));
	return BENCH_OK;
}

static int victim_init(struct point *pt, struct victim *v,
		       const struct victim_spec *s)
{
	memset(v, 0, sizeof(*v));
	v->kind = s->kind;
	v->pages = s->pages;
	v->npages = s->npages;
	v->sleep_ns = s->sleep_ns;
	for (unsigned m = 0; m < BENCH_MAX_MODES; m++)
		v->oncpu[m] = NAN;
	return victim_map(pt, v, s);
}

int victim_worker_setup(struct point *pt, struct worker *w,
			const struct victim_spec *s)
{
	struct victim *v = calloc(1, sizeof(*v));

	if (!v)
		return point_skip(pt, "out of memory for a victim");
	w->priv = v;
	return victim_init(pt, v, s);
}

void victim_worker_teardown(struct point *pt, struct worker *w)
{
	struct victim *v = w->priv;

	(void)pt;
	if (!v)
		return;
	mem_free(v->own, v->own_size);
	free(v);
	w->priv = NULL;
}

/* ---- the loops ---- */

static void victim_spin(struct worker *w, const struct victim *v)
{
	size_t i = 0;

	/* One byte of each page in turn: the victim's TLB holds them all. */
	while (worker_running(w)) {
		if (v->npages) {
			(void)v->pages[i * PAGE_4K];
			if (++i == v->npages)
				i = 0;
		}
		worker_tick(w);
	}
}

static void victim_syscall(struct worker *w)
{
	/* In the kernel, IRQs on: an IPI is taken at once. */
	while (worker_running(w)) {
		syscall(SYS_getppid);
		worker_tick(w);
	}
}

static void victim_gup_fast(struct worker *w, const struct victim *v)
{
	/* IRQs off in the walk: an IPI waits for it. */
	while (worker_running(w)) {
		futex_wake_shared(v->futex_word);
		worker_tick(w);
	}
}

static void victim_sleep(struct worker *w, const struct victim *v)
{
	const struct timespec ts = { v->sleep_ns / NS_PER_S,
				     v->sleep_ns % NS_PER_S };

	/* Asleep, its CPU is idle and lazy: x86 skips it for TLB flushes,
	 * membarrier skips it (it does not run this mm), and idle entry is
	 * a quiescent state. */
	while (worker_running(w)) {
		/* Only EINTR can come back with these arguments: a short nap. */
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
		worker_tick(w);
	}
}

/* This thread's CPU time in ns (what schedstat's first field counts);
 * 0 if it cannot be read, which leaves the share NaN. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void victim_run(struct worker *w, const struct victim *v)
{
	switch (v->kind) {
	case VICTIM_IDLE:
		break;
	case VICTIM_SPIN:
		victim_spin(w, v);
		break;
	case VICTIM_SYSCALL:
		victim_syscall(w);
		break;
	case VICTIM_GUP:
		victim_gup_fast(w, v);
		break;
	case VICTIM_SLEEP:
		victim_sleep(w, v);
		break;
	}
}

void victim_bg_loop(struct worker *w)
{
	struct victim *v = w->priv;
	uint64_t c0 = thread_cpu_ns(), t0 = now_ns(), c1, t1;

	if (!v)
		return;
	victim_run(w, v);
	c1 = thread_cpu_ns();
	t1 = now_ns();
	if (w->mode < BENCH_MAX_MODES && t1 > t0 && c0 && c1 >= c0)
		v->oncpu[w->mode] = (double)(c1 - c0) / (t1 - t0);
}
