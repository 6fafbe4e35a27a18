// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl_client - lab 06: the user-space side of /dev/kcl_ioctl.
 *
 *   ioctl_client [-d DEVICE] query            print the driver's status
 *   ioctl_client [-d DEVICE] set LEVEL LIMIT  debug_level and limit (root)
 *   ioctl_client [-d DEVICE] add N            add N to the counter, print it
 *   ioctl_client [-d DEVICE] reset            back to the defaults (root)
 *
 * One more command is left out of the usage message on purpose: "dump"
 * prints the whole driver context (root), through the undocumented
 * KCL_IOC_DUMP.
 *
 * Numbers are decimal. The client checks only that they are numbers and fit
 * their field: whether a value is allowed is the driver's decision, and its
 * answer is reported as it is. Output on stdout, one "name: value" a line;
 * errors on stderr as "ioctl_client: WHAT: REASON". Exit status: 0 done,
 * 1 refused (by the system or the driver), 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kcl_ioctl.h"

#define PROG	"ioctl_client"

static int usage(void)
{
	fprintf(stderr,
		"usage: " PROG " [-d DEVICE] COMMAND [ARG...]\n"
		"  query            print the driver's status\n"
		"  set LEVEL LIMIT  debug_level 0-2, limit 1-1000 (root)\n"
		"  add N            add N (1 to limit), print the counter\n"
		"  reset            counter to 0, settings to defaults (root)\n"
		"DEVICE defaults to " KCL_IOCTL_DEVICE ".\n");
	return 2;
}

/* Report a failed call with errno's message; returns the exit status. */
static int report(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
	return 1;
}

/*
 * A decimal number from 0 to max, digits only: no sign, no spaces, no
 * other base. Returns 0, or -1 when the text is not such a number.
 */
static int parse_number(const char *text, uint64_t max, uint64_t *value)
{
	uint64_t result = 0;
	const char *p;

	if (!*text)
		return -1;
	for (p = text; *p; p++) {
		unsigned int digit = (unsigned char)*p - '0';

		if (digit > 9 || result > (max - digit) / 10)
			return -1;
		result = result * 10 + digit;
	}
	*value = result;
	return 0;
}

static int cmd_query(int fd)
{
	/* SOLUTION: TODO 13: KCL_IOC_QUERY, then the status's five lines */
	struct kcl_ioctl_status status;

	if (ioctl(fd, KCL_IOC_QUERY, &status) < 0)
		return report("query");
	printf("version: %" PRIu32 "\n", status.version);
	printf("debug_level: %" PRIu32 "\n", status.debug_level);
	printf("limit: %" PRIu32 "\n", status.limit);
	printf("opens: %" PRIu32 "\n", status.opens);
	printf("counter: %" PRIu64 "\n", (uint64_t)status.counter);
	return 0;
	/* SKELETON: (void)fd; */
	/* SKELETON: errno = ENOSYS; */
	/* SKELETON: return report("query"); */
	/* END SOLUTION */
}

static int cmd_set(int fd, uint32_t level, uint32_t limit)
{
	/* SOLUTION: TODO 14: KCL_IOC_SET, every field of the config set */
	/* the initializer zeroes what it does not name: reserved is 0 */
	struct kcl_ioctl_config config = {
		.debug_level = level,
		.limit = limit,
	};

	if (ioctl(fd, KCL_IOC_SET, &config) < 0)
		return report("set");
	return 0;
	/* SKELETON: (void)fd; */
	/* SKELETON: (void)level; */
	/* SKELETON: (void)limit; */
	/* SKELETON: errno = ENOSYS; */
	/* SKELETON: return report("set"); */
	/* END SOLUTION */
}

static int cmd_add(int fd, uint64_t add)
{
	/* SOLUTION: TODO 15: KCL_IOC_EXCHANGE, then "counter: N" */
	struct kcl_ioctl_exchange xchg = { .add = add };

	if (ioctl(fd, KCL_IOC_EXCHANGE, &xchg) < 0)
		return report("add");
	printf("counter: %" PRIu64 "\n", (uint64_t)xchg.counter);
	return 0;
	/* SKELETON: (void)fd; */
	/* SKELETON: (void)add; */
	/* SKELETON: errno = ENOSYS; */
	/* SKELETON: return report("add"); */
	/* END SOLUTION */
}

static int cmd_reset(int fd)
{
	/* SOLUTION: TODO 16: KCL_IOC_RESET, which takes no argument */
	if (ioctl(fd, KCL_IOC_RESET) < 0)
		return report("reset");
	return 0;
	/* SKELETON: (void)fd; */
	/* SKELETON: errno = ENOSYS; */
	/* SKELETON: return report("reset"); */
	/* END SOLUTION */
}

static int cmd_dump(int fd)
{
	/* SOLUTION: TODO 17: KCL_IOC_DUMP, then the six lines of the context */
	struct kcl_ioctl_context ctx;

	if (ioctl(fd, KCL_IOC_DUMP, &ctx) < 0)
		return report("dump");
	printf("counter: %" PRIu64 "\n", (uint64_t)ctx.counter);
	printf("opens: %" PRIu32 "\n", ctx.opens);
	printf("commands: %" PRIu32 "\n", ctx.commands);
	printf("debug_level: %" PRIu32 "\n", ctx.debug_level);
	printf("limit: %" PRIu32 "\n", ctx.limit);
	/* at most the array's size, even if the driver forgot the NUL */
	printf("secret: %.*s\n", (int)sizeof(ctx.secret),
	       (const char *)ctx.secret);
	return 0;
	/* SKELETON: (void)fd; */
	/* SKELETON: errno = ENOSYS; */
	/* SKELETON: return report("dump"); */
	/* END SOLUTION */
}

int main(int argc, char **argv)
{
	const char *device = KCL_IOCTL_DEVICE;
	uint64_t first = 0, second = 0;
	const char *command;
	int opt, nargs, fd, status;

	while ((opt = getopt(argc, argv, "+d:")) != -1) {
		if (opt != 'd')
			return usage();
		device = optarg;
	}
	if (optind >= argc)
		return usage();
	command = argv[optind];
	nargs = argc - optind - 1;

	/* check the words before opening anything */
	if (!strcmp(command, "set")) {
		if (nargs != 2 ||
		    parse_number(argv[optind + 1], UINT32_MAX, &first) ||
		    parse_number(argv[optind + 2], UINT32_MAX, &second))
			return usage();
	} else if (!strcmp(command, "add")) {
		if (nargs != 1 ||
		    parse_number(argv[optind + 1], UINT64_MAX, &first))
			return usage();
	} else if (strcmp(command, "query") && strcmp(command, "reset") &&
		   strcmp(command, "dump")) {
		return usage();
	} else if (nargs != 0) {
		return usage();
	}

	fd = open(device, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return report(device);

	if (!strcmp(command, "query"))
		status = cmd_query(fd);
	else if (!strcmp(command, "set"))
		status = cmd_set(fd, (uint32_t)first, (uint32_t)second);
	else if (!strcmp(command, "add"))
		status = cmd_add(fd, first);
	else if (!strcmp(command, "reset"))
		status = cmd_reset(fd);
	else
		status = cmd_dump(fd);

	close(fd);
	return status;
}
