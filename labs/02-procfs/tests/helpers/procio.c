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
 *   procio race DIR WRITES      a writer of DIR/debug_level, WRITES times,
 *                               and readers of it and of DIR/context, each
 *                               on a CPU of its own (see level_race);
 *                               prints "ok: N writes, M reads" or what
 *                               went wrong
 *
 * Exit status 0 when the call succeeded, 1 when it failed, 2 on bad usage.
 */
#include "kcl-race.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#define READ_LIMIT	(1 << 20)
#define RACE_MAX_MS	20000

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

/*
 * The race: the driver keeps its context behind one lock, a level of 0 to
 * 2 in DIR/debug_level, and DIR/context, a dump that starts with
 *
 *	reads: N		reads of debug_level
 *	writes: N		accepted writes to debug_level
 *	debug_level: N
 *
 * followed by lines the race does not change. A writer of the level and
 * readers of both files race (kcl-race.h). A context that does not take
 * its lock around every access shows here: a dump read in the middle of a
 * write, or a count that lost an update.
 */
#define LEVEL_RACE_TEXT_MAX	512

/* The numbers of a context dump, and where the lines after them start. */
struct level_context {
	long reads, writes, level;
	const char *rest;
};

/* What the racers share. */
struct level_race {
	char level_path[256], context_path[256];
	long writes;			/* to make */
	struct level_context before;	/* the context at the start */
	char text[LEVEL_RACE_TEXT_MAX];	/* ... as read */
};

/* Fills C from TEXT; false unless TEXT starts with the three lines. */
static int level_context_parse(const char *text, struct level_context *c)
{
	char *end;

	if (strncmp(text, "reads: ", 7))
		return 0;
	c->reads = strtol(text + 7, &end, 10);
	if (strncmp(end, "\nwrites: ", 9))
		return 0;
	c->writes = strtol(end + 9, &end, 10);
	if (strncmp(end, "\ndebug_level: ", 14))
		return 0;
	c->level = strtol(end + 14, &end, 10);
	if (*end != '\n' || c->level < 0 || c->level > 2)
		return 0;
	c->rest = end + 1;
	return 1;
}

/* Reads and parses PATH into C, the text into BUF. */
static int level_context_read(const char *path, struct level_context *c,
			      char *buf, size_t size)
{
	return read_path(path, buf, size) > 0 && level_context_parse(buf, c);
}

static int level_valid(const char *text)
{
	return !strcmp(text, "0\n") || !strcmp(text, "1\n") ||
	       !strcmp(text, "2\n");
}

/*
 * The writer is the only one that writes: its kth accepted write since the
 * module was loaded sets the level k % 3, so a context in which debug_level
 * is not writes % 3 was read in the middle of a write. Now and then it
 * writes a bad value, which must change nothing, and reads the level back,
 * which must be the one it wrote.
 */
static void level_race_writer(struct race *race, int id, void *arg)
{
	struct level_race *lr = arg;
	int wfd = open(lr->level_path, O_WRONLY);
	int rfd = open(lr->level_path, O_RDONLY);
	char value[8], back[32];
	long i, seen = 0;

	if (wfd < 0 || rfd < 0) {
		race_failed(race, id, "writer: open: %s", strerror(errno));
		return;
	}
	for (i = 0; i < lr->writes && race_on(race); i++) {
		snprintf(value, sizeof(value), "%ld\n",
			 (lr->before.writes + i + 1) % 3);
		if (write(wfd, value, 2) != 2) {
			race_failed(race, id, "writer: writing %c failed: %s",
				    value[0], strerror(errno));
			return;
		}
		race->changes = i + 1;
		race_nap(race, &seen);
		if (i % 8 == 0 &&
		    (write(wfd, "7\n", 2) != -1 || errno != EINVAL)) {
			race_failed(race, id, "writer: 7 was not refused with EINVAL");
			return;
		}
		if (i % 4)
			continue;
		if (reread(rfd, back, sizeof(back)) < 0) {
			race_failed(race, id, "writer: reading debug_level: %s",
				    strerror(errno));
			return;
		}
		race->reads[id]++;
		if (strcmp(back, value)) {
			race_failed(race, id, "writer: wrote %c, read back \"%.20s\"",
				    value[0], back);
			return;
		}
	}
	close(wfd);
	close(rfd);
}

