// SPDX-License-Identifier: GPL-2.0
/*
 * shm_lab - lab 08: a ring of records in memory shared with user space.
 *
 * On load, allocates an area of pages pages (a module parameter) with
 * vmalloc_user() and registers the misc device /dev/kcl_shm, which only
 * root may open. The area is a control page (struct kcl_shm_ctrl) and
 * data pages, an array of struct kcl_shm_record used as a ring with one
 * producer, the kernel, and one consumer, a process.
 *
 *   mmap   offset 0: the control page, read-write; offset PAGE_SIZE: the
 *          data pages, read-only. MAP_SHARED only, never larger than the
 *          region, never growing.
 *   write  a decimal count N: the kernel produces N records;
 *   poll   readable while the ring holds a record.
 *
 * The kernel publishes a record by storing head with release semantics,
 * and reads the consumer's tail with acquire semantics. It never trusts
 * the control page: it keeps its own head, and drops the record (counted
 * in bad_tail) when tail is not from head - nr_records to head.
 * When the ring is full it drops the record (counted in dropped).
 *
 * With rate_hz set, a timer produces that many records a second too.
 */

/* SOLUTION: TODO 1: prefix every message of this module with "shm_lab: " */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
/* END SOLUTION */

#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "kcl_shm.h"

static unsigned int pages = KCL_SHM_PAGES_DEFAULT;
module_param(pages, uint, 0444);
MODULE_PARM_DESC(pages, "Pages of the shared area: the control page and the data pages, 2 to 64 (default 4)");

static unsigned int rate_hz;
module_param(rate_hz, uint, 0444);
MODULE_PARM_DESC(rate_hz, "Records a second produced by a timer, 0 to 1000 (default 0: no timer)");

/*
 * The device's state. The area is shared with user space; everything else
 * is the kernel's own. The spinlock serialises the kernel's producers
 * (write(2) and the timer, which runs in interrupt context): the ring has
 * one producer, the kernel, and the lock makes its two paths one. It is
 * never shared with user space: no lock can be.
 */
struct kcl_shm {
	void *area;			/* vmalloc_user(): pages pages */
	struct kcl_shm_ctrl *ctrl;	/* the area's first page */
	struct kcl_shm_record *records;	/* the data pages */
	unsigned long data_size;	/* bytes of the data pages */
	u32 nr_records;			/* slots in the ring */
	spinlock_t lock;		/* guards head, dropped, bad_tail */
	u64 head;			/* records produced: the kernel's copy */
	u64 dropped;			/* records dropped: ring full */
	u64 bad_tail;			/* records dropped: tail refused */
	wait_queue_head_t wait;		/* consumers in poll() */
	struct hrtimer timer;		/* the producer at rate_hz */
	ktime_t period;
};

static struct kcl_shm shm;

/*
 * Flags of a mapping: since 6.3, vm_flags is changed only through these
 * helpers; before, directly.
 */
