// SPDX-License-Identifier: GPL-2.0
/*
 * pin-fast: the pin path of GUP-fast (FOLL_PIN | FOLL_LONGTERM) from a
 * stock kernel, no module, through io_uring fixed-buffer registration.
 *
 * Kernel path (io_uring/rsrc.c, io_uring/memmap.c, read in a 6.15-era and
 * a post-6.18 tree; the path is the same in both): io_uring_register(IORING_REGISTER_BUFFERS, 1 iovec) ->
 * io_sqe_buffers_register() -> io_sqe_buffer_register() -> io_pin_pages()
 * -> pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM); then
 * io_uring_register(IORING_UNREGISTER_BUFFERS) -> io_rsrc_data_free() ->
 * io_buffer_unmap() -> io_release_ubuf() -> unpin_user_page().  This is
 * the reference the replacement protocols must respect for good: a
 * long-term pin raises the folio's pincount, so khugepaged/KSM/migration
 * see a "maybe pinned" folio and back off.
 *
 * ONE OPERATION IS NOT THE BARE PIN.  One op = register one buffer of
 * --pages pages + unregister it, i.e. two syscalls, each taking the ring's
 * uring_lock, and:
 *   register:   buffer table kvmalloc (1 slot), iovec copied in and
 *               validated, rsrc node (ctx cache), the page array
 *               (kvmalloc, one pointer per 4K subpage), pin_user_pages_fast
 *               over every 4K subpage (a PMD-mapped THP takes its pins in
 *               one atomic per folio, but still fills 512 array entries),
 *               for >1 subpage the folio walk of
 *               io_check_coalesce_buffer(), for THP io_coalesce_buffer()
 *               (head-page array, all but one pin per folio dropped again),
 *               the imu (ctx cache up to 32 bvecs, else kvmalloc), pin
 *               accounting (RLIMIT_MEMLOCK only without CAP_IPC_LOCK; older
 *               6.x also adds to mm->pinned_vm, an atomic shared by all
 *               workers), the bvec fill;
 *   unregister: unaccounting, unpin_user_page() per bvec (per 4K page, or
 *               per folio after coalescing), imu, node and table freed.
 * Mode "empty" registers one empty slot ({NULL, 0}): the same syscalls,
 * lock, table and iovec copy, but io_sqe_buffer_register() returns before
 * any allocation or pin.  pin_fast_ns = pin - empty (paired per trial) is
 * therefore the pin + unpin plus io_uring's per-buffer bookkeeping listed
 * above: an upper bound on the pin_user_pages_fast() + unpin cost itself.
 * Empty and pin alternate in ABBA slices within each trial
 * (lib/slices.h): pin_fast_ns is the median over slice pairs of pin -
 * empty, pin_fast_rel of pin / empty - 1.
 *
 * Proof (per point, before the trials): mmap_lock:mmap_lock_start_locking
 * per op is ~0 in the pin mode (GUP-fast takes no mmap_lock; the slow
 * path would, e.g. for a ZONE_MOVABLE page FOLL_LONGTERM must migrate) and
 * ~1 for the control: a buffer on a PROT_READ page, where the FOLL_WRITE
 * pin-fast fails, the slow path takes mmap_lock and fails with EFAULT.
 * The counter is system-wide, so other tasks only add to it: a raw pin
 * rate under the bound proves it outright; above it, the rate seen in the
 * empty window (which takes no mmap_lock) is subtracted as background,
 * unless that background is too busy to tell a slow path apart.
 * Every failed pin/empty registration is counted and fails the proof.
 * With page-size=2M the buffer's VMA must show AnonHugePages for all of
 * it, or the point is skipped.
 *
 * Layout: own = each worker registers its own buffer; shared = all
 * workers register the same buffer (contention on the same folios'
 * refcount/pincount).  Each worker always has its own ring.
 */
#include <errno.h>
#include <liburing.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include "bench.h"
#include "knobs.h"
#include "mem.h"
#include "proof.h"
#include "thp.h"

enum { MODE_EMPTY, MODE_PIN, MODE_CONTROL, NMODES };
enum { LAYOUT_OWN, LAYOUT_SHARED };

#define RING_ENTRIES 4	  /* the ring is only a handle: no I/O is submitted */
#define MAX_PAGES 512	  /* 512 x 2M = io_uring's 1 GiB per-buffer limit */
#define IO_URING_DISABLED "/proc/sys/kernel/io_uring_disabled"

