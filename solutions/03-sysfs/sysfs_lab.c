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

/* SOLUTION: TODO 1: prefix every pr_*() message with the module name */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
/* END SOLUTION */

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

/* SOLUTION: TODO 2: parse a decimal int and check its range */
/*
 * sysfs hands a store a NUL-terminated copy of what was written, newline
 * included if there was one; kstrtoint() accepts one trailing newline.
 */
static int kcl_parse_int(const char *buf, int min, int max, int *val)
{
	int v, ret;

	ret = kstrtoint(buf, 10, &v);
	if (ret)
		return ret;		/* -EINVAL, or -ERANGE for an overflow */
	if (v < min || v > max)
		return -EINVAL;
	*val = v;
	return 0;
}
/* END SOLUTION */

/*
 * A kobject attribute is a struct kobj_attribute: __ATTR_RO(name) gives
 * mode 0444 and the callback name_show(), __ATTR_RW(name) mode 0644 with
 * name_show() and name_store(). A show writes the value and a newline into
 * buf with sysfs_emit() and returns its length; a store returns count when
 * it took the value, or a negative error code.
 */
/* SOLUTION: TODO 3: the module-wide state and /sys/kernel/kcl_sysfs */
static struct kobject *kcl_kobj;	/* /sys/kernel/kcl_sysfs */
static DEFINE_MUTEX(kcl_lock);		/* protects the two below */
static bool kcl_bound;			/* is the driver bound to the device? */
static int default_threshold = THRESHOLD_DEFAULT;	/* given at probe */

static ssize_t bound_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	bool bound;

	mutex_lock(&kcl_lock);
	bound = kcl_bound;
	mutex_unlock(&kcl_lock);
	return sysfs_emit(buf, "%d\n", bound);
}

static ssize_t default_threshold_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	int val;

	mutex_lock(&kcl_lock);
	val = default_threshold;
	mutex_unlock(&kcl_lock);
	return sysfs_emit(buf, "%d\n", val);
}

static ssize_t default_threshold_store(struct kobject *kobj,
				       struct kobj_attribute *attr,
				       const char *buf, size_t count)
{
	int val, ret;

	ret = kcl_parse_int(buf, 0, THRESHOLD_MAX, &val);
	if (ret)
		return ret;
	mutex_lock(&kcl_lock);
	default_threshold = val;
	mutex_unlock(&kcl_lock);
	return count;		/* all of it was used */
}

static struct kobj_attribute bound_attr = __ATTR_RO(bound);
static struct kobj_attribute default_threshold_attr =
	__ATTR_RW(default_threshold);

static struct attribute *kcl_kobj_attrs[] = {
	&bound_attr.attr,
	&default_threshold_attr.attr,
	NULL,
};

static const struct attribute_group kcl_kobj_group = {
	.attrs = kcl_kobj_attrs,
};
/* END SOLUTION */

/* SOLUTION: TODO 4: show and store an int of the driver context */
static ssize_t kcl_show_int(struct device *dev, const char *name,
			    const int *field, char *buf)
{
	struct kcl_context *ctx = dev_get_drvdata(dev);
	int val, level;

	mutex_lock(&ctx->lock);
	val = *field;
	ctx->reads++;
	level = ctx->debug_level;
	mutex_unlock(&ctx->lock);

	if (level >= 2)
		dev_info(dev, "%s: read %d\n", name, val);
	return sysfs_emit(buf, "%d\n", val);
}

/* Returns 0 once the new value is in place, or a negative error code. */
static int kcl_store_int(struct device *dev, const char *name, int *field,
			 int max, const char *buf)
{
	struct kcl_context *ctx = dev_get_drvdata(dev);
	int old, val, level, ret;

	ret = kcl_parse_int(buf, 0, max, &val);
	if (ret)
		return ret;

	mutex_lock(&ctx->lock);
	old = *field;
	*field = val;
	ctx->writes++;
	level = ctx->debug_level;
	mutex_unlock(&ctx->lock);

	if (level >= 1)
		dev_info(dev, "%s: %d -> %d\n", name, old, val);
	return 0;
}
/* END SOLUTION */

