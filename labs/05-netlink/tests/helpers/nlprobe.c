// SPDX-License-Identifier: GPL-2.0
/*
 * nlprobe: the netlink messages the lab 05 tests need and nlclient does not
 * send: exact bytes, lies in headers, several sockets at once. It shares
 * nothing with the student's nlclient.c but include/kcl_netlink.h.
 *
 * Part (a), raw netlink unit 31 (nlraw_lab):
 *   nlprobe raw-socket          socket(AF_NETLINK, SOCK_RAW, 31): prints
 *                               "ok" or the errno name
 *   nlprobe raw-exact           echoes of many sizes and sequence numbers,
 *                               compared byte for byte
 *   nlprobe raw-bogus-pid       requests whose nlmsg_pid names another
 *                               socket, or no socket
 *   nlprobe raw-concurrent C N  C processes at once, N echoes each
 *   nlprobe raw-malformed       short datagrams, lying nlmsg_len, bad
 *                               payloads, then one good echo
 *   nlprobe raw-ack             an echo with NLM_F_ACK, one without
 *   nlprobe raw-full N          N echoes to a socket with a small receive
 *                               buffer that nobody reads: how many replies
 *                               the kernel could deliver
 *
 * Part (b), the generic netlink family kcl_genl (genl_lab):
 *   nlprobe genl-resolve        prints "kcl_genl id=ID version=V events=G",
 *                               like nlclient family, or the errno name
 *   nlprobe genl-attrs          requests with bad, unknown, missing and
 *                               good attributes
 *   nlprobe genl-cmds           unknown commands, a dump, a bad header
 *   nlprobe genl-mcast VALUE    a member, a non-member and the sender of
 *                               KCL_CMD_SET VALUE: who hears what
 *
 * Each probe prints one line per case, what happened, so that a test can
 * compare the whole output. Every receive has a time limit, and alarm()
 * bounds the whole run. Exit status 0 when the probe could run (the test
 * judges the output), 1 when it could not, 2 on bad usage.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kcl_netlink.h"

#define REPLY_MS	5000	/* wait for an answer that must come */
#define QUIET_MS	50	/* wait for an answer that must not come: the kernel
			 * answers before send() returns, so a late one is a bug */
#define RUN_LIMIT	60	/* seconds for the whole probe */
#define BUF_SIZE	65536

union buf {
	struct nlmsghdr nlh;
	unsigned char bytes[BUF_SIZE];
};

static const char *errname(int err)
{
	static char other[32];

	switch (err) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EMSGSIZE: return "EMSGSIZE";
	case EPROTO: return "EPROTO";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOBUFS: return "ENOBUFS";
	default:
		snprintf(other, sizeof(other), "errno %d", err);
		return other;
	}
}

static void die(const char *what, int err)
{
	printf("cannot %s: %s\n", what, errname(err));
	exit(1);
}

/* A netlink socket of @protocol bound to a port the kernel picks. */
static int nl_socket(int protocol)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		die("open a netlink socket", errno);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("bind a netlink socket", errno);
	return fd;
}

static __u32 nl_port(int fd)
{
	struct sockaddr_nl addr;
	socklen_t len = sizeof(addr);

	if (getsockname(fd, (struct sockaddr *)&addr, &len))
		die("getsockname", errno);
	return addr.nl_pid;
}

/* Send @len bytes to the kernel, port 0, as one datagram. */
static void send_bytes(int fd, const void *data, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, data, len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		die("send", errno);
}

static void send_msg(int fd, const struct nlmsghdr *nlh)
{
	send_bytes(fd, nlh, nlh->nlmsg_len);
}

/*
 * Receive one datagram within @ms milliseconds: its length, or 0 when
 * nothing came. Dies on a datagram that does not fit or too short for a
 * header.
 */
static int recv_within(int fd, union buf *buf, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) < 0)
		die("poll", errno);
	if (!(pfd.revents & POLLIN))
		return 0;
	n = recv(fd, buf->bytes, sizeof(buf->bytes), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0) {
		if (errno == EAGAIN)
			return 0;
		die("receive", errno);
	}
	if ((size_t)n > sizeof(buf->bytes))
		die("receive a datagram that large", EMSGSIZE);
	if (!NLMSG_OK(&buf->nlh, n))
		die("make sense of a datagram", EPROTO);
	return n;
}

