// SPDX-License-Identifier: GPL-2.0
/*
 * nlclient - lab 05: the user-space end of both modules, without libnl.
 *
 *   nlclient echo TEXT...    raw unit 31 (nlraw_lab): one KCL_RAW_ECHO per
 *                            TEXT, sequence numbers 1, 2, ...; prints
 *                            "seq N: TEXT" for each reply
 *   nlclient family          looks kcl_genl up through the generic netlink
 *                            controller; prints
 *                            "kcl_genl id=ID version=V events=GROUP"
 *   nlclient gecho TEXT...   KCL_CMD_ECHO of kcl_genl, one per TEXT,
 *                            sequence numbers 1, 2, ...; prints "seq N: TEXT"
 *   nlclient get             KCL_CMD_GET; prints "value V"
 *   nlclient set VALUE       KCL_CMD_SET (root only), with NLM_F_ACK;
 *                            prints "value set to V"
 *   nlclient listen COUNT    joins the group "events", prints "listening",
 *                            then "event value=V" for each of COUNT events
 *
 * On failure it prints one line, "nlclient: COMMAND: ERRNAME" (e.g.
 * "nlclient: set: EPERM"), on stderr and exits with 1; bad usage exits 2.
 * No wait lasts forever: a reply that does not come within REPLY_TIMEOUT
 * seconds, or an event within EVENT_TIMEOUT, is EAGAIN.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kcl_netlink.h"

#define REPLY_TIMEOUT	5	/* seconds */
#define EVENT_TIMEOUT	15	/* seconds */
#define MSG_BUF_SIZE	8192	/* any message of this lab fits */

/* A message buffer, aligned for the headers that go in it. */
union msg_buf {
	struct nlmsghdr nlh;
	char bytes[MSG_BUF_SIZE];
};

/* What the controller says about a family. */
struct family_info {
	__u16 id;		/* nlmsg_type of the family's messages */
	__u32 version;
	__u32 events_group;	/* the group to join for "events" */
};

static const char *errname(int err)
{
	static char other[32];

	switch (err) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	case EAGAIN: return "EAGAIN";
	case ENOSYS: return "ENOSYS";
	case EPROTO: return "EPROTO";
	case EMSGSIZE: return "EMSGSIZE";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOBUFS: return "ENOBUFS";
	default:
		snprintf(other, sizeof(other), "errno %d", err);
		return other;
	}
}

/* Report a failure of COMMAND; @err is a negative errno. */
static int fail(const char *command, int err)
{
	fprintf(stderr, "nlclient: %s: %s\n", command, errname(-err));
	return 1;
}

/*
 * A netlink socket of @protocol, bound to a port the kernel chooses, whose
 * receives give up after @timeout seconds. Returns it, or a negative errno.
 */
static int nl_open(int protocol, int timeout)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = timeout };
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	/* nl_pid 0: the kernel picks a free port for us */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The port the kernel gave the socket @fd at bind(). */
static inline __u32 nl_port(int fd)
{
	struct sockaddr_nl addr;
	socklen_t len = sizeof(addr);

	if (getsockname(fd, (struct sockaddr *)&addr, &len))
		return 0;
	return addr.nl_pid;
}

/* Send the message @nlh (nlmsg_len bytes) to the kernel, port 0. */
static inline int nl_send(int fd, const struct nlmsghdr *nlh)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

/*
 * Receive one datagram into @buf. Returns its length, or a negative errno
 * (-EAGAIN: nothing came in time; -EMSGSIZE: it did not fit).
 */
static inline int nl_recv(int fd, union msg_buf *buf)
{
	ssize_t n = recv(fd, buf->bytes, sizeof(buf->bytes), MSG_TRUNC);

	if (n < 0)
		return -errno;
	if ((size_t)n > sizeof(buf->bytes))
		return -EMSGSIZE;
	return n;
}

/*
 * The error an NLMSG_ERROR message carries: 0 for an ack, a negative errno
 * otherwise (-EPROTO if it is too short to say).
 */
static inline int nl_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
		return -EPROTO;
	return err->error;
}

/* --- part (a): raw netlink ---------------------------------------------- */

/*
 * Send @text (with its NUL) as a KCL_RAW_ECHO with sequence number @seq on
 * the unit-31 socket @fd, wait for the reply, check it and print
 * "seq SEQ: TEXT". Returns 0 or a negative errno.
 */
