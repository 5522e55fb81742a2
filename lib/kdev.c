// SPDX-License-Identifier: GPL-2.0
/* kdev.c - see kdev.h. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kdev.h"

int kdev_open(struct gupsync_info *info, char *why, size_t len)
{
	int fd = open(GUPSYNC_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, len, "open(%s): %s: %s", GUPSYNC_DEVICE,
			 strerror(errno), errno == EACCES ? "needs root" : KDEV_HINT);
		return -1;
	}
	memset(info, 0, sizeof(*info));
	if (ioctl(fd, GUPSYNC_IOC_INFO, info) < 0 ||
	    info->abi_version != GUPSYNC_ABI_VERSION) {
		snprintf(why, len, "%s: ABI version %u, this gupsync needs %u: "
			 "rebuild and reload gupsync.ko", GUPSYNC_DEVICE,
			 info->abi_version, GUPSYNC_ABI_VERSION);
		close(fd);
		return -1;
	}
	return fd;
}

int ksamples_init(struct ksamples *s, size_t cap)
{
	s->v = malloc(cap * sizeof(double));
	s->n = s->dropped = 0;
	s->cap = s->v ? cap : 0;
	return s->v ? 0 : -1;
}

void ksamples_add(struct ksamples *s, const uint64_t *ns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s->n < s->cap)
			s->v[s->n++] = (double)ns[i];
		else
			s->dropped++;
	}
}

void ksamples_free(struct ksamples *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int ksamples_stats(const struct ksamples *const *s, size_t n, struct stats *out)
{
	size_t total = 0, k = 0;
	double *all;
	int rc;

	for (size_t i = 0; i < n; i++)
		total += s[i] ? s[i]->n : 0;
	*out = (struct stats){ .min = NAN, .max = NAN, .mean = NAN,
		.stddev = NAN, .median = NAN, .p10 = NAN, .p90 = NAN,
		.p99 = NAN, .ci_lo = NAN, .ci_hi = NAN };
	all = total ? malloc(total * sizeof(double)) : NULL;
	if (!all)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (s[i]) {
			memcpy(all + k, s[i]->v, s[i]->n * sizeof(double));
			k += s[i]->n;
		}
	rc = stats_compute(all, total, out);
	free(all);
	return rc;
}

int kdev_setup(struct point *pt, struct gupsync_info *info)
{
	char why[256];
	int fd = kdev_open(info, why, sizeof(why));

	if (fd < 0)
		return point_skip(pt, "%s", why);
	close(fd);
	return BENCH_OK;
}

/* Every mode of the bench, proof-only ones included: each keeps samples. */
static unsigned bench_modes(const struct bench *b)
{
	unsigned n = 0;

	while (n < BENCH_MAX_MODES && b->modes[n].name)
		n++;
	return n;
}

static int worker_open(struct point *pt, struct kdev_worker *k, const char *dev)
{
	struct gupsync_info info;
	char why[256];

	if (!dev) {
		k->fd = kdev_open(&info, why, sizeof(why));
		return k->fd < 0 ? point_skip(pt, "%s", why) : BENCH_OK;
	}
	k->fd = open(dev, O_RDWR | O_CLOEXEC);
	return k->fd < 0 ? point_skip(pt, "open(%s): %s", dev, strerror(errno)) :
			   BENCH_OK;
}

int kdev_worker_setup(struct point *pt, struct worker *w, unsigned nseries,
		      size_t batch, const char *dev)
{
	struct kdev_worker *k = w->priv;

	k->nseries = nseries;
	k->nmodes = bench_modes(pt->bench);
	if (worker_open(pt, k, dev) != BENCH_OK)
		return BENCH_SKIP;
	for (unsigned s = 0; s < nseries; s++) {
		k->buf[s] = calloc(batch, sizeof(uint64_t));
		for (unsigned m = 0; m < k->nmodes; m++)
			if (!k->buf[s] || ksamples_init(&k->ks[s][m], KSAMPLES_CAP) < 0)
				return point_skip(pt, "out of memory for samples");
	}
	return BENCH_OK;
}

void kdev_keep(struct worker *w, size_t n, uint64_t events)
{
	struct kdev_worker *k = w->priv;

	if (!worker_measuring(w))
		return;
	for (unsigned s = 0; s < k->nseries; s++)
		ksamples_add(&k->ks[s][w->mode], k->buf[s], n);
	k->iters[w->mode] += n;
	k->events[w->mode] += events;
}

int kdev_mode_enter(struct point *pt, unsigned mode)
{
	for (unsigned i = 0; i < pt->nthreads; i++) {
		struct kdev_worker *k = point_worker_priv(pt, i);

		for (unsigned s = 0; k && s < k->nseries; s++)
			k->ks[s][mode].n = k->ks[s][mode].dropped = 0;
		if (k)
			k->iters[mode] = k->events[mode] = 0;
	}
	return BENCH_OK;
}

void kdev_worker_teardown(struct point *pt, struct worker *w)
{
	struct kdev_worker *k = w->priv;

	(void)pt;
	if (w->bg)	/* its state is zeroes: fd 0 is not its own */
		return;
	if (k->fd >= 0)
		close(k->fd);
	for (unsigned s = 0; s < k->nseries; s++) {
		for (unsigned m = 0; m < k->nmodes; m++)
			ksamples_free(&k->ks[s][m]);
		free(k->buf[s]);
	}
}

void kdev_bg_spin(struct worker *w)
{
	while (worker_running(w))
		worker_tick(w);
}

struct stats kdev_stats(const struct point *pt, unsigned series, unsigned mode)
{
	const struct ksamples **s = calloc(pt->nthreads, sizeof(*s));
	struct stats st;

	unsigned n = 0;

	/* A worker without state (none started) has no samples. */
	for (unsigned i = 0; s && i < pt->nthreads; i++) {
		const struct kdev_worker *k = point_worker_priv(pt, i);

		if (k)
			s[n++] = &k->ks[series][mode];
	}
	ksamples_stats(s, n, &st);
	free(s);
	return st;
}

void kdev_latency_values(double *val, const struct stats *st)
{
	val[0] = st->median;
	val[1] = st->p99;
}

double kdev_events_per_iter(const struct point *pt, unsigned mode)
{
	uint64_t iters = 0, events = 0;

	for (unsigned i = 0; i < pt->nthreads; i++) {
		const struct kdev_worker *k = point_worker_priv(pt, i);

		if (k)
			iters += k->iters[mode], events += k->events[mode];
	}
	return iters ? (double)events / iters : NAN;
}

void kdev_counter_per_iter(const struct mode_result *res, unsigned nmodes,
			   int counter, double iters_per_op, double *out)
{
	for (unsigned m = 0; m < nmodes; m++)
		out[m] = res[m].ops ? (double)res[m].delta[counter] /
				      (res[m].ops * iters_per_op) : NAN;
}
