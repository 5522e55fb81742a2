// SPDX-License-Identifier: GPL-2.0
/*
 * tlb-shootdown: what a remote TLB flush costs the CPU that asks for it and
 * the CPUs that take it, from user space on a stock kernel.
 *
 * Kernel path: mprotect/madvise(MADV_DONTNEED)/munmap on pages of this mm
 * -> tlb_finish_mmu() / flush_tlb_range() -> flush_tlb_mm_range() ->
 * flush_tlb_multi() (KVM guest: kvm_flush_tlb_multi(), which leaves out
 * preempted vCPUs and has the host flush them at VM entry) ->
 * smp_call_function_many_cond() -> IPI -> flush_tlb_func() on each CPU
 * that runs this mm (a CPU that sleeps in lazy TLB mode is skipped unless
 * page tables were freed).  The initiator waits for every target.  This is
 * the flush that the IPI variant of the protected replacement issues after
 * clearing a pte/pmd; its tlb_remove_table_sync_one() is the same
 * smp_call_function machinery (see ipi-broadcast).
 *
 * One operation (the latency the harness times), by --op:
 *   mprotect  mprotect(PROT_READ) then mprotect(PROT_READ|PROT_WRITE) of the
 *             populated region: no page faults, the pages stay; victims
 *             read the region's pages so their TLBs hold them.
 *   madvise   write one byte of each page (fault in a zeroed page), then
 *             madvise(MADV_DONTNEED) (zap + flush).  The fault-in is inside
 *             the op (the harness times op() whole): compare with 0 targets
 *             for the IPI share.  Victims read their own buffer: a zapped
 *             page they read would map the zero page, whose copy-on-write
 *             by the next re-fault is a flush of its own.
 *   munmap    mmap + MADV_NOHUGEPAGE + write one byte per page + munmap;
 *             victims read their own buffer (the region comes and goes).
 * x86 flushes page by page up to tlb_single_page_flush_ceiling pages
 * (33 by default, arch/x86/mm/tlb.c), a full flush past it.
 *
 * Modes: "quiet" (the initiator makes a null system call, getppid: no
 * flush; the victims' undisturbed rate and the counters' background) and
 * "storm" (the operation).  Victims are the --bg-threads background
 * workers, threads of this mm pinned after the initiator: --victim spin
 * (user space), syscall (getppid loop), sleep (mostly lazy: no IPI
 * expected) or gup (shared FUTEX_WAKE on its own page: GUP-fast with
 * IRQs off, so the IPI waits for the walk).
 *
 * Proof: remote shootdowns per op (tlb:tlb_flush reason==1, or the TLB
 * row of /proc/interrupts), less the quiet window's background, against
 * the targets' on-CPU share; zero where some were expected is a warning.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include "ipicount.h"
#include "mem.h"

enum { MODE_QUIET, MODE_STORM };
enum { OP_MPROTECT, OP_MADVISE, OP_MUNMAP };

#define CEILING_PATH "/sys/kernel/debug/x86/tlb_single_page_flush_ceiling"
#define CEILING_DEFAULT 33	/* arch/x86/mm/tlb.c */
#define MAX_PAGES (1ul << 18)	/* 1 GiB of 4K pages */
#define RW (PROT_READ | PROT_WRITE)
/* Traced by native_flush_tlb_multi() when other CPUs are in mm_cpumask,
 * before lazy ones are left out: the initiator's remote flush requests. */
#define TLB_SEND_IPI "tp:tlb:tlb_flush:reason==4"	/* TLB_REMOTE_SEND_IPI */

struct tlb_conf {
	int op;
	uint64_t pages;
	int victim;
	int level;
};

struct tlb_point {
	struct ipi_point ipi;	/* first: lib/ipicount.c's hooks find it */
	char *region;		/* mprotect, madvise: the initiator's pages */
	size_t size;
};

static const char *const ops[] = { "mprotect", "madvise", "munmap", NULL };

static const struct opt_spec tlb_opts[] = {
	{ .name = "op", .type = OPT_ENUM,
	  .help = "what changes the mapping: mprotect RO+RW, "
	  "re-fault+madvise(DONTNEED), or mmap+fault+munmap",
	  .def = "mprotect,madvise,munmap", .choices = ops, .list = true,
	  .offset = offsetof(struct tlb_conf, op) },
	{ .name = "pages", .type = OPT_U64,
	  .help = "4K pages per operation (x86 flushes page by page up to "
	  "tlb_single_page_flush_ceiling, 33 by default)",
	  .def = "1,32,512", .min = 1, .max = MAX_PAGES, .list = true,
	  .offset = offsetof(struct tlb_conf, pages) },
	IPI_TARGET_OPTS(struct tlb_conf),
	{ NULL },
};