static void kcl_vma_set(struct vm_area_struct *vma, unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static void kcl_vma_clear(struct vm_area_struct *vma, unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/* --- the producer ---------------------------------------------------------- */

/*
 * Produce one record, or drop it. Called with shm.lock held. Returns true
 * when the record went into the ring.
 */
static bool kcl_shm_produce_one(void)
{
	/* SOLUTION: TODO 2: check tail, drop or write the record, publish head */
	struct kcl_shm_record *rec;
	u32 slot;
	u64 tail;
	int i;

	/*
	 * One read of tail, into a local: the consumer may change it at any
	 * moment, so what was checked must be what is used. Acquire: the
	 * consumer's reads of the slots it gives back come before it.
	 */
	tail = smp_load_acquire(&shm.ctrl->tail);
	if (tail > shm.head || shm.head - tail > shm.nr_records) {
		/* ahead of head, or further behind than the ring holds */
		shm.bad_tail++;
		WRITE_ONCE(shm.ctrl->bad_tail, shm.bad_tail);
		pr_warn_once("refused tail %llu (head %llu, %u records)\n",
			     tail, shm.head, shm.nr_records);
		return false;
	}
	if (shm.head - tail == shm.nr_records) {
		/* full: drop the new record, never overwrite an unread one */
		shm.dropped++;
		WRITE_ONCE(shm.ctrl->dropped, shm.dropped);
		return false;
	}

	/* the slot comes from the kernel's own head, never from the page */
	div_u64_rem(shm.head, shm.nr_records, &slot);
	rec = &shm.records[slot];
	rec->seq = shm.head;
	rec->time_ns = ktime_get_ns();
	for (i = 0; i < KCL_SHM_PAYLOAD; i++)
		rec->payload[i] = (shm.head + i) & 0xff;
	shm.head++;
	/* release: the record's stores are seen before the new head */
	smp_store_release(&shm.ctrl->head, shm.head);
	return true;
	/* SKELETON: return false; */
	/* END SOLUTION */
}

static enum hrtimer_restart kcl_shm_tick(struct hrtimer *timer)
{
	/* SOLUTION: TODO 3: produce one record, wake the consumers, re-arm */
	unsigned long flags;
	bool stored;

	spin_lock_irqsave(&shm.lock, flags);
	stored = kcl_shm_produce_one();
	spin_unlock_irqrestore(&shm.lock, flags);
	if (stored)
		wake_up_interruptible(&shm.wait);
	hrtimer_forward_now(timer, shm.period);
	return HRTIMER_RESTART;
	/* SKELETON: return HRTIMER_NORESTART; */
	/* END SOLUTION */
}

/* --- the file operations -------------------------------------------------- */

static int kcl_shm_open(struct inode *inode, struct file *file)
{
	/* no file position: write(2) takes a count, lseek() fails */
	return stream_open(inode, file);
}

/* write(2) of a decimal count N, 1 to KCL_SHM_PRODUCE_MAX: N records. */
static ssize_t kcl_shm_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	/* SOLUTION: TODO 4: read the count, produce that many records, wake */
	unsigned int n, i, stored = 0;
	unsigned long flags;

	if (kstrtouint_from_user(ubuf, count, 10, &n) || n < 1 ||
	    n > KCL_SHM_PRODUCE_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		spin_lock_irqsave(&shm.lock, flags);
		if (kcl_shm_produce_one())
			stored++;
		spin_unlock_irqrestore(&shm.lock, flags);
		cond_resched();
	}
	/* after the records are in: a consumer woken earlier finds nothing */
	if (stored)
		wake_up_interruptible(&shm.wait);
	return count;
	/* SKELETON: (void)kcl_shm_produce_one; */
	/* SKELETON: return -EINVAL; */
	/* END SOLUTION */
}

static __poll_t kcl_shm_poll(struct file *file, poll_table *wait)
{
	/* SOLUTION: TODO 5: wait on the queue; readable when tail is not head */
	u64 head, tail;

	poll_wait(file, &shm.wait, wait);
	head = READ_ONCE(shm.head);
	/* acquire, as in the producer: pairs with the consumer's release */
	tail = smp_load_acquire(&shm.ctrl->tail);
	return head != tail ? EPOLLIN | EPOLLRDNORM : 0;
	/* SKELETON: return 0; */
	/* END SOLUTION */
}

/*
 * mmap(2): offset 0 maps the control page, offset PAGE_SIZE the data
 * pages. vma->vm_pgoff is the offset in pages.
 */
static int kcl_shm_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* SOLUTION: TODO 6: check the request, then map the area's pages */
	unsigned long size = vma->vm_end - vma->vm_start;

	/* a private mapping would be a copy: nothing would be shared */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff == 0) {
		if (size > PAGE_SIZE)
			return -EINVAL;
	} else if (vma->vm_pgoff == 1) {
		if (size > shm.data_size)
			return -EINVAL;
		/* the records are the kernel's: read-only, now and later */
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		kcl_vma_clear(vma, VM_MAYWRITE);
	} else {
		return -EINVAL;
	}
	/* mremap() cannot grow it past the area; no core dump of it */
	kcl_vma_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return remap_vmalloc_range(vma, shm.area, vma->vm_pgoff);
	/* SKELETON: (void)kcl_vma_set; */
	/* SKELETON: (void)kcl_vma_clear; */
	/* SKELETON: return -ENODEV; */
	/* END SOLUTION */
}

