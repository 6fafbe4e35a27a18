// SPDX-License-Identifier: GPL-2.0
/*
 * chardev_lab - lab 07: a character device that blocks.
 *
 * On load, registers KCL_PIPE_COUNT misc devices, /dev/kcl_pipe0 and
 * /dev/kcl_pipe1, which any user may open. Each one is a pipe: what is
 * written to it can be read back from it, once, in the same order. Behind
 * each pipe, allocated on load, is a kfifo ring buffer of fifo_size bytes
 * (a module parameter).
 *
 *   read   sleeps while the pipe is empty (EAGAIN at once with O_NONBLOCK),
 *          then takes what is there, at most count bytes;
 *   write  sleeps while the pipe is full (EAGAIN at once with O_NONBLOCK),
 *          then stores what fits, at most count bytes;
 *   poll   readable when the pipe holds data, writable when it has room.
 *
 * A sleeper is woken by the change it waits for (data for readers, room for
 * writers) or by a signal: then the call returns -ERESTARTSYS and the
 * kernel either restarts it or fails it with EINTR, as the signal's
 * handler asked (SA_RESTART).
 */

/* SOLUTION: TODO 1: prefix every message of this module with "chardev_lab: " */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
/* END SOLUTION */

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kfifo.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "kcl_pipe.h"

static unsigned int fifo_size = KCL_FIFO_DEFAULT;
module_param(fifo_size, uint, 0444);
MODULE_PARM_DESC(fifo_size, "Bytes in each pipe's buffer: a power of two, 16 to 65536 (default 4096)");

/*
 * One pipe. The mutex guards the fifo: every look at how full it is, and
 * every copy in or out, happens with the mutex held. The two wait queues
 * are where readers sleep until there is data, and writers until there is
 * room. The wait queues have locks of their own.
 */
struct kcl_pipe {
	struct miscdevice misc;		/* the device, /dev/kcl_pipeN */
	char name[16];			/* "kcl_pipeN", misc.name points here */
	struct mutex lock;		/* guards fifo */
	struct kfifo fifo;		/* bytes written and not read yet */
	wait_queue_head_t readers;	/* readers waiting for data */
	wait_queue_head_t writers;	/* writers waiting for room */
};

static struct kcl_pipe *kcl_pipes[KCL_PIPE_COUNT];

/* --- the file operations -------------------------------------------------- */

static int kcl_open(struct inode *inode, struct file *file)
{
	/*
	 * misc_open() has set private_data to our struct miscdevice, which is
	 * the first field of a struct kcl_pipe: from it, container_of() finds
	 * the pipe. The other operations find it in private_data.
	 */
	struct kcl_pipe *pipe = container_of(file->private_data,
					     struct kcl_pipe, misc);

	file->private_data = pipe;
	/* a pipe is a stream: no file position, lseek() fails with ESPIPE */
	return stream_open(inode, file);
}

static ssize_t kcl_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	/* SOLUTION: TODO 2: wait for data (or EAGAIN), take it, wake the writers */
	struct kcl_pipe *pipe = file->private_data;
	unsigned int copied;
	int ret;

	if (!count)
		return 0;
	if (mutex_lock_interruptible(&pipe->lock))
		return -ERESTARTSYS;
	/*
	 * while, not if: being woken only means the pipe had data at that
	 * moment. Another reader may have taken it since; only this check,
	 * with the lock held, tells.
	 */
	while (kfifo_is_empty(&pipe->fifo)) {
		mutex_unlock(&pipe->lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(pipe->readers,
					     !kfifo_is_empty(&pipe->fifo)))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&pipe->lock))
			return -ERESTARTSYS;
	}
	/* copy_to_user() may sleep on a page fault: fine under a mutex */
	ret = kfifo_to_user(&pipe->fifo, ubuf, count, &copied);
	mutex_unlock(&pipe->lock);

	if (!copied)
		return ret;
	/* there is room now: writers waiting for it (and pollers) may go on */
	wake_up_interruptible(&pipe->writers);
	return copied;
	/* SKELETON: return -EINVAL; */
	/* END SOLUTION */
}

static ssize_t kcl_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	/* SOLUTION: TODO 3: wait for room (or EAGAIN), store what fits, wake readers */
	struct kcl_pipe *pipe = file->private_data;
	unsigned int copied;
	int ret;

	if (!count)
		return 0;
	if (mutex_lock_interruptible(&pipe->lock))
		return -ERESTARTSYS;
	while (kfifo_is_full(&pipe->fifo)) {
		mutex_unlock(&pipe->lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(pipe->writers,
					     !kfifo_is_full(&pipe->fifo)))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&pipe->lock))
			return -ERESTARTSYS;
	}
	/* as much as fits: a partial write, the caller sends the rest later */
	ret = kfifo_from_user(&pipe->fifo, ubuf, count, &copied);
	mutex_unlock(&pipe->lock);

	if (!copied)
		return ret;
	wake_up_interruptible(&pipe->readers);
	return copied;
	/* SKELETON: return -EINVAL; */
	/* END SOLUTION */
}

