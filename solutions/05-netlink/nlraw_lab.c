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

/* SOLUTION: TODO 1: prefix every message of this module with "nlraw_lab: " */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
/* END SOLUTION */

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

/* SOLUTION: TODO 2: remember the kernel socket, for replies and for exit */
static struct sock *nlraw_sock;
/* END SOLUTION */

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
	/* SOLUTION: TODO 3: check that the payload is a string, send it back */
	const char *payload = nlmsg_data(nlh);
	int len = nlmsg_len(nlh);
	struct nlmsghdr *reply_nlh;
	struct sk_buff *reply;
	int err;

	/* a string: a NUL within the payload (an empty payload has none) */
	if (!memchr(payload, '\0', len))
		return -EINVAL;

	reply = nlmsg_new(len, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	/* port 0 in nlmsg_pid: the kernel sends it */
	reply_nlh = nlmsg_put(reply, 0, nlh->nlmsg_seq, KCL_RAW_ECHO, len, 0);
	if (!reply_nlh) {
		nlmsg_free(reply);
		return -EMSGSIZE;
	}
	memcpy(nlmsg_data(reply_nlh), payload, len);

	/* nlmsg_unicast() consumes the skb, sent or not */
	err = nlmsg_unicast(nlraw_sock, reply, portid);
	if (err)
		return err;
	atomic_inc(&nlraw_echoed);
	return 0;
	/* SKELETON: return -EOPNOTSUPP; */
	/* END SOLUTION */
}

/* netlink calls this for every datagram sent to port 0 of our unit */
static void nlraw_input(struct sk_buff *skb)
{
	struct nlmsghdr *nlh;
	int err;

	/* SOLUTION: TODO 4: drop what is too short or has a lying nlmsg_len */
	nlh = nlmsg_hdr(skb);
	/* the header's fields may only be read once it is known to be there */
	if (skb->len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > skb->len) {
		/*
		 * Nothing in such a datagram can be trusted, not even enough
		 * to answer it: netlink_ack() would copy nlmsg_len bytes.
		 */
		atomic_inc(&nlraw_dropped);
		return;
	}
	/* SKELETON: nlh = nlmsg_hdr(skb); */
	/* END SOLUTION */

	/* SOLUTION: TODO 5: echo KCL_RAW_ECHO (anything else: EOPNOTSUPP), then ack */
	/*
	 * Reply to the port the kernel recorded as the sender's when the
	 * datagram was sent: the only one to trust. nlmsg_pid is whatever
	 * the sender chose to write into its header.
	 */
	if (nlh->nlmsg_type == KCL_RAW_ECHO)
		err = nlraw_echo(nlh, NETLINK_CB(skb).portid);
	else
		err = -EOPNOTSUPP;

	/* an error always gets an answer; a success only when asked for */
	if (err || (nlh->nlmsg_flags & NLM_F_ACK))
		netlink_ack(skb, nlh, err, NULL);
	/* SKELETON: (void)nlraw_echo; */
	/* SKELETON: (void)err; */
	/* END SOLUTION */
}

static int __init nlraw_lab_init(void)
{
	struct netlink_kernel_cfg cfg = {
		.input = nlraw_input,
	};

	/* SOLUTION: TODO 6: create the kernel socket of unit KCL_NETLINK_UNIT */
	nlraw_sock = netlink_kernel_create(&init_net, KCL_NETLINK_UNIT, &cfg);
	if (!nlraw_sock) {
		pr_err("cannot create netlink unit %d\n", KCL_NETLINK_UNIT);
		return -ENOMEM;
	}
	pr_info("created netlink unit %d\n", KCL_NETLINK_UNIT);
	/* SKELETON: (void)cfg; */
	/* END SOLUTION */
	return 0;
}

static void __exit nlraw_lab_exit(void)
{
	/* SOLUTION: TODO 7: release the kernel socket */
	netlink_kernel_release(nlraw_sock);
	/* END SOLUTION */
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
