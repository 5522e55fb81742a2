/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * gupsync_ioctl.h - the user-space interface of gupsync.ko (/dev/gupsync).
 *
 * Each ioctl runs one measured loop in the kernel, the way
 * kernel/rcu/rcuscale.c and mm/gup_test.c do, and returns a summary of the
 * per-iteration times in ns (count, min, median, max, sum) and, when
 * loop.samples is non-zero, every per-iteration time (loop.iters __u64s).
 * The time of one iteration is ktime_get_ns() around the primitive alone.
 *
 *   GUPSYNC_IOC_INFO       what this module and kernel allow (no loop)
 *   GUPSYNC_IOC_NOP        the loop with an empty body: the timing floor
 *   GUPSYNC_IOC_IPI_ALL    smp_call_function(empty, NULL, wait=1): every
 *                          other online CPU, as tlb_remove_table_sync_one()
 *   GUPSYNC_IOC_IPI_MASK   smp_call_function_many(mask, empty, NULL, 1)
 *   GUPSYNC_IOC_RCU        synchronize_rcu() or synchronize_rcu_expedited()
 *   GUPSYNC_IOC_GUP        get_user_pages_fast()/put_page() or
 *                          pin_user_pages_fast()/unpin_user_pages() on a
 *                          user buffer, N pages per call; get and put
 *                          are timed separately
 *
 * Every argument is checked before anything runs; a bad one fails with
 * EINVAL (or EFAULT for an unreadable/unwritable user pointer) and
 * nothing else happens.  Reserved fields and unknown flag bits must be 0.
 * Loops stop early with EINTR on a fatal signal; results are then not
 * copied out.
 */
#ifndef GUPSYNC_IOCTL_H
#define GUPSYNC_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define GUPSYNC_DEVICE "/dev/gupsync"
#define GUPSYNC_ABI_VERSION 1

/* Limits: a loop never runs unbounded and never allocates unbounded. */
#define GUPSYNC_MAX_ITERS (1u << 20)	  /* samples of one call: 8 MiB */
/* One call returns within about a second (and any signal interrupts it,
 * EINTR): normal grace periods take ms each, expedited ones ~10-100 us,
 * and an IPI round costs a few us per target CPU. */
#define GUPSYNC_MAX_RCU_ITERS 64u	  /* normal: 64 x ~15 ms */
#define GUPSYNC_MAX_RCU_EXP_ITERS 4096u  /* expedited */
#define GUPSYNC_MAX_IPI_WORK (1u << 20)  /* iterations x CPUs in the mask */
#define GUPSYNC_MAX_PAGES_PER_CALL 1024u /* gup_test uses up to 512 */
#define GUPSYNC_MAX_GUP_BYTES (1ull << 30)
#define GUPSYNC_MAX_CPUMASK_BYTES 1024u /* 8192 CPUs */

/* Per-iteration times of one loop, ns. */
struct gupsync_summary {
	__u64 count;
	__u64 min_ns;
	__u64 median_ns;	/* the lower middle one for an even count */
	__u64 max_ns;
	__u64 sum_ns;		/* for the mean */
};

/* What every measured ioctl starts with. */
struct gupsync_loop {
	__u32 iters;		/* in: 1 .. the ioctl's maximum */
	__u32 flags;		/* in: per ioctl, unknown bits -> EINVAL */
	__u64 samples;		/* in: user pointer to iters __u64, or 0 */
	struct gupsync_summary sum; /* out */
};

struct gupsync_info {
	__u32 abi_version;	/* GUPSYNC_ABI_VERSION */
	__u32 nr_cpu_ids;
	__u32 online_cpus;
	__u32 page_size;
	__u32 max_iters;
	__u32 max_rcu_iters;
	__u32 max_pages_per_call;
	__u32 reserved;
	__u64 max_gup_bytes;
	char release[65];	/* utsname()->release of the running kernel */
	char pad_[7];
};

/* GUPSYNC_IOC_IPI_MASK: the cpumask is read from user memory in the
 * layout of sched_setaffinity(2): bit c of byte c/8.  Every set bit must be
 * an online CPU and at least one bit must be set.  The calling CPU is never
 * IPI'd (smp_call_function_many() skips it), so a mask holding only it
 * sends nothing: ipis says how many were sent. */
struct gupsync_ipi {
	struct gupsync_loop loop;
	__u64 cpumask;		/* in: user pointer, 0 for IPI_ALL */
	__u32 cpumask_bytes;	/* in: 1 .. GUPSYNC_MAX_CPUMASK_BYTES; 0 for IPI_ALL */
	__u32 reserved;		/* in: 0 */
	__u64 ipis;		/* out: target CPUs summed over iterations */
};

/* GUPSYNC_IOC_RCU loop.flags */
#define GUPSYNC_RCU_EXPEDITED 0x1u

struct gupsync_rcu {
	struct gupsync_loop loop;
	/* out: iterations after which poll_state_synchronize_rcu() on a
	 * cookie taken before the call said a full grace period had
	 * elapsed: the kernel's own proof that each wait was real. */
	__u64 gp_verified;
};

/* GUPSYNC_IOC_GUP loop.flags */
#define GUPSYNC_GUP_PIN 0x1u	  /* pin_user_pages_fast + unpin_user_pages */
#define GUPSYNC_GUP_WRITE 0x2u	  /* FOLL_WRITE */
#define GUPSYNC_GUP_LONGTERM 0x4u /* FOLL_LONGTERM: only with PIN */
#define GUPSYNC_GUP_SLOW 0x8u	  /* *_user_pages_unlocked(): the slow
				   * path with mmap_lock (a control) */
#define GUPSYNC_GUP_FLAGS 0xfu

/* Iteration i gets nr_pages_per_call pages at addr + ((i * nr) % npages)
 * pages, wrapping around the buffer; the buffer must be a whole number of
 * calls (size / PAGE_SIZE a multiple of nr_pages_per_call). */
struct gupsync_gup {
	struct gupsync_loop loop;	/* .sum and .samples: the get side */
	__u64 addr;		/* in: page-aligned user address */
	__u64 size;		/* in: bytes, page multiple, <= GUPSYNC_MAX_GUP_BYTES */
	__u32 nr_pages_per_call; /* in: 1 .. GUPSYNC_MAX_PAGES_PER_CALL */
	__u32 reserved;		/* in: 0 */
	__u64 put_samples;	/* in: user pointer to iters __u64, or 0 */
	struct gupsync_summary put_sum; /* out: put_page/unpin side */
};

#define GUPSYNC_IOC_MAGIC 0xB7
#define GUPSYNC_IOC_INFO _IOR(GUPSYNC_IOC_MAGIC, 0, struct gupsync_info)
#define GUPSYNC_IOC_NOP _IOWR(GUPSYNC_IOC_MAGIC, 1, struct gupsync_loop)
#define GUPSYNC_IOC_IPI_ALL _IOWR(GUPSYNC_IOC_MAGIC, 2, struct gupsync_ipi)
#define GUPSYNC_IOC_IPI_MASK _IOWR(GUPSYNC_IOC_MAGIC, 3, struct gupsync_ipi)
#define GUPSYNC_IOC_RCU _IOWR(GUPSYNC_IOC_MAGIC, 4, struct gupsync_rcu)
#define GUPSYNC_IOC_GUP _IOWR(GUPSYNC_IOC_MAGIC, 5, struct gupsync_gup)

#endif