/* The flush requests (TLB_REMOTE_SEND_IPI) one op makes, by --op: each
 * mprotect of the pair changes the ptes and flushes (measured here on
 * 6.18: 2.0 per op); DONTNEED zaps and flushes once (the re-fault maps a
 * fresh page: no flush); munmap flushes once. */
#define TLB_SPEC(nflush, what)						\
	{ .recv = IPI_TLB_REMOTE, .recv_alt = IPI_IRQ_TLB,		\
	  .recv_metric = "shootdowns_per_op",				\
	  .recv_what = "remote shootdowns",				\
	  .fewer_hint = "PV TLB flush skips preempted vCPUs / target off "	\
			"CPU or lazy",					\
	  .events = TLB_SEND_IPI, .events_per_op = (nflush),		\
	  .model = what, .quiet = MODE_QUIET, .storm = MODE_STORM,	\
	  .tlb_flush = true }

static const struct ipi_spec tlb_ipi[] = {
	[OP_MPROTECT] = TLB_SPEC(2, "model: RO+RW pair, 2 flushes/target"),
	[OP_MADVISE] = TLB_SPEC(1, "model: DONTNEED, 1 flush/target"),
	[OP_MUNMAP] = TLB_SPEC(1, "model: munmap, 1 flush/target"),
};

static const struct metric_spec tlb_metrics[IPI_NMETRICS] =
	IPI_METRICS("shootdowns_per_op");

static void note_ceiling(struct point *pt, uint64_t pages)
{
	FILE *f = fopen(CEILING_PATH, "r");
	unsigned long ceil = CEILING_DEFAULT;
	char how[128];

	if (f && fscanf(f, "%lu", &ceil) == 1)
		snprintf(how, sizeof(how), "read from %s", CEILING_PATH);
	else
		snprintf(how, sizeof(how), "kernel default: %s%s",
			 f || errno == ENOENT ? "" : "debugfs: ",
			 f ? "no number in debugfs" : errno == ENOENT ?
			 "no debugfs file" : strerror(errno));
	if (f)
		fclose(f);
	/* The ceiling once (the same at every point), then each size. */
	point_note(pt, "flush_ceiling", "%lu (%s)", ceil, how);
	point_note(pt, "flush", "%s (%llu %s %lu)",
		   pages > ceil ? "full flush" : "page by page, INVLPG",
		   (unsigned long long)pages, pages > ceil ? ">" : "<=", ceil);
}

static int tlb_setup(struct point *pt)
{
	const struct tlb_conf *c = pt->conf;
	struct tlb_point *tp = pt->priv;
	char err[256];
	int rc;

	if (pt->nthreads != 1)
		return point_skip(pt, "--threads=%u: one initiator per point; "
				  "targets are --bg-threads", pt->nthreads);
	rc = ipi_point_setup(pt, &tlb_ipi[c->op], c->level);
	if (rc != BENCH_OK)
		return rc;
	note_ceiling(pt, c->pages);
	tp->size = c->pages * PAGE_4K;
	if (c->op == OP_MUNMAP)
		return BENCH_OK;
	/* 2 MiB-aligned: a 512-page region is one whole PTE table (with
	 * PT_RECLAIM, DONTNEED of a whole table frees it). */
	tp->region = mem_region(tp->size, HPAGE_PMD_SIZE, 0, err, sizeof(err));
	if (!tp->region)
		return point_skip(pt, "%s", err);
	/* Its size is --pages: the same words at every point. */
	point_note(pt, "region", "2 MiB-aligned, MADV_NOHUGEPAGE");
	return BENCH_OK;
}

static int tlb_worker_setup(struct point *pt, struct worker *w)
{
	const struct tlb_conf *c = pt->conf;
	struct tlb_point *tp = pt->priv;

	/* Only mprotect leaves the region readable throughout. */
	return ipi_target_setup(pt, w, c->victim,
				c->op == OP_MPROTECT ? tp->region : NULL, c->pages);
}

static void touch(char *p, size_t size)
{
	for (size_t off = 0; off < size; off += PAGE_4K)
		((volatile char *)p)[off] = 1;
}

