// SPDX-License-Identifier: GPL-2.0
/*
 * uprobe-replace: registering and removing a uprobe in a running process,
 * the third way the kernel replaces a page a process maps.
 *
 * Kernel path: enable of a tracefs uprobe event -> uprobe_register() ->
 * register_for_each_vma() (under dup_mmap_sem) -> install_breakpoint() ->
 * uprobe_write_opcode(): the text page, a pagecache page mapped privately,
 * is replaced by an anonymous copy holding int3; disable -> remove_breakpoint()
 * writes the original byte back.  In 2016 this replacement was reported to
 * skip the "flush, then check the page count" that khugepaged and KSM do,
 * so a pinned page could be swapped out from under its pin; `gupsync check`
 * tests that, this measures the cost.
 *
 * The probed code is gupsync_uprobe_target() below, in a private copy of
 * this binary that the process maps executable (MAP_PRIVATE): the probe
 * touches no other process, not even another gupsync.  The event is added
 * once (setup) and removed at teardown, at exit, or on a signal (uprobe.h);
 * the copies are unlinked as soon as the events hold them.
 *
 * What is timed: replace: one op() = enable (install: the page is replaced)
 * + disable (remove) + MADV_DONTNEED and a read of the page, so the next op
 * finds the pagecache page mapped again.  control: the same with an event
 * on a second copy that nothing maps: everything but the page work.
 * install_remove_us is their paired difference.
 *
 * Proof (proof-only mode "proof", the replace op plus checks): while
 * enabled, the mapping shows int3 (0xcc) at the target and another PFN
 * than the pagecache page (pagemap), and calling the target through the
 * mapping counts a hit in uprobe_profile; after disable the original byte
 * is back.  The control's event never hits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "mem.h"
#include "pin.h"
#include "proof.h"
#include "uprobe.h"

enum { MODE_REGISTER, MODE_MMAP, MODE_MMAP_CONTROL, MODE_PROOF, NMODES };

#define INT3 0xcc
#define TARGET_ARG 41

#if defined(__x86_64__)
/* Position-independent by construction, so it runs from the copy too. */
__asm__(".pushsection .text\n"
	".globl gupsync_uprobe_target\n"
	".type gupsync_uprobe_target, @function\n"
	"gupsync_uprobe_target:\n"
	"\tlea 1(%rdi), %eax\n"
	"\tret\n"
	".size gupsync_uprobe_target, .-gupsync_uprobe_target\n"
	".popsection\n");
int gupsync_uprobe_target(int x);
#define HAVE_TARGET 1
#else
#define HAVE_TARGET 0
#endif

struct up_point {
	char dir[64], copy[2][96];	/* target copy, control copy */
	int fd[2];			/* open copies (unlinked once probed) */
	uint64_t offset;		/* of the target in the binary */
	char *map;			/* the target copy's page */
	volatile unsigned char *insn;	/* the target in it */
	unsigned char orig;
	uint64_t file_pfn;
	struct uprobe_ev ev[2];
	long hits0, chits0;
	uint64_t proof_ops, seen_int3, replaced, restored;
	uint64_t mmaps[NMODES], mmap_int3[NMODES]; /* since setup: at verify()
						     * time, the proof pass */
};

