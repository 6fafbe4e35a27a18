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
 *   procio race DIR WRITES      a writer of DIR/debug_level on one CPU,
 *                               WRITES times, and readers of it and of
 *                               DIR/context on the others (see do_race);
 *                               prints "ok: N writes, M reads" or what
 *                               went wrong
 *
 * Exit status 0 when the call succeeded, 1 when it failed, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READ_LIMIT	(1 << 20)
#define MAX_CPUS	8
/* the writer's nap after each write, and the most a race may take */
#define NAP_NS		100000
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

/* The numbers of a context dump. */
struct context {
	long reads, writes, level;
};

/* Fills C from TEXT; false unless TEXT is a whole dump, exactly. */
static int parse_context(const char *text, struct context *c)
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
	return !strcmp(end, "\nsecret: kcl-secret-02\n") &&
	       c->level >= 0 && c->level <= 2;
}

static int read_context(const char *path, struct context *c, char *buf,
			size_t size)
{
	return slurp(path, buf, size) >= 0 && parse_context(buf, c);
}

/* Shared by the racers and the parent (a MAP_SHARED mapping). */
struct race {
	volatile int stop;		/* a racer failed: the others stop */
	volatile int done;		/* the writer is done: so are the readers */
	long progress;			/* context reads, all readers together */
	long writes;			/* accepted by the writer */
	long reads[MAX_CPUS];		/* reads of debug_level, per racer */
	char error[MAX_CPUS][200];	/* what went wrong, per racer */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

#define racer_failed(race, id, ...) do {				\
	snprintf((race)->error[id], sizeof((race)->error[id]), __VA_ARGS__); \
	(race)->stop = 1;						\
} while (0)

/* pread(2) at offset 0, where seq_file shows the file anew; NUL-terminated. */
static ssize_t reread(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n < 0 ? 0 : n] = '\0';
	return n;
}

/*
 * The writer, on CPU 0, is the only one that writes: its kth accepted write
 * since the module was loaded sets the level k % 3, so a context in which
 * debug_level is not writes % 3 was read in the middle of a write. Now and
 * then it writes a bad value, which must change nothing, and reads the
 * level back, which must be the one it wrote.
 *
 * After each write it naps until a reader has read the context again: its
 * CPU goes idle, and the next write comes at a moment that has nothing to
 * do with where the reader is, and never twice while the reader stands
 * still. That holds even when the VM's two CPUs take turns on one host
 * core (an emulated VM on a busy host, where a writer in a tight loop
 * makes hundreds of writes while the reader waits for its turn): each
 * write is one more chance to land in the middle of a context being shown.
 */
static void race_writer(struct race *race, const char *level_path,
			long writes, long target, double deadline)
{
	const struct timespec nap = { .tv_nsec = NAP_NS };
	char value[8], back[32];
	int wfd = open(level_path, O_WRONLY), rfd = open(level_path, O_RDONLY);
	long i, seen = 0;

	if (wfd < 0 || rfd < 0) {
		racer_failed(race, 0, "writer: open: %s", strerror(errno));
		return;
	}
	/* naps as long as asked, not 50 us more */
	prctl(PR_SET_TIMERSLACK, 1UL);
	for (i = 0; i < target && !race->stop && now_ms() < deadline; i++) {
		snprintf(value, sizeof(value), "%ld\n", (writes + 1) % 3);
		if (write(wfd, value, 2) != 2) {
			racer_failed(race, 0, "writer: writing %c failed: %s",
				     value[0], strerror(errno));
			return;
		}
		writes++;
		race->writes++;
		do
			nanosleep(&nap, NULL);
		while (__atomic_load_n(&race->progress, __ATOMIC_RELAXED) == seen &&
		       !race->stop && now_ms() < deadline);
		seen = __atomic_load_n(&race->progress, __ATOMIC_RELAXED);
		if (i % 8 == 0 &&
		    (write(wfd, "7\n", 2) != -1 || errno != EINVAL)) {
			racer_failed(race, 0, "writer: 7 was not refused with EINVAL");
			return;
		}
		if (i % 4)
			continue;
		if (reread(rfd, back, sizeof(back)) < 0) {
			racer_failed(race, 0, "writer: reading debug_level: %s",
				     strerror(errno));
			return;
		}
		race->reads[0]++;
		if (strcmp(back, value)) {
			racer_failed(race, 0, "writer: wrote %c, read back \"%.20s\"",
				     value[0], back);
			return;
		}
	}
	close(wfd);
	close(rfd);
}

