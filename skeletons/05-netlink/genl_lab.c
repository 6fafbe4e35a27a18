// SPDX-License-Identifier: GPL-2.0
/*
 * genl_lab - lab 05, part (b): a generic netlink family.
 *
 * Registers the family "kcl_genl" (version 1) with the generic netlink
 * controller, which gives it a number; user space looks the number up by
 * name. Three commands (include/kcl_netlink.h):
 *
 *   KCL_CMD_ECHO  anyone      KCL_A_MSG comes back in the reply
 *   KCL_CMD_GET   anyone      the reply holds the value (KCL_A_VALUE)
 *   KCL_CMD_SET   admin only  sets the value; the kernel then tells every
 *                             member of the multicast group "events"
 *                             (KCL_CMD_EVENT, with the new KCL_A_VALUE)
 *
 * The attribute policy makes the generic netlink core check every request
 * before a command runs: unknown attributes, wrong lengths, an unterminated
 * or too long KCL_A_MSG, a KCL_A_VALUE out of range never reach this code.
 * Commands run one at a time, under the generic netlink lock; the value's
 * own mutex keeps it safe anyway.
 */

/* TODO 9: prefix every message of this module with "genl_lab: " */

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "kcl_netlink.h"

/* the family's multicast groups, by index in kcl_genl_groups[] */
enum kcl_genl_group {
	KCL_GROUP_EVENTS,
};

static DEFINE_MUTEX(kcl_value_lock);
static u32 kcl_value;		/* guarded by kcl_value_lock */

static const struct nla_policy kcl_genl_policy[KCL_A_MAX + 1] = {
	/* TODO 10: KCL_A_MSG a bounded string, KCL_A_VALUE a ranged u32 */
};

static const struct genl_multicast_group kcl_genl_groups[] = {
	[KCL_GROUP_EVENTS] = { .name = KCL_GENL_GROUP },
};

static struct genl_family kcl_genl_family;

/* KCL_CMD_ECHO: reply with the same KCL_A_MSG */
static int kcl_echo_doit(struct sk_buff *skb, struct genl_info *info)
{
	/* TODO 11: require KCL_A_MSG, reply with a copy of it */
	return -EOPNOTSUPP;
}

/* KCL_CMD_GET: reply with the value */
static int kcl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	void *hdr;
	u32 value;

	mutex_lock(&kcl_value_lock);
	value = kcl_value;
	mutex_unlock(&kcl_value_lock);

	reply = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = genlmsg_put_reply(reply, info, &kcl_genl_family, 0, KCL_CMD_GET);
	if (!hdr || nla_put_u32(reply, KCL_A_VALUE, value)) {
		nlmsg_free(reply);
		return -EMSGSIZE;
	}
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);
}

/* Tell the members of the group "events" that the value is now @value. */
static void kcl_send_event(u32 value)
{
	/* TODO 12: a KCL_CMD_EVENT message to the group "events" */
}

/* KCL_CMD_SET: store KCL_A_VALUE, then send the event */
static int kcl_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	/* TODO 13: require KCL_A_VALUE, store it, send the event */
	(void)kcl_send_event;
	return -EOPNOTSUPP;
}

static const struct genl_small_ops kcl_genl_ops[] = {
	{
		.cmd	= KCL_CMD_ECHO,
		.doit	= kcl_echo_doit,
	},
	{
		.cmd	= KCL_CMD_GET,
		.doit	= kcl_get_doit,
	},
	{
		.cmd	= KCL_CMD_SET,
		.doit	= kcl_set_doit,
		/* TODO 14: only CAP_NET_ADMIN may set the value */
	},
};

static struct genl_family kcl_genl_family __ro_after_init = {
	.name		= KCL_GENL_NAME,
	.version	= KCL_GENL_VERSION,
	.module		= THIS_MODULE,
	.small_ops	= kcl_genl_ops,
	.n_small_ops	= ARRAY_SIZE(kcl_genl_ops),
	/*
	 * resv_start_op 0: every command is "new": the core checks the
	 * generic header (reserved byte, flags) and never lets a command
	 * parse its attributes leniently. Old families set it past their
	 * old commands, so that old programs keep working.
	 */
	.resv_start_op	= 0,
	/* TODO 15: the attribute policy and the multicast groups */
};

static int __init genl_lab_init(void)
{
	/* TODO 16: register the family */
	return 0;
}

static void __exit genl_lab_exit(void)
{
	/* TODO 17: unregister the family */
	pr_info("unregistered family %s (value %u)\n", KCL_GENL_NAME,
		kcl_value);
}

module_init(genl_lab_init);
module_exit(genl_lab_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("kernel-comm-labs");
MODULE_DESCRIPTION("Lab 05: a generic netlink family with a multicast group");
MODULE_VERSION("1.0");
