// SPDX-License-Identifier: GPL-2.0
/*
 * badwrite: one write(2) of 2 bytes from an address no process has mapped,
 * for the lab 04 tests; prints the error's name (EFAULT) or what the call
 * returned.
 *
 *   badwrite FILE
 *
 * Exit status 0 when the write failed, 1 when it did not, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	/* computed at run time: the compiler would warn about a constant */
	volatile uintptr_t bad = 1;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: badwrite FILE\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		printf("open %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	n = write(fd, (const void *)bad, 2);
	if (n >= 0) {
		printf("wrote %zd\n", n);
		return 1;
	}
	printf("%s\n", strerrorname_np(errno) ?: strerror(errno));
	return 0;
}