static int raw_echo(int fd, __u32 seq, const char *text)
{
	/* SOLUTION: TODO 8: build the request, send it, check and print the reply */
	union msg_buf buf;
	struct nlmsghdr *nlh = &buf.nlh;
	size_t len = strlen(text) + 1;
	const char *payload;
	int n, err;

	if (NLMSG_SPACE(len) > sizeof(buf))
		return -EMSGSIZE;
	memset(&buf, 0, NLMSG_SPACE(len));
	nlh->nlmsg_len = NLMSG_LENGTH(len);
	nlh->nlmsg_type = KCL_RAW_ECHO;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	/* who we are; a careful kernel does not believe it anyway */
	nlh->nlmsg_pid = nl_port(fd);
	memcpy(NLMSG_DATA(nlh), text, len);

	err = nl_send(fd, nlh);
	if (err)
		return err;
	n = nl_recv(fd, &buf);
	if (n < 0)
		return n;
	if (!NLMSG_OK(nlh, n))
		return -EPROTO;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return nl_error(nlh) ? nl_error(nlh) : -EPROTO;
	if (nlh->nlmsg_type != KCL_RAW_ECHO || nlh->nlmsg_seq != seq)
		return -EPROTO;
	payload = NLMSG_DATA(nlh);
	if (!memchr(payload, '\0', NLMSG_PAYLOAD(nlh, 0)))
		return -EPROTO;
	printf("seq %u: %s\n", seq, payload);
	return 0;
	/* SKELETON: (void)fd; */
	/* SKELETON: (void)seq; */
	/* SKELETON: (void)text; */
	/* SKELETON: return -ENOSYS; */
	/* END SOLUTION */
}

static int cmd_echo(int argc, char **argv)
{
	int fd, i, err = 0;

	fd = nl_open(KCL_NETLINK_UNIT, REPLY_TIMEOUT);
	if (fd < 0)
		return fail("echo", fd);
	for (i = 0; i < argc && !err; i++)
		err = raw_echo(fd, i + 1, argv[i]);
	close(fd);
	return err ? fail("echo", err) : 0;
}

/* --- part (b): generic netlink ------------------------------------------ */

/*
 * Start a generic netlink request in @buf: the netlink header (type
 * @family, flags NLM_F_REQUEST | @flags, sequence number @seq) and the
 * generic netlink header (@cmd, @version). Attributes go after it.
 */
static struct nlmsghdr *genl_start(union msg_buf *buf, __u16 family,
				   __u16 flags, __u32 seq, __u8 cmd,
				   __u8 version)
{
	struct nlmsghdr *nlh = &buf->nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, NLMSG_SPACE(GENL_HDRLEN));
	nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = NLMSG_DATA(nlh);
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/*
 * Append the attribute @type with @len bytes of @data to the message @nlh,
 * which lives in a union msg_buf. Returns 0 or -EMSGSIZE.
 */