/* The error of an NLMSG_ERROR message (0: an ack). */
static int msg_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		die("read an NLMSG_ERROR", EPROTO);
	return e->error;
}

/*
 * Describe what one socket received within @ms: "nothing", "seq N" for an
 * echo, "error ENAME" or "ack" for an NLMSG_ERROR, "type 0xT" else.
 */
static const char *describe(int fd, int ms)
{
	static char text[96];
	union buf buf;
	int err;

	if (!recv_within(fd, &buf, ms))
		return "nothing";
	if (buf.nlh.nlmsg_type == NLMSG_ERROR) {
		err = msg_error(&buf.nlh);
		if (!err)
			snprintf(text, sizeof(text), "ack for seq %u",
				 buf.nlh.nlmsg_seq);
		else
			snprintf(text, sizeof(text), "error %s for seq %u",
				 errname(-err), buf.nlh.nlmsg_seq);
	} else if (buf.nlh.nlmsg_type == KCL_RAW_ECHO) {
		snprintf(text, sizeof(text), "echo of %u bytes, seq %u",
			 buf.nlh.nlmsg_len - NLMSG_HDRLEN, buf.nlh.nlmsg_seq);
	} else {
		snprintf(text, sizeof(text), "type 0x%x", buf.nlh.nlmsg_type);
	}
	return text;
}

/* --- part (a) ------------------------------------------------------------ */

/* A raw request in @buf: header, then @len bytes of @payload. */
static struct nlmsghdr *raw_msg(union buf *buf, __u16 type, __u16 flags,
				__u32 seq, __u32 pid, const void *payload,
				size_t len)
{
	memset(buf, 0, NLMSG_SPACE(len));
	buf->nlh.nlmsg_len = NLMSG_LENGTH(len);
	buf->nlh.nlmsg_type = type;
	buf->nlh.nlmsg_flags = flags;
	buf->nlh.nlmsg_seq = seq;
	buf->nlh.nlmsg_pid = pid;
	memcpy(NLMSG_DATA(&buf->nlh), payload, len);
	return &buf->nlh;
}

static int raw_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, KCL_NETLINK_UNIT);

	if (fd < 0) {
		printf("%s\n", errname(errno));
		return 0;
	}
	close(fd);
	printf("ok\n");
	return 0;
}

static __u32 lcg_state = 12345;

static __u32 lcg(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return lcg_state >> 8;
}

/* One echo of @len bytes, compared byte for byte. 0 when it matched. */
static int exact_case(int fd, int index, size_t len, __u32 seq)
{
	static union buf req, rep;
	unsigned char payload[20000];
	size_t i, nul;
	int n;

	/* non-zero bytes, one NUL somewhere, anything after it */
	for (i = 0; i < len; i++)
		payload[i] = 1 + lcg() % 255;
	nul = len > 1 ? lcg() % len : 0;
	payload[nul] = 0;
	for (i = nul + 1; i < len; i++)
		payload[i] = lcg() % 256;

	raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST, seq, nl_port(fd), payload,
		len);
	send_msg(fd, &req.nlh);
	n = recv_within(fd, &rep, REPLY_MS);
	if (!n) {
		printf("case %d (%zu bytes, seq %u): no reply\n", index, len,
		       seq);
		return 1;
	}
	if (rep.nlh.nlmsg_type != KCL_RAW_ECHO) {
		printf("case %d (%zu bytes, seq %u): %s instead of an echo\n",
		       index, len, seq,
		       rep.nlh.nlmsg_type == NLMSG_ERROR ?
		       errname(-msg_error(&rep.nlh)) : "another type");
		return 1;
	}
	if (rep.nlh.nlmsg_seq != seq) {
		printf("case %d (%zu bytes, seq %u): reply with seq %u\n",
		       index, len, seq, rep.nlh.nlmsg_seq);
		return 1;
	}
	if (rep.nlh.nlmsg_len != req.nlh.nlmsg_len) {
		printf("case %d (%zu bytes, seq %u): reply nlmsg_len %u, not %u\n",
		       index, len, seq, rep.nlh.nlmsg_len, req.nlh.nlmsg_len);
		return 1;
	}
	if (rep.nlh.nlmsg_flags != 0 || rep.nlh.nlmsg_pid != 0) {
		printf("case %d (%zu bytes, seq %u): reply flags 0x%x pid %u, not 0 and 0\n",
		       index, len, seq, rep.nlh.nlmsg_flags, rep.nlh.nlmsg_pid);
		return 1;
	}
	if (memcmp(NLMSG_DATA(&rep.nlh), payload, len)) {
		printf("case %d (%zu bytes, seq %u): payload differs\n",
		       index, len, seq);
		return 1;
	}
	/*
	 * The bytes after the payload, up to the next multiple of 4, are
	 * the kernel's to fill: with zeros. Unwritten, they carry whatever
	 * the allocation held before (the lab VM poisons freed memory).
	 */
	if ((size_t)n > NLMSG_ALIGN(rep.nlh.nlmsg_len)) {
		printf("case %d (%zu bytes, seq %u): %zu bytes after the message\n",
		       index, len, seq,
		       (size_t)n - NLMSG_ALIGN(rep.nlh.nlmsg_len));
		return 1;
	}
	for (i = rep.nlh.nlmsg_len; i < (size_t)n; i++) {
		if (rep.bytes[i]) {
			printf("case %d (%zu bytes, seq %u): padding byte %zu is 0x%02x, not 0\n",
			       index, len, seq, i - rep.nlh.nlmsg_len,
			       rep.bytes[i]);
			return 1;
		}
	}
	return 0;
}

