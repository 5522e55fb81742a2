// SPDX-License-Identifier: GPL-2.0
/*
 * k-gup: get_user_pages_fast()/pin_user_pages_fast() called from the
 * kernel on a user buffer, get and put timed apart, per call, in ns.
 *
 * Kernel path: ioctl(/dev/gupsync) -> get_user_pages_fast(addr, N,
 * [FOLL_WRITE]) then put_page() on each page ("get"), or
 * pin_user_pages_fast() then unpin_user_pages() ("pin"): the lockless
 * page-table walk with IRQs off that the replacement protocols (khugepaged
 * collapse, KSM merge, page migration) must exclude with an IPI or an RCU
 * grace period, then the page-reference (FOLL_GET) or pin (FOLL_PIN,
 * GUP_PIN_COUNTING_BIAS) they check.  Like mm/gup_test.c's
 * GUP_FAST_BENCHMARK/PIN_FAST_BENCHMARK, but each call is timed alone and
 * the distribution comes back, not one total in microseconds.
 *
 * What is reported: one op() is one ioctl of --batch calls of
 * --pages-per-call pages each, walking the buffer; the harness's per-op
 * latency includes the syscall.  The module's per-call samples of the
 * timed window give get_ns/put_ns and pin_ns/unpin_ns (per-trial medians)
 * and get_ns_per_page.
 *
 * Backends: the gupsync.ko device, or, where the kernel was built with
 * CONFIG_GUP_TEST, its /sys/kernel/debug/gup_test (one ioctl walks the
 * whole buffer; its get/put totals in us become one per-call mean per
 * op, so only the kmod backend has a true per-call distribution).
 *
 * Proof: mmap_lock:mmap_lock_start_locking per call ~0 for get and pin
 * (GUP-fast takes no mmap_lock), and >= 1 for the control "slow", which
 * calls get_user_pages_unlocked() (gup_test: GUP_BASIC_TEST), so the
 * detector is known to see the slow path.  With page-size=2M the buffer
 * must show AnonHugePages or the point is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <linux/types.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"
#include "proof.h"
#include "kdev.h"
#include "knobs.h"
#include "mem.h"

enum { MODE_GET, MODE_PIN, MODE_SLOW, NMODES };
enum { BACKEND_AUTO, BACKEND_KMOD, BACKEND_GUP_TEST };
enum { SERIES_GET, SERIES_PUT, NSERIES };	/* two timings per call */

#define MAX_BATCH 4096
#define MAX_SIZE (1ull << 30)

/* mm/gup_test.h (5.11+): the ABI of /sys/kernel/debug/gup_test. */
#define GUP_TEST_PATH "/sys/kernel/debug/gup_test"
#define GUP_TEST_MAX_PAGES_TO_DUMP 8
#define GUP_TEST_FOLL_WRITE 0x01	/* FOLL_WRITE, passed through */
struct gup_test {
	__u64 get_delta_usec;
	__u64 put_delta_usec;
	__u64 addr;
	__u64 size;
	__u32 nr_pages_per_call;
	__u32 gup_flags;
	__u32 test_flags;
	__u32 which_pages[GUP_TEST_MAX_PAGES_TO_DUMP];
};
#define GUP_FAST_BENCHMARK _IOWR('g', 1, struct gup_test)
#define PIN_FAST_BENCHMARK _IOWR('g', 2, struct gup_test)
#define GUP_BASIC_TEST _IOWR('g', 4, struct gup_test)

struct kgup_conf {
	uint64_t pages, page_size, size, batch;
	bool write;
	int backend;
};

struct kgup_worker {
	struct kdev_worker k;
	char *buf;		/* the user buffer GUP walks */
};

struct kgup_point {
	int backend;		/* KMOD or GUP_TEST, resolved */
};

static const char *const backends[] = { "auto", "kmod", "gup_test", NULL };

