// SPDX-License-Identifier: GPL-2.0
/*
 * nlattrs: the attribute functions of the submission's nlclient.c, put_attr
 * and parse_attrs (tasks 18 and 19), given messages no kernel would send:
 * attributes that claim more bytes than there are, lengths below a header,
 * bytes left over, a message that just fits. Includes nlclient.c itself,
 * its main renamed (its own names prefixed nlattrs_, not to clash with the
 * submission's), and prints one line per case for the lab 05 tests.
 *
 *   nlattrs       run every case
 */
#define main nlclient_main
#include "nlclient.c"
#undef main

#define NLATTRS_MAX_TYPE	3

/* Attributes one after the other, as a peer might send them. */
struct nlattrs_bytes {
	unsigned char bytes[64];
	int len;
};

/* Appends an attribute header claiming nla_len, then data_len bytes. */
static void nlattrs_add(struct nlattrs_bytes *a, __u16 type, __u16 nla_len,
			int data_len)
{
	struct nlattr nla = { .nla_len = nla_len, .nla_type = type };

	memcpy(a->bytes + a->len, &nla, sizeof(nla));
	memset(a->bytes + a->len + NLA_HDRLEN, 'a' + type, data_len);
	a->len += NLA_HDRLEN + data_len;
}

static void nlattrs_pad(struct nlattrs_bytes *a, int n)
{
	memset(a->bytes + a->len, 0, n);
	a->len += n;
}

/* "NAME: RESULT, found TYPES" with the offsets of what parse_attrs kept. */
static void nlattrs_parse(const char *name, struct nlattrs_bytes *a)
{
	struct nlattr *tb[NLATTRS_MAX_TYPE + 1];
	int ret, type;

	memset(tb, 0x5a, sizeof(tb));	/* parse_attrs must clear it */
	ret = parse_attrs(tb, NLATTRS_MAX_TYPE, a->bytes, a->len);
	printf("parse %s: %s", name, ret == -EPROTO ? "EPROTO" :
	       ret ? "an error other than EPROTO" : "ok");
	if (!ret) {
		printf(", found");
		for (type = 0; type <= NLATTRS_MAX_TYPE; type++) {
			if (tb[type])
				printf(" %d@%ld", type,
				       (long)((unsigned char *)tb[type] - a->bytes));
		}
	}
	putchar('\n');
	/* the next case starts from nothing */
	memset(a, 0, sizeof(*a));
}

static void nlattrs_parse_cases(void)
{
	struct nlattrs_bytes a = { .len = 0 };

	nlattrs_add(&a, 1, 8, 4);
	nlattrs_add(&a, 2, 5, 1);
	nlattrs_pad(&a, 3);
	nlattrs_parse("two attributes, the second padded", &a);

	nlattrs_add(&a, 1, 8, 4);
	nlattrs_add(&a, 2, 5, 1);
	nlattrs_parse("the last one unpadded", &a);

	nlattrs_add(&a, 1, 8, 4);
	nlattrs_add(&a, 3, NLA_HDRLEN, 0);
	nlattrs_parse("an empty attribute last", &a);

	nlattrs_add(&a, 2 | NLA_F_NESTED, 8, 4);
	nlattrs_add(&a, 0, 8, 4);
	nlattrs_add(&a, NLATTRS_MAX_TYPE + 1, 8, 4);
	nlattrs_parse("a nested flag, types 0 and past the max", &a);

	nlattrs_add(&a, 1, 8, 4);
	nlattrs_pad(&a, 3);
	nlattrs_parse("3 bytes left over", &a);

	nlattrs_add(&a, 1, 8, 4);
	nlattrs_add(&a, 2, 12, 4);
	nlattrs_parse("a length past the end", &a);

	nlattrs_add(&a, 1, 8, 4);
	nlattrs_add(&a, 2, 9, 4);
	nlattrs_parse("a length one past the end", &a);

	nlattrs_add(&a, 1, 3, 4);
	nlattrs_parse("a length below a header", &a);

	/* last, so that no attribute after it fails instead */
	nlattrs_add(&a, 1, 3, 0);
	nlattrs_parse("a length of 3, the last", &a);

	nlattrs_parse("nothing", &a);
}

/* put_attr into a message already holding len bytes; "NAME: RESULT". */
static void nlattrs_put(const char *name, union msg_buf *msg, __u32 len, __u16 size)
{
	static char data[MSG_BUF_SIZE];
	int ret, i, padded = 1;

	memset(msg->bytes, 0xff, sizeof(msg->bytes));
	msg->nlh.nlmsg_len = len;
	memset(data, 'x', sizeof(data));
	ret = put_attr(&msg->nlh, 1, data, size);
	printf("put %s: %s", name, ret == -EMSGSIZE ? "EMSGSIZE" :
	       ret ? "an error other than EMSGSIZE" : "ok");
	if (!ret) {
		struct nlattr *nla = (void *)(msg->bytes + NLMSG_ALIGN(len));

		for (i = nla->nla_len; i < (int)NLA_ALIGN(nla->nla_len); i++)
			padded &= ((char *)nla)[i] == 0;
		printf(", nlmsg_len %u, nla_len %u, padding %s",
		       msg->nlh.nlmsg_len, nla->nla_len,
		       padded ? "zeros" : "not zeros");
	} else if (msg->nlh.nlmsg_len != len) {
		printf(", but nlmsg_len changed");
	}
	putchar('\n');
}

static void nlattrs_put_cases(void)
{
	static union msg_buf msg;
	__u32 start = NLMSG_LENGTH(GENL_HDRLEN);

	nlattrs_put("3 bytes", &msg, start, 3);
	nlattrs_put("3 bytes after an unaligned message", &msg, start + 1, 3);
	nlattrs_put("exactly what fits", &msg, start, MSG_BUF_SIZE - start - NLA_HDRLEN);
	nlattrs_put("one byte more", &msg, start, MSG_BUF_SIZE - start - NLA_HDRLEN + 1);
	nlattrs_put("into a full message", &msg, MSG_BUF_SIZE, 0);
}

int main(void)
{
	nlattrs_parse_cases();
	nlattrs_put_cases();
	return 0;
}
