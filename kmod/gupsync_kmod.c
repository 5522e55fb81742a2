// SPDX-License-Identifier: GPL-2.0
/*
 * gupsync.ko - the primitives that protect GUP-fast, timed in the kernel.
 *
 * User-space triggers (futex, membarrier, madvise) reach these paths only
 * through syscalls and side work; here each ioctl runs one primitive in a
 * bounded loop and times every iteration with ktime_get_ns(), the way
 * kernel/rcu/rcuscale.c times synchronize_rcu() and mm/gup_test.c times
 * get_user_pages_fast() (but per call, get and put apart, in ns, with the
 * distribution rather than one total).  See gupsync_ioctl.h for the
 * interface:
 *
 *   IPI_ALL   smp_call_function(empty, wait=1): what
 *             tlb_remove_table_sync_one() does to make sure no GUP-fast
 *             walk (IRQs off) still looks at a page table being freed.
 *   IPI_MASK  smp_call_function_many() to a user-chosen set of CPUs: a
 *             targeted TLB-shootdown IPI without the flush.
 *   RCU       synchronize_rcu() / synchronize_rcu_expedited(): the wait
 *             that RCU-freed page tables (MMU_GATHER_RCU_TABLE_FREE) and
 *             protocols that replace the IPI rely on.
 *   GUP       get_user_pages_fast()+put_page() / pin_user_pages_fast()+
 *             unpin_user_pages() on the caller's buffer, N pages a call.
 *
 * Every argument is validated before anything runs (EINVAL/EFAULT, no side
 * effect); loops are bounded, reschedule between iterations and stop on a
 * fatal signal.
 */
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "gupsync_ioctl.h"

/* One loop's per-iteration times and where they go in user space. */
struct run {
	u32 iters;
	u64 *ns;
	u64 __user *out;	/* NULL: summary only */
};