struct pin_conf {
	uint64_t page_size;
	uint64_t pages;
	int layout;
};

struct pin_point {
	char *shared_region;	/* layout=shared: the one buffer */
	uint64_t failures;	/* failed pin/empty registrations (atomic) */
	int first_errno;	/* of the first failure */
};

struct pin_worker {
	struct io_uring ring;
	bool ring_ok;
	char *region;		/* layout=own: this worker's buffer */
	char *ro_page;		/* control: a populated PROT_READ page */
	struct iovec iov[NMODES]; /* what each mode registers */
};

static const char *const layouts[] = { "own", "shared", NULL };

static const struct opt_spec pin_opts[] = {
	{ .name = "page-size", .type = OPT_SIZE,
	  .help = "page backing the buffer: 4K or 2M (THP)",
	  .def = "4K", .min = PAGE_4K, .max = HPAGE_PMD_SIZE, .list = true,
	  .offset = offsetof(struct pin_conf, page_size) },
	{ .name = "pages", .type = OPT_U64,
	  .help = "pages (of --page-size) per registered buffer",
	  .def = "1", .min = 1, .max = MAX_PAGES, .list = true,
	  .offset = offsetof(struct pin_conf, pages) },
	{ .name = "layout", .type = OPT_ENUM,
	  .help = "own buffer per worker, or all workers one buffer",
	  .def = "own", .choices = layouts, .list = true,
	  .offset = offsetof(struct pin_conf, layout) },
	{ NULL },
};

static int pin_check(const void *conf, char *err, size_t len)
{
	return thp_check_page_size(((const struct pin_conf *)conf)->page_size,
				   err, len);
}

static size_t buf_size(const struct pin_conf *c)
{
	return c->pages * c->page_size;
}

/* The buffer to pin: populated, and for 2M backed by THP throughout. */
static char *buf_region(struct point *pt, const struct pin_conf *c)
{
	return thp_point_region(pt, buf_size(c), c->page_size, "buffer");
}

static int pin_setup(struct point *pt)
{
	const struct pin_conf *c = pt->conf;
	struct pin_point *pp = pt->priv;

	if (c->page_size == HPAGE_PMD_SIZE &&
	    thp_point_madvise(pt, THP_OK_MADV_HUGEPAGE) != BENCH_OK)
		return BENCH_SKIP;
	point_note(pt, "op", "register + unregister one buffer of %llu x %s page%s",
		   (unsigned long long)c->pages,
		   c->page_size == PAGE_4K ? "4K" : "2M THP", c->pages > 1 ? "s" : "");
	if (c->layout == LAYOUT_SHARED) {
		pp->shared_region = buf_region(pt, c);
		if (!pp->shared_region)
			return BENCH_SKIP;
	}
	return BENCH_OK;
}

/* Why a registration may fail here, in words. */
static const char *reg_hint(int err, char *buf, size_t len)
{
	struct rlimit rl = { 0 };
	char val[16] = "?";

	switch (err) {
	case ENOMEM:
		getrlimit(RLIMIT_MEMLOCK, &rl);
		snprintf(buf, len, " (RLIMIT_MEMLOCK %llu KiB without CAP_IPC_LOCK: "
			 "raise ulimit -l or run as root)",
			 (unsigned long long)rl.rlim_cur >> 10);
		return buf;
	case EPERM:
		knob_read(IO_URING_DISABLED, val, sizeof(val));
		snprintf(buf, len, " (kernel.io_uring_disabled=%s)", val);
		return buf;
	}
	return "";
}

/* One register + unregister outside the timed loop, to fail with a reason. */
static int try_register(struct point *pt, struct pin_worker *pw, unsigned mode)
{
	const struct iovec *iov = &pw->iov[mode];
	char hint[128];
	int rc = io_uring_register_buffers(&pw->ring, iov, 1);

	if (rc < 0)
		return point_skip(pt, "io_uring_register_buffers(%s buffer %p, %zu "
				  "bytes): %s%s", pt->bench->modes[mode].name,
				  iov->iov_base, iov->iov_len, strerror(-rc),
				  reg_hint(-rc, hint, sizeof(hint)));
	rc = io_uring_unregister_buffers(&pw->ring);
	if (rc < 0)
		return point_skip(pt, "io_uring_unregister_buffers(ring fd %d): %s",
				  pw->ring.ring_fd, strerror(-rc));
	return BENCH_OK;
}

