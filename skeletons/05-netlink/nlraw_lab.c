// SPDX-License-Identifier: GPL-2.0
/*
 * nlraw_lab - lab 05, part (a): a raw netlink protocol, unit 31.
 *
 * On load, creates the kernel's end of netlink unit KCL_NETLINK_UNIT (31):
 * from then on, socket(AF_NETLINK, SOCK_RAW, 31) works in user space, and
 * every datagram sent to port 0 of that unit reaches nlraw_input().
 *
 * One message type, KCL_RAW_ECHO: the payload, a NUL-terminated string,
 * comes back byte for byte with the same sequence number, to the socket
 * that sent it. One message per datagram. Datagrams too short for a header,
 * or whose header claims more or fewer bytes than a header or than the
 * datagram holds, are dropped without an answer. Any other error is
 * answered with an NLMSG_ERROR message, and NLM_F_ACK asks for one on
 * success too.
 *
 * The input function runs in the context of the process that called
 * sendmsg(2), possibly on several CPUs at once: the counters are atomic.
 */

/* TODO 1: prefix every message of this module with "nlraw_lab: " */

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "kcl_netlink.h"

/* TODO 2: remember the kernel socket, for replies and for exit */

/* messages echoed, and datagrams dropped as malformed */
static atomic_t nlraw_echoed = ATOMIC_INIT(0);
static atomic_t nlraw_dropped = ATOMIC_INIT(0);

/*
 * Echo the KCL_RAW_ECHO request @nlh, whose length is already checked, to
 * the netlink port @portid. Returns 0, or a negative error for the caller to
 * report in an NLMSG_ERROR message.
 */
static int nlraw_echo(const struct nlmsghdr *nlh, u32 portid)
{
	/* TODO 3: check that the payload is a string, send it back */
	return -EOPNOTSUPP;
}

/* netlink calls this for every datagram sent to port 0 of our unit */
static void nlraw_input(struct sk_buff *skb)
{
	struct nlmsghdr *nlh;
	int err;

	/* TODO 4: drop what is too short or has a lying nlmsg_len */
	nlh = nlmsg_hdr(skb);

	/* TODO 5: echo KCL_RAW_ECHO (anything else: EOPNOTSUPP), then ack */
	(void)nlraw_echo;
	(void)err;
}

static int __init nlraw_lab_init(void)
{
	struct netlink_kernel_cfg cfg = {
		.input = nlraw_input,
	};

	/* TODO 6: create the kernel socket of unit KCL_NETLINK_UNIT */
	(void)cfg;
	return 0;
}

static void __exit nlraw_lab_exit(void)
{
	/* TODO 7: release the kernel socket */
	pr_info("released netlink unit %d (echoed %d, dropped %d)\n",
		KCL_NETLINK_UNIT, atomic_read(&nlraw_echoed),
		atomic_read(&nlraw_dropped));
}

module_init(nlraw_lab_init);
module_exit(nlraw_lab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 05: an echo service on raw netlink unit 31");
MODULE_VERSION("1.0");
