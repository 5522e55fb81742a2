// SPDX-License-Identifier: GPL-2.0
/* bench.c - the registry of benchmarks and the helpers a bench/ file calls. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "counters.h"

/* Provided by the linker for the gupsync_bench section (weak: the tests
 * link lib/ without any benchmark). */
extern const struct bench *const __start_gupsync_bench[] __attribute__((weak));
extern const struct bench *const __stop_gupsync_bench[] __attribute__((weak));

static int by_name(const void *a, const void *b)
{
	const struct bench *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

size_t bench_all(const struct bench ***out)
{
	static const struct bench **sorted;
	static size_t n;

	if (!sorted && __start_gupsync_bench) {
		n = __stop_gupsync_bench - __start_gupsync_bench;
		sorted = calloc(n + 1, sizeof(*sorted));
		if (!sorted)
			n = 0;
		for (size_t i = 0; sorted && i < n; i++)
			sorted[i] = __start_gupsync_bench[i];
		if (sorted)
			qsort(sorted, n, sizeof(*sorted), by_name);
	}
	*out = sorted;
	return n;
}

const struct bench *bench_find(const char *name)
{
	const struct bench **all;
	size_t n = bench_all(&all);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

/* Workers call these from their own threads during worker_setup(). */
static pthread_mutex_t point_lock = PTHREAD_MUTEX_INITIALIZER;

void point_note(struct point *pt, const char *key, const char *fmt, ...)
{
	struct note *n, **tail = &pt->notes;
	va_list ap;

	pthread_mutex_lock(&point_lock);
	while (*tail && strcmp((*tail)->key, key))
		tail = &(*tail)->next;
	n = *tail ? *tail : calloc(1, sizeof(*n));	/* a key is noted once */
	if (n) {
		snprintf(n->key, sizeof(n->key), "%s", key);
		va_start(ap, fmt);
		vsnprintf(n->val, sizeof(n->val), fmt, ap);
		va_end(ap);
		*tail = n;
	}
	pthread_mutex_unlock(&point_lock);
}

int point_skip(struct point *pt, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&point_lock);
	if (!pt->skip_reason[0]) {	/* the first reason wins */
		va_start(ap, fmt);
		vsnprintf(pt->skip_reason, sizeof(pt->skip_reason), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&point_lock);
	return BENCH_SKIP;
}

static int find_counter(const struct counters *c, const char *spec)
{
	for (size_t i = 0; c && i < counters_n(c); i++)
		if (!strcmp(counter_spec(c, i), spec))
			return counter_ok(c, i) ? (int)i : -1;
	return -1;
}

int point_counter(const struct point *pt, const char *spec)
{
	return find_counter(pt->ctr, spec);
}

int point_thread_counter(const struct point *pt, const char *spec)
{
	return find_counter(pt->tctr, spec);
}