static int ring_init(struct point *pt, struct pin_worker *pw)
{
	char val[16] = "?";
	int rc = io_uring_queue_init(RING_ENTRIES, &pw->ring, 0);

	if (rc < 0) {
		knob_read(IO_URING_DISABLED, val, sizeof(val));
		return point_skip(pt, "io_uring unavailable: io_uring_queue_init(%d "
				  "entries): %s (kernel.io_uring_disabled=%s)",
				  RING_ENTRIES, strerror(-rc), val);
	}
	pw->ring_ok = true;
	return BENCH_OK;
}

static void pin_worker_free(struct point *pt, struct pin_worker *pw)
{
	if (pw->ring_ok)
		io_uring_queue_exit(&pw->ring);	/* drops any registration */
	mem_free(pw->region, buf_size(pt->conf));
	mem_free(pw->ro_page, PAGE_4K);
}

static int worker_buffers(struct point *pt, struct pin_worker *pw)
{
	const struct pin_conf *c = pt->conf;
	struct pin_point *pp = pt->priv;
	char err[256];
	char *buf;

	if (c->layout == LAYOUT_OWN) {
		pw->region = buf_region(pt, c);
		if (!pw->region)
			return BENCH_SKIP;
	}
	buf = c->layout == LAYOUT_OWN ? pw->region : pp->shared_region;
	pw->ro_page = mem_ro_page(err, sizeof(err));
	if (!pw->ro_page)
		return point_skip(pt, "%s", err);
	pw->iov[MODE_EMPTY] = (struct iovec){ NULL, 0 };
	pw->iov[MODE_PIN] = (struct iovec){ buf, buf_size(c) };
	pw->iov[MODE_CONTROL] = (struct iovec){ pw->ro_page, PAGE_4K };
	return BENCH_OK;
}

static int pin_worker_setup(struct point *pt, struct worker *w)
{
	struct pin_worker *pw = w->priv;
	int rc;

	/* The ring is made here, on the worker's PU, by the thread using it. */
	rc = ring_init(pt, pw);
	if (rc == BENCH_OK)
		rc = worker_buffers(pt, pw);
	if (rc == BENCH_OK)
		rc = try_register(pt, pw, MODE_EMPTY);
	if (rc == BENCH_OK)
		rc = try_register(pt, pw, MODE_PIN);
	if (rc != BENCH_OK) {
		/* The harness calls worker_teardown only after BENCH_OK. */
		pin_worker_free(pt, pw);
		return rc;
	}
	return BENCH_OK;
}