/*
 * A reader: every context consistent, and now and then a level 0 to 2. It
 * keeps its files open and reads the context in a tight loop: the more of
 * its time it spends in the middle of showing a context, the more likely a
 * write lands there.
 */
static void level_race_reader(struct race *race, int id, void *arg)
{
	struct level_race *lr = arg;
	int rfd = open(lr->level_path, O_RDONLY);
	int cfd = open(lr->context_path, O_RDONLY);
	char buf[LEVEL_RACE_TEXT_MAX];
	long i, last_writes = 0;
	struct level_context c;

	if (rfd < 0 || cfd < 0) {
		race_failed(race, id, "reader: open: %s", strerror(errno));
		return;
	}
	for (i = 0; race_reading(race, i); i++) {
		if (reread(cfd, buf, sizeof(buf)) < 0 ||
		    !level_context_parse(buf, &c) ||
		    strcmp(c.rest, lr->before.rest)) {
			race_failed(race, id, "reader: context read \"%.150s\"",
				    buf);
			return;
		}
		if (c.level != c.writes % 3 || c.writes < last_writes) {
			race_failed(race, id,
				    "reader: context says writes: %ld, debug_level: %ld, after writes: %ld (a write seen half done)",
				    c.writes, c.level, last_writes);
			return;
		}
		last_writes = c.writes;
		race_read_done(race);
		if (i % 16)
			continue;
		if (reread(rfd, buf, sizeof(buf)) < 0) {
			race_failed(race, id, "reader: reading debug_level: %s",
				    strerror(errno));
			return;
		}
		race->reads[id]++;
		if (!level_valid(buf)) {
			race_failed(race, id, "reader: debug_level read \"%.20s\"",
				    buf);
			return;
		}
	}
	close(rfd);
	close(cfd);
}

/*
 * WRITES writes of the level in DIR, with readers, for at most RACE_MAX_MS;
 * then the context must have counted every read of debug_level and every
 * write.
 * Prints "ok: N writes, M reads" (0) or what went wrong (1).
 */
static int level_race(const char *dir, long writes)
{
	/* the racers' copy of it is their own, made by fork() */
	struct level_race lr = { .writes = writes };
	char text[LEVEL_RACE_TEXT_MAX];
	struct level_context after;
	struct race *race;

	snprintf(lr.level_path, sizeof(lr.level_path), "%s/debug_level", dir);
	snprintf(lr.context_path, sizeof(lr.context_path), "%s/context", dir);
	if (!level_context_read(lr.context_path, &lr.before, lr.text,
				sizeof(lr.text))) {
		printf("race: context read \"%.150s\"\n", lr.text);
		return 1;
	}
	if (lr.before.level != lr.before.writes % 3) {
		printf("race: context says writes: %ld, debug_level: %ld; start from a fresh module\n",
		       lr.before.writes, lr.before.level);
		return 1;
	}
	race = race_new(RACE_MAX_MS);
	if (!race || race_run(race, level_race_writer, level_race_reader, &lr))
		return 1;
	if (!level_context_read(lr.context_path, &after, text, sizeof(text))) {
		printf("race: context read \"%.150s\"\n", text);
		return 1;
	}
	if (after.writes - lr.before.writes != race->changes ||
	    after.reads - lr.before.reads != race_reads(race)) {
		printf("race: %ld writes and %ld reads of debug_level made, the context counted %ld and %ld\n",
		       race->changes, race_reads(race),
		       after.writes - lr.before.writes,
		       after.reads - lr.before.reads);
		return 1;
	}
	printf("ok: %ld writes, %ld reads\n", race->changes, race_reads(race));
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: procio write FILE DATA | badwrite FILE | badread FILE |\n"
		"              read FILE SIZE | race DIR WRITES\n");
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
	if (argc == 4 && !strcmp(argv[1], "race") && atol(argv[3]) > 0)
		return level_race(argv[2], atol(argv[3]));
	return usage();
}