static int raw_exact(void)
{
	static const size_t sizes[] = { 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16,
					17, 100, 255, 1000, 4000, 16000 };
	static const __u32 seqs[] = { 0, 1, 0xffffffff, 0x80000000 };
	int fd = nl_socket(KCL_NETLINK_UNIT);
	size_t i;
	int count = 0;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		__u32 seq = i < 4 ? seqs[i] : lcg();

		if (exact_case(fd, i + 1, sizes[i], seq))
			return 0;
		count++;
	}
	if (recv_within(fd, &(union buf){ 0 }, QUIET_MS)) {
		printf("a message nobody asked for\n");
		return 0;
	}
	printf("ok: %d echoes, byte for byte\n", count);
	return 0;
}

static int raw_bogus_pid(void)
{
	int sender = nl_socket(KCL_NETLINK_UNIT);
	int other = nl_socket(KCL_NETLINK_UNIT);
	union buf req;

	raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST, 7, nl_port(other),
		"bogus", 6);
	send_msg(sender, &req.nlh);
	printf("nlmsg_pid of another socket: sender got %s,",
	       describe(sender, REPLY_MS));
	printf(" the other socket got %s\n", describe(other, QUIET_MS));

	/* no socket has this port: autobind gives negative ones, or pids */
	raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST, 8, 0x7ffffff0,
		"nobody", 7);
	send_msg(sender, &req.nlh);
	printf("nlmsg_pid of no socket: sender got %s\n",
	       describe(sender, REPLY_MS));
	return 0;
}

/* One concurrent client: @count echoes, each checked. Exit status. */
static int concurrent_client(int id, int count, int start_fd)
{
	union buf req, rep;
	char text[64], go;
	int fd, i, n;

	fd = nl_socket(KCL_NETLINK_UNIT);
	/* everybody starts together: the parent closes the pipe */
	if (read(start_fd, &go, 1) < 0)
		return 1;
	for (i = 0; i < count; i++) {
		n = snprintf(text, sizeof(text), "client %d message %d", id, i);
		raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST, i + 1, nl_port(fd),
			text, n + 1);
		send_msg(fd, &req.nlh);
		n = recv_within(fd, &rep, REPLY_MS);
		if (!n) {
			printf("client %d: message %d: no reply\n", id, i);
			return 1;
		}
		if (rep.nlh.nlmsg_type != KCL_RAW_ECHO ||
		    rep.nlh.nlmsg_seq != (__u32)i + 1 ||
		    rep.nlh.nlmsg_len != req.nlh.nlmsg_len ||
		    memcmp(NLMSG_DATA(&rep.nlh), text, strlen(text) + 1)) {
			printf("client %d: message %d: got type 0x%x seq %u, %u bytes\n",
			       id, i, rep.nlh.nlmsg_type, rep.nlh.nlmsg_seq,
			       rep.nlh.nlmsg_len);
			return 1;
		}
	}
	if (recv_within(fd, &rep, QUIET_MS)) {
		printf("client %d: an extra message, seq %u\n", id,
		       rep.nlh.nlmsg_seq);
		return 1;
	}
	return 0;
}