static const struct file_operations kcl_shm_fops = {
	/* SOLUTION: TODO 7: an open file, and so a mapping, keeps the module */
	.owner		= THIS_MODULE,
	/* END SOLUTION */
	.open		= kcl_shm_open,
	.write		= kcl_shm_write,
	.poll		= kcl_shm_poll,
	.mmap		= kcl_shm_mmap,
};

static struct miscdevice kcl_shm_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= KCL_SHM_NAME,
	.fops		= &kcl_shm_fops,
	/* SOLUTION: TODO 8: only root may open it */
	.mode		= 0600,
	/* END SOLUTION */
};

/* --- load and unload ------------------------------------------------------ */

static int __init shm_lab_init(void)
{
	/* SOLUTION: TODO 9: check the parameters, allocate, register, start */
	int ret;

	if (pages < KCL_SHM_PAGES_MIN || pages > KCL_SHM_PAGES_MAX) {
		pr_err("pages=%u: not from %d to %d\n", pages,
		       KCL_SHM_PAGES_MIN, KCL_SHM_PAGES_MAX);
		return -EINVAL;
	}
	if (rate_hz > KCL_SHM_RATE_MAX) {
		pr_err("rate_hz=%u: not from 0 to %d\n", rate_hz,
		       KCL_SHM_RATE_MAX);
		return -EINVAL;
	}

	/* zeroed, and flagged so that remap_vmalloc_range() accepts it */
	shm.area = vmalloc_user(pages * PAGE_SIZE);
	if (!shm.area)
		return -ENOMEM;
	shm.ctrl = shm.area;
	shm.records = shm.area + PAGE_SIZE;
	shm.data_size = (pages - 1) * PAGE_SIZE;
	shm.nr_records = shm.data_size / sizeof(struct kcl_shm_record);
	shm.head = 0;
	shm.dropped = 0;
	shm.bad_tail = 0;
	spin_lock_init(&shm.lock);
	init_waitqueue_head(&shm.wait);
	shm.ctrl->record_size = sizeof(struct kcl_shm_record);
	shm.ctrl->nr_records = shm.nr_records;
	shm.ctrl->data_offset = PAGE_SIZE;
	shm.ctrl->data_size = shm.data_size;

	/* from here on, the device can be opened and mapped */
	ret = misc_register(&kcl_shm_misc);
	if (ret)
		goto err_free_area;

	hrtimer_init(&shm.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	shm.timer.function = kcl_shm_tick;
	if (rate_hz) {
		shm.period = ns_to_ktime(NSEC_PER_SEC / rate_hz);
		hrtimer_start(&shm.timer, shm.period, HRTIMER_MODE_REL);
	}
	pr_info("/dev/%s: %u records of %u bytes in %u data pages, timer at %u Hz\n",
		KCL_SHM_NAME, shm.nr_records, shm.ctrl->record_size,
		pages - 1, rate_hz);
	return 0;

err_free_area:
	vfree(shm.area);
	return ret;
	/* SKELETON: (void)kcl_shm_tick; */
	/* SKELETON: (void)kcl_shm_misc; */
	/* SKELETON: return -ENOSYS; */
	/* END SOLUTION */
}

static void __exit shm_lab_exit(void)
{
	/* SOLUTION: TODO 10: stop the timer, deregister, free the area */
	/* no mapping is left: each one holds the file, which holds us */
	hrtimer_cancel(&shm.timer);
	misc_deregister(&kcl_shm_misc);
	vfree(shm.area);
	/* END SOLUTION */
	pr_info("removed /dev/%s: head %llu, dropped %llu, bad tail %llu\n",
		KCL_SHM_NAME, shm.head, shm.dropped, shm.bad_tail);
}

module_init(shm_lab_init);
module_exit(shm_lab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 08: a ring of records in memory shared with user space");
MODULE_VERSION("1.0");
