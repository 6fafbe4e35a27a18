// SPDX-License-Identifier: GPL-2.0
/*
 * canary: check that a short read(2) writes exactly what it returns, for
 * the lab 04 tests.
 *
 *   canary FILE COUNT...
 *
 * For each COUNT: open FILE, fill a 4096-byte buffer with a canary byte,
 * read(fd, buf, COUNT) once, and check that the call returned COUNT, that
 * those bytes are the first COUNT bytes of the file (as one big read gives
 * them), and that not one byte after them changed. Prints one line per
 * COUNT; exit status 0 when all pass, 1 when one fails, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE	4096
#define CANARY		0xa5

static unsigned char whole[BUF_SIZE];
static unsigned char buf[BUF_SIZE];

/* The file's first bytes, with one big read. */
static ssize_t read_whole(const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		printf("open %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = read(fd, whole, sizeof(whole));
	if (n < 0)
		printf("read %s: %s\n", path, strerror(errno));
	close(fd);
	return n;
}

static int check(const char *path, size_t count, ssize_t size)
{
	ssize_t n;
	size_t i;
	int fd;

	if (count == 0 || count > (size_t)size) {
		printf("read of %zu: the file has only %zd bytes\n",
		       count, size);
		return 1;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("open %s: %s\n", path, strerror(errno));
		return 1;
	}
	memset(buf, CANARY, sizeof(buf));
	n = read(fd, buf, count);
	close(fd);
	if (n < 0) {
		printf("read of %zu: %s\n", count, strerror(errno));
		return 1;
	}
	if ((size_t)n != count) {
		printf("read of %zu returned %zd\n", count, n);
		return 1;
	}
	for (i = count; i < sizeof(buf); i++) {
		if (buf[i] != CANARY) {
			printf("read of %zu: byte %zu, past it, changed\n",
			       count, i);
			return 1;
		}
	}
	if (memcmp(buf, whole, count)) {
		printf("read of %zu: not the file's first %zu bytes\n",
		       count, count);
		return 1;
	}
	printf("read of %zu: ok\n", count);
	return 0;
}

int main(int argc, char **argv)
{
	ssize_t size;
	int i, failed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: canary FILE COUNT...\n");
		return 2;
	}
	size = read_whole(argv[1]);
	if (size < 0)
		return 1;
	for (i = 2; i < argc; i++)
		failed |= check(argv[1], strtoul(argv[i], NULL, 10), size);
	return failed;
}
