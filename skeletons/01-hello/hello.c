// SPDX-License-Identifier: GPL-2.0
/*
 * hello - lab 01: a first kernel module.
 *
 * Greets someone when loaded and says goodbye when removed. Its behaviour is
 * set with module parameters, given at load time (insmod hello.ko whom=tux)
 * and, for one of them, changed at run time through
 * /sys/module/hello/parameters/.
 */

/* TODO 1: prefix every message of this module with "hello: " */

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

/* TODO 2: declare the parameters whom, times and lucky */

/* TODO 3: verbosity, writable at run time, accepts only 0-3 */

/* TODO 4: refuse bad parameter values */

/* TODO 5: a copy of whom that belongs to the module */

static int __init hello_init(void)
{
	/* TODO 6: validate, greet, copy whom, list the lucky numbers */
	return 0;
}

static void __exit hello_exit(void)
{
	/* TODO 7: say goodbye, then free the copy */
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
/* TODO 8: describe the module: author, description, version */