static int raw_concurrent(int clients, int count)
{
	int pipefd[2], i, status, failed = 0;
	pid_t pid;

	if (pipe(pipefd))
		die("pipe", errno);
	fflush(stdout);
	for (i = 0; i < clients; i++) {
		pid = fork();
		if (pid < 0)
			die("fork", errno);
		if (pid == 0) {
			close(pipefd[1]);
			exit(concurrent_client(i, count, pipefd[0]));
		}
	}
	close(pipefd[0]);
	close(pipefd[1]);
	for (i = 0; i < clients; i++) {
		if (wait(&status) < 0)
			die("wait", errno);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	if (failed)
		printf("%d of %d clients failed\n", failed, clients);
	else
		printf("ok: %d clients, %d echoes each, each got its own\n",
		       clients, count);
	return 0;
}

static int raw_malformed(void)
{
	int fd = nl_socket(KCL_NETLINK_UNIT);
	__u32 port = nl_port(fd);
	union buf req;

	/* shorter than a header (netlink refuses to send 0 bytes: ENODATA) */
	send_bytes(fd, "\x10\0\0\0", 4);
	printf("datagram of 4 bytes: %s\n", describe(fd, QUIET_MS));

	/* headers that lie about the message's length (24-byte datagrams) */
	raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST | NLM_F_ACK, 1, port,
		"hi\0\0\0\0\0", 8);
	req.nlh.nlmsg_len = 200;
	send_bytes(fd, &req, 24);
	printf("nlmsg_len 200 in 24 bytes: %s\n", describe(fd, QUIET_MS));
	req.nlh.nlmsg_len = 8;
	send_bytes(fd, &req, 24);
	printf("nlmsg_len 8 in 24 bytes: %s\n", describe(fd, QUIET_MS));
	req.nlh.nlmsg_len = 15;
	send_bytes(fd, &req, 24);
	printf("nlmsg_len 15 in 24 bytes: %s\n", describe(fd, QUIET_MS));

	/* honest headers, payloads that are no string */
	raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST, 2, port, "abcd", 4);
	send_msg(fd, &req.nlh);
	printf("unterminated payload: %s\n", describe(fd, REPLY_MS));
	raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST, 3, port, "", 0);
	send_msg(fd, &req.nlh);
	printf("empty payload: %s\n", describe(fd, REPLY_MS));
	raw_msg(&req, KCL_RAW_ECHO + 1, NLM_F_REQUEST, 4, port, "x", 2);
	send_msg(fd, &req.nlh);
	printf("type 0x%x: %s\n", KCL_RAW_ECHO + 1, describe(fd, REPLY_MS));

	/* and the module still works */
	raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST, 5, port, "still here", 11);
	send_msg(fd, &req.nlh);
	printf("then a good echo: %s\n", describe(fd, REPLY_MS));
	return 0;
}

static int raw_ack(void)
{
	int fd = nl_socket(KCL_NETLINK_UNIT);
	union buf req;

	raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST | NLM_F_ACK, 21,
		nl_port(fd), "ack me", 7);
	send_msg(fd, &req.nlh);
	printf("with NLM_F_ACK: %s,", describe(fd, REPLY_MS));
	printf(" then %s,", describe(fd, REPLY_MS));
	printf(" then %s\n", describe(fd, QUIET_MS));

	raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST, 22, nl_port(fd),
		"no ack", 7);
	send_msg(fd, &req.nlh);
	printf("without NLM_F_ACK: %s,", describe(fd, REPLY_MS));
	printf(" then %s\n", describe(fd, QUIET_MS));
	return 0;
}

/*
 * Echoes the module cannot send: the sender's receive buffer is full (the
 * kernel lets a socket take datagrams until what it holds passes
 * SO_RCVBUF, then refuses the rest), so nlmsg_unicast() fails for the
 * later ones. The kernel echoes before send() returns, so once every
 * request is sent, what the socket holds is all that was delivered.
 */
