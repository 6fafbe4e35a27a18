/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kcl_ioctl.h - lab 06: the contract between the module ioctl_lab and the
 * programs that use its device, /dev/kcl_ioctl.
 *
 * Both sides include this one file: the module (kernel space) and the client
 * (user space). That is why it uses only what both have: <linux/ioctl.h> for
 * the _IO* macros and <linux/types.h> for fixed-width types (__u32, __u64),
 * whose size and alignment are the same in the kernel, in a 64-bit program
 * and in a 32-bit one. Every 64-bit field sits at an offset that is a
 * multiple of 8, so no compiler adds hidden padding.
 *
 * This header is given: the numbers below are an ABI, and changing one
 * breaks every program built against the old value.
 */
#ifndef KCL_IOCTL_H
#define KCL_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KCL_IOCTL_DEVICE	"/dev/kcl_ioctl"
#define KCL_IOCTL_VERSION	1

/*
 * The "magic" (the type field of every command): one byte that sets this
 * driver's commands apart from every other driver's. 0xE6 is not taken in
 * Documentation/userspace-api/ioctl/ioctl-number.rst; a driver meant for the
 * mainline kernel would register its block there.
 */
#define KCL_IOC_MAGIC		0xE6

/* Limits of the values the driver accepts. */
#define KCL_DEBUG_LEVEL_MAX	2	/* debug_level: 0 to 2 */
#define KCL_LIMIT_MIN		1	/* limit: 1 to 1000 */
#define KCL_LIMIT_MAX		1000
#define KCL_LIMIT_DEFAULT	100	/* after load and after a reset */
#define KCL_SECRET_LEN		32

/* KCL_IOC_QUERY, out: what any user may know. 24 bytes. */
struct kcl_ioctl_status {
	__u32 version;		/* KCL_IOCTL_VERSION */
	__u32 debug_level;	/* 0 to KCL_DEBUG_LEVEL_MAX */
	__u32 limit;		/* the largest add of one exchange */
	__u32 opens;		/* opens of the device since load */
	__u64 counter;		/* the sum of the adds since load or reset */
};

/* KCL_IOC_SET, in: the settings root may change. 16 bytes. */
struct kcl_ioctl_config {
	__u32 debug_level;	/* 0 to KCL_DEBUG_LEVEL_MAX */
	__u32 limit;		/* KCL_LIMIT_MIN to KCL_LIMIT_MAX */
	__u64 reserved;		/* must be 0: room for a later version */
};

/* KCL_IOC_EXCHANGE, in and out: one add to the counter. 16 bytes. */
struct kcl_ioctl_exchange {
	__u64 add;		/* in: 1 to the current limit */
	__u64 counter;		/* out: the counter after this add */
};

/* KCL_IOC_DUMP, out: the whole driver context, for debugging. 56 bytes. */
struct kcl_ioctl_context {
	__u64 counter;
	__u32 opens;
	__u32 commands;		/* commands that passed the driver's checks */
	__u32 debug_level;
	__u32 limit;
	__u8 secret[KCL_SECRET_LEN];	/* a string, NUL-terminated */
};

/*
 * The command numbers (the nr field), 0 to KCL_IOC_MAXNR. The driver looks
 * a command up by its number, then checks that the rest of it (type,
 * direction, size) is exactly the encoding below.
 */
#define KCL_NR_RESET		0
#define KCL_NR_QUERY		1
#define KCL_NR_SET		2
#define KCL_NR_EXCHANGE		3
#define KCL_NR_DUMP		4
#define KCL_IOC_MAXNR		4	/* the highest number */

/* Counter to 0, debug_level and limit to their defaults. Root only. */
#define KCL_IOC_RESET		_IO(KCL_IOC_MAGIC, KCL_NR_RESET)
/* Read the status. Anyone. */
#define KCL_IOC_QUERY \
	_IOR(KCL_IOC_MAGIC, KCL_NR_QUERY, struct kcl_ioctl_status)
/* Change debug_level and limit, both or neither. Root only. */
#define KCL_IOC_SET \
	_IOW(KCL_IOC_MAGIC, KCL_NR_SET, struct kcl_ioctl_config)
/* Add to the counter and read the result, in one call. Anyone. */
#define KCL_IOC_EXCHANGE \
	_IOWR(KCL_IOC_MAGIC, KCL_NR_EXCHANGE, struct kcl_ioctl_exchange)

/*
 * Undocumented: a debugging aid for the driver's developers, left out of
 * the client's usage message and of any stable interface. It hands out the
 * secret, so it is root only.
 */
#define KCL_IOC_DUMP \
	_IOR(KCL_IOC_MAGIC, KCL_NR_DUMP, struct kcl_ioctl_context)

#endif /* KCL_IOCTL_H */
