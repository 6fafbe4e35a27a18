// SPDX-License-Identifier: GPL-2.0
/*
 * hello - lab 01: a first kernel module.
 *
 * Greets someone when loaded and says goodbye when removed. Its behaviour is
 * set with module parameters, given at load time (insmod hello.ko whom=tux)
 * and, for one of them, changed at run time through
 * /sys/module/hello/parameters/.
 */

/* SOLUTION: TODO 1: prefix every message of this module with "hello: " */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
/* END SOLUTION */

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#define WHOM_MAX_LEN	32
#define TIMES_MAX	5
#define LUCKY_MAX	4
#define LUCKY_LIMIT	100
#define VERBOSITY_MAX	3

/* SOLUTION: TODO 2: declare the parameters whom, times and lucky */
static char *whom = "world";
module_param(whom, charp, 0444);
MODULE_PARM_DESC(whom, "Who to greet (1 to 32 characters, default \"world\")");

static int times = 1;
module_param(times, int, 0444);
MODULE_PARM_DESC(times, "How many greeting lines to print at load (1-5, default 1)");

static int lucky[LUCKY_MAX];
static int nr_lucky;
module_param_array(lucky, int, &nr_lucky, 0444);
MODULE_PARM_DESC(lucky, "Up to 4 lucky numbers, each 0-99, comma separated");
/* END SOLUTION */

/* SOLUTION: TODO 3: verbosity, writable at run time, accepts only 0-3 */
static int verbosity = 1;

static int verbosity_set(const char *val, const struct kernel_param *kp)
{
	int old = *(int *)kp->arg;
	int new, ret;

	ret = kstrtoint(val, 0, &new);
	if (ret)
		return ret;
	if (new < 0 || new > VERBOSITY_MAX)
		return -EINVAL;

	ret = param_set_int(val, kp);
	if (!ret && old != new)
		pr_info("verbosity %d -> %d\n", old, new);
	return ret;
}

static const struct kernel_param_ops verbosity_ops = {
	.set = verbosity_set,
	.get = param_get_int,
};

module_param_cb(verbosity, &verbosity_ops, &verbosity, 0644);
MODULE_PARM_DESC(verbosity, "A run-time tunable (0-3, default 1), logged when it changes");
/* END SOLUTION */

/* SOLUTION: TODO 4: refuse bad parameter values */
static int __init validate_params(void)
{
	size_t len = whom ? strlen(whom) : 0;
	int i;

	if (len == 0 || len > WHOM_MAX_LEN) {
		pr_err("whom must have 1 to %d characters\n", WHOM_MAX_LEN);
		return -EINVAL;
	}
	if (times < 1 || times > TIMES_MAX) {
		pr_err("times must be 1 to %d, not %d\n", TIMES_MAX, times);
		return -EINVAL;
	}
	for (i = 0; i < nr_lucky; i++) {
		if (lucky[i] < 0 || lucky[i] >= LUCKY_LIMIT) {
			pr_err("lucky numbers must be 0 to %d, not %d\n",
			       LUCKY_LIMIT - 1, lucky[i]);
			return -EINVAL;
		}
	}
	return 0;
}
/* END SOLUTION */

/* SOLUTION: TODO 5: a copy of whom that belongs to the module */
/*
 * The string behind a charp parameter belongs to the parameter code: it
 * frees it when a new value is written (for a writable parameter, at run
 * time) and after exit. What the module keeps using, it copies.
 */
static char *name;
/* END SOLUTION */

static int __init hello_init(void)
{
	/* SOLUTION: TODO 6: validate, greet, copy whom, list the lucky numbers */
	int ret, i;

	ret = validate_params();
	if (ret)
		return ret;

	for (i = 1; i <= times; i++)
		pr_info("Hello, %s! (%d/%d)\n", whom, i, times);

	/* for the goodbye; nothing else is left to undo if it fails */
	name = kstrdup(whom, GFP_KERNEL);
	if (!name)
		return -ENOMEM;

	if (!nr_lucky) {
		pr_info("no lucky numbers\n");
	} else {
		for (i = 0; i < nr_lucky; i++)
			pr_info("lucky number %d: %d\n", i + 1, lucky[i]);
	}
	/* END SOLUTION */
	return 0;
}

static void __exit hello_exit(void)
{
	/* SOLUTION: TODO 7: say goodbye, then free the copy */
	pr_info("Goodbye, %s\n", name);
	kfree(name);
	/* END SOLUTION */
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
/* SOLUTION: TODO 8: describe the module: author, description, version */
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 01: a first module with parameters");
MODULE_VERSION("1.0");
/* END SOLUTION */
