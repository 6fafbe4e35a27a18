// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs-poll: wait until a sysfs attribute announces a change.
 *
 *   sysfs-poll FILE TIMEOUT_MS
 *
 * The way user space waits on a sysfs file: open it, read it (the read
 * marks the value as seen), then poll(2) for POLLPRI|POLLERR. The kernel
 * reports those once the driver calls sysfs_notify() for the file; then
 * seek back to 0 and read the new value. Prints:
 *
 *   waiting VALUE          after the first read, just before poll(2)
 *   woke after N ms: VALUE poll(2) reported the change (exit 0)
 *   timeout after N ms     nothing within TIMEOUT_MS (exit 1)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Read the whole value from offset 0, without its trailing newline. */
static int read_value(int fd, char *buf, size_t size)
{
	ssize_t len;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	len = read(fd, buf, size - 1);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	struct pollfd pfd;
	char value[4096];
	long timeout, start;
	char *end;
	int fd, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: sysfs-poll FILE TIMEOUT_MS\n");
		return 2;
	}
	timeout = strtol(argv[2], &end, 10);
	if (*end || end == argv[2] || timeout < 0) {
		fprintf(stderr, "sysfs-poll: bad timeout %s\n", argv[2]);
		return 2;
	}

	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || read_value(fd, value, sizeof(value))) {
		printf("error %s\n", strerrorname_np(errno));
		return 2;
	}
	printf("waiting %s\n", value);
	fflush(stdout);

	pfd.fd = fd;
	pfd.events = POLLPRI | POLLERR;
	start = now_ms();
	ret = poll(&pfd, 1, (int)timeout);
	if (ret < 0) {
		printf("error %s\n", strerrorname_np(errno));
		return 2;
	}
	if (ret == 0) {
		printf("timeout after %ld ms\n", now_ms() - start);
		return 1;
	}
	if (read_value(fd, value, sizeof(value))) {
		printf("error %s\n", strerrorname_np(errno));
		return 2;
	}
	printf("woke after %ld ms: %s\n", now_ms() - start, value);
	return 0;
}
