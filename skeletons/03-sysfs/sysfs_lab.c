// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs_lab - lab 03: talking to user space through sysfs.
 *
 * Two ways to put files in /sys:
 *
 *  - a bare kobject, /sys/kernel/kcl_sysfs/, whose attributes (bound,
 *    default_threshold) are module-wide and live as long as the module;
 *  - a platform device "kcl-sysfs" and a platform driver of the same name.
 *    While the driver is bound to the device, the driver's attributes
 *    (debug_level, threshold, reads, writes, secret) are in
 *    /sys/devices/platform/kcl-sysfs/. They show the driver context of the
 *    device, allocated in probe and freed after remove.
 *
 * Every file holds one value and a newline. threshold also supports poll():
 * each successful store wakes the processes waiting for a change.
 */

/* TODO 1: prefix every pr_*() message with the module name */

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/version.h>

#define KCL_NAME		"kcl-sysfs"	/* platform device and driver */
#define KCL_KOBJ_NAME		"kcl_sysfs"	/* /sys/kernel/kcl_sysfs */
#define DEBUG_LEVEL_MAX		2
#define THRESHOLD_MAX		100
#define THRESHOLD_DEFAULT	50
#define SECRET_MAX_LEN		31
#define SECRET_DEFAULT		"kcl-secret-03"

/*
 * The "driver context": the state a driver keeps about its device, here one
 * per bound device. Labs 02 and 04 show the same kind of fields through
 * procfs and debugfs. debug_level 1 logs every successful store, 2 every
 * show too.
 */
struct kcl_context {
	struct mutex lock;		/* protects every field below */
	u32 reads;			/* successful shows of the values */
	u32 writes;			/* successful stores of the values */
	int debug_level;		/* 0 to DEBUG_LEVEL_MAX */
	int threshold;			/* 0 to THRESHOLD_MAX, pollable */
	char secret[SECRET_MAX_LEN + 1];
};

/* TODO 2: parse a decimal int and check its range */

/*
 * A kobject attribute is a struct kobj_attribute: __ATTR_RO(name) gives
 * mode 0444 and the callback name_show(), __ATTR_RW(name) mode 0644 with
 * name_show() and name_store(). A show writes the value and a newline into
 * buf with sysfs_emit() and returns its length; a store returns count when
 * it took the value, or a negative error code.
 */
/* TODO 3: the module-wide state and /sys/kernel/kcl_sysfs */

/* TODO 4: show and store an int of the driver context */

/*
 * Device attributes: DEVICE_ATTR_RW(name) declares dev_attr_name, mode 0644,
 * with the callbacks name_show() and name_store(); DEVICE_ATTR_RO(name) is
 * mode 0444 with name_show() only, DEVICE_ATTR_ADMIN_RW(name) mode 0600.
 * dev_get_drvdata(dev) is the driver context that probe attached.
 */
/* TODO 5: debug_level, read-write, 0 to 2 */

/* TODO 6: threshold, read-write, 0 to 100, wakes poll() */

/* TODO 7: the counters reads and writes, read-only */

/* TODO 8: secret, for root only: 1 to 31 visible characters */

/* TODO 9: group the device attributes for the driver */

/* TODO 10: probe, remove and the platform driver */

static int __init sysfs_lab_init(void)
{
	/* TODO 11: create the kobject, the driver and the device */
	return 0;
}

static void __exit sysfs_lab_exit(void)
{
	/* TODO 12: undo init, in the reverse order */
}

module_init(sysfs_lab_init);
module_exit(sysfs_lab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 03: sysfs files of a platform device and a kobject");
MODULE_VERSION("1.0");