/*
 * Device attributes: DEVICE_ATTR_RW(name) declares dev_attr_name, mode 0644,
 * with the callbacks name_show() and name_store(); DEVICE_ATTR_RO(name) is
 * mode 0444 with name_show() only, DEVICE_ATTR_ADMIN_RW(name) mode 0600.
 * dev_get_drvdata(dev) is the driver context that probe attached.
 */
/* SOLUTION: TODO 5: debug_level, read-write, 0 to 2 */
static ssize_t debug_level_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct kcl_context *ctx = dev_get_drvdata(dev);

	return kcl_show_int(dev, "debug_level", &ctx->debug_level, buf);
}

static ssize_t debug_level_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	struct kcl_context *ctx = dev_get_drvdata(dev);
	int ret;

	ret = kcl_store_int(dev, "debug_level", &ctx->debug_level,
			    DEBUG_LEVEL_MAX, buf);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(debug_level);
/* END SOLUTION */

/* SOLUTION: TODO 6: threshold, read-write, 0 to 100, wakes poll() */
static ssize_t threshold_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct kcl_context *ctx = dev_get_drvdata(dev);

	return kcl_show_int(dev, "threshold", &ctx->threshold, buf);
}

static ssize_t threshold_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t count)
{
	struct kcl_context *ctx = dev_get_drvdata(dev);
	int ret;

	ret = kcl_store_int(dev, "threshold", &ctx->threshold, THRESHOLD_MAX,
			    buf);
	if (ret)
		return ret;
	/* wake whoever waits in poll()/select() on this file */
	sysfs_notify(&dev->kobj, NULL, "threshold");
	return count;
}
static DEVICE_ATTR_RW(threshold);
/* END SOLUTION */

/* SOLUTION: TODO 7: the counters reads and writes, read-only */
static ssize_t reads_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct kcl_context *ctx = dev_get_drvdata(dev);
	u32 val;

	mutex_lock(&ctx->lock);
	val = ctx->reads;
	mutex_unlock(&ctx->lock);
	return sysfs_emit(buf, "%u\n", val);
}
static DEVICE_ATTR_RO(reads);

static ssize_t writes_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct kcl_context *ctx = dev_get_drvdata(dev);
	u32 val;

	mutex_lock(&ctx->lock);
	val = ctx->writes;
	mutex_unlock(&ctx->lock);
	return sysfs_emit(buf, "%u\n", val);
}
static DEVICE_ATTR_RO(writes);
/* END SOLUTION */

/* SOLUTION: TODO 8: secret, for root only: 1 to 31 visible characters */
static ssize_t secret_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct kcl_context *ctx = dev_get_drvdata(dev);
	ssize_t len;
	int level;

	mutex_lock(&ctx->lock);
	len = sysfs_emit(buf, "%s\n", ctx->secret);
	ctx->reads++;
	level = ctx->debug_level;
	mutex_unlock(&ctx->lock);

	if (level >= 2)
		dev_info(dev, "secret: read\n");	/* never its value */
	return len;
}

static ssize_t secret_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct kcl_context *ctx = dev_get_drvdata(dev);
	size_t len = count, i;
	int level;

	if (len && buf[len - 1] == '\n')
		len--;
	/* refuse what does not fit rather than keep a part of it */
	if (!len || len > SECRET_MAX_LEN)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isgraph(buf[i]))
			return -EINVAL;
	}

	mutex_lock(&ctx->lock);
	memcpy(ctx->secret, buf, len);
	ctx->secret[len] = '\0';
	ctx->writes++;
	level = ctx->debug_level;
	mutex_unlock(&ctx->lock);

	if (level >= 1)
		dev_info(dev, "secret: changed\n");
	return count;
}
static DEVICE_ATTR_ADMIN_RW(secret);	/* 0600 */
/* END SOLUTION */