static const struct opt_spec kgup_opts[] = {
	{ .name = "pages-per-call", .type = OPT_U64,
	  .help = "pages one GUP call gets (like gup_test -n)",
	  .def = "1", .min = 1, .max = GUPSYNC_MAX_PAGES_PER_CALL, .list = true,
	  .offset = offsetof(struct kgup_conf, pages) },
	{ .name = "page-size", .type = OPT_SIZE,
	  .help = "pages of the buffer: 4K or 2M (THP)",
	  .def = "4K", .min = PAGE_4K, .max = HPAGE_PMD_SIZE, .list = true,
	  .offset = offsetof(struct kgup_conf, page_size) },
	{ .name = "size", .type = OPT_SIZE,
	  .help = "buffer per worker; calls walk it and wrap",
	  .def = "2M", .min = PAGE_4K, .max = MAX_SIZE,
	  .offset = offsetof(struct kgup_conf, size) },
	{ .name = "batch", .type = OPT_U64,
	  .help = "GUP calls per ioctl (kmod backend)",
	  .def = "64", .min = 1, .max = MAX_BATCH,
	  .offset = offsetof(struct kgup_conf, batch) },
	{ .name = "write", .type = OPT_FLAG,
	  .help = "FOLL_WRITE (the buffer is writable and populated)",
	  .offset = offsetof(struct kgup_conf, write) },
	{ .name = "backend", .type = OPT_ENUM,
	  .help = "auto: gupsync.ko, else CONFIG_GUP_TEST's debugfs file",
	  .def = "auto", .choices = backends,
	  .offset = offsetof(struct kgup_conf, backend) },
	{ NULL },
};

static int kgup_check(const void *conf, char *err, size_t len)
{
	const struct kgup_conf *c = conf;
	uint64_t call = c->pages * PAGE_4K;

	if (c->page_size != PAGE_4K && c->page_size != HPAGE_PMD_SIZE) {
		snprintf(err, len, "--page-size: '%llu' bytes is not supported; "
			 "allowed: 4K, 2M", (unsigned long long)c->page_size);
		return -1;
	}
	if (c->size % call || c->size % c->page_size) {
		snprintf(err, len, "--size: %llu bytes is not a whole number of "
			 "calls (%llu pages) and pages (%llu); allowed: a multiple of both",
			 (unsigned long long)c->size, (unsigned long long)c->pages,
			 (unsigned long long)c->page_size);
		return -1;
	}
	return 0;
}

/* Which backend: the gupsync.ko device first, then gup_test. */
static int pick_backend(struct point *pt, struct kgup_point *kp)
{
	const struct kgup_conf *c = pt->conf;
	struct gupsync_info info;
	char why[256], why2[256] = "not tried";
	int fd = -1;

	if (c->backend != BACKEND_GUP_TEST && (fd = kdev_open(&info, why, sizeof(why))) >= 0) {
		close(fd);
		kp->backend = BACKEND_KMOD;
		point_note(pt, "backend", "gupsync.ko ABI %u on %s",
			   info.abi_version, info.release);
		return BENCH_OK;
	}
	if (c->backend != BACKEND_KMOD) {
		fd = open(GUP_TEST_PATH, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			kp->backend = BACKEND_GUP_TEST;
			point_note(pt, "backend", "%s (CONFIG_GUP_TEST): per-op "
				   "means, not per-call samples", GUP_TEST_PATH);
			return BENCH_OK;
		}
		snprintf(why2, sizeof(why2), "open(%s): %s (needs CONFIG_GUP_TEST "
			 "and debugfs)", GUP_TEST_PATH, strerror(errno));
	}
	if (c->backend == BACKEND_GUP_TEST)
		return point_skip(pt, "%s", why2);
	return point_skip(pt, "%s%s%s", why, c->backend == BACKEND_AUTO ?
			  "; " : "", c->backend == BACKEND_AUTO ? why2 : "");
}

static int kgup_setup(struct point *pt)
{
	const struct kgup_conf *c = pt->conf;
	struct kgup_point *kp = pt->priv;
	char val[64], err[256];

	if (pick_backend(pt, kp) != BENCH_OK)
		return BENCH_SKIP;
	if (c->page_size == HPAGE_PMD_SIZE) {
		if (knob_read(THP_ENABLED, val, sizeof(val)) < 0)
			return point_skip(pt, "THP not available: cannot read %s",
					  THP_ENABLED);
		if (!strcmp(val, "never")) {	/* restored on every exit path */
			if (knob_set(THP_ENABLED, "madvise", err, sizeof(err)) < 0)
				return point_skip(pt, "THP is 'never' and %s", err);
			point_note(pt, "thp_knob", "enabled: never -> madvise for this run");
		}
	}
	return BENCH_OK;
}

