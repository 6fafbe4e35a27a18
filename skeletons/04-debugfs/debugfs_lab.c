// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs_lab - lab 04: a developer's window into a driver, in debugfs.
 *
 * On load, creates the directory /sys/kernel/debug/kcl_debugfs with:
 *
 *   debug_level  0644  own fops: read the level (0-2); write a new one,
 *                      anything else is refused with EINVAL
 *   context      0400  own fops: the whole driver context, read only
 *   reads        0444  debugfs_create_u32(): reads of debug_level
 *   writes       0444  debugfs_create_u32(): accepted writes to debug_level
 *   threshold    0644  debugfs_create_u32(): any u32, nothing checks it
 *   flags        0644  debugfs_create_x32(): any u32, shown in hex
 *   enabled      0644  debugfs_create_bool(): Y or N
 *
 * Unloading removes the directory and everything in it, except when the
 * module was loaded with cause_an_oops=1: then the files stay behind,
 * pointing into the module's freed memory, and reading one of them makes
 * the kernel fault. That is the lab's demonstration of a kernel bug.
 */

/* TODO 1: prefix every message of this module with "debugfs_lab: " */

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>

#include "oops_answer.h"

#define KCL_DIR_NAME		"kcl_debugfs"
#define DEBUG_LEVEL_MIN		0
#define DEBUG_LEVEL_MAX		2
/* The longest write to debug_level worth parsing; anything longer is junk. */
#define KCL_INPUT_MAX		16
/* Room for the text of context: seven short lines. */
#define KCL_CONTEXT_MAX		256

/*
 * The "driver context": the state a real driver keeps about its device.
 * Labs 02 and 03 show the same kind of fields through procfs and sysfs.
 *
 * The lock guards the fields our own file operations use. The debugfs
 * helpers (debugfs_create_u32() and friends) read and write their u32 or
 * bool directly, without it: a single aligned word, which is fine for a
 * debugging aid.
 */
struct kcl_context {
	struct mutex lock;
	u32 reads;		/* reads of debug_level (from its start) */
	u32 writes;		/* writes to debug_level that were accepted */
	int debug_level;	/* DEBUG_LEVEL_MIN to DEBUG_LEVEL_MAX */
	u32 threshold;		/* a tunable nobody validates */
	u32 flags;		/* a bit mask, shown in hex */
	bool enabled;
	char secret[32];	/* for root's eyes only */
};

/*
 * A static variable lives in the module's own memory, which is freed on
 * unload: exactly what makes the files left behind by cause_an_oops fault.
 */
static struct kcl_context kcl_ctx = {
	.lock = __MUTEX_INITIALIZER(kcl_ctx.lock),
	.debug_level = DEBUG_LEVEL_MIN,
	.threshold = 50,
	.flags = 0x0,
	.enabled = true,
	.secret = "kcl-secret-04",
};

/* TODO 2: the parameter cause_an_oops (bool, default off, 0444) */

/* What the student read in the Oops (see oops_answer.h); modinfo shows it. */
MODULE_INFO(oops_answer, OOPS_FAULTING_FUNCTION);

/*
 * Two more bugs on purpose, for the checkers of the debug kernel
 * (KERNEL=6.12-debug): see "Reading a KASAN report and a kmemleak report"
 * in the lab README. Off by default; the tests never set them.
 */
static bool cause_a_kasan_report;
module_param(cause_a_kasan_report, bool, 0444);
MODULE_PARM_DESC(cause_a_kasan_report,
		 "On load, read one byte past the end of an allocation (default N)");

static bool cause_a_leak;
module_param(cause_a_leak, bool, 0444);
MODULE_PARM_DESC(cause_a_leak,
		 "On load, allocate a copy of the secret and never free it (default N)");

/* --- debug_level: read and write ----------------------------------------- */

/*
 * The driver context reaches every handler through file->private_data (see
 * the file operations below).
 */
static ssize_t debug_level_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	/* TODO 3: count a read from the start, give "LEVEL\n" */
	return 0;
}

static ssize_t debug_level_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	/* TODO 4: parse and check the level, store it, count it */
	return -EINVAL;
}

/* --- context: read only -------------------------------------------------- */

static ssize_t context_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	/* TODO 5: the driver context as seven "name: value" lines */
	return 0;
}

/*
 * The file operations of the two files with handlers of our own.
 * simple_open() copies the inode's i_private (the data argument of
 * debugfs_create_file()) into file->private_data for the handlers.
 */
static const struct file_operations debug_level_fops = {
	/* TODO 6: an open debug_level holds the module (.owner) */
	.open		= simple_open,
	.read		= debug_level_read,
	.write		= debug_level_write,
	.llseek		= default_llseek,
};

static const struct file_operations context_fops = {
	/* TODO 7: the same for context */
	.open		= simple_open,
	.read		= context_read,
	.llseek		= default_llseek,
};

/* --- the bugs on purpose ------------------------------------------------- */

/*
 * The sum of the @len bytes at @buf, with the classic off-by-one: "<="
 * reads one byte more than there is. noinline keeps it a function of its
 * own, so that the report names it.
 */
static noinline u32 kcl_checksum(const u8 *buf, size_t len)
{
	u32 sum = 0;
	size_t i;

	for (i = 0; i <= len; i++)
		sum += buf[i];
	return sum;
}

static void kcl_bugs_on_purpose(void)
{
	size_t len = strlen(kcl_ctx.secret) + 1;
	u8 *copy;

	if (cause_a_kasan_report) {
		copy = kmemdup(kcl_ctx.secret, len, GFP_KERNEL);
		if (copy) {
			pr_warn("cause_a_kasan_report=1: checksum %u\n",
				kcl_checksum(copy, len));
			kfree(copy);
		}
	}
	if (cause_a_leak) {
		/* the only pointer to it is lost when this function returns */
		copy = kmemdup(kcl_ctx.secret, len, GFP_KERNEL);
		if (copy)
			pr_warn("cause_a_leak=1: %zu bytes allocated, never freed\n",
				len);
	}
}

/* --- load and unload ----------------------------------------------------- */

/* TODO 8: remember the directory for the exit function */

static int __init debugfs_lab_init(void)
{
	/* TODO 9: create the directory (checked), then seven files */
	kcl_bugs_on_purpose();
	return 0;
}

static void __exit debugfs_lab_exit(void)
{
	/* TODO 10: remove it all, unless cause_an_oops */
	pr_info("removed /sys/kernel/debug/%s after %u reads and %u writes\n",
		KCL_DIR_NAME, kcl_ctx.reads, kcl_ctx.writes);
}

module_init(debugfs_lab_init);
module_exit(debugfs_lab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 04: debugfs, and a kernel bug on purpose");
MODULE_VERSION("1.0");
