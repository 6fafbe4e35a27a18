// SPDX-License-Identifier: GPL-2.0
/*
 * pipetool - lab 07's client: one read(2), one write(2) or one poll(2) on a
 * pipe device, and a line saying what happened.
 *
 *   pipetool [-n] read DEVICE MAX     one read of at most MAX bytes
 *                                     prints "read N: DATA"
 *   pipetool [-n] write DEVICE TEXT   one write of TEXT's bytes (no newline)
 *                                     prints "wrote N"
 *   pipetool poll DEVICE in|out|both TIMEOUT_MS
 *                                     waits until the device is readable
 *                                     (in), writable (out) or either (both),
 *                                     at most TIMEOUT_MS (-1: no limit);
 *                                     prints "poll: timeout" or "poll:"
 *                                     and the names of the events returned
 *
 * -n opens the device with O_NONBLOCK: a read or write that would have to
 * wait fails at once with EAGAIN instead.
 *
 * A failed call prints "pipetool: CALL: MESSAGE" (strerror) on stderr and
 * exits with 1; bad usage exits with 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kcl_pipe.h"

static char buf[KCL_READ_MAX];

/* Every poll(2) event bit, in the order pipetool prints them. */
static const struct {
	short bit;
	const char *name;
} poll_events[] = {
	{ POLLIN, "POLLIN" },
	{ POLLPRI, "POLLPRI" },
	{ POLLOUT, "POLLOUT" },
	{ POLLERR, "POLLERR" },
	{ POLLHUP, "POLLHUP" },
	{ POLLNVAL, "POLLNVAL" },
	{ POLLRDNORM, "POLLRDNORM" },
	{ POLLRDBAND, "POLLRDBAND" },
	{ POLLWRNORM, "POLLWRNORM" },
	{ POLLWRBAND, "POLLWRBAND" },
};

static void usage(void)
{
	fprintf(stderr,
		"usage: pipetool [-n] read DEVICE MAX\n"
		"       pipetool [-n] write DEVICE TEXT\n"
		"       pipetool poll DEVICE in|out|both TIMEOUT_MS\n");
	exit(2);
}

/* The call failed: say which, and why. */
static int fail(const char *call)
{
	fprintf(stderr, "pipetool: %s: %s\n", call, strerror(errno));
	return 1;
}

/* The flags for open(2): access mode, plus O_NONBLOCK for -n. */
static int open_flags(int access, int nonblock)
{
	/* TODO 9: add O_NONBLOCK when -n was given */
	(void)nonblock;
	return access;
}

/* One read(2) of at most max bytes; "read N: DATA". */
static int do_read(int fd, size_t max)
{
	/* TODO 10: one read, then print what it returned */
	(void)fd;
	(void)max;
	(void)buf;
	fprintf(stderr, "pipetool: read: not written yet\n");
	return 1;
}

/* One write(2) of the text; "wrote N", N may be less than its length. */
static int do_write(int fd, const char *text)
{
	/* TODO 11: one write, then print how much it took */
	(void)fd;
	(void)text;
	fprintf(stderr, "pipetool: write: not written yet\n");
	return 1;
}

/* poll(2) for the events of which ("in", "out" or "both"). */
static int do_poll(int fd, const char *which, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd };
	int ret;

	/* TODO 12: the events to wait for: normal data in, room out */
	(void)which;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return fail("poll");
	if (ret == 0) {
		printf("poll: timeout\n");
		return 0;
	}

	/* TODO 13: print "poll:" and the name of each event in revents */
	(void)poll_events;
	printf("poll: %#x\n", pfd.revents);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd, *path;
	int nonblock = 0, access, fd, opt, ret;
	long number = 0;
	char *end;

	while ((opt = getopt(argc, argv, "+n")) != -1) {
		if (opt != 'n')
			usage();
		nonblock = 1;
	}
	argc -= optind;
	argv += optind;
	if (argc < 3)
		usage();
	cmd = argv[0];
	path = argv[1];

	if (!strcmp(cmd, "read") && argc == 3) {
		errno = 0;
		number = strtol(argv[2], &end, 10);
		if (errno || *end || number < 1 || number > KCL_READ_MAX)
			usage();
		access = O_RDONLY;
	} else if (!strcmp(cmd, "write") && argc == 3) {
		access = O_WRONLY;
	} else if (!strcmp(cmd, "poll") && argc == 4) {
		if (strcmp(argv[2], "in") && strcmp(argv[2], "out") &&
		    strcmp(argv[2], "both"))
			usage();
		errno = 0;
		number = strtol(argv[3], &end, 10);
		if (errno || *end || number < -1 || number > 3600000)
			usage();
		access = O_RDWR;
	} else {
		usage();
	}

	fd = open(path, open_flags(access, nonblock));
	if (fd < 0) {
		fprintf(stderr, "pipetool: open %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	if (!strcmp(cmd, "read"))
		ret = do_read(fd, number);
	else if (!strcmp(cmd, "write"))
		ret = do_write(fd, argv[2]);
	else
		ret = do_poll(fd, argv[2], number);
	close(fd);
	return ret;
}
