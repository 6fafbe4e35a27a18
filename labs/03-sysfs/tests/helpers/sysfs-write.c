// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs-write: write to a file with exactly one write(2), and say what the
 * kernel answered. Shell redirections (echo 7 > file) cannot show that: they
 * add a newline, may split a long write, retry a write that returned 0, and
 * print errors in words that depend on the shell.
 *
 *   sysfs-write FILE TEXT            write TEXT as given (no newline added)
 *   sysfs-write FILE -n COUNT CHAR   write COUNT copies of the character CHAR
 *
 * Prints one line, and exits 0 only when all bytes were written:
 *   write: ok N            write(2) returned N
 *   open: error ENAME      open(2) failed (e.g. EACCES for a read-only file)
 *   write: error ENAME     write(2) failed (e.g. EINVAL, ERANGE)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown errno";
}

static void usage(void)
{
	fprintf(stderr, "usage: sysfs-write FILE TEXT\n"
		"       sysfs-write FILE -n COUNT CHAR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *text;
	char *data;
	size_t len;
	ssize_t ret;
	int fd;

	if (argc == 3) {
		text = argv[2];
		len = strlen(text);
		data = strdup(text);
	} else if (argc == 5 && !strcmp(argv[2], "-n") && strlen(argv[4]) == 1) {
		char *end;

		len = strtoul(argv[3], &end, 10);
		if (*end || end == argv[3])
			usage();
		data = malloc(len ? len : 1);
		if (data)
			memset(data, argv[4][0], len);
	} else {
		usage();
		return 2;
	}
	if (!data) {
		perror("sysfs-write");
		return 2;
	}

	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		printf("open: error %s\n", errno_name(errno));
		return 1;
	}
	ret = write(fd, data, len);
	if (ret < 0) {
		printf("write: error %s\n", errno_name(errno));
		close(fd);
		return 1;
	}
	printf("write: ok %zd\n", ret);
	close(fd);
	free(data);
	return (size_t)ret == len ? 0 : 3;
}