static int raw_full(int count)
{
	static union buf req, rep;
	char payload[1000];
	int fd = nl_socket(KCL_NETLINK_UNIT);
	int rcvbuf = 4096, replies = 0, i;
	ssize_t n;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		die("set SO_RCVBUF", errno);
	memset(payload, 'f', sizeof(payload) - 1);
	payload[sizeof(payload) - 1] = '\0';
	for (i = 0; i < count; i++) {
		raw_msg(&req, KCL_RAW_ECHO, NLM_F_REQUEST, i + 1, nl_port(fd),
			payload, sizeof(payload));
		send_msg(fd, &req.nlh);
	}
	for (;;) {
		n = recv(fd, rep.bytes, sizeof(rep.bytes), MSG_DONTWAIT);
		/* the overrun is reported once, as ENOBUFS, before the data */
		if (n < 0 && errno == ENOBUFS)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			die("receive", errno);
		if (NLMSG_OK(&rep.nlh, n) && rep.nlh.nlmsg_type == KCL_RAW_ECHO)
			replies++;
	}
	printf("%d echoes to a full socket: %d replies\n", count, replies);
	return 0;
}

/* --- part (b) ------------------------------------------------------------ */

struct family {
	__u16 id;
	__u32 version;
	__u32 group;
};

static struct nlmsghdr *genl_msg(union buf *buf, __u16 type, __u16 flags,
				 __u32 seq, __u8 cmd)
{
	struct genlmsghdr *genl;

	memset(buf, 0, NLMSG_SPACE(GENL_HDRLEN));
	buf->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	buf->nlh.nlmsg_type = type;
	buf->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	buf->nlh.nlmsg_seq = seq;
	genl = NLMSG_DATA(&buf->nlh);
	genl->cmd = cmd;
	genl->version = KCL_GENL_VERSION;
	return &buf->nlh;
}

/* Append an attribute; @len bytes of @data, padded with zeros. */
static void add_attr(union buf *buf, __u16 type, const void *data, size_t len)
{
	struct nlattr *nla;

	nla = (struct nlattr *)(buf->bytes + NLMSG_ALIGN(buf->nlh.nlmsg_len));
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	memset((char *)nla + nla->nla_len, 0,
	       NLA_ALIGN(nla->nla_len) - nla->nla_len);
	buf->nlh.nlmsg_len = NLMSG_ALIGN(buf->nlh.nlmsg_len) +
			     NLA_ALIGN(nla->nla_len);
}

/* The attribute @type among @len bytes at @head, or NULL. */
static struct nlattr *find_attr(void *head, int len, int type)
{
	struct nlattr *nla = head;

	while (len >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&
	       nla->nla_len <= len) {
		if ((nla->nla_type & NLA_TYPE_MASK) == type)
			return nla;
		len -= NLA_ALIGN(nla->nla_len);
		nla = (struct nlattr *)((char *)nla + NLA_ALIGN(nla->nla_len));
	}
	return NULL;
}

static struct nlattr *genl_attr(struct nlmsghdr *nlh, int type)
{
	return find_attr((char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
			 nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), type);
}

static void *nla_payload(struct nlattr *nla)
{
	return (char *)nla + NLA_HDRLEN;
}

/*
 * Send @req on @fd and receive its answer in @rep: 1 for a reply, 0 for an
 * ack, a negative errno for an error (-EAGAIN: no answer).
 */
static int transact(int fd, union buf *req, union buf *rep)
{
	req->nlh.nlmsg_pid = nl_port(fd);
	send_msg(fd, &req->nlh);
	if (!recv_within(fd, rep, REPLY_MS))
		return -EAGAIN;
	if (rep->nlh.nlmsg_seq != req->nlh.nlmsg_seq)
		die("match an answer to its request", EPROTO);
	if (rep->nlh.nlmsg_type == NLMSG_ERROR)
		return msg_error(&rep->nlh);
	return 1;
}