static int buffer(struct point *pt, struct kgup_worker *kw)
{
	const struct kgup_conf *c = pt->conf;
	int huge = c->page_size == HPAGE_PMD_SIZE;
	char err[256];
	long kb;

	kw->buf = mem_region(c->size, c->page_size, huge, err, sizeof(err));
	if (!kw->buf)
		return point_skip(pt, "%s", err);
	if (!huge)
		return BENCH_OK;
	kb = mem_anon_huge_kb(kw->buf);
	if (kb < (long)(c->size >> 10))
		return point_skip(pt, "THP could not be had: AnonHugePages %ld kB "
				  "of %llu kB after MADV_HUGEPAGE", kb,
				  (unsigned long long)c->size >> 10);
	point_note(pt, "thp", "yes: buffer's VMA has AnonHugePages %ld kB", kb);
	return BENCH_OK;
}

static int kgup_worker_setup(struct point *pt, struct worker *w)
{
	const struct kgup_conf *c = pt->conf;
	const struct kgup_point *kp = pt->priv;

	if (w->bg)
		return BENCH_OK;
	if (kdev_worker_setup(pt, w, NSERIES, c->batch,
			      kp->backend == BACKEND_KMOD ? NULL :
			      GUP_TEST_PATH) != BENCH_OK)
		return BENCH_SKIP;
	return buffer(pt, w->priv);
}

static int op_kmod(struct worker *w, const struct kgup_conf *c,
		   struct kgup_worker *kw)
{
	static const uint32_t mode_flags[NMODES] = {
		0, GUPSYNC_GUP_PIN, GUPSYNC_GUP_SLOW };
	struct gupsync_gup a = {
		.loop = { .iters = c->batch,
			  .samples = (uintptr_t)kw->k.buf[SERIES_GET],
			  .flags = mode_flags[w->mode] |
				   (c->write ? GUPSYNC_GUP_WRITE : 0) },
		.addr = (uintptr_t)kw->buf, .size = c->size,
		.nr_pages_per_call = c->pages,
		.put_samples = (uintptr_t)kw->k.buf[SERIES_PUT],
	};

	if (ioctl(kw->k.fd, GUPSYNC_IOC_GUP, &a) < 0)
		return -errno;
	kdev_keep(w, c->batch, 0);
	return 0;
}

/* gup_test walks the whole buffer per ioctl and returns totals in us:
 * one mean per call per op, kept as one sample of each series. */
static int op_gup_test(struct worker *w, const struct kgup_conf *c,
		       struct kgup_worker *kw)
{
	static const unsigned long cmds[NMODES] = {
		GUP_FAST_BENCHMARK, PIN_FAST_BENCHMARK, GUP_BASIC_TEST };
	struct gup_test g = { .addr = (uintptr_t)kw->buf, .size = c->size,
		.nr_pages_per_call = c->pages,
		.gup_flags = c->write ? GUP_TEST_FOLL_WRITE : 0 };
	uint64_t calls = c->size / (c->pages * PAGE_4K);

	if (ioctl(kw->k.fd, cmds[w->mode], &g) < 0)
		return -errno;
	kw->k.buf[SERIES_GET][0] = g.get_delta_usec * 1000 / calls;
	kw->k.buf[SERIES_PUT][0] = g.put_delta_usec * 1000 / calls;
	kdev_keep(w, 1, 0);
	return 0;
}

static int kgup_op(struct worker *w)
{
	const struct kgup_point *kp = w->pt->priv;

	return kp->backend == BACKEND_KMOD ? op_kmod(w, w->pt->conf, w->priv) :
	       op_gup_test(w, w->pt->conf, w->priv);
}

static void kgup_worker_teardown(struct point *pt, struct worker *w)
{
	const struct kgup_conf *c = pt->conf;
	struct kgup_worker *kw = w->priv;

	mem_free(kw->buf, c->size);	/* NULL for background workers */
	kdev_worker_teardown(pt, w);
}

enum { M_GET, M_GET_P99, M_PUT, M_PIN, M_PIN_P99, M_UNPIN, M_GET_PER_PAGE,
       NMETRICS };