static __poll_t kcl_poll(struct file *file, poll_table *wait)
{
	/* SOLUTION: TODO 4: register on both wait queues, then report the state */
	struct kcl_pipe *pipe = file->private_data;
	__poll_t mask = 0;

	/* poll_wait() does not sleep: it tells poll(2) where to wait */
	poll_wait(file, &pipe->readers, wait);
	poll_wait(file, &pipe->writers, wait);

	mutex_lock(&pipe->lock);
	if (!kfifo_is_empty(&pipe->fifo))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (!kfifo_is_full(&pipe->fifo))
		mask |= EPOLLOUT | EPOLLWRNORM;
	mutex_unlock(&pipe->lock);
	return mask;
	/* SKELETON: return 0; */
	/* END SOLUTION */
}

static const struct file_operations kcl_fops = {
	/* SOLUTION: TODO 5: an open pipe must keep the module loaded */
	.owner		= THIS_MODULE,
	/* END SOLUTION */
	.open		= kcl_open,
	.read		= kcl_read,
	.write		= kcl_write,
	.poll		= kcl_poll,
};

/* --- creating and removing a pipe ----------------------------------------- */

/* A new pipe, registered and ready to be opened, or an ERR_PTR(). */
static struct kcl_pipe *kcl_pipe_create(int index)
{
	/* SOLUTION: TODO 6: the pipe, its lock, queues, fifo, then its device */
	struct kcl_pipe *pipe;
	int ret;

	pipe = kzalloc(sizeof(*pipe), GFP_KERNEL);
	if (!pipe)
		return ERR_PTR(-ENOMEM);
	mutex_init(&pipe->lock);
	init_waitqueue_head(&pipe->readers);
	init_waitqueue_head(&pipe->writers);
	ret = kfifo_alloc(&pipe->fifo, fifo_size, GFP_KERNEL);
	if (ret)
		goto err_free_pipe;

	snprintf(pipe->name, sizeof(pipe->name), KCL_PIPE_NAME "%d", index);
	pipe->misc.minor = MISC_DYNAMIC_MINOR;
	pipe->misc.name = pipe->name;
	pipe->misc.fops = &kcl_fops;
	pipe->misc.mode = 0666;
	/* from here on, the device can be opened: everything is ready */
	ret = misc_register(&pipe->misc);
	if (ret)
		goto err_free_fifo;
	return pipe;

err_free_fifo:
	kfifo_free(&pipe->fifo);
err_free_pipe:
	kfree(pipe);
	return ERR_PTR(ret);
	/* SKELETON: return ERR_PTR(-ENOSYS); */
	/* END SOLUTION */
}

static void kcl_pipe_destroy(struct kcl_pipe *pipe)
{
	/* SOLUTION: TODO 7: undo kcl_pipe_create(), in reverse order */
	/*
	 * The device first: misc_deregister() works on pipe->misc, and until
	 * it returns, an open can still find the pipe.
	 */
	misc_deregister(&pipe->misc);
	kfifo_free(&pipe->fifo);
	kfree(pipe);
	/* END SOLUTION */
}

/* --- load and unload ------------------------------------------------------ */

static int __init chardev_lab_init(void)
{
	int i, ret;

	/* SOLUTION: TODO 8: refuse a bad fifo_size (a power of two, 16 to 65536) */
	if (fifo_size < KCL_FIFO_MIN || fifo_size > KCL_FIFO_MAX ||
	    !is_power_of_2(fifo_size)) {
		pr_err("fifo_size=%u: not a power of two from %d to %d\n",
		       fifo_size, KCL_FIFO_MIN, KCL_FIFO_MAX);
		return -EINVAL;
	}
	/* END SOLUTION */

	for (i = 0; i < KCL_PIPE_COUNT; i++) {
		kcl_pipes[i] = kcl_pipe_create(i);
		if (IS_ERR(kcl_pipes[i])) {
			ret = PTR_ERR(kcl_pipes[i]);
			pr_err("cannot create /dev/%s%d: error %d\n",
			       KCL_PIPE_NAME, i, ret);
			goto err_destroy;
		}
	}
	pr_info("created %d pipes of %u bytes, /dev/%s0 to /dev/%s%d\n",
		KCL_PIPE_COUNT, fifo_size, KCL_PIPE_NAME, KCL_PIPE_NAME,
		KCL_PIPE_COUNT - 1);
	return 0;

err_destroy:
	/* the pipes created before the one that failed, last first */
	while (--i >= 0)
		kcl_pipe_destroy(kcl_pipes[i]);
	return ret;
}

static void __exit chardev_lab_exit(void)
{
	int i;

	for (i = KCL_PIPE_COUNT - 1; i >= 0; i--)
		kcl_pipe_destroy(kcl_pipes[i]);
	pr_info("removed the pipes\n");
}

module_init(chardev_lab_init);
module_exit(chardev_lab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 07: a pipe device: blocking I/O, O_NONBLOCK, poll");
MODULE_VERSION("1.0");