/* Look kcl_genl up: 0, or a negative errno. */
static int resolve(int fd, struct family *fam)
{
	struct nlattr *nla, *groups, *grp, *name, *id;
	union buf req, rep;
	int err, len;

	genl_msg(&req, GENL_ID_CTRL, 0, 1, CTRL_CMD_GETFAMILY);
	add_attr(&req, CTRL_ATTR_FAMILY_NAME, KCL_GENL_NAME,
		 sizeof(KCL_GENL_NAME));
	err = transact(fd, &req, &rep);
	if (err <= 0)
		return err ? err : -EPROTO;

	nla = genl_attr(&rep.nlh, CTRL_ATTR_FAMILY_ID);
	if (!nla)
		return -EPROTO;
	memcpy(&fam->id, nla_payload(nla), sizeof(fam->id));
	nla = genl_attr(&rep.nlh, CTRL_ATTR_VERSION);
	if (!nla)
		return -EPROTO;
	memcpy(&fam->version, nla_payload(nla), sizeof(fam->version));

	groups = genl_attr(&rep.nlh, CTRL_ATTR_MCAST_GROUPS);
	if (!groups)
		return -ENOENT;
	grp = nla_payload(groups);
	len = groups->nla_len - NLA_HDRLEN;
	while (len >= NLA_HDRLEN && grp->nla_len >= NLA_HDRLEN &&
	       grp->nla_len <= len) {
		name = find_attr(nla_payload(grp), grp->nla_len - NLA_HDRLEN,
				 CTRL_ATTR_MCAST_GRP_NAME);
		id = find_attr(nla_payload(grp), grp->nla_len - NLA_HDRLEN,
			       CTRL_ATTR_MCAST_GRP_ID);
		if (name && id && !strcmp(nla_payload(name), KCL_GENL_GROUP)) {
			memcpy(&fam->group, nla_payload(id),
			       sizeof(fam->group));
			return 0;
		}
		len -= NLA_ALIGN(grp->nla_len);
		grp = (struct nlattr *)((char *)grp + NLA_ALIGN(grp->nla_len));
	}
	return -ENOENT;
}

static int genl_socket(struct family *fam)
{
	int fd = nl_socket(NETLINK_GENERIC);
	int err = resolve(fd, fam);

	if (err)
		die("resolve " KCL_GENL_NAME, -err);
	return fd;
}

static int genl_resolve(void)
{
	int fd = nl_socket(NETLINK_GENERIC);
	struct family fam;
	int err = resolve(fd, &fam);

	if (err)
		printf("%s\n", errname(-err));
	else
		printf("%s id=%u version=%u events=%u\n", KCL_GENL_NAME,
		       fam.id, fam.version, fam.group);
	return 0;
}

/*
 * Send @req and describe the answer: "ack", "reply", the errno name; for
 * an echo reply, "reply" only when it carries @expect.
 */
static const char *outcome(int fd, union buf *req, const char *expect)
{
	static union buf rep;
	static char text[80];
	struct nlattr *msg;
	int err = transact(fd, req, &rep);
	size_t len;

	if (err < 0)
		return errname(-err);
	if (!err)
		return "ack";
	if (expect) {
		msg = genl_attr(&rep.nlh, KCL_A_MSG);
		if (!msg || strcmp(nla_payload(msg), expect))
			return "a reply with another text";
		/*
		 * The same attribute, not a bigger one: bytes after the
		 * string's NUL, or in the padding, are bytes nobody wrote.
		 */
		len = NLA_HDRLEN + strlen(expect) + 1;
		if (msg->nla_len != len) {
			snprintf(text, sizeof(text),
				 "a reply whose KCL_A_MSG holds %u bytes, not %zu",
				 msg->nla_len - NLA_HDRLEN, len - NLA_HDRLEN);
			return text;
		}
		for (; len < (size_t)NLA_ALIGN(msg->nla_len); len++)
			if (((unsigned char *)msg)[len])
				return "a reply with stray bytes in its padding";
	}
	return "reply";
}