static int fail(const char *call, const void *p, size_t size)
{
	int e = errno;

	fprintf(stderr, "tlb-shootdown: %s(%p, %zu): %s\n", call, p, size,
		strerror(e));
	return -e;
}

static int op_mprotect(struct tlb_point *tp)
{
	/* RW -> RO must flush (write permission revoked); RO -> RW may not
	 * need to: the evidence's flushes per op say. */
	if (mprotect(tp->region, tp->size, PROT_READ) < 0)
		return fail("mprotect PROT_READ", tp->region, tp->size);
	if (mprotect(tp->region, tp->size, RW) < 0)
		return fail("mprotect PROT_READ|PROT_WRITE", tp->region, tp->size);
	return 0;
}

static int op_madvise(struct tlb_point *tp)
{
	touch(tp->region, tp->size);
	if (madvise(tp->region, tp->size, MADV_DONTNEED) < 0)
		return fail("madvise MADV_DONTNEED", tp->region, tp->size);
	return 0;
}

static int op_munmap(struct tlb_point *tp)
{
	char *p = mmap(NULL, tp->size, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return fail("mmap", NULL, tp->size);
	/* As mem_region(): THP=always must not make it one huge page. */
	if (madvise(p, tp->size, MADV_NOHUGEPAGE) < 0) {
		int rc = fail("madvise MADV_NOHUGEPAGE", p, tp->size);

		munmap(p, tp->size);
		return rc;
	}
	touch(p, tp->size);
	if (munmap(p, tp->size) < 0)
		return fail("munmap", p, tp->size);
	return 0;
}

static int tlb_op(struct worker *w)
{
	const struct tlb_conf *c = w->pt->conf;
	struct tlb_point *tp = w->pt->priv;

	if (w->mode == MODE_QUIET) {
		syscall(SYS_getppid);
		return 0;
	}
	return c->op == OP_MPROTECT ? op_mprotect(tp) :
	       c->op == OP_MADVISE ? op_madvise(tp) : op_munmap(tp);
}

static void tlb_teardown(struct point *pt)
{
	struct tlb_point *tp = pt->priv;

	mem_free(tp->region, tp->size);
	ipi_point_teardown(pt);
}

static const struct bench tlb_shootdown = {
	.name = "tlb-shootdown",
	.summary = "remote TLB flush: initiator latency, IPIs per op, victim "
		   "slowdown; mprotect/madvise/munmap, 0..N targets",
	.kernel_path = "mprotect/madvise(DONTNEED)/munmap -> flush_tlb_mm_range() "
		       "-> flush_tlb_multi() -> IPI -> flush_tlb_func()",
	.kind = BENCH_LATENCY,
	.opts = tlb_opts,
	.conf_size = sizeof(struct tlb_conf),
	.priv_size = sizeof(struct tlb_point),
	.modes = {
		{ .name = "quiet",
		  .what = "initiator: getppid() (no flush); victims undisturbed" },
		{ .name = "storm",
		  .what = "initiator: the --op operation on --pages pages" },
	},
	/* Initiator side: remote flush requests (TLB_REMOTE_SEND_IPI), local
	 * ones (TLB_LOCAL_SHOOTDOWN), faults of the re-fault ops, and the
	 * function-call IPIs sent (no reschedule IPIs). */
	.counters = { TLB_SEND_IPI, "tp:tlb:tlb_flush:reason==2",
		      "sw:page-faults", IPI_CALL_CPU, IPI_CALL_MASK },
	.setup = tlb_setup,
	.worker_setup = tlb_worker_setup,
	.op = tlb_op,
	.bg_loop = victim_bg_loop,
	.worker_teardown = victim_worker_teardown,
	.teardown = tlb_teardown,
	METRIC_TABLE(tlb_metrics),
	.derive = ipi_point_derive,
	.verify = ipi_point_verify,
	.verify_each_trial = true,
	.sweep = { .order = 30,
		   .short_args = "--bg-threads=%G --op=mprotect --pages=1,512 "
				 "--victim=spin,gup --trials=6 --duration=100ms "
				 "--warmup=20ms --order=interleave",
		   .full_args = "--bg-threads=%G --op=mprotect,madvise,munmap "
				"--pages=1,32,512,1024 --victim=spin,syscall,sleep,gup "
				"--placement=compact,scatter --order=interleave" },
};
BENCH_REGISTER(tlb_shootdown);
