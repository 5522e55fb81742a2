/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pin.h - hold a page the way I/O does, write and read through that hold,
 * and see which page the process maps.  The levers that try to replace
 * it: MADV_COLLAPSE needs none, KSM is ksm.h, uprobes are uprobe.h.
 *
 * Two holds, both taken by GUP-fast from the caller's page tables:
 *   PIN_IO_URING  IORING_REGISTER_BUFFERS -> pin_user_pages_fast(FOLL_WRITE
 *                 | FOLL_LONGTERM): a long-term pin, as O_DIRECT, vfio and
 *                 RDMA take.  A write through it is an IORING_OP_READ_FIXED
 *                 from a pipe into the registered buffer: the kernel writes
 *                 the pinned page, never the process mapping.
 *   PIN_VMSPLICE  vmsplice() of the page into a pipe: a page reference
 *                 (FOLL_GET) that lives as long as the pipe holds it.  It
 *                 is read-only: the pipe shows the held page's current
 *                 bytes (read through tee() so the hold stays).
 *   PIN_ODIRECT   an O_DIRECT read(2) of a FUSE file (fusehold.h) held in
 *                 flight: fs/fuse/file.c takes the pages with
 *                 iov_iter_extract_pages() (FOLL_PIN, pin_user_pages_fast())
 *                 and waits for the server's answer, which the kernel then
 *                 writes into the pinned pages: the short-term pin of
 *                 direct I/O, with the data arriving after the replacement
 *                 attempt.  A write through it is that answer; it ends the
 *                 hold.
 * If the kernel replaced a held page, the two views part: a write through
 * the pin no longer shows in the mapping, or a write to the mapping no
 * longer shows through the pin.  That is the "lost write" of the issue.
 *
 * Page identity comes from /proc/self/pagemap (PFN; root only) and
 * /proc/kpageflags (THP).
 */
#ifndef GUPSYNC_PIN_H
#define GUPSYNC_PIN_H

#include <liburing.h>
#include <pthread.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25	/* Linux 6.1; older glibc lacks the name */
#endif

enum pin_kind { PIN_NONE, PIN_IO_URING, PIN_VMSPLICE, PIN_ODIRECT };

struct pin {
	enum pin_kind kind;
	char *addr;		/* the held range, while held */
	size_t len;
	bool held;
	bool ring_ok;
	struct io_uring ring;	/* PIN_IO_URING */
	int data[2];		/* io_uring: carries data in and out of the
				 * buffer; vmsplice: holds the pages */
	int view[2];		/* vmsplice: tee() copy for reading */
	struct fusehold *fuse;	/* PIN_ODIRECT: the server */
	pthread_t reader;	/* PIN_ODIRECT: the thread in read(2) */
	bool reading;
	ssize_t read_rc;	/* what read(2) returned, */
	int read_err;		/* and its errno */
};

/* "unpinned", "io_uring-pin", "vmsplice-pin", "odirect-fuse" */
const char *pin_kind_name(enum pin_kind k);

/* Ring and pipes for one kind; PIN_NONE needs nothing.  -1 with err. */
int pin_open(struct pin *p, enum pin_kind kind, char *err, size_t len);
void pin_close(struct pin *p);

/* Hold [addr, addr+len): len a multiple of 4K, at most PIN_MAX_LEN. */
#define PIN_MAX_LEN (64ul << 10)
int pin_hold(struct pin *p, void *addr, size_t len, char *err, size_t errlen);
int pin_release(struct pin *p, char *err, size_t errlen);

/* Write n bytes at off of the held range through the hold (io_uring; an
 * O_DIRECT hold is answered with the range as mapped now plus the n bytes,
 * which ends it; vmsplice holds are read-only: -1 with err). */
int pin_write(struct pin *p, size_t off, const void *data, size_t n,
	      char *err, size_t errlen);
/* Read n bytes at off of the held page(s) through the hold. */
int pin_read(struct pin *p, size_t off, void *buf, size_t n, char *err,
	     size_t errlen);

/* Whether this kind can be had here; why filled when not. */
bool pin_available(enum pin_kind kind, char *why, size_t len);

/* PFN mapped at addr: 0 with *pfn = 0 when not present, -1 (why) when
 * pagemap cannot be read or hides PFNs (not root). */
int pin_mapped_pfn(const void *addr, uint64_t *pfn, char *why, size_t len);
/* 1 if addr is mapped by a THP (kpageflags KPF_THP), 0 if not, -1. */
int pin_mapped_thp(const void *addr);
/* 1 if addr maps a KSM page (KPF_KSM), 0 if not, -1. */
int pin_mapped_ksm(const void *addr);

/* Anonymous private region of size bytes aligned to align, each 4K page
 * written once (4K faults: no MADV_HUGEPAGE; with THP "always" the caller
 * must have set "madvise").  The shape MADV_COLLAPSE and khugepaged take. */
void *pin_anon_region(size_t size, size_t align, char *err, size_t len);

#endif
