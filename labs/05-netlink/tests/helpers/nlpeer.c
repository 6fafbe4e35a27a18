// SPDX-License-Identifier: GPL-2.0
/*
 * nlpeer: the submission's raw_echo and genl_transact (tasks 8 and 20)
 * against a peer that answers wrong: a datagram that is empty, shorter than
 * a header or shorter than its nlmsg_len; another sequence number or type;
 * an error, or an ack where a reply was due; a payload with no NUL. Then
 * find_group and resolve_family (tasks 21 and 22) given group lists and
 * controller replies with entries that lie about their length, bytes left
 * over, attributes missing or of the wrong size. No kernel answers like
 * that, so no module can make the client face it.
 *
 * Includes nlclient.c itself, its main renamed, with its sendto() and
 * recv() replaced by this file's: they keep the request and answer it as
 * the case says, without any socket. Prints one line per case, "FUNCTION,
 * CASE: RESULT" (an errno name, or what the function returned), after
 * whatever the function printed itself.
 *
 *   nlpeer       run every case
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

static ssize_t nlpeer_sendto(int fd, const void *buf, size_t len, int flags,
			     const struct sockaddr *to, socklen_t to_len);
static ssize_t nlpeer_recv(int fd, void *buf, size_t len, int flags);

/* the headers are in: from here on, nlclient.c's calls are ours */
#define sendto nlpeer_sendto
#define recv nlpeer_recv
#define main nlclient_main
#include "nlclient.c"
#undef main
#undef recv
#undef sendto

#define NLPEER_SEQ	7
#define NLPEER_FAMILY	0x20

/* How the peer answers the next request. */
enum nlpeer_answer {
	GOOD,		/* what the request asked for */
	NOTHING,	/* no answer within the time limit */
	EMPTY,		/* a datagram of 0 bytes */
	SHORT,		/* 10 bytes: less than a netlink header */
	LYING,		/* nlmsg_len 8 bytes past the datagram */
	OTHER_SEQ,	/* the sequence number plus one */
	OTHER_TYPE,	/* the type plus one */
	ERROR,		/* NLMSG_ERROR with ENOMEM */
	ACK,		/* NLMSG_ERROR with 0 */
	NO_NUL,		/* a raw echo whose payload has no NUL */
	NO_GENL_HEADER,	/* a family message of 2 bytes: no generic header */
	CONTROLLER,	/* a controller's reply with nlpeer_controller's attributes */
};

/* Attributes, built one after the other as a peer would. */
struct nlpeer_attrs {
	char bytes[512] __attribute__((aligned(4)));
	int len;
};

static struct nlpeer_attrs nlpeer_controller;

static enum nlpeer_answer nlpeer_answer;
static union msg_buf nlpeer_request;

static ssize_t nlpeer_sendto(int fd, const void *buf, size_t len, int flags,
			     const struct sockaddr *to, socklen_t to_len)
{
	(void)fd;
	(void)flags;
	(void)to;
	(void)to_len;
	if (len > sizeof(nlpeer_request)) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(&nlpeer_request, buf, len);
	return len;
}

/* An NLMSG_ERROR answer to the request, carrying @error. */
static int nlpeer_error(struct nlmsghdr *nlh, int error)
{
	struct nlmsgerr *err = NLMSG_DATA(nlh);

	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*err));
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = 0;
	nlh->nlmsg_seq = nlpeer_request.nlh.nlmsg_seq;
	nlh->nlmsg_pid = 0;
	err->error = error;
	err->msg = nlpeer_request.nlh;
	return nlh->nlmsg_len;
}