/* Off the fast path: only a failed pin/empty registration gets here. */
static void count_failure(struct point *pt, int err)
{
	struct pin_point *pp = pt->priv;
	int none = 0;

	__atomic_compare_exchange_n(&pp->first_errno, &none, err, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	__atomic_fetch_add(&pp->failures, 1, __ATOMIC_RELAXED);
}

static void pin_loop(struct worker *w)
{
	struct pin_worker *pw = w->priv;
	const struct iovec *iov = &pw->iov[w->mode];
	bool must_work = w->mode != MODE_CONTROL; /* control: fails by design */
	int rc;

	while (worker_running(w)) {
		rc = io_uring_register_buffers(&pw->ring, iov, 1);
		if (rc == 0)
			rc = io_uring_unregister_buffers(&pw->ring);
		if (rc < 0 && must_work)
			count_failure(w->pt, -rc);
		worker_tick(w);
	}
}

static void pin_worker_teardown(struct point *pt, struct worker *w)
{
	pin_worker_free(pt, w->priv);
}

static void pin_teardown(struct point *pt)
{
	struct pin_point *pp = pt->priv;

	if (pp->failures)
		point_note(pt, "failed_registrations", "%llu (first: %s)",
			   (unsigned long long)pp->failures,
			   strerror(pp->first_errno));
	mem_free(pp->shared_region, buf_size(pt->conf));
}

/* pin_op_ns: ns per register+unregister (the harness's own per-mode
 * "pin_ns_per_op" is the same number; this name keeps it in the table);
 * pin_fast_ns: less the empty registration, see the top comment. */
enum { M_PIN_OP_NS, M_PIN_FAST_NS, M_PIN_FAST_PER_PAGE, M_PINS_PER_S,
       M_PIN_FAST_REL, NMETRICS };

static const struct metric_spec pin_metrics[NMETRICS] = {
	[M_PIN_OP_NS] = { .name = "pin_op_ns", .unit = "ns",
			  .better = BETTER_LOWER, .headline = true },
	[M_PIN_FAST_NS] = { .name = "pin_fast_ns", .unit = "ns",
			    .better = BETTER_LOWER, .headline = true },
	[M_PIN_FAST_PER_PAGE] = { .name = "pin_fast_ns_per_page", .unit = "ns",
				  .better = BETTER_LOWER },
	[M_PINS_PER_S] = { .name = "pins_per_s", .unit = "ops/s",
			   .better = BETTER_HIGHER, .headline = true },
	[M_PIN_FAST_REL] = { .name = "pin_fast_rel", .unit = "1",
			     .better = BETTER_LOWER, .headline = true },
};

static void pin_derive(struct point *pt, const struct mode_result *res,
		       double *val)
{
	const struct pin_conf *c = pt->conf;
	double fast = pair_diff_ns(res, pt->bench->pair);

	val[M_PIN_OP_NS] = res[MODE_PIN].ns_per_op;
	val[M_PIN_FAST_NS] = fast;
	val[M_PIN_FAST_PER_PAGE] = fast / (double)c->pages;
	val[M_PINS_PER_S] = res[MODE_PIN].ops_per_s;
	val[M_PIN_FAST_REL] = pair_rel(res, pt->bench->pair);
}

static bool pin_verify(struct point *pt, const struct mode_result *res,
		       char *verdict, size_t len)
{
	static const unsigned modes[] = { MODE_EMPTY, MODE_PIN, MODE_CONTROL };
	const struct pin_point *pp = pt->priv;
	uint64_t fails = __atomic_load_n(&pp->failures, __ATOMIC_RELAXED);
	double r[3], empty, fast, slow;
	const char *where = proof_mmap_lock(pt, res, modes, 3, "registrations",
					    r, verdict, len), *bad;
	bool ok;

	if (!where)
		return false;
	empty = r[0], fast = r[1], slow = r[2];
	bad = proof_slow_control(slow);
	ok = !fails && empty < GUP_SLOW_MIN && fast <= GUP_FAST_MAX && !bad;
	snprintf(verdict, len, "mmap_lock/op (%s): pin %.4f, empty %.4f (expected "
		 "0), control (slow GUP) %.3f (expected 1); failed registrations "
		 "%llu -> %s", where, fast, empty, slow, (unsigned long long)fails,
		 ok ? "pin_user_pages_fast pinned every buffer" :
		 fails ? "registrations failed" : bad ? bad :
		 empty >= GUP_SLOW_MIN ? "empty registrations took mmap_lock" :
		 "pins took mmap_lock: slow GUP, not GUP-fast");
	return ok;
}

static const struct bench pin_fast = {
	.name = "pin-fast",
	.summary = "GUP-fast pins (io_uring buffer register+unregister)/s and ns, 4K or THP",
	.kernel_path = "IORING_REGISTER_BUFFERS -> io_sqe_buffer_register() -> "
		       "io_pin_pages() -> pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM); "
		       "IORING_UNREGISTER_BUFFERS -> unpin_user_page()",
	.kind = BENCH_THROUGHPUT,
	.opts = pin_opts,
	.conf_size = sizeof(struct pin_conf),
	.priv_size = sizeof(struct pin_point),
	.worker_priv_size = sizeof(struct pin_worker),
	.modes = {
		{ .name = "empty",
		  .what = "register+unregister one empty slot: io_uring work, no pin (baseline)" },
		{ .name = "pin",
		  .what = "register+unregister the buffer: one pin_user_pages_fast + unpin per op" },
		{ .name = "control",
		  .what = "buffer on a PROT_READ page: slow GUP + mmap_lock, EFAULT",
		  .proof_only = true },
	},
	.pair = { .base = MODE_EMPTY, .test = MODE_PIN },
	.counters = { MMAP_LOCK_TP },
	.check = pin_check,
	.setup = pin_setup,
	.worker_setup = pin_worker_setup,
	.loop = pin_loop,
	.worker_teardown = pin_worker_teardown,
	.teardown = pin_teardown,
	METRIC_TABLE(pin_metrics),
	.derive = pin_derive,
	.verify = pin_verify,
	.verify_each_trial = true,
	.sweep = { .order = 80,
		   .short_args = "--threads=%T --page-size=4K,2M --duration=200ms "
				 "--warmup=50ms --trials=6 --order=interleave",
		   .full_args = "--threads=%T --page-size=4K,2M --pages=1,32,512 "
				"--placement=compact,scatter --order=interleave" },
};
BENCH_REGISTER(pin_fast);