static int put_attr(struct nlmsghdr *nlh, __u16 type, const void *data,
		    __u16 len)
{
	/* SOLUTION: TODO 18: header, data, padding; grow nlmsg_len */
	struct nlattr *nla;

	if (NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(NLA_HDRLEN + len) >
	    sizeof(union msg_buf))
		return -EMSGSIZE;
	nla = (struct nlattr *)((char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	/* the padding goes out too, as zeros */
	memset((char *)nla + nla->nla_len, 0,
	       NLA_ALIGN(nla->nla_len) - nla->nla_len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(nla->nla_len);
	return 0;
	/* SKELETON: (void)nlh; */
	/* SKELETON: (void)type; */
	/* SKELETON: (void)data; */
	/* SKELETON: (void)len; */
	/* SKELETON: return -ENOSYS; */
	/* END SOLUTION */
}

/*
 * Walk the @len bytes of attributes at @head and store in @tb[type] each
 * one whose type is 1 to @max (tb has max + 1 entries); ignore the others.
 * Returns 0, or -EPROTO if an attribute runs past the end.
 */
static int parse_attrs(struct nlattr **tb, int max, void *head, int len)
{
	/* SOLUTION: TODO 19: each attribute starts NLA_ALIGN(nla_len) after the last */
	struct nlattr *nla = head;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN) {
		int type = nla->nla_type & NLA_TYPE_MASK;

		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > len)
			return -EPROTO;
		if (type >= 1 && type <= max)
			tb[type] = nla;
		len -= NLA_ALIGN(nla->nla_len);
		nla = (struct nlattr *)((char *)nla + NLA_ALIGN(nla->nla_len));
	}
	return 0;
	/* SKELETON: memset(tb, 0, sizeof(*tb) * (max + 1)); */
	/* SKELETON: (void)head; */
	/* SKELETON: (void)len; */
	/* SKELETON: return -ENOSYS; */
	/* END SOLUTION */
}

/* The payload of an attribute, and its length. */
static void *attr_data(struct nlattr *nla)
{
	return (char *)nla + NLA_HDRLEN;
}

static int attr_len(const struct nlattr *nla)
{
	return nla->nla_len - NLA_HDRLEN;
}

/*
 * Send the request @req on @fd, then receive its answer into @reply.
 * Returns the answer's length when it is a message of the family (a
 * reply), 0 for an ack (NLMSG_ERROR with error 0), the negative errno of an
 * NLMSG_ERROR, or another negative errno; -EPROTO for an answer that does
 * not fit the request (another sequence number, a truncated message).
 */
static int genl_transact(int fd, struct nlmsghdr *req, union msg_buf *reply)
{
	/* SOLUTION: TODO 20: send, receive, then tell a reply from an error or an ack */
	struct nlmsghdr *nlh = &reply->nlh;
	int n, err;

	req->nlmsg_pid = nl_port(fd);
	err = nl_send(fd, req);
	if (err)
		return err;
	n = nl_recv(fd, reply);
	if (n < 0)
		return n;
	if (!NLMSG_OK(nlh, n) || nlh->nlmsg_seq != req->nlmsg_seq)
		return -EPROTO;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return nl_error(nlh);
	if (nlh->nlmsg_type != req->nlmsg_type ||
	    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return -EPROTO;
	return nlh->nlmsg_len;
	/* SKELETON: (void)fd; */
	/* SKELETON: (void)req; */
	/* SKELETON: (void)reply; */
	/* SKELETON: return -ENOSYS; */
	/* END SOLUTION */
}

/* The attributes of the generic netlink message @nlh, in @tb. */
static int genl_parse(struct nlattr **tb, int max, struct nlmsghdr *nlh)
{
	return parse_attrs(tb, max, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
			   nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
}

/*
 * Find the id of the group called @name in the nested attribute
 * CTRL_ATTR_MCAST_GROUPS @groups: a list of nested attributes, one per
 * group, each with CTRL_ATTR_MCAST_GRP_NAME and CTRL_ATTR_MCAST_GRP_ID.
 */
static int find_group(struct nlattr *groups, const char *name, __u32 *id)
{
	/* SOLUTION: TODO 21: look into each group of the list */
	struct nlattr *grp[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct nlattr *nla = attr_data(groups);
	int len = attr_len(groups);

	while (len >= NLA_HDRLEN) {
		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > len)
			return -EPROTO;
		if (parse_attrs(grp, CTRL_ATTR_MCAST_GRP_MAX, attr_data(nla),
				attr_len(nla)))
			return -EPROTO;
		if (grp[CTRL_ATTR_MCAST_GRP_NAME] &&
		    grp[CTRL_ATTR_MCAST_GRP_ID] &&
		    attr_len(grp[CTRL_ATTR_MCAST_GRP_ID]) == sizeof(__u32) &&
		    strncmp(attr_data(grp[CTRL_ATTR_MCAST_GRP_NAME]), name,
			    attr_len(grp[CTRL_ATTR_MCAST_GRP_NAME])) == 0) {
			memcpy(id, attr_data(grp[CTRL_ATTR_MCAST_GRP_ID]),
			       sizeof(*id));
			return 0;
		}
		len -= NLA_ALIGN(nla->nla_len);
		nla = (struct nlattr *)((char *)nla + NLA_ALIGN(nla->nla_len));
	}
	return -ENOENT;
	/* SKELETON: (void)groups; */
	/* SKELETON: (void)name; */
	/* SKELETON: (void)id; */
	/* SKELETON: return -ENOSYS; */
	/* END SOLUTION */
}

/*
 * Ask the controller (family GENL_ID_CTRL) about the family KCL_GENL_NAME:
 * CTRL_CMD_GETFAMILY with CTRL_ATTR_FAMILY_NAME. Fills @info from the
 * reply's CTRL_ATTR_FAMILY_ID (__u16), CTRL_ATTR_VERSION (__u32) and
 * CTRL_ATTR_MCAST_GROUPS. Returns 0 or a negative errno (-ENOENT: no such
 * family).
 */
static int resolve_family(int fd, struct family_info *info)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	union msg_buf req, reply;
	struct nlmsghdr *nlh;
	int err;

	nlh = genl_start(&req, GENL_ID_CTRL, 0, 1, CTRL_CMD_GETFAMILY, 1);
	err = put_attr(nlh, CTRL_ATTR_FAMILY_NAME, KCL_GENL_NAME,
		       sizeof(KCL_GENL_NAME));
	if (err)
		return err;
	err = genl_transact(fd, nlh, &reply);
	if (err <= 0)
		return err ? err : -EPROTO;
	err = genl_parse(tb, CTRL_ATTR_MAX, &reply.nlh);
	if (err)
		return err;

	/* SOLUTION: TODO 22: read the family's id, version and group "events" */
	if (!tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_VERSION] ||
	    !tb[CTRL_ATTR_MCAST_GROUPS] ||
	    attr_len(tb[CTRL_ATTR_FAMILY_ID]) != sizeof(__u16) ||
	    attr_len(tb[CTRL_ATTR_VERSION]) != sizeof(__u32))
		return -EPROTO;
	memcpy(&info->id, attr_data(tb[CTRL_ATTR_FAMILY_ID]), sizeof(__u16));
	memcpy(&info->version, attr_data(tb[CTRL_ATTR_VERSION]),
	       sizeof(__u32));
	return find_group(tb[CTRL_ATTR_MCAST_GROUPS], KCL_GENL_GROUP,
			  &info->events_group);
	/* SKELETON: (void)info; */
	/* SKELETON: (void)find_group; */
	/* SKELETON: return -ENOSYS; */
	/* END SOLUTION */
}

/* A socket of NETLINK_GENERIC, and kcl_genl's details in @info. */
static int genl_open(struct family_info *info, int timeout)
{
	int fd, err;

	fd = nl_open(NETLINK_GENERIC, timeout);
	if (fd < 0)
		return fd;
	err = resolve_family(fd, info);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int cmd_family(void)
{
	struct family_info info = { 0 };
	int fd;

	fd = genl_open(&info, REPLY_TIMEOUT);
	if (fd < 0)
		return fail("family", fd);
	close(fd);
	printf("%s id=%u version=%u events=%u\n", KCL_GENL_NAME, info.id,
	       info.version, info.events_group);
	return 0;
}

/* KCL_CMD_ECHO of @text with sequence number @seq; prints the reply. */
static int genl_echo(int fd, const struct family_info *info, __u32 seq,
		     const char *text)
{
	struct nlattr *tb[KCL_A_MAX + 1];
	union msg_buf req, reply;
	struct nlmsghdr *nlh;
	int err;

	nlh = genl_start(&req, info->id, 0, seq, KCL_CMD_ECHO,
			 KCL_GENL_VERSION);
	err = put_attr(nlh, KCL_A_MSG, text, strlen(text) + 1);
	if (err)
		return err;
	err = genl_transact(fd, nlh, &reply);
	if (err <= 0)
		return err ? err : -EPROTO;
	err = genl_parse(tb, KCL_A_MAX, &reply.nlh);
	if (err)
		return err;
	if (!tb[KCL_A_MSG] || attr_len(tb[KCL_A_MSG]) < 1 ||
	    ((char *)attr_data(tb[KCL_A_MSG]))[attr_len(tb[KCL_A_MSG]) - 1])
		return -EPROTO;
	printf("seq %u: %s\n", seq, (char *)attr_data(tb[KCL_A_MSG]));
	return 0;
}

static int cmd_gecho(int argc, char **argv)
{
	struct family_info info = { 0 };
	int fd, i, err = 0;

	fd = genl_open(&info, REPLY_TIMEOUT);
	if (fd < 0)
		return fail("gecho", fd);
	for (i = 0; i < argc && !err; i++)
		err = genl_echo(fd, &info, i + 1, argv[i]);
	close(fd);
	return err ? fail("gecho", err) : 0;
}

static int cmd_get(void)
{
	struct nlattr *tb[KCL_A_MAX + 1];
	union msg_buf req, reply;
	struct family_info info = { 0 };
	struct nlmsghdr *nlh;
	__u32 value;
	int fd, err;

	fd = genl_open(&info, REPLY_TIMEOUT);
	if (fd < 0)
		return fail("get", fd);
	nlh = genl_start(&req, info.id, 0, 1, KCL_CMD_GET, KCL_GENL_VERSION);
	err = genl_transact(fd, nlh, &reply);
	close(fd);
	if (err <= 0)
		return fail("get", err ? err : -EPROTO);
	err = genl_parse(tb, KCL_A_MAX, &reply.nlh);
	if (err || !tb[KCL_A_VALUE] ||
	    attr_len(tb[KCL_A_VALUE]) != sizeof(value))
		return fail("get", -EPROTO);
	memcpy(&value, attr_data(tb[KCL_A_VALUE]), sizeof(value));
	printf("value %u\n", value);
	return 0;
}

static int cmd_set(__u32 value)
{
	union msg_buf req, reply;
	struct family_info info = { 0 };
	struct nlmsghdr *nlh;
	int fd, err;

	fd = genl_open(&info, REPLY_TIMEOUT);
	if (fd < 0)
		return fail("set", fd);
	/* no reply, only an ack: ask for it, or an error is all we hear */
	nlh = genl_start(&req, info.id, NLM_F_ACK, 1, KCL_CMD_SET,
			 KCL_GENL_VERSION);
	err = put_attr(nlh, KCL_A_VALUE, &value, sizeof(value));
	if (!err)
		err = genl_transact(fd, nlh, &reply);
	close(fd);
	if (err)
		return fail("set", err > 0 ? -EPROTO : err);
	printf("value set to %u\n", value);
	return 0;
}

static int cmd_listen(int count)
{
	struct nlattr *tb[KCL_A_MAX + 1];
	struct family_info info = { 0 };
	union msg_buf buf;
	struct genlmsghdr *genl;
	__u32 value;
	int fd, n, err = 0;

	fd = genl_open(&info, EVENT_TIMEOUT);
	if (fd < 0)
		return fail("listen", fd);

	/* SOLUTION: TODO 23: join the group of "events" */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &info.events_group, sizeof(info.events_group))) {
		err = -errno;
		close(fd);
		return fail("listen", err);
	}
	/* END SOLUTION */
	printf("listening\n");

	while (count > 0) {
		n = nl_recv(fd, &buf);
		if (n < 0) {
			err = n;
			break;
		}
		/* only KCL_CMD_EVENT messages of the family count */
		if (!NLMSG_OK(&buf.nlh, n) || buf.nlh.nlmsg_type != info.id ||
		    buf.nlh.nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
			continue;
		genl = NLMSG_DATA(&buf.nlh);
		if (genl->cmd != KCL_CMD_EVENT)
			continue;
		if (genl_parse(tb, KCL_A_MAX, &buf.nlh) || !tb[KCL_A_VALUE] ||
		    attr_len(tb[KCL_A_VALUE]) != sizeof(value))
			continue;
		memcpy(&value, attr_data(tb[KCL_A_VALUE]), sizeof(value));
		printf("event value=%u\n", value);
		count--;
	}
	close(fd);
	return err ? fail("listen", err) : 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: nlclient echo TEXT...\n"
		"       nlclient family\n"
		"       nlclient gecho TEXT...\n"
		"       nlclient get\n"
		"       nlclient set VALUE\n"
		"       nlclient listen COUNT\n");
	return 2;
}

/* A decimal number from 0 to @max, or -1. */
static long parse_number(const char *text, unsigned long max)
{
	unsigned long value;
	char *end;

	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || *end || value > max)
		return -1;
	return value;
}

int main(int argc, char **argv)
{
	long number;

	/* one line at a time, even into a file: the tests read it live */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "echo") && argc >= 3)
		return cmd_echo(argc - 2, argv + 2);
	if (!strcmp(argv[1], "family") && argc == 2)
		return cmd_family();
	if (!strcmp(argv[1], "gecho") && argc >= 3)
		return cmd_gecho(argc - 2, argv + 2);
	if (!strcmp(argv[1], "get") && argc == 2)
		return cmd_get();
	if (!strcmp(argv[1], "set") && argc == 3) {
		number = parse_number(argv[2], UINT32_MAX);
		if (number < 0)
			return usage();
		return cmd_set(number);
	}
	if (!strcmp(argv[1], "listen") && argc == 3) {
		number = parse_number(argv[2], 1000);
		if (number < 1)
			return usage();
		return cmd_listen(number);
	}
	return usage();
}