static int copy_file(const char *from, const char *to, char *err, size_t len)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
	struct stat st;
	off_t off = 0;
	int rc = -1;

	if (in >= 0 && fstat(in, &st) == 0)
		out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	while (out >= 0 && off < st.st_size)
		if (sendfile(out, in, &off, (size_t)(st.st_size - off)) <= 0)
			break;
	if (out >= 0 && off == st.st_size && fsync(out) == 0)
		rc = 0;
	else
		snprintf(err, len, "copy %.100s -> %.100s: %s", from, to, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

static int map_target(struct up_point *u, char *err, size_t len)
{
	uint64_t page = u->offset & ~(PAGE_4K - 1);

	for (int i = 0; i < 2; i++)
		if ((u->fd[i] = open(u->copy[i], O_RDONLY | O_CLOEXEC)) < 0) {
			snprintf(err, len, "open(%s): %s", u->copy[i], strerror(errno));
			return -1;
		}
	u->map = mmap(NULL, PAGE_4K, PROT_READ | PROT_EXEC, MAP_PRIVATE, u->fd[0],
		      (off_t)page);
	if (u->map == MAP_FAILED) {
		u->map = NULL;
		snprintf(err, len, "mmap(%s, PROT_EXEC, offset %llu): %s", u->copy[0],
			 (unsigned long long)page, strerror(errno));
		return -1;
	}
	u->insn = (unsigned char *)u->map + (u->offset - page);
	u->orig = *u->insn;	/* maps the pagecache page */
	return pin_mapped_pfn(u->map, &u->file_pfn, err, len);
}

static void remove_copies(struct up_point *u)
{
	for (int i = 0; i < 2; i++)
		if (u->copy[i][0])
			unlink(u->copy[i]);
	if (u->dir[0])
		rmdir(u->dir);
	u->dir[0] = 0;
}

static int up_prepare(struct point *pt, struct up_point *u)
{
	char err[256], self[512];

	if (pin_exec_dir(u->dir, sizeof(u->dir), err, sizeof(err)) < 0)
		return point_skip(pt, "%s", err);
#if HAVE_TARGET
	if (uprobe_file_offset((const void *)gupsync_uprobe_target, self,
			       sizeof(self), &u->offset, err, sizeof(err)) < 0)
		return point_skip(pt, "%s", err);
#endif
	for (int i = 0; i < 2; i++) {
		snprintf(u->copy[i], sizeof(u->copy[i]), "%s/%s", u->dir,
			 i ? "control" : "target");
		if (copy_file(self, u->copy[i], err, sizeof(err)) < 0)
			return point_skip(pt, "%s", err);
	}
	if (map_target(u, err, sizeof(err)) < 0)
		return point_skip(pt, "%s", err);
	for (int i = 0; i < 2; i++)
		if (uprobe_ev_add(&u->ev[i], i ? "control" : "target", u->copy[i],
				  u->offset, err, sizeof(err)) < 0)
			return point_skip(pt, "uprobes not available: %s", err);
	/* The probes and fds hold the inodes: nothing is left on disk
	 * however the process ends. */
	remove_copies(u);
	return BENCH_OK;
}

static void up_teardown(struct point *pt);

static int up_setup(struct point *pt)
{
	struct up_point *u = pt->priv;
	int rc;

	u->ev[0].slot = u->ev[1].slot = -1;
	u->fd[0] = u->fd[1] = -1;
	if (!HAVE_TARGET)
		return point_skip(pt, "the probed target is x86-64 code; this is not x86-64");
	if (pt->nthreads != 1)
		return point_skip(pt, "one uprobe at a time: --threads=1 only");
	rc = up_prepare(pt, u);
	if (rc != BENCH_OK)
		up_teardown(pt);	/* the harness tears down set-up points only */
	return rc;
}

/* After the op: the page back to the pagecache one, mapped. */
static int reset_page(struct up_point *u)
{
	if (madvise(u->map, PAGE_4K, MADV_DONTNEED) < 0)
		return -errno;
	(void)*u->insn;
	return 0;
}

static void proof_checks(struct up_point *u)
{
	uint64_t pfn = 0;
	char why[160];

	u->seen_int3 += *u->insn == INT3;
	if (pin_mapped_pfn(u->map, &pfn, why, sizeof(why)) == 0)
		u->replaced += pfn && pfn != u->file_pfn;
#if HAVE_TARGET
	((int (*)(int))(uintptr_t)u->insn)(TARGET_ARG);	/* a hit */
#endif
}

/* One register/unregister cycle: the page replaced, then restored. */
static int op_register(struct up_point *u, bool proof)
{
	char err[256];

	if (uprobe_ev_enable(&u->ev[0], true, err, sizeof(err)) < 0) {
		fprintf(stderr, "uprobe-replace: %s\n", err);
		return -EIO;
	}
	if (proof)
		proof_checks(u);
	if (uprobe_ev_enable(&u->ev[0], false, err, sizeof(err)) < 0) {
		fprintf(stderr, "uprobe-replace: %s\n", err);
		return -EIO;
	}
	if (proof) {
		u->restored += *u->insn == u->orig;
		u->proof_ops++;
	}
	return reset_page(u);
}

/* mmap of the probed page while the probe is registered: uprobe_mmap()
 * installs the breakpoint, a page replacement with nothing else around
 * it; the control maps the unprobed copy. */
static int op_mmap(struct up_point *u, unsigned mode)
{
	uint64_t page = u->offset & ~(PAGE_4K - 1);
	char *m = mmap(NULL, PAGE_4K, PROT_READ | PROT_EXEC, MAP_PRIVATE,
		       u->fd[mode == MODE_MMAP_CONTROL], (off_t)page);

	if (m == MAP_FAILED)
		return -errno;
	u->mmaps[mode]++;
	u->mmap_int3[mode] += (unsigned char)m[u->offset - page] == INT3;
	munmap(m, PAGE_4K);
	return 0;
}

static int up_op(struct worker *w)
{
	struct up_point *u = w->pt->priv;

	if (w->mode == MODE_MMAP || w->mode == MODE_MMAP_CONTROL)
		return op_mmap(u, w->mode);
	return op_register(u, w->mode == MODE_PROOF);
}

static int up_mode_enter(struct point *pt, unsigned mode)
{
	struct up_point *u = pt->priv;
	bool on = mode == MODE_MMAP;

	if (mode == MODE_PROOF) {
		u->hits0 = uprobe_ev_hits(&u->ev[0]);
		u->chits0 = uprobe_ev_hits(&u->ev[1]);
	}
	if (u->ev[0].enabled != on &&
	    uprobe_ev_enable(&u->ev[0], on, pt->skip_reason,
			     sizeof(pt->skip_reason)) < 0)
		return BENCH_FAIL;
	return on || reset_page(u) == 0 ? BENCH_OK : BENCH_FAIL;
}

static void up_teardown(struct point *pt)
{
	struct up_point *u = pt->priv;

	for (int i = 0; i < 2; i++) {
		uprobe_ev_remove(&u->ev[i]);
		if (u->fd[i] >= 0)
			close(u->fd[i]);
	}
	remove_copies(u);
	if (u->map)
		munmap(u->map, PAGE_4K);
}

enum { M_INSTALL_US, M_REG_UNREG_MS, M_IPIS, NMETRICS };

static const struct metric_spec up_metrics[NMETRICS] = {
	[M_INSTALL_US] = { .name = "install_us", .unit = "us",
			   .better = BETTER_LOWER, .headline = true },
	[M_REG_UNREG_MS] = { .name = "register_unregister_ms", .unit = "ms",
			     .better = BETTER_LOWER, .headline = true },
	[M_IPIS] = { .name = "ipis_per_register", .unit = "1",
		     .better = BETTER_LOWER, .headline = true },
};

static void up_derive(struct point *pt, const struct mode_result *res,
		      double *val)
{
	const struct mode_result *r = &res[MODE_REGISTER], *m = &res[MODE_MMAP];

	val[M_INSTALL_US] = (m->lat_p50_ns - res[MODE_MMAP_CONTROL].lat_p50_ns) / 1e3;
	val[M_REG_UNREG_MS] = r->lat_p50_ns / 1e6;
	val[M_IPIS] = proof_per_op(pt, r, "tp:ipi:ipi_send_cpu");
}

static const char *up_why(const struct up_point *u, uint64_t n, bool ok)
{
	if (ok)
		return "each install replaced the page";
	if (!n || u->seen_int3 != n)
		return "the breakpoint did not reach the mapping";
	if (u->replaced != n)
		return "the page was written in place, not replaced";
	return "hits, restore or the mmap installs disagree";
}

static bool up_verify(struct point *pt, const struct mode_result *res,
		      char *verdict, size_t len)
{
	struct up_point *u = pt->priv;
	long hits = uprobe_ev_hits(&u->ev[0]) - u->hits0;
	long chits = uprobe_ev_hits(&u->ev[1]) - u->chits0;
	uint64_t n = u->proof_ops;
	const uint64_t *mm = u->mmaps, *mi = u->mmap_int3;
	bool ok = n && u->seen_int3 == n && u->replaced == n && u->restored == n &&
		  hits >= (long)n && chits == 0 && mm[MODE_MMAP] &&
		  mi[MODE_MMAP] == mm[MODE_MMAP] && !mi[MODE_MMAP_CONTROL];

	(void)res;
	snprintf(verdict, len, "register x%llu: int3 %llu, PFN changed %llu, "
		 "restored %llu, hits %ld (control %ld); mmap int3 %llu/%llu, "
		 "control %llu/%llu -> %s", (unsigned long long)n,
		 (unsigned long long)u->seen_int3, (unsigned long long)u->replaced,
		 (unsigned long long)u->restored, hits, chits,
		 (unsigned long long)mi[MODE_MMAP], (unsigned long long)mm[MODE_MMAP],
		 (unsigned long long)mi[MODE_MMAP_CONTROL],
		 (unsigned long long)mm[MODE_MMAP_CONTROL], up_why(u, n, ok));
	return ok;
}

static const struct bench uprobe_replace = {
	.name = "uprobe-replace",
	.summary = "uprobe install/remove in a running process: page replacement time",
	.kernel_path = "uprobe_register() -> install_breakpoint() -> "
		       "uprobe_write_opcode() (text page -> anon copy with int3)",
	.kind = BENCH_LATENCY,
	.priv_size = sizeof(struct up_point),
	.modes = {
		{ .name = "register",
		  .what = "enable + disable a uprobe on a mapped page" },
		{ .name = "mmap",
		  .what = "mmap the probed page: uprobe_mmap() installs int3" },
		{ .name = "mmap-control",
		  .what = "mmap the unprobed copy: no install" },
		{ .name = "proof",
		  .what = "register, checking int3, PFN, hits and the restore",
		  .proof_only = true },
	},
	.setup = up_setup,
	.op = up_op,
	.mode_enter = up_mode_enter,
	.teardown = up_teardown,
	METRIC_TABLE(up_metrics),
	.derive = up_derive,
	.verify = up_verify,
	.sweep = { .order = 70,
		   .short_args = "--duration=300ms --warmup=50ms --trials=6",
		   .full_args = "--order=interleave" },
};
BENCH_REGISTER(uprobe_replace);