static int genl_attrs(void)
{
	struct family fam;
	int fd = genl_socket(&fam);
	char text[KCL_GENL_MSG_MAX + 2];
	union buf req, rep;
	struct nlattr *nla;
	__u32 value;
	__u16 half = 5;

	genl_msg(&req, fam.id, 0, 1, KCL_CMD_ECHO);
	printf("echo without KCL_A_MSG: %s\n", outcome(fd, &req, NULL));

	genl_msg(&req, fam.id, 0, 2, KCL_CMD_ECHO);
	add_attr(&req, KCL_A_MSG, "abc", 3);
	printf("echo, KCL_A_MSG unterminated: %s\n", outcome(fd, &req, NULL));

	memset(text, 'x', sizeof(text));
	text[KCL_GENL_MSG_MAX + 1] = '\0';
	genl_msg(&req, fam.id, 0, 3, KCL_CMD_ECHO);
	add_attr(&req, KCL_A_MSG, text, sizeof(text));
	printf("echo, KCL_A_MSG of %d characters: %s\n", KCL_GENL_MSG_MAX + 1,
	       outcome(fd, &req, NULL));

	text[KCL_GENL_MSG_MAX] = '\0';
	genl_msg(&req, fam.id, 0, 4, KCL_CMD_ECHO);
	add_attr(&req, KCL_A_MSG, text, KCL_GENL_MSG_MAX + 1);
	printf("echo, KCL_A_MSG of %d characters: %s\n", KCL_GENL_MSG_MAX,
	       outcome(fd, &req, text));

	genl_msg(&req, fam.id, 0, 5, KCL_CMD_ECHO);
	add_attr(&req, KCL_A_MSG, "", 1);
	printf("echo, KCL_A_MSG empty: %s\n", outcome(fd, &req, ""));

	genl_msg(&req, fam.id, 0, 6, KCL_CMD_ECHO);
	add_attr(&req, KCL_A_MSG, "hi", 3);
	add_attr(&req, KCL_A_MAX + 5, "junk", 4);
	printf("echo with an unknown attribute: %s\n", outcome(fd, &req, NULL));

	genl_msg(&req, fam.id, NLM_F_ACK, 7, KCL_CMD_SET);
	printf("set without KCL_A_VALUE: %s\n", outcome(fd, &req, NULL));

	value = KCL_GENL_VALUE_MAX + 1;
	genl_msg(&req, fam.id, NLM_F_ACK, 8, KCL_CMD_SET);
	add_attr(&req, KCL_A_VALUE, &value, sizeof(value));
	printf("set, KCL_A_VALUE %u: %s\n", value, outcome(fd, &req, NULL));

	value = 0xffffffff;
	genl_msg(&req, fam.id, NLM_F_ACK, 9, KCL_CMD_SET);
	add_attr(&req, KCL_A_VALUE, &value, sizeof(value));
	printf("set, KCL_A_VALUE %u: %s\n", value, outcome(fd, &req, NULL));

	genl_msg(&req, fam.id, NLM_F_ACK, 10, KCL_CMD_SET);
	add_attr(&req, KCL_A_VALUE, &half, sizeof(half));
	printf("set, KCL_A_VALUE of 2 bytes: %s\n", outcome(fd, &req, NULL));

	value = KCL_GENL_VALUE_MAX;
	genl_msg(&req, fam.id, NLM_F_ACK, 11, KCL_CMD_SET);
	add_attr(&req, KCL_A_VALUE, &value, sizeof(value));
	printf("set, KCL_A_VALUE %u: %s\n", value, outcome(fd, &req, NULL));

	genl_msg(&req, fam.id, 0, 12, KCL_CMD_GET);
	if (transact(fd, &req, &rep) != 1)
		die("get the value", EPROTO);
	nla = genl_attr(&rep.nlh, KCL_A_VALUE);
	if (!nla || nla->nla_len != NLA_HDRLEN + sizeof(value))
		die("read KCL_A_VALUE", EPROTO);
	memcpy(&value, nla_payload(nla), sizeof(value));
	printf("get: %u\n", value);
	return 0;
}

static int genl_cmds(void)
{
	static const __u8 cmds[] = { KCL_CMD_UNSPEC, KCL_CMD_EVENT, 99 };
	struct family fam;
	int fd = genl_socket(&fam);
	struct genlmsghdr *genl;
	union buf req;
	size_t i;

	for (i = 0; i < sizeof(cmds); i++) {
		genl_msg(&req, fam.id, NLM_F_ACK, i + 1, cmds[i]);
		printf("command %u: %s\n", cmds[i], outcome(fd, &req, NULL));
	}

	genl_msg(&req, fam.id, NLM_F_DUMP, 10, KCL_CMD_ECHO);
	add_attr(&req, KCL_A_MSG, "dump", 5);
	printf("KCL_CMD_ECHO as a dump: %s\n", outcome(fd, &req, NULL));

	genl_msg(&req, fam.id, 0, 11, KCL_CMD_ECHO);
	add_attr(&req, KCL_A_MSG, "reserved", 9);
	genl = NLMSG_DATA(&req.nlh);
	genl->reserved = 1;
	printf("KCL_CMD_ECHO with a reserved byte set: %s\n",
	       outcome(fd, &req, NULL));
	return 0;
}