static const struct metric_spec kgup_metrics[NMETRICS] = {
	KDEV_LATENCY_METRICS("get_ns", "get_p99_ns"),
	[M_PUT] = { .name = "put_ns", .unit = "ns", .better = BETTER_LOWER,
		    .headline = true },
	KDEV_LATENCY_METRICS("pin_ns", "pin_p99_ns"),
	[M_UNPIN] = { .name = "unpin_ns", .unit = "ns", .better = BETTER_LOWER },
	[M_GET_PER_PAGE] = { .name = "get_ns_per_page", .unit = "ns",
			     .better = BETTER_LOWER },
};

static void kgup_derive(struct point *pt, const struct mode_result *res,
			double *val)
{
	const struct kgup_conf *c = pt->conf;
	struct stats get = kdev_stats(pt, SERIES_GET, MODE_GET);
	struct stats put = kdev_stats(pt, SERIES_PUT, MODE_GET);
	struct stats pin = kdev_stats(pt, SERIES_GET, MODE_PIN);
	struct stats unpin = kdev_stats(pt, SERIES_PUT, MODE_PIN);

	(void)res;
	kdev_latency_values(&val[M_GET], &get);
	val[M_PUT] = put.median;
	kdev_latency_values(&val[M_PIN], &pin);
	val[M_UNPIN] = unpin.median;
	val[M_GET_PER_PAGE] = get.median / c->pages;
}


static bool kgup_verify(struct point *pt, const struct mode_result *res,
			char *verdict, size_t len)
{
	const struct kgup_conf *c = pt->conf;
	const struct kgup_point *kp = pt->priv;
	int t = point_counter(pt, MMAP_LOCK_TP);
	/* kmod: batch calls per op; gup_test: one walk per op, counted once */
	double calls = kp->backend == BACKEND_KMOD ? (double)c->batch : 1.0;
	double per[NMODES];
	const char *slow;
	bool ok;

	if (t < 0) {
		snprintf(verdict, len, "unproven: %s not supported here", MMAP_LOCK_TP);
		return false;
	}
	kdev_counter_per_iter(res, NMODES, t, calls, per);
	slow = proof_slow_control(per[MODE_SLOW]);
	ok = per[MODE_GET] <= GUP_FAST_MAX && per[MODE_PIN] <= GUP_FAST_MAX && !slow;
	snprintf(verdict, len, "mmap_lock/%s: get %.4f, pin %.4f (expected 0), "
		 "slow control %.3f (expected 1) -> %s", calls > 1 ? "call" : "op",
		 per[MODE_GET], per[MODE_PIN], per[MODE_SLOW],
		 ok ? "GUP-fast served get and pin" : slow ? slow :
		 "get/pin took mmap_lock: not GUP-fast");
	return ok;
}

static const struct bench k_gup = {
	.name = "k-gup",
	.summary = "in-kernel get/pin_user_pages_fast() and put/unpin ns per call (needs gupsync.ko or CONFIG_GUP_TEST)",
	.kernel_path = "ioctl(/dev/gupsync) -> get_user_pages_fast()+put_page() | "
		       "pin_user_pages_fast()+unpin_user_pages()",
	.kind = BENCH_LATENCY,
	.opts = kgup_opts,
	.conf_size = sizeof(struct kgup_conf),
	.priv_size = sizeof(struct kgup_point),
	.worker_priv_size = sizeof(struct kgup_worker),
	.modes = {
		{ .name = "get",
		  .what = "get_user_pages_fast() + put_page() per page" },
		{ .name = "pin",
		  .what = "pin_user_pages_fast() + unpin_user_pages()" },
		{ .name = "slow",
		  .what = "get_user_pages_unlocked(): slow GUP with mmap_lock",
		  .proof_only = true },
	},
	.counters = { MMAP_LOCK_TP },
	.check = kgup_check,
	.setup = kgup_setup,
	.worker_setup = kgup_worker_setup,
	.op = kgup_op,
	.mode_enter = kdev_mode_enter,
	.worker_teardown = kgup_worker_teardown,
	METRIC_TABLE(kgup_metrics),
	.derive = kgup_derive,
	.verify = kgup_verify,
};
BENCH_REGISTER(k_gup);
