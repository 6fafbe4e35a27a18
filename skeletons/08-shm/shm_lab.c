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

/* TODO 1: prefix every message of this module with "shm_lab: " */

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
	/* TODO 2: check tail, drop or write the record, publish head */
	return false;
}

static enum hrtimer_restart kcl_shm_tick(struct hrtimer *timer)
{
	/* TODO 3: produce one record, wake the consumers, re-arm */
	return HRTIMER_NORESTART;
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
	/* TODO 4: read the count, produce that many records, wake */
	(void)kcl_shm_produce_one;
	return -EINVAL;
}

static __poll_t kcl_shm_poll(struct file *file, poll_table *wait)
{
	/* TODO 5: wait on the queue; readable when tail is not head */
	return 0;
}

/*
 * mmap(2): offset 0 maps the control page, offset PAGE_SIZE the data
 * pages. vma->vm_pgoff is the offset in pages.
 */
static int kcl_shm_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* TODO 6: check the request, then map the area's pages */
	(void)kcl_vma_set;
	(void)kcl_vma_clear;
	return -ENODEV;
}

static const struct file_operations kcl_shm_fops = {
	/* TODO 7: an open file, and so a mapping, keeps the module */
	.open		= kcl_shm_open,
	.write		= kcl_shm_write,
	.poll		= kcl_shm_poll,
	.mmap		= kcl_shm_mmap,
};

static struct miscdevice kcl_shm_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= KCL_SHM_NAME,
	.fops		= &kcl_shm_fops,
	/* TODO 8: only root may open it */
};

/* --- load and unload ------------------------------------------------------ */

static int __init shm_lab_init(void)
{
	/* TODO 9: check the parameters, allocate, register, start */
	(void)kcl_shm_tick;
	(void)kcl_shm_misc;
	return -ENOSYS;
}

static void __exit shm_lab_exit(void)
{
	/* TODO 10: stop the timer, deregister, free the area */
	pr_info("removed /dev/%s: head %llu, dropped %llu, bad tail %llu\n",
		KCL_SHM_NAME, shm.head, shm.dropped, shm.bad_tail);
}

module_init(shm_lab_init);
module_exit(shm_lab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 08: a ring of records in memory shared with user space");
MODULE_VERSION("1.0");
