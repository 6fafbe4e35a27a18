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
	/* SOLUTION: TODO 11: map one page, shared, read-write, at offset 0 */
	void *p = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);

	if (p == MAP_FAILED)
		fail("mmap");
	return p;
	/* SKELETON: (void)fd; */
	/* SKELETON: errno = ENOSYS; */
	/* SKELETON: fail("mmap"); */
	/* SKELETON: return NULL; */
	/* END SOLUTION */
}

/* The data pages, mapped read-only at offset data_offset. */
static const struct kcl_shm_record *map_data(int fd,
					     const struct kcl_shm_ctrl *ctrl)
{
	/* SOLUTION: TODO 12: map data_size bytes, shared, read-only */
	void *p = mmap(NULL, ctrl->data_size, PROT_READ, MAP_SHARED, fd,
		       ctrl->data_offset);

	if (p == MAP_FAILED)
		fail("mmap");
	return p;
	/* SKELETON: (void)fd; */
	/* SKELETON: (void)ctrl; */
	/* SKELETON: errno = ENOSYS; */
	/* SKELETON: fail("mmap"); */
	/* SKELETON: return NULL; */
	/* END SOLUTION */
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

	/* SOLUTION: TODO 13: read head (acquire), tail, dropped, bad_tail */
	head = __atomic_load_n(&ctrl->head, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&ctrl->tail, __ATOMIC_RELAXED);
	dropped = __atomic_load_n(&ctrl->dropped, __ATOMIC_RELAXED);
	bad_tail = __atomic_load_n(&ctrl->bad_tail, __ATOMIC_RELAXED);
	/* SKELETON: head = tail = dropped = bad_tail = 0; */
	/* SKELETON: (void)ctrl; */
	/* END SOLUTION */
	printf("head %" PRIu64 " tail %" PRIu64 " dropped %" PRIu64
	       " bad_tail %" PRIu64 "\n", head, tail, dropped, bad_tail);
	return 0;
}

static int do_produce(int fd, long n)
{
	/* SOLUTION: TODO 14: one write(2) of the count, in decimal */
	char text[32];
	int len = snprintf(text, sizeof(text), "%ld\n", n);

	if (write(fd, text, len) < 0)
		fail("write");
	/* SKELETON: (void)fd; */
	/* SKELETON: (void)n; */
	/* SKELETON: errno = ENOSYS; */
	/* SKELETON: fail("write"); */
	/* END SOLUTION */
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

	/* SOLUTION: TODO 15: consume n records: acquire head, read, release tail */
	uint32_t nr = ctrl->nr_records;
	/* the only writer of tail is this process: no ordering needed here */
	uint64_t tail = __atomic_load_n(&ctrl->tail, __ATOMIC_RELAXED);
	uint64_t head, expected = tail;

	while (got < n) {
		/* acquire: the records before head are all written */
		head = __atomic_load_n(&ctrl->head, __ATOMIC_ACQUIRE);
		if (head == tail) {
			if (!wait_readable(fd, deadline)) {
				fprintf(stderr, "shmtool: timeout after %ld of %ld records\n",
					got, n);
				return 1;
			}
			continue;
		}
		while (tail != head && got < n) {
			uint64_t seq = records[tail % nr].seq;

			if (!got)
				first = seq;
			last = seq;
			if (seq > expected) {
				missing += seq - expected;
				expected = seq + 1;
			} else if (seq < expected) {
				duplicates++;
			} else {
				expected++;
			}
			got++;
			tail++;
			/* release: the slot was read before it is given back */
			__atomic_store_n(&ctrl->tail, tail, __ATOMIC_RELEASE);
		}
	}
	/* SKELETON: (void)records; */
	/* SKELETON: (void)deadline; */
	/* SKELETON: (void)n; */
	/* SKELETON: (void)wait_readable; */
	/* SKELETON: fprintf(stderr, "shmtool: consume: not written yet\n"); */
	/* SKELETON: return 1; */
	/* END SOLUTION */
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