static ssize_t nlpeer_recv(int fd, void *buf, size_t len, int flags)
{
	struct nlmsghdr *nlh = buf;
	int n;

	(void)fd;
	(void)flags;
	memset(buf, 0, len);
	if (nlpeer_answer == NOTHING) {
		errno = EAGAIN;
		return -1;
	}
	if (nlpeer_answer == ERROR)
		return nlpeer_error(nlh, -ENOMEM);
	if (nlpeer_answer == ACK)
		return nlpeer_error(nlh, 0);
	/* the request back, as a reply: right for both functions */
	n = nlpeer_request.nlh.nlmsg_len;
	memcpy(buf, &nlpeer_request, n);
	nlh->nlmsg_flags = 0;
	nlh->nlmsg_pid = 0;
	switch (nlpeer_answer) {
	case EMPTY:
		return 0;
	case SHORT:
		return 10;
	case LYING:
		nlh->nlmsg_len = n + 8;
		break;
	case OTHER_SEQ:
		nlh->nlmsg_seq++;
		break;
	case OTHER_TYPE:
		nlh->nlmsg_type++;
		break;
	case NO_NUL:
		memset(NLMSG_DATA(nlh), 'x', NLMSG_PAYLOAD(nlh, 0));
		break;
	case NO_GENL_HEADER:
		nlh->nlmsg_len = NLMSG_LENGTH(2);
		n = nlh->nlmsg_len;
		break;
	case CONTROLLER:
		((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd = CTRL_CMD_NEWFAMILY;
		memcpy((char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		       nlpeer_controller.bytes, nlpeer_controller.len);
		nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + nlpeer_controller.len;
		n = nlh->nlmsg_len;
		break;
	default:
		break;
	}
	return n;
}

static const char *const nlpeer_names[] = {
	[GOOD] = "a good reply",
	[NOTHING] = "no answer",
	[EMPTY] = "an empty datagram",
	[SHORT] = "10 bytes",
	[LYING] = "nlmsg_len past the datagram",
	[OTHER_SEQ] = "another nlmsg_seq",
	[OTHER_TYPE] = "another nlmsg_type",
	[ERROR] = "an error, ENOMEM",
	[ACK] = "an ack",
	[NO_NUL] = "a payload without NUL",
	[NO_GENL_HEADER] = "no room for a generic header",
	[CONTROLLER] = "the controller's reply",
};

/* "FUNCTION, CASE: RESULT", RESULT an errno name or the number returned */
static void nlpeer_print(const char *function, const char *cases, int ret)
{
	if (ret < 0)
		printf("%s, %s: %s\n", function, cases, errname(-ret));
	else
		printf("%s, %s: %d\n", function, cases, ret);
	fflush(stdout);
}

static void nlpeer_raw_echo(enum nlpeer_answer answer, const char *text)
{
	nlpeer_answer = answer;
	nlpeer_print("raw_echo", nlpeer_names[answer], raw_echo(-1, NLPEER_SEQ, text));
}

static void nlpeer_genl_transact(enum nlpeer_answer answer)
{
	union msg_buf req, reply;
	struct nlmsghdr *nlh;

	nlh = genl_start(&req, NLPEER_FAMILY, 0, NLPEER_SEQ, 1, 1);
	nlpeer_answer = answer;
	nlpeer_print("genl_transact", nlpeer_names[answer],
		     genl_transact(-1, nlh, &reply));
}

/* Appends an attribute of @len bytes; returns where it starts. */
static int nlpeer_put(struct nlpeer_attrs *a, __u16 type, const void *data,
		      int len)
{
	struct nlattr *nla = (struct nlattr *)(a->bytes + a->len);
	int at = a->len;

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(a->bytes + at + NLA_HDRLEN, data, len);
	a->len += NLA_ALIGN(NLA_HDRLEN + len);
	return at;
}

/* Closes the nested attribute that starts at @at: it holds what follows. */
static void nlpeer_end(struct nlpeer_attrs *a, int at)
{
	((struct nlattr *)(a->bytes + at))->nla_len = a->len - at;
}

/* Appends a header that claims @nla_len bytes, and @data_len bytes. */
static void nlpeer_lie(struct nlpeer_attrs *a, __u16 nla_len, int data_len)
{
	int at = nlpeer_put(a, 1 | NLA_F_NESTED, NULL, 0);

	memset(a->bytes + a->len, 0, data_len);
	a->len += data_len;
	((struct nlattr *)(a->bytes + at))->nla_len = nla_len;
}

/* A group of the list: a nested entry with the group's name and id. */
static void nlpeer_group(struct nlpeer_attrs *a, const char *name, __u32 id,
			 int id_len)
{
	int at = nlpeer_put(a, 1 | NLA_F_NESTED, NULL, 0);

	nlpeer_put(a, CTRL_ATTR_MCAST_GRP_NAME, name, strlen(name) + 1);
	nlpeer_put(a, CTRL_ATTR_MCAST_GRP_ID, &id, id_len);
	nlpeer_end(a, at);
}

/* The group list @a (its entries) as CTRL_ATTR_MCAST_GROUPS, to find_group */
static void nlpeer_find_group(const char *cases, struct nlpeer_attrs *a,
			      int extra)
{
	struct nlpeer_attrs groups = { .len = 0 };
	__u32 id = 0;
	int ret;

	nlpeer_put(&groups, CTRL_ATTR_MCAST_GROUPS | NLA_F_NESTED, a->bytes,
		   a->len + extra);
	ret = find_group((struct nlattr *)groups.bytes, "events", &id);
	if (ret)
		nlpeer_print("find_group", cases, ret);
	else
		printf("find_group, %s: 0, id %u\n", cases, id);
	memset(a, 0, sizeof(*a));
}

static void nlpeer_find_groups(void)
{
	struct nlpeer_attrs a = { .len = 0 };
	int at;

	nlpeer_group(&a, "events", 9, 4);
	nlpeer_find_group("events alone", &a, 0);
	nlpeer_group(&a, "other", 3, 4);
	nlpeer_group(&a, "events", 9, 4);
	nlpeer_find_group("other, then events", &a, 0);
	nlpeer_group(&a, "other", 3, 4);
	nlpeer_find_group("other alone", &a, 0);
	nlpeer_put(&a, 1 | NLA_F_NESTED, NULL, 0);
	nlpeer_group(&a, "events", 9, 4);
	nlpeer_find_group("an empty entry, then events", &a, 0);
	nlpeer_group(&a, "events", 9, 2);
	nlpeer_find_group("events with a 2-byte id", &a, 0);
	nlpeer_group(&a, "other", 3, 4);
	nlpeer_lie(&a, 12, 4);
	nlpeer_find_group("other, then an entry past the end", &a, 0);
	nlpeer_group(&a, "other", 3, 4);
	nlpeer_lie(&a, 8, 0);
	nlpeer_find_group("other, then a header claiming 8 bytes, last", &a, 0);
	nlpeer_group(&a, "other", 3, 4);
	nlpeer_lie(&a, 3, 0);
	nlpeer_find_group("other, then an entry of length 3, last", &a, 0);
	nlpeer_group(&a, "other", 3, 4);
	nlpeer_find_group("other, then 3 bytes left over", &a, 3);
	at = nlpeer_put(&a, 1 | NLA_F_NESTED, NULL, 0);
	nlpeer_put(&a, CTRL_ATTR_MCAST_GRP_NAME, "events", 7);
	nlpeer_end(&a, at);
	((struct nlattr *)(a.bytes + NLA_HDRLEN))->nla_len = 20;
	nlpeer_find_group("an entry whose name runs past it", &a, 0);
}

/*
 * resolve_family with the controller's reply holding these attributes (a
 * version_len below 0: no version)
 */
static void nlpeer_resolve(const char *cases, int id_len, int version_len,
			   int groups, const char *group)
{
	struct nlpeer_attrs *a = &nlpeer_controller, list = { .len = 0 };
	struct family_info info = { 0 };
	__u32 id = NLPEER_FAMILY, version = 1;
	int ret;

	memset(a, 0, sizeof(*a));
	nlpeer_put(a, CTRL_ATTR_FAMILY_ID, &id, id_len);
	if (version_len >= 0)
		nlpeer_put(a, CTRL_ATTR_VERSION, &version, version_len);
	if (groups) {
		nlpeer_group(&list, group, 9, 4);
		nlpeer_put(a, CTRL_ATTR_MCAST_GROUPS | NLA_F_NESTED,
			   list.bytes, list.len);
	}
	nlpeer_answer = CONTROLLER;
	ret = resolve_family(-1, &info);
	if (ret)
		nlpeer_print("resolve_family", cases, ret);
	else
		printf("resolve_family, %s: 0, id %#x version %u events %u\n",
		       cases, info.id, info.version, info.events_group);
}

static void nlpeer_resolves(void)
{
	nlpeer_resolve("a good reply", 2, 4, 1, "events");
	nlpeer_resolve("no group list", 2, 4, 0, "events");
	nlpeer_resolve("no group events", 2, 4, 1, "other");
	nlpeer_resolve("a 4-byte family id", 4, 4, 1, "events");
	nlpeer_resolve("a 2-byte version", 2, 2, 1, "events");
	nlpeer_resolve("no version", 2, -1, 1, "events");
}

/* raw_echo() of a good reply to @text, without its "seq" line */
static int nlpeer_quiet_raw_echo(const char *text)
{
	int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
	int ret;

	nlpeer_answer = GOOD;
	dup2(null, STDOUT_FILENO);
	ret = raw_echo(-1, NLPEER_SEQ, text);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(null);
	return ret;
}

int main(void)
{
	static const enum nlpeer_answer raw[] = {
		GOOD, NOTHING, EMPTY, SHORT, LYING, OTHER_SEQ, OTHER_TYPE,
		ERROR, ACK, NO_NUL,
	};
	static const enum nlpeer_answer genl[] = {
		GOOD, NOTHING, EMPTY, SHORT, LYING, OTHER_SEQ, OTHER_TYPE,
		ERROR, ACK, NO_GENL_HEADER,
	};
	/* the longest text whose request fits in a union msg_buf */
	char longest[MSG_BUF_SIZE - NLMSG_HDRLEN + 1];
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		nlpeer_raw_echo(raw[i], "hi");
	memset(longest, 'a', sizeof(longest));
	longest[sizeof(longest) - 2] = '\0';
	nlpeer_print("raw_echo", "the longest text that fits, 8175 bytes",
		     nlpeer_quiet_raw_echo(longest));
	longest[sizeof(longest) - 2] = 'a';
	longest[sizeof(longest) - 1] = '\0';
	nlpeer_print("raw_echo", "one byte more",
		     nlpeer_quiet_raw_echo(longest));
	for (i = 0; i < sizeof(genl) / sizeof(genl[0]); i++)
		nlpeer_genl_transact(genl[i]);
	nlpeer_find_groups();
	nlpeer_resolves();
	return 0;
}
