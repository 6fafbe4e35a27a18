// SPDX-License-Identifier: GPL-2.0
/*
 * procio: exact reads and writes on /proc files for the lab 02 tests, where
 * the shell cannot say how many system calls it makes or with what buffer.
 *
 *   procio write FILE DATA      one write(2) of DATA (no newline added);
 *                               prints "wrote N", or the errno name
 *   procio badwrite FILE        write(2) from an invalid address
 *   procio badread FILE         read(2) into an invalid address
 *   procio read FILE SIZE       read(2) with a SIZE-byte buffer up to EOF,
 *                               copy to stdout; fails past 1 MiB
 *   procio race DIR ROUNDS      2 writers and 2 readers of DIR/debug_level
 *                               and DIR/context at once; prints
 *                               "ok: N writes accepted" or what went wrong
 *
 * Exit status 0 when the call succeeded, 1 when it failed, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define READ_LIMIT	(1 << 20)
#define WRITERS		2
#define READERS		2

static const char *errno_name(int err)
{
	switch (err) {
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EIO: return "EIO";
	case ERANGE: return "ERANGE";
	case ENOENT: return "ENOENT";
	case ENOMEM: return "ENOMEM";
	case EBADF: return "EBADF";
	default: return "errno";
	}
}

static int report_errno(int err)
{
	if (!strcmp(errno_name(err), "errno"))
		printf("errno %d\n", err);
	else
		printf("%s\n", errno_name(err));
	return 1;
}

static int open_or_report(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		report_errno(errno);
	return fd;
}

/* An address no process has mapped; computed at run time so that the
 * compiler does not warn about a constant bad pointer. */
static void *bad_address(void)
{
	volatile uintptr_t addr = 1;

	return (void *)addr;
}

static int do_write(const char *path, const char *data)
{
	int fd = open_or_report(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return 1;
	n = write(fd, data, strlen(data));
	if (n < 0)
		return report_errno(errno);
	printf("wrote %zd\n", n);
	close(fd);
	return 0;
}

static int do_bad(const char *path, int writing)
{
	int fd = open_or_report(path, writing ? O_WRONLY : O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 1;
	if (writing)
		n = write(fd, bad_address(), 2);
	else
		n = read(fd, bad_address(), 64);
	if (n < 0)
		return report_errno(errno);
	printf("%s %zd bytes\n", writing ? "wrote" : "read", n);
	close(fd);
	return 0;
}

static int do_read(const char *path, size_t size)
{
	char *buf = malloc(size);
	size_t total = 0;
	ssize_t n;
	int fd;

	if (!buf) {
		perror("procio: malloc");
		return 1;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "procio: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, size)) > 0) {
		total += n;
		if (total > READ_LIMIT) {
			fprintf(stderr, "procio: %s: still no end of file after %d bytes\n",
				path, READ_LIMIT);
			return 1;
		}
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			return 1;
	}
	if (n < 0) {
		fprintf(stderr, "procio: %s: read: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);
	free(buf);
	return 0;
}

/* The whole content of a small file, NUL-terminated; -1 on error. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	if (n < 0)
		return -1;
	buf[total] = '\0';
	return total;
}

static int valid_level(const char *text)
{
	return !strcmp(text, "0\n") || !strcmp(text, "1\n") || !strcmp(text, "2\n");
}

/* Writes ROUNDS valid levels, each followed (every third round) by an
 * invalid one that must be refused with EINVAL. */
static int race_writer(const char *path, int id, int rounds)
{
	char value[4];
	int fd = open(path, O_WRONLY);
	int i;

	if (fd < 0) {
		printf("writer: open: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < rounds; i++) {
		snprintf(value, sizeof(value), "%d\n", (i + id) % 3);
		if (write(fd, value, 2) != 2) {
			printf("writer: write of a valid level failed: %s\n",
			       strerror(errno));
			return 1;
		}
		if (i % 3 == 0) {
			if (write(fd, "7\n", 2) != -1 || errno != EINVAL) {
				printf("writer: 7 was not refused with EINVAL\n");
				return 1;
			}
		}
	}
	close(fd);
	return 0;
}

static int race_reader(const char *level_path, const char *context_path,
		       int rounds)
{
	char buf[512], *line;
	int i;

	for (i = 0; i < rounds; i++) {
		if (slurp(level_path, buf, sizeof(buf)) < 0) {
			printf("reader: debug_level: %s\n", strerror(errno));
			return 1;
		}
		if (!valid_level(buf)) {
			printf("reader: debug_level read \"%s\"\n", buf);
			return 1;
		}
		if (slurp(context_path, buf, sizeof(buf)) < 0) {
			printf("reader: context: %s\n", strerror(errno));
			return 1;
		}
		line = strstr(buf, "debug_level: ");
		if (!line || line[13] < '0' || line[13] > '2' ||
		    line[14] != '\n' || !strstr(buf, "secret: kcl-secret-02\n")) {
			printf("reader: context read \"%s\"\n", buf);
			return 1;
		}
	}
	return 0;
}

static int do_race(const char *dir, int rounds)
{
	char level_path[256], context_path[256];
	int i, status, failed = 0;
	pid_t pid;

	snprintf(level_path, sizeof(level_path), "%s/debug_level", dir);
	snprintf(context_path, sizeof(context_path), "%s/context", dir);
	fflush(stdout);
	for (i = 0; i < WRITERS + READERS; i++) {
		pid = fork();
		if (pid < 0) {
			perror("procio: fork");
			return 1;
		}
		if (pid == 0) {
			if (i < WRITERS)
				_exit(race_writer(level_path, i, rounds));
			_exit(race_reader(level_path, context_path, rounds));
		}
	}
	while (wait(&status) > 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	}
	if (failed)
		return 1;
	printf("ok: %d writes accepted\n", WRITERS * rounds);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: procio write FILE DATA | badwrite FILE | badread FILE |\n"
		"              read FILE SIZE | race DIR ROUNDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "write"))
		return do_write(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "badwrite"))
		return do_bad(argv[2], 1);
	if (argc == 3 && !strcmp(argv[1], "badread"))
		return do_bad(argv[2], 0);
	if (argc == 4 && !strcmp(argv[1], "read") && atoi(argv[3]) > 0) {
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
		return do_read(argv[2], atoi(argv[3]));
	}
	if (argc == 4 && !strcmp(argv[1], "race") && atoi(argv[3]) > 0)
		return do_race(argv[2], atoi(argv[3]));
	return usage();
}
