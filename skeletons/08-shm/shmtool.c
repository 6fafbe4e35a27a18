// SPDX-License-Identifier: GPL-2.0
/*
 * shmtool - lab 08's client: the consumer of the ring in /dev/kcl_shm.
 *
 *   shmtool info                    the geometry of the shared area
 *   shmtool stats                   head, tail, dropped and bad_tail
 *   shmtool produce N               asks the kernel for N records
 *   shmtool consume N [--timeout MS]
 *                                   maps the area, consumes N records
 *                                   (waiting in poll(2) when the ring is
 *                                   empty) and checks their sequence
 *                                   numbers: gaps and duplicates
 *
 * A failed call prints "shmtool: CALL: MESSAGE" (strerror) on stderr and
 * exits with 1; bad usage exits with 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kcl_shm.h"

#define DEVICE	"/dev/" KCL_SHM_NAME

static long page_size;

static void usage(void)
{
	fprintf(stderr,
		"usage: shmtool info\n"
		"       shmtool stats\n"
		"       shmtool produce N\n"
		"       shmtool consume N [--timeout MS]\n");
	exit(2);
}

/* The call failed: say which, and why; exit with 1. */
static void fail(const char *call)
{
	fprintf(stderr, "shmtool: %s: %s\n", call, strerror(errno));
	exit(1);
}

/* A number from min to max, or bad usage. */
static long number(const char *text, long min, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end || end == text || value < min || value > max)
		usage();
	return value;
}

static int open_device(void)
{
	int fd = open(DEVICE, O_RDWR);

	if (fd < 0) {
		fprintf(stderr, "shmtool: open %s: %s\n", DEVICE,
			strerror(errno));
		exit(1);
	}
	return fd;
}

/* The control page, mapped read-write at offset 0. */
static struct kcl_shm_ctrl *map_ctrl(int fd)
{
	/* TODO 11: map one page, shared, read-write, at offset 0 */
	(void)fd;
	errno = ENOSYS;
	fail("mmap");
	return NULL;
}

/* The data pages, mapped read-only at offset data_offset. */
static const struct kcl_shm_record *map_data(int fd,
					     const struct kcl_shm_ctrl *ctrl)
{
	/* TODO 12: map data_size bytes, shared, read-only */
	(void)fd;
	(void)ctrl;
	errno = ENOSYS;
	fail("mmap");
	return NULL;
}

static int do_info(int fd)
{
	struct kcl_shm_ctrl *ctrl = map_ctrl(fd);

	printf("%u records of %u bytes, data pages at offset %u, %u bytes\n",
	       ctrl->nr_records, ctrl->record_size, ctrl->data_offset,
	       ctrl->data_size);
	return 0;
}

static int do_stats(int fd)
{
	struct kcl_shm_ctrl *ctrl = map_ctrl(fd);
	uint64_t head, tail, dropped, bad_tail;

	/* TODO 13: read head (acquire), tail, dropped, bad_tail */
	head = tail = dropped = bad_tail = 0;
	(void)ctrl;
	printf("head %" PRIu64 " tail %" PRIu64 " dropped %" PRIu64
	       " bad_tail %" PRIu64 "\n", head, tail, dropped, bad_tail);
	return 0;
}

static int do_produce(int fd, long n)
{
	/* TODO 14: one write(2) of the count, in decimal */
	(void)fd;
	(void)n;
	errno = ENOSYS;
	fail("write");
	printf("asked for %ld records\n", n);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Wait in poll(2) until the ring is not empty, at most until deadline
 * (milliseconds of now_ms(), negative: no limit). Returns 0 on timeout.
 */
static int wait_readable(int fd, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int timeout = -1, ret;

	if (deadline >= 0) {
		timeout = (int)(deadline - now_ms() + 0.999);
		if (timeout <= 0)
			return 0;
	}
	ret = poll(&pfd, 1, timeout);
	if (ret < 0 && errno != EINTR)
		fail("poll");
	return ret != 0;
}

static int do_consume(int fd, long n, long timeout_ms)
{
	struct kcl_shm_ctrl *ctrl = map_ctrl(fd);
	const struct kcl_shm_record *records = map_data(fd, ctrl);
	double deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	uint64_t first = 0, last = 0, missing = 0, duplicates = 0;
	long got = 0;

	/* TODO 15: consume n records: acquire head, read, release tail */
	(void)records;
	(void)deadline;
	(void)n;
	(void)wait_readable;
	fprintf(stderr, "shmtool: consume: not written yet\n");
	return 1;
	printf("consumed %ld records: seq %" PRIu64 " to %" PRIu64 ", %"
	       PRIu64 " missing, %" PRIu64 " duplicates\n", got, first, last,
	       missing, duplicates);
	return missing || duplicates;
}

int main(int argc, char **argv)
{
	long n = 0, timeout_ms = -1;
	int fd, ret;

	page_size = sysconf(_SC_PAGESIZE);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "info") || !strcmp(argv[1], "stats")) {
		if (argc != 2)
			usage();
	} else if (!strcmp(argv[1], "produce")) {
		if (argc != 3)
			usage();
		n = number(argv[2], 1, KCL_SHM_PRODUCE_MAX);
	} else if (!strcmp(argv[1], "consume")) {
		if (argc != 3 && !(argc == 5 && !strcmp(argv[3], "--timeout")))
			usage();
		n = number(argv[2], 1, 100000000);
		if (argc == 5)
			timeout_ms = number(argv[4], 0, 3600000);
	} else {
		usage();
	}

	fd = open_device();
	if (!strcmp(argv[1], "info"))
		ret = do_info(fd);
	else if (!strcmp(argv[1], "stats"))
		ret = do_stats(fd);
	else if (!strcmp(argv[1], "produce"))
		ret = do_produce(fd, n);
	else
		ret = do_consume(fd, n, timeout_ms);
	close(fd);
	return ret;
}