static int run_init(struct run *r, const struct gupsync_loop *l, u32 max_iters,
		    u32 flags_allowed, u64 user_samples)
{
	size_t bytes = (size_t)l->iters * sizeof(u64);

	if (!l->iters || l->iters > max_iters || (l->flags & ~flags_allowed))
		return -EINVAL;
	r->iters = l->iters;
	r->out = u64_to_user_ptr(user_samples);
	/* Fail a bad sample buffer now, before the loop has any effect. */
	if (r->out && clear_user(r->out, bytes))
		return -EFAULT;
	r->ns = kvmalloc_array(r->iters, sizeof(u64), GFP_KERNEL);
	return r->ns ? 0 : -ENOMEM;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Copy the samples out in iteration order, then sort them for the summary. */
static int run_finish(struct run *r, struct gupsync_summary *s)
{
	u32 i;

	if (r->out && copy_to_user(r->out, r->ns, (size_t)r->iters * sizeof(u64)))
		return -EFAULT;
	sort(r->ns, r->iters, sizeof(u64), cmp_u64, NULL);
	s->count = r->iters;
	s->min_ns = r->ns[0];
	s->median_ns = r->ns[(r->iters - 1) / 2];
	s->max_ns = r->ns[r->iters - 1];
	s->sum_ns = 0;
	for (i = 0; i < r->iters; i++)
		s->sum_ns += r->ns[i];
	return 0;
}

static void run_free(struct run *r)
{
	kvfree(r->ns);
	r->ns = NULL;
}

/* Between iterations: let others run, and let a signalled caller go
 * (Ctrl-C reaches gupsync's own handler at once, not after the batch). */
static int run_yield(void)
{
	cond_resched();
	return signal_pending(current) ? -EINTR : 0;
}

static long do_info(void __user *arg)
{
	struct gupsync_info in = {
		.abi_version = GUPSYNC_ABI_VERSION,
		.nr_cpu_ids = nr_cpu_ids,
		.online_cpus = num_online_cpus(),
		.page_size = PAGE_SIZE,
		.max_iters = GUPSYNC_MAX_ITERS,
		.max_rcu_iters = GUPSYNC_MAX_RCU_ITERS,
		.max_pages_per_call = GUPSYNC_MAX_PAGES_PER_CALL,
		.max_gup_bytes = GUPSYNC_MAX_GUP_BYTES,
	};

	strscpy(in.release, utsname()->release, sizeof(in.release));
	return copy_to_user(arg, &in, sizeof(in)) ? -EFAULT : 0;
}

static long do_nop(struct gupsync_loop *l)
{
	struct run r;
	u32 i;
	int ret = run_init(&r, l, GUPSYNC_MAX_ITERS, 0, l->samples);

	if (ret)
		return ret;
	for (i = 0; i < r.iters && !ret; i++) {
		u64 t0 = ktime_get_ns();

		r.ns[i] = ktime_get_ns() - t0;
		ret = run_yield();
	}
	if (!ret)
		ret = run_finish(&r, &l->sum);
	run_free(&r);
	return ret;
}

/* The IPI handler does nothing, like tlb_remove_table_smp_sync(): the cost
 * measured is delivering the IPI and waiting for every target to run it. */
static void gupsync_ipi_empty(void *info)
{
}

/* Read a sched_setaffinity()-style mask: every set bit an online CPU. */
static int read_cpumask(const struct gupsync_ipi *a, struct cpumask *mask)
{
	u8 *buf;
	u32 bit;
	int ret = 0;

	if (!a->cpumask_bytes || a->cpumask_bytes > GUPSYNC_MAX_CPUMASK_BYTES)
		return -EINVAL;
	buf = memdup_user(u64_to_user_ptr(a->cpumask), a->cpumask_bytes);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	cpumask_clear(mask);
	for (bit = 0; bit < a->cpumask_bytes * 8 && !ret; bit++) {
		if (!(buf[bit / 8] & (1u << (bit % 8))))
			continue;
		if (bit >= nr_cpu_ids || !cpu_online(bit))
			ret = -EINVAL;
		else
			cpumask_set_cpu(bit, mask);
	}
	if (!ret && cpumask_empty(mask))
		ret = -EINVAL;
	kfree(buf);
	return ret;
}

static u64 ipi_one(const struct cpumask *mask, u64 *ns)
{
	u64 t0, targets;

	preempt_disable();	/* smp_call_function_many() needs it */
	if (mask)
		targets = cpumask_weight_and(mask, cpu_online_mask) -
			  cpumask_test_cpu(smp_processor_id(), mask);
	else
		targets = num_online_cpus() - 1;
	t0 = ktime_get_ns();
	if (mask)
		smp_call_function_many(mask, gupsync_ipi_empty, NULL, true);
	else
		smp_call_function(gupsync_ipi_empty, NULL, true);
	*ns = ktime_get_ns() - t0;
	preempt_enable();
	return targets;
}

static long do_ipi(struct gupsync_ipi *a, bool masked)
{
	cpumask_var_t mask;
	struct run r;
	u32 i;
	int ret;

	if (a->reserved || (!masked && (a->cpumask || a->cpumask_bytes)))
		return -EINVAL;
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = masked ? read_cpumask(a, mask) : 0;
	/* The work of one call: iterations x target CPUs, bounded. */
	if (!ret && (u64)a->loop.iters * (masked ? cpumask_weight(mask) :
					   num_online_cpus()) > GUPSYNC_MAX_IPI_WORK)
		ret = -EINVAL;
	if (!ret)
		ret = run_init(&r, &a->loop, GUPSYNC_MAX_ITERS, 0, a->loop.samples);
	if (ret)
		goto out_mask;
	a->ipis = 0;
	for (i = 0; i < r.iters && !ret; i++) {
		a->ipis += ipi_one(masked ? mask : NULL, &r.ns[i]);
		ret = run_yield();
	}
	if (!ret)
		ret = run_finish(&r, &a->loop.sum);
	run_free(&r);
out_mask:
	free_cpumask_var(mask);
	return ret;
}

static long do_rcu(struct gupsync_rcu *a)
{
	bool exp = a->loop.flags & GUPSYNC_RCU_EXPEDITED;
	struct run r;
	u32 i;
	int ret = run_init(&r, &a->loop, exp ? GUPSYNC_MAX_RCU_EXP_ITERS :
			   GUPSYNC_MAX_RCU_ITERS, GUPSYNC_RCU_EXPEDITED,
			   a->loop.samples);

	if (ret)
		return ret;
	a->gp_verified = 0;
	for (i = 0; i < r.iters && !ret; i++) {
		unsigned long cookie = get_state_synchronize_rcu();
		u64 t0 = ktime_get_ns();

		if (exp)
			synchronize_rcu_expedited();
		else
			synchronize_rcu();
		r.ns[i] = ktime_get_ns() - t0;
		a->gp_verified += poll_state_synchronize_rcu(cookie);
		ret = run_yield();
	}
	if (!ret)
		ret = run_finish(&r, &a->loop.sum);
	run_free(&r);
	return ret;
}

static int gup_check(const struct gupsync_gup *a)
{
	u64 npages = a->size >> PAGE_SHIFT;
	u32 f = a->loop.flags;

	if (a->reserved || offset_in_page(a->addr) || offset_in_page(a->size))
		return -EINVAL;
	if (!a->size || a->size > GUPSYNC_MAX_GUP_BYTES)
		return -EINVAL;
	if (!a->nr_pages_per_call ||
	    a->nr_pages_per_call > GUPSYNC_MAX_PAGES_PER_CALL ||
	    npages % a->nr_pages_per_call)
		return -EINVAL;
	if ((f & GUPSYNC_GUP_LONGTERM) && !(f & GUPSYNC_GUP_PIN))
		return -EINVAL;
	if (a->addr + a->size < a->addr ||
	    !access_ok(u64_to_user_ptr(a->addr), a->size))
		return -EFAULT;
	return 0;
}

static void gup_release(struct page **pages, long n, bool pin)
{
	long k;

	if (pin) {
		unpin_user_pages(pages, n);
		return;
	}
	for (k = 0; k < n; k++)
		put_page(pages[k]);
}

static long gup_get(unsigned long start, int nr, unsigned int foll, u32 f,
		    struct page **pages)
{
	bool pin = f & GUPSYNC_GUP_PIN;

	if (f & GUPSYNC_GUP_SLOW)
		return pin ? pin_user_pages_unlocked(start, nr, pages, foll) :
			     get_user_pages_unlocked(start, nr, pages, foll);
	return pin ? pin_user_pages_fast(start, nr, foll, pages) :
		     get_user_pages_fast(start, nr, foll, pages);
}

/* One call: nr pages got (timed), then released (timed).  A short count
 * releases what was got and fails the loop: the buffer is not all there. */
static int gup_one(const struct gupsync_gup *a, u32 i, struct page **pages,
		   u64 *get_ns, u64 *put_ns)
{
	u32 nr = a->nr_pages_per_call, f = a->loop.flags;
	u64 npages = a->size >> PAGE_SHIFT;
	unsigned long start = a->addr + (((u64)i * nr) % npages) * PAGE_SIZE;
	unsigned int foll = (f & GUPSYNC_GUP_WRITE ? FOLL_WRITE : 0) |
			    (f & GUPSYNC_GUP_LONGTERM ? FOLL_LONGTERM : 0);
	u64 t0 = ktime_get_ns(), t1;
	long got = gup_get(start, nr, foll, f, pages);

	t1 = ktime_get_ns();
	*get_ns = t1 - t0;
	if (got != nr) {
		if (got > 0)
			gup_release(pages, got, f & GUPSYNC_GUP_PIN);
		return got < 0 ? got : -EFAULT;
	}
	gup_release(pages, nr, f & GUPSYNC_GUP_PIN);
	*put_ns = ktime_get_ns() - t1;
	return 0;
}

static long do_gup(struct gupsync_gup *a)
{
	struct page **pages;
	struct run get, put;
	u32 i;
	int ret = gup_check(a);

	if (ret)
		return ret;
	ret = run_init(&get, &a->loop, GUPSYNC_MAX_ITERS, GUPSYNC_GUP_FLAGS,
		       a->loop.samples);
	if (ret)
		return ret;
	ret = run_init(&put, &a->loop, GUPSYNC_MAX_ITERS, GUPSYNC_GUP_FLAGS,
		       a->put_samples);
	if (ret)
		goto out_get;
	pages = kvmalloc_array(a->nr_pages_per_call, sizeof(*pages), GFP_KERNEL);
	ret = pages ? 0 : -ENOMEM;
	for (i = 0; i < get.iters && !ret; i++) {
		ret = gup_one(a, i, pages, &get.ns[i], &put.ns[i]);
		if (!ret)
			ret = run_yield();
	}
	if (!ret)
		ret = run_finish(&get, &a->loop.sum);
	if (!ret)
		ret = run_finish(&put, &a->put_sum);
	kvfree(pages);
	run_free(&put);
out_get:
	run_free(&get);
	return ret;
}

/* The argument of every measured ioctl, copied in and out whole. */
union gupsync_arg {
	struct gupsync_loop loop;
	struct gupsync_ipi ipi;
	struct gupsync_rcu rcu;
	struct gupsync_gup gup;
};

static size_t gupsync_arg_size(unsigned int cmd)
{
	switch (cmd) {
	case GUPSYNC_IOC_NOP:
		return sizeof(struct gupsync_loop);
	case GUPSYNC_IOC_IPI_ALL:
	case GUPSYNC_IOC_IPI_MASK:
		return sizeof(struct gupsync_ipi);
	case GUPSYNC_IOC_RCU:
		return sizeof(struct gupsync_rcu);
	case GUPSYNC_IOC_GUP:
		return sizeof(struct gupsync_gup);
	}
	return 0;
}

static long gupsync_dispatch(unsigned int cmd, union gupsync_arg *a)
{
	switch (cmd) {
	case GUPSYNC_IOC_NOP:
		return do_nop(&a->loop);
	case GUPSYNC_IOC_IPI_ALL:
		return do_ipi(&a->ipi, false);
	case GUPSYNC_IOC_IPI_MASK:
		return do_ipi(&a->ipi, true);
	case GUPSYNC_IOC_RCU:
		return do_rcu(&a->rcu);
	case GUPSYNC_IOC_GUP:
		return do_gup(&a->gup);
	}
	return -ENOTTY;
}

static long gupsync_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	union gupsync_arg a;
	size_t size = gupsync_arg_size(cmd);
	long ret;

	if (cmd == GUPSYNC_IOC_INFO)
		return do_info(uarg);
	if (!size)
		return -ENOTTY;
	if (copy_from_user(&a, uarg, size))
		return -EFAULT;
	ret = gupsync_dispatch(cmd, &a);
	if (!ret && copy_to_user(uarg, &a, size))
		return -EFAULT;
	return ret;
}

static const struct file_operations gupsync_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = gupsync_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice gupsync_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "gupsync",
	.fops = &gupsync_fops,
	.mode = 0600,		/* IPIs and RCU waits on every CPU: root only */
};
module_misc_device(gupsync_misc);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gupsync: in-kernel timing of IPI, RCU and GUP-fast primitives");