/* SOLUTION: TODO 9: group the device attributes for the driver */
static struct attribute *kcl_dev_attrs[] = {
	&dev_attr_debug_level.attr,
	&dev_attr_threshold.attr,
	&dev_attr_reads.attr,
	&dev_attr_writes.attr,
	&dev_attr_secret.attr,
	NULL,
};
ATTRIBUTE_GROUPS(kcl_dev);		/* defines kcl_dev_groups */
/* END SOLUTION */

/* SOLUTION: TODO 10: probe, remove and the platform driver */
static struct platform_device *kcl_pdev;

static int kcl_probe(struct platform_device *pdev)
{
	struct kcl_context *ctx;

	/* freed by the driver core after remove, or if probe fails */
	ctx = devm_kzalloc(&pdev->dev, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	mutex_init(&ctx->lock);
	strscpy(ctx->secret, SECRET_DEFAULT, sizeof(ctx->secret));

	mutex_lock(&kcl_lock);
	ctx->threshold = default_threshold;
	kcl_bound = true;
	mutex_unlock(&kcl_lock);

	platform_set_drvdata(pdev, ctx);
	dev_info(&pdev->dev, "bound, threshold %d\n", ctx->threshold);
	return 0;
}

/* The driver core removes the dev_groups files before it calls this. */
static void kcl_remove(struct platform_device *pdev)
{
	mutex_lock(&kcl_lock);
	kcl_bound = false;
	mutex_unlock(&kcl_lock);
	dev_info(&pdev->dev, "unbound\n");
}

static struct platform_driver kcl_driver = {
	.probe = kcl_probe,
	/* remove returns void since 6.11; 6.1 calls that one remove_new */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	.remove = kcl_remove,
#else
	.remove_new = kcl_remove,
#endif
	.driver = {
		.name = KCL_NAME,
		/* created after probe, removed before remove */
		.dev_groups = kcl_dev_groups,
	},
};
/* END SOLUTION */

static int __init sysfs_lab_init(void)
{
	/* SOLUTION: TODO 11: create the kobject, the driver and the device */
	int ret;

	kcl_kobj = kobject_create_and_add(KCL_KOBJ_NAME, kernel_kobj);
	if (!kcl_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(kcl_kobj, &kcl_kobj_group);
	if (ret)
		goto err_put_kobj;

	ret = platform_driver_register(&kcl_driver);
	if (ret)
		goto err_remove_group;

	/* the driver core binds the driver to it (same name): probe runs */
	kcl_pdev = platform_device_register_simple(KCL_NAME,
						   PLATFORM_DEVID_NONE,
						   NULL, 0);
	if (IS_ERR(kcl_pdev)) {
		ret = PTR_ERR(kcl_pdev);
		goto err_unregister_driver;
	}

	pr_info("loaded: /sys/devices/platform/%s, /sys/kernel/%s\n",
		KCL_NAME, KCL_KOBJ_NAME);
	return 0;

err_unregister_driver:
	platform_driver_unregister(&kcl_driver);
err_remove_group:
	sysfs_remove_group(kcl_kobj, &kcl_kobj_group);
err_put_kobj:
	kobject_put(kcl_kobj);
	return ret;
	/* SKELETON: return 0; */
	/* END SOLUTION */
}

static void __exit sysfs_lab_exit(void)
{
	/* SOLUTION: TODO 12: undo init, in the reverse order */
	platform_device_unregister(kcl_pdev);
	platform_driver_unregister(&kcl_driver);
	sysfs_remove_group(kcl_kobj, &kcl_kobj_group);
	kobject_put(kcl_kobj);
	pr_info("unloaded\n");
	/* END SOLUTION */
}

module_init(sysfs_lab_init);
module_exit(sysfs_lab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 03: sysfs files of a platform device and a kobject");
MODULE_VERSION("1.0");