/*
 * A reader, on CPU ID: every context consistent, and now and then a level
 * 0 to 2. It keeps its files open and reads the context in a tight loop:
 * the more of its time it spends in the middle of showing a context, the
 * more likely a write lands there.
 */
static void race_reader(struct race *race, int id, const char *level_path,
			const char *context_path, double deadline)
{
	char buf[512];
	struct context c;
	long i, last_writes = 0;
	int rfd = open(level_path, O_RDONLY), cfd = open(context_path, O_RDONLY);

	if (rfd < 0 || cfd < 0) {
		racer_failed(race, id, "reader: open: %s", strerror(errno));
		return;
	}
	for (i = 0; !race->stop && !race->done &&
	     (i % 16 || now_ms() < deadline); i++) {
		if (reread(cfd, buf, sizeof(buf)) < 0 || !parse_context(buf, &c)) {
			racer_failed(race, id, "reader: context read \"%.150s\"",
				     buf);
			return;
		}
		if (c.level != c.writes % 3 || c.writes < last_writes) {
			racer_failed(race, id,
				     "reader: context says writes: %ld, debug_level: %ld, after writes: %ld (a write seen half done)",
				     c.writes, c.level, last_writes);
			return;
		}
		last_writes = c.writes;
		__atomic_add_fetch(&race->progress, 1, __ATOMIC_RELAXED);
		if (i % 16)
			continue;
		if (reread(rfd, buf, sizeof(buf)) < 0) {
			racer_failed(race, id, "reader: reading debug_level: %s",
				     strerror(errno));
			return;
		}
		race->reads[id]++;
		if (!valid_level(buf)) {
			racer_failed(race, id, "reader: debug_level read \"%.20s\"",
				     buf);
			return;
		}
	}
	close(rfd);
	close(cfd);
}

/*
 * A writer of WRITES levels and readers, each pinned to a CPU of its own so
 * that they really run at the same time. A context that does not take its
 * lock around every access shows here: a dump read in the middle of a
 * write, or a count that lost an update. On a host so slow that WRITES
 * take more than RACE_MAX_MS, what was done by then is judged.
 */
static int do_race(const char *dir, long target)
{
	char level_path[256], context_path[256], buf[512];
	struct context before, after;
	long reads = 0;
	int i, cpus, racers, status, failed = 0;
	struct race *race;
	double deadline;
	pid_t pid;

	buf[0] = '\0';
	snprintf(level_path, sizeof(level_path), "%s/debug_level", dir);
	snprintf(context_path, sizeof(context_path), "%s/context", dir);
	/* one racer per CPU; on one CPU (VM_CPUS=1) two, which cannot race */
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpus = cpus < 1 ? 1 : cpus > MAX_CPUS ? MAX_CPUS : cpus;
	racers = cpus < 2 ? 2 : cpus;
	race = mmap(NULL, sizeof(*race), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (race == MAP_FAILED) {
		perror("procio: mmap");
		return 1;
	}
	if (!read_context(context_path, &before, buf, sizeof(buf))) {
		printf("race: context read \"%.150s\"\n", buf);
		return 1;
	}
	if (before.level != before.writes % 3) {
		printf("race: context says writes: %ld, debug_level: %ld; start from a fresh module\n",
		       before.writes, before.level);
		return 1;
	}
	fflush(stdout);
	deadline = now_ms() + RACE_MAX_MS;
	for (i = 0; i < racers; i++) {
		pid = fork();
		if (pid < 0) {
			perror("procio: fork");
			race->stop = 1;
			break;
		}
		if (pid == 0) {
			pin_to_cpu(i % cpus);
			if (i == 0) {
				race_writer(race, level_path, before.writes,
					    target, deadline);
				race->done = 1;
			} else {
				race_reader(race, i, level_path, context_path,
					    deadline);
			}
			_exit(0);
		}
	}
	while (wait(&status) > 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	}
	for (i = 0; i < racers; i++) {
		if (race->error[i][0]) {
			printf("%s\n", race->error[i]);
			failed = 1;
		}
		reads += race->reads[i];
	}
	if (failed)
		return 1;
	if (!read_context(context_path, &after, buf, sizeof(buf))) {
		printf("race: context read \"%.150s\"\n", buf);
		return 1;
	}
	if (after.writes - before.writes != race->writes ||
	    after.reads - before.reads != reads) {
		printf("race: %ld writes and %ld reads of debug_level made, the context counted %ld and %ld\n",
		       race->writes, reads, after.writes - before.writes,
		       after.reads - before.reads);
		return 1;
	}
	printf("ok: %ld writes, %ld reads\n", race->writes, reads);
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
		return do_race(argv[2], atol(argv[3]));
	return usage();
}
