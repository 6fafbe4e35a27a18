// SPDX-License-Identifier: GPL-2.0
/*
 * procfs_lab - lab 02: talking to user space through /proc.
 *
 * On load, creates the directory /proc/kcl_procfs with four files:
 *
 *   debug_level  0644  read: the level (0-2); write: a new level (root only)
 *   writes       0444  read: how many writes to debug_level were accepted
 *   context      0400  read (root only): the whole driver context
 *   table        0444  read: 512 rows of squares, more than one page of text
 *
 * All state lives in one "driver context" (struct kcl_context), guarded by
 * its mutex. Unloading removes every file and the directory.
 */

/* TODO 1: prefix every message of this module with "procfs_lab: " */

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/types.h>

#define KCL_DIR_NAME		"kcl_procfs"
#define KCL_DEBUG_LEVEL		"debug_level"
#define KCL_WRITES		"writes"
#define KCL_CONTEXT		"context"
#define KCL_TABLE		"table"

#define DEBUG_LEVEL_MIN		0
#define DEBUG_LEVEL_MAX		2
/* The longest write to debug_level worth parsing; anything longer is junk. */
#define KCL_INPUT_MAX		16
/* Rows in the table file: 512 rows of 14 bytes, 7168 bytes in all. */
#define TABLE_ROWS		512

/*
 * The "driver context": the state a real driver would keep about its device.
 * Labs 03 and 04 expose the same fields through sysfs, debugfs and ioctl.
 */
struct kcl_context {
	struct mutex lock;	/* guards every field below */
	u32 reads;		/* times debug_level was read */
	u32 writes;		/* writes to debug_level that were accepted */
	int debug_level;	/* DEBUG_LEVEL_MIN to DEBUG_LEVEL_MAX */
	char secret[32];	/* for root's eyes only */
};

static struct kcl_context kcl_ctx = {
	.lock = __MUTEX_INITIALIZER(kcl_ctx.lock),
	.debug_level = DEBUG_LEVEL_MIN,
	.secret = "kcl-secret-02",
};

/*
 * Testing aid: with fail_at=N, init behaves as if creating its Nth proc entry
 * (1: the directory, 2 to 5: the files in the order of the table above) had
 * failed. The tests use it to check that every error path of init removes
 * what was created before it.
 */
static int fail_at;
module_param(fail_at, int, 0444);
MODULE_PARM_DESC(fail_at, "Testing aid: make init fail at its Nth proc entry (1-5; 0: never)");

static inline bool kcl_fail(int step)
{
	return step == fail_at;
}

/* --- debug_level: read and write ---------------------------------------- */

static int debug_level_show(struct seq_file *m, void *v)
{
	/* TODO 2: count the read and print the level, e.g. "2\n" */
	return 0;
}

/* Each open gets its own seq_file; single_open makes it call show once. */
static int debug_level_open(struct inode *inode, struct file *file)
{
	return single_open(file, debug_level_show, NULL);
}

static ssize_t debug_level_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	/* TODO 3: parse, validate, then commit the level and count it */
	return -EINVAL;
}

static const struct proc_ops debug_level_ops = {
	.proc_open	= debug_level_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
	.proc_write	= debug_level_write,
};

/* --- writes and context: read only, one show function each ------------- */

/* TODO 4: writes_show() prints the number of accepted writes */

/* TODO 5: context_show() prints each field as "name: value" */

/* --- table: a seq_file iterator, one row per record --------------------- */

/*
 * The iterator is the position itself: *pos is the row to show next. seq_file
 * calls start() with the position it stopped at whenever it needs more text,
 * possibly many times for one file, so start() must resume there.
 */
static void *table_start(struct seq_file *m, loff_t *pos)
{
	/* TODO 6: the row at *pos, or NULL past the last one */
	return NULL;
}

static void *table_next(struct seq_file *m, void *v, loff_t *pos)
{
	/* TODO 7: step to the next row */
	return NULL;
}

static void table_stop(struct seq_file *m, void *v)
{
	/* nothing to release: start() takes no lock and allocates nothing */
}

static int table_show(struct seq_file *m, void *v)
{
	/* TODO 8: print the row and its square, "%4lld %8lld\n" */
	return 0;
}

static const struct seq_operations table_seq_ops = {
	.start	= table_start,
	.next	= table_next,
	.stop	= table_stop,
	.show	= table_show,
};

/* --- load and unload ----------------------------------------------------- */

/* TODO 9: remember /proc/kcl_procfs for the exit function */

static int __init procfs_lab_init(void)
{
	/* TODO 10: create the directory and its files; undo on failure */
	return 0;
}

static void __exit procfs_lab_exit(void)
{
	/* TODO 11: remove the files, then the directory */
	pr_info("removed /proc/%s after %u reads and %u writes\n",
		KCL_DIR_NAME, kcl_ctx.reads, kcl_ctx.writes);
}

module_init(procfs_lab_init);
module_exit(procfs_lab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 02: debug_level control and driver context in /proc");
MODULE_VERSION("1.0");
