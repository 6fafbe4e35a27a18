// SPDX-License-Identifier: GPL-2.0
/*
 * insmod-failing: load a module while making the Nth allocation of its
 * code fail, so tests can check that init undoes every step (debug kernel).
 *
 *   insmod-failing N MODULE.ko [PARAM=VALUE...]
 *
 * The kernel's fault injection fails the Nth allocation the calling thread
 * makes once N is written to /proc/thread-self/fail-nth. The failslab
 * settings (the bats helper fail_allocations_in_modules) count only the
 * allocations with a module's code on the stack: the module's, not those
 * the kernel makes to load it. The thread that loads must be the one that
 * wrote N (a child starts at 0), and reading fail-nth back after the load
 * says whether the Nth allocation came: 0 if it was made to fail.
 *
 * Prints one line, "allocation N failed: init returned ENAME" (exit 1),
 * "allocation N failed: the module loaded anyway" or "allocation N not
 * reached: the module loaded" (exit 0); exit 2 when it could not try.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FAIL_NTH "/proc/thread-self/fail-nth"

static void die(const char *what)
{
	fprintf(stderr, "insmod-failing: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* The module parameters, as insmod passes them: one space-separated string. */
static char *join(int argc, char **argv)
{
	size_t len = 1;
	char *params;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	params = calloc(1, len);
	if (!params)
		die("parameters");
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(params, " ");
		strcat(params, argv[i]);
	}
	return params;
}

int main(int argc, char **argv)
{
	char *end, *params, left[32] = "";
	int module, fail_nth, ret, load_errno;
	unsigned long nth;
	ssize_t len;

	if (argc < 3) {
		fprintf(stderr,
			"usage: insmod-failing N MODULE.ko [PARAM=VALUE...]\n");
		return 2;
	}
	errno = 0;
	nth = strtoul(argv[1], &end, 10);
	if (errno || *end || !nth || nth > 100000) {
		fprintf(stderr, "insmod-failing: N must be 1 to 100000: %s\n",
			argv[1]);
		return 2;
	}
	params = join(argc - 3, argv + 3);
	module = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (module < 0)
		die(argv[2]);
	fail_nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (fail_nth < 0)
		die(FAIL_NTH " (a kernel without fault injection?)");
	if (dprintf(fail_nth, "%lu", nth) < 0)
		die("writing " FAIL_NTH);

	ret = syscall(SYS_finit_module, module, params, 0);
	load_errno = errno;

	len = pread(fail_nth, left, sizeof(left) - 1, 0);
	if (len < 0)
		die("reading " FAIL_NTH);
	left[len] = '\0';
	/* a load that never came that far leaves the count set: clear it */
	if (dprintf(fail_nth, "0") < 0)
		die("clearing " FAIL_NTH);
	if (ret) {
		printf("allocation %lu %s: init returned %s\n", nth,
		       atoi(left) ? "not reached" : "failed",
		       strerrorname_np(load_errno) ?: "an unknown error");
		return 1;
	}
	printf("allocation %lu %s\n", nth, atoi(left) ?
	       "not reached: the module loaded" :
	       "failed: the module loaded anyway");
	return 0;
}
