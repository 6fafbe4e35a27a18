/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcl_netlink.h - lab 05: what the modules and their clients agree on.
 *
 * Included by the two modules (nlraw_lab.c, genl_lab.c), by nlclient.c and
 * by the test helpers. It is part of the kit: the grader always uses this
 * copy, so both ends see the same numbers. Fixed-width types only (__u32
 * and friends from <linux/types.h>): the same header compiles in the kernel
 * and in user space.
 */
#ifndef KCL_NETLINK_H
#define KCL_NETLINK_H

#include <linux/types.h>

/* --- part (a): raw netlink, unit 31 (module nlraw_lab) ------------------- */

/*
 * The protocol number ("unit") of socket(AF_NETLINK, SOCK_RAW, unit). Units
 * 0 to 22 belong to the kernel (NETLINK_ROUTE is 0, NETLINK_GENERIC 16);
 * 31 is the last of the 32 and unused upstream.
 */
#define KCL_NETLINK_UNIT	31

/*
 * The only message type of unit 31, request and reply alike. Types below
 * NLMSG_MIN_TYPE (0x10) are netlink's own control messages (NLMSG_NOOP,
 * NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN).
 *
 * Request: payload = a NUL-terminated string (bytes after the first NUL are
 * allowed, and echoed too). Reply: the same payload, byte for byte, with
 * nlmsg_type KCL_RAW_ECHO, nlmsg_flags 0, the request's nlmsg_seq and
 * nlmsg_pid 0 (sent by the kernel), to the port that sent the request.
 */
#define KCL_RAW_ECHO		0x10

/* --- part (b): the generic netlink family kcl_genl (module genl_lab) ----- */

#define KCL_GENL_NAME		"kcl_genl"
#define KCL_GENL_VERSION	1
/* the family's one multicast group */
#define KCL_GENL_GROUP		"events"

/* KCL_A_MSG: at most this many characters, plus the NUL */
#define KCL_GENL_MSG_MAX	64
/* KCL_A_VALUE: 0 to this */
#define KCL_GENL_VALUE_MAX	1000

/* Attributes (struct nlattr nla_type) */
enum kcl_genl_attr {
	KCL_A_UNSPEC,		/* 0 is never a valid attribute */
	KCL_A_MSG,		/* string, NUL-terminated, KCL_GENL_MSG_MAX */
	KCL_A_VALUE,		/* __u32, 0 to KCL_GENL_VALUE_MAX */
	__KCL_A_MAX,
};
#define KCL_A_MAX		(__KCL_A_MAX - 1)

/* Commands (struct genlmsghdr cmd) */
enum kcl_genl_cmd {
	KCL_CMD_UNSPEC,		/* 0 is never a valid command */
	KCL_CMD_ECHO,		/* anyone: KCL_A_MSG -> reply KCL_A_MSG */
	KCL_CMD_GET,		/* anyone: -> reply KCL_A_VALUE */
	KCL_CMD_SET,		/* CAP_NET_ADMIN: KCL_A_VALUE -> event */
	KCL_CMD_EVENT,		/* kernel to "events": KCL_A_VALUE */
	__KCL_CMD_MAX,
};
#define KCL_CMD_MAX		(__KCL_CMD_MAX - 1)

#endif /* KCL_NETLINK_H */