/* What an event socket received: "nothing", "event value=V", or else. */
static const char *event_seen(int fd, int ms, const struct family *fam)
{
	static char text[96];
	struct genlmsghdr *genl;
	struct nlattr *nla;
	union buf buf;
	__u32 value;

	if (!recv_within(fd, &buf, ms))
		return "nothing";
	if (buf.nlh.nlmsg_type == NLMSG_ERROR)
		return msg_error(&buf.nlh) ? "an error" : "an ack";
	if (buf.nlh.nlmsg_type != fam->id ||
	    buf.nlh.nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return "a message of another family";
	genl = NLMSG_DATA(&buf.nlh);
	nla = genl_attr(&buf.nlh, KCL_A_VALUE);
	if (genl->cmd != KCL_CMD_EVENT || !nla ||
	    nla->nla_len != NLA_HDRLEN + sizeof(value)) {
		snprintf(text, sizeof(text), "command %u without a value",
			 genl->cmd);
		return text;
	}
	memcpy(&value, nla_payload(nla), sizeof(value));
	snprintf(text, sizeof(text), "event value=%u (seq %u, pid %u)", value,
		 buf.nlh.nlmsg_seq, buf.nlh.nlmsg_pid);
	return text;
}

static int genl_mcast(__u32 value)
{
	struct family fam;
	int member = genl_socket(&fam);
	int outsider = nl_socket(NETLINK_GENERIC);
	int sender = genl_socket(&fam);
	union buf req;

	if (setsockopt(member, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &fam.group, sizeof(fam.group)))
		die("join the group", errno);

	genl_msg(&req, fam.id, NLM_F_ACK, 1, KCL_CMD_SET);
	add_attr(&req, KCL_A_VALUE, &value, sizeof(value));
	printf("set %u: %s\n", value, outcome(sender, &req, NULL));
	printf("member: %s\n", event_seen(member, REPLY_MS, &fam));
	printf("member, then: %s\n", event_seen(member, QUIET_MS, &fam));
	printf("non-member: %s\n", event_seen(outsider, QUIET_MS, &fam));
	printf("sender: %s\n", event_seen(sender, QUIET_MS, &fam));

	if (setsockopt(member, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP,
		       &fam.group, sizeof(fam.group)))
		die("leave the group", errno);
	value++;
	genl_msg(&req, fam.id, NLM_F_ACK, 2, KCL_CMD_SET);
	add_attr(&req, KCL_A_VALUE, &value, sizeof(value));
	printf("set %u: %s\n", value, outcome(sender, &req, NULL));
	printf("member after leaving: %s\n",
	       event_seen(member, QUIET_MS, &fam));
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: nlprobe raw-socket|raw-exact|raw-bogus-pid|raw-malformed|raw-ack\n"
		"       nlprobe raw-concurrent CLIENTS COUNT\n"
		"       nlprobe raw-full COUNT\n"
		"       nlprobe genl-resolve|genl-attrs|genl-cmds\n"
		"       nlprobe genl-mcast VALUE\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(RUN_LIMIT);
	if (argc == 2 && !strcmp(mode, "raw-socket"))
		return raw_socket();
	if (argc == 2 && !strcmp(mode, "raw-exact"))
		return raw_exact();
	if (argc == 2 && !strcmp(mode, "raw-bogus-pid"))
		return raw_bogus_pid();
	if (argc == 4 && !strcmp(mode, "raw-concurrent"))
		return raw_concurrent(atoi(argv[2]), atoi(argv[3]));
	if (argc == 2 && !strcmp(mode, "raw-malformed"))
		return raw_malformed();
	if (argc == 2 && !strcmp(mode, "raw-ack"))
		return raw_ack();
	if (argc == 3 && !strcmp(mode, "raw-full"))
		return raw_full(atoi(argv[2]));
	if (argc == 2 && !strcmp(mode, "genl-resolve"))
		return genl_resolve();
	if (argc == 2 && !strcmp(mode, "genl-attrs"))
		return genl_attrs();
	if (argc == 2 && !strcmp(mode, "genl-cmds"))
		return genl_cmds();
	if (argc == 3 && !strcmp(mode, "genl-mcast"))
		return genl_mcast(strtoul(argv[2], NULL, 10));
	return usage();
}
