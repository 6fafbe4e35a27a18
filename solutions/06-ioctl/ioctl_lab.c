// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl_lab - lab 06: commands for a driver, through ioctl(2).
 *
 * On load, registers the misc device /dev/kcl_ioctl (mode 0666: anyone may
 * open it). It has no read or write: a program opens it and sends commands
 * with ioctl(2), as defined in kcl_ioctl.h (the lab's include/ folder):
 *
 *   KCL_IOC_RESET     _IO    counter to 0, settings to defaults   root only
 *   KCL_IOC_QUERY     _IOR   read the status                      anyone
 *   KCL_IOC_SET       _IOW   change debug_level and limit         root only
 *   KCL_IOC_EXCHANGE  _IOWR  add to the counter, read it back     anyone
 *   KCL_IOC_DUMP      _IOR   the whole driver context (hidden)    root only
 *
 * Any other command, or one of these with another type, direction or size,
 * is not ours: -ENOTTY. Bad addresses give -EFAULT, bad values -EINVAL and
 * change nothing, a privileged command from a caller without CAP_SYS_ADMIN
 * gives -EPERM. The driver context is guarded by one mutex.
 */

/* SOLUTION: TODO 1: prefix every message of this module with "ioctl_lab: " */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
/* END SOLUTION */

#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>

#include "kcl_ioctl.h"

#define KCL_DEVICE_NAME		"kcl_ioctl"
#define KCL_SECRET		"kcl-secret-06"
/* How long the simulated device takes to update its counter register. */
#define KCL_DEVICE_DELAY_US	20

/*
 * The "driver context": the state a real driver keeps about its device
 * (labs 02 to 04 show the same kind of fields through procfs, sysfs and
 * debugfs). The misc device is part of it, so that an open file leads back
 * to the context (see kcl_ctx_of()).
 */
struct kcl_context {
	struct mutex lock;	/* guards every field below but misc */
	u64 counter;		/* the device's counter: see kcl_device_add() */
	u32 opens;		/* opens of /dev/kcl_ioctl */
	u32 commands;		/* commands that passed kcl_ioctl()'s checks */
	u32 debug_level;	/* 0 to KCL_DEBUG_LEVEL_MAX */
	u32 limit;		/* KCL_LIMIT_MIN to KCL_LIMIT_MAX */
	char secret[KCL_SECRET_LEN];	/* for root's eyes only */
	struct miscdevice misc;
};

static const struct file_operations kcl_fops;

static struct kcl_context kcl_ctx = {
	.lock = __MUTEX_INITIALIZER(kcl_ctx.lock),
	.debug_level = 0,
	.limit = KCL_LIMIT_DEFAULT,
	.secret = KCL_SECRET,
	.misc = {
		/* SOLUTION: TODO 2: minor, name, fops, mode 0666 */
		.minor = MISC_DYNAMIC_MINOR,
		.name = KCL_DEVICE_NAME,
		.fops = &kcl_fops,
		.mode = 0666,
		/* SKELETON: .fops = &kcl_fops, */
		/* END SOLUTION */
	},
};

/*
 * misc_open() stores the struct miscdevice in file->private_data before it
 * calls our open; the context is the structure around it.
 */
static struct kcl_context *kcl_ctx_of(struct file *file)
{
	return container_of(file->private_data, struct kcl_context, misc);
}

/*
 * The simulated device: its counter register cannot add by itself. Adding
 * means reading the register, waiting for the device, and writing the sum
 * back. Two callers at once would both read the old value and one of the
 * adds would be lost: the caller must hold ctx->lock.
 * (__maybe_unused: the skeleton does not call it yet.)
 */
static u64 __maybe_unused kcl_device_add(struct kcl_context *ctx, u64 add)
{
	u64 value;

	lockdep_assert_held(&ctx->lock);
	value = READ_ONCE(ctx->counter);
	usleep_range(KCL_DEVICE_DELAY_US, 2 * KCL_DEVICE_DELAY_US);
	value += add;
	WRITE_ONCE(ctx->counter, value);
	return value;
}

/* --- the commands ------------------------------------------------------ */

/*
 * One handler per command. kcl_ioctl() calls it once the command passed
 * every check (type, number, direction, size, capability); uarg is the
 * ioctl's third argument, a user-space address (unused by RESET).
 */

static long kcl_reset(struct kcl_context *ctx, void __user *uarg)
{
	/* SOLUTION: TODO 3: counter to 0, debug_level and limit to defaults */
	mutex_lock(&ctx->lock);
	ctx->counter = 0;
	ctx->debug_level = 0;
	ctx->limit = KCL_LIMIT_DEFAULT;
	mutex_unlock(&ctx->lock);
	return 0;
	/* SKELETON: return -ENOTTY; */
	/* END SOLUTION */
}

static long kcl_query(struct kcl_context *ctx, void __user *uarg)
{
	/* SOLUTION: TODO 4: fill a status under the lock, copy it out whole */
	struct kcl_ioctl_status status;

	/* every byte, padding included, is set before it leaves the kernel */
	memset(&status, 0, sizeof(status));
	status.version = KCL_IOCTL_VERSION;
	mutex_lock(&ctx->lock);
	status.debug_level = ctx->debug_level;
	status.limit = ctx->limit;
	status.opens = ctx->opens;
	status.counter = ctx->counter;
	mutex_unlock(&ctx->lock);

	if (copy_to_user(uarg, &status, sizeof(status)))
		return -EFAULT;
	return 0;
	/* SKELETON: return -ENOTTY; */
	/* END SOLUTION */
}

static long kcl_set(struct kcl_context *ctx, void __user *uarg)
{
	/* SOLUTION: TODO 5: copy in, check all of it, then apply */
	struct kcl_ioctl_config config;

	if (copy_from_user(&config, uarg, sizeof(config)))
		return -EFAULT;
	if (config.debug_level > KCL_DEBUG_LEVEL_MAX ||
	    config.limit < KCL_LIMIT_MIN || config.limit > KCL_LIMIT_MAX ||
	    config.reserved)
		return -EINVAL;

	mutex_lock(&ctx->lock);
	ctx->debug_level = config.debug_level;
	ctx->limit = config.limit;
	mutex_unlock(&ctx->lock);
	return 0;
	/* SKELETON: return -ENOTTY; */
	/* END SOLUTION */
}

static long kcl_exchange(struct kcl_context *ctx, void __user *uarg)
{
	/* SOLUTION: TODO 6: copy in, check add, add, copy out */
	struct kcl_ioctl_exchange xchg;

	if (copy_from_user(&xchg, uarg, sizeof(xchg)))
		return -EFAULT;

	mutex_lock(&ctx->lock);
	/* the limit can change at any time: check it under the lock */
	if (xchg.add == 0 || xchg.add > ctx->limit) {
		mutex_unlock(&ctx->lock);
		return -EINVAL;
	}
	xchg.counter = kcl_device_add(ctx, xchg.add);
	mutex_unlock(&ctx->lock);

	if (copy_to_user(uarg, &xchg, sizeof(xchg)))
		return -EFAULT;
	return 0;
	/* SKELETON: return -ENOTTY; */
	/* END SOLUTION */
}

static long kcl_dump(struct kcl_context *ctx, void __user *uarg)
{
	/* SOLUTION: TODO 7: the whole context, secret included, copied out */
	struct kcl_ioctl_context dump;

	memset(&dump, 0, sizeof(dump));
	mutex_lock(&ctx->lock);
	dump.counter = ctx->counter;
	dump.opens = ctx->opens;
	dump.commands = ctx->commands;
	dump.debug_level = ctx->debug_level;
	dump.limit = ctx->limit;
	strscpy(dump.secret, ctx->secret, sizeof(dump.secret));
	mutex_unlock(&ctx->lock);

	if (copy_to_user(uarg, &dump, sizeof(dump)))
		return -EFAULT;
	return 0;
	/* SKELETON: return -ENOTTY; */
	/* END SOLUTION */
}

/*
 * What each command number must look like, who may use it, and what
 * carries it out. kcl_ioctl() looks a command up here by its number.
 */
static const struct kcl_command {
	unsigned int cmd;	/* the whole encoding, from kcl_ioctl.h */
	bool admin;		/* needs CAP_SYS_ADMIN */
	long (*handler)(struct kcl_context *ctx, void __user *uarg);
} kcl_commands[KCL_IOC_MAXNR + 1] = {
	[KCL_NR_RESET]		= { KCL_IOC_RESET, true, kcl_reset },
	[KCL_NR_QUERY]		= { KCL_IOC_QUERY, false, kcl_query },
	[KCL_NR_SET]		= { KCL_IOC_SET, true, kcl_set },
	[KCL_NR_EXCHANGE]	= { KCL_IOC_EXCHANGE, false, kcl_exchange },
	[KCL_NR_DUMP]		= { KCL_IOC_DUMP, true, kcl_dump },
};

/* --- file operations --------------------------------------------------- */

static int kcl_open(struct inode *inode, struct file *file)
{
	struct kcl_context *ctx = kcl_ctx_of(file);

	mutex_lock(&ctx->lock);
	ctx->opens++;
	mutex_unlock(&ctx->lock);
	return 0;
}

static long kcl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct kcl_context *ctx = kcl_ctx_of(file);
	unsigned int nr = _IOC_NR(cmd);

	/* SOLUTION: TODO 8: not exactly our command? -ENOTTY */
	if (_IOC_TYPE(cmd) != KCL_IOC_MAGIC)
		return -ENOTTY;
	if (nr > KCL_IOC_MAXNR)
		return -ENOTTY;
	/* no speculative read past the table either (Spectre v1) */
	nr = array_index_nospec(nr, KCL_IOC_MAXNR + 1);
	if (_IOC_DIR(cmd) != _IOC_DIR(kcl_commands[nr].cmd))
		return -ENOTTY;
	if (_IOC_SIZE(cmd) != _IOC_SIZE(kcl_commands[nr].cmd))
		return -ENOTTY;
	/* SKELETON: return -ENOTTY; */
	/* END SOLUTION */

	/* SOLUTION: TODO 9: CAP_SYS_ADMIN at call time, or -EPERM */
	if (kcl_commands[nr].admin && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* END SOLUTION */

	mutex_lock(&ctx->lock);
	ctx->commands++;
	mutex_unlock(&ctx->lock);

	return kcl_commands[nr].handler(ctx, (void __user *)arg);
}

static const struct file_operations kcl_fops = {
	/* SOLUTION: TODO 10: an open device holds the module */
	.owner		= THIS_MODULE,
	/* END SOLUTION */
	.open		= kcl_open,
	.unlocked_ioctl	= kcl_ioctl,
	/* a 32-bit program's pointer, widened; the structures are the same */
	.compat_ioctl	= compat_ptr_ioctl,
};

/* --- load and unload --------------------------------------------------- */

static int __init ioctl_lab_init(void)
{
	/* SOLUTION: TODO 11: register the misc device; log its minor */
	int ret;

	ret = misc_register(&kcl_ctx.misc);
	if (ret) {
		pr_err("cannot register /dev/%s: error %d\n",
		       KCL_DEVICE_NAME, ret);
		return ret;
	}
	pr_info("registered /dev/%s, minor %d\n", KCL_DEVICE_NAME,
		kcl_ctx.misc.minor);
	/* END SOLUTION */
	return 0;
}

static void __exit ioctl_lab_exit(void)
{
	/* SOLUTION: TODO 12: deregister the misc device */
	misc_deregister(&kcl_ctx.misc);
	/* END SOLUTION */
	pr_info("removed /dev/%s after %u opens and %u commands\n",
		KCL_DEVICE_NAME, kcl_ctx.opens, kcl_ctx.commands);
}

module_init(ioctl_lab_init);
module_exit(ioctl_lab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 06: a misc device driven by ioctl commands");
MODULE_VERSION("1.0");
