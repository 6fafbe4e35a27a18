/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kcl-race.h: a writer and readers of one device's state, each a process
 * pinned to a CPU of its own so that they really run at the same time: the
 * lab tests' way to make a missing lock show.
 *
 * The writer (racer 0, on CPU 0) changes the state; a reader on every other
 * CPU reads it again and again until the writer is done, and fails when it
 * sees a state nobody wrote. After each change the writer naps until a
 * reader made progress (race_nap): its CPU goes idle, and the next change
 * comes at a moment that has nothing to do with where the reader is, and
 * never twice while the reader stands still. That holds even when the VM's
 * CPUs take turns on one host core (an emulated VM on a busy host, where a
 * writer in a tight loop makes hundreds of changes while the reader waits
 * for its turn): each change is one more chance to land in the middle of a
 * read.
 *
 * On a host so slow that the race takes more than its time, what was done
 * by then is judged.
 */
#ifndef KCL_RACE_H
#define KCL_RACE_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RACE_MAX_RACERS	8
/* the writer's nap after each change */
#define RACE_NAP_NS	100000

/* Shared by the racers and the parent (a MAP_SHARED mapping). */
struct race {
	volatile int stop;		/* a racer failed: the others stop */
	volatile int done;		/* the writer is done: so are the readers */
	double deadline;		/* CLOCK_MONOTONIC ms: time is up */
	long progress;			/* reads, all readers together */
	long changes;			/* accepted by the writer */
	long reads[RACE_MAX_RACERS];	/* counted reads, per racer */
	char error[RACE_MAX_RACERS][200];	/* what went wrong, per racer */
};

/* A racer: ID 0 is the writer, the others readers. */
typedef void race_fn(struct race *race, int id, void *arg);

#define race_failed(race, id, ...) do {					\
	snprintf((race)->error[id], sizeof((race)->error[id]), __VA_ARGS__); \
	(race)->stop = 1;						\
} while (0)

static inline double race_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline int online_cpus(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus < 1 ? 1 : cpus;
}

/* The CPUs a race uses: one racer each. */
static inline int race_cpus(void)
{
	int cpus = online_cpus();

	return cpus > RACE_MAX_RACERS ? RACE_MAX_RACERS : cpus;
}

/* Pins the caller to CPU INDEX modulo the CPUs there are; 0 or -1. */
static inline int pin_to_cpu(int index)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(index % online_cpus(), &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* pread(2) at offset 0, where a proc or sysfs file is shown anew;
 * NUL-terminated. */
static inline ssize_t reread(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n < 0 ? 0 : n] = '\0';
	return n;
}

/* One read of the file at PATH into BUF, NUL-terminated; -1 on error. */
static inline ssize_t read_path(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -1;
	n = reread(fd, buf, size);
	close(fd);
	return n;
}

/* Whether the racers go on: none failed and time is not up. */
static inline int race_on(struct race *race)
{
	return !race->stop && race_now_ms() < race->deadline;
}

/* Whether a reader goes on, checking the clock every 16th read: most of
 * its time goes to the reads themselves. */
static inline int race_reading(struct race *race, long i)
{
	return !race->stop && !race->done &&
	       (i % 16 || race_now_ms() < race->deadline);
}

/* A reader's read of the state, once checked. */
static inline void race_read_done(struct race *race)
{
	__atomic_add_fetch(&race->progress, 1, __ATOMIC_RELAXED);
}

/* The writer, after a change: naps until a reader read again since SEEN. */
static inline void race_nap(struct race *race, long *seen)
{
	const struct timespec nap = { .tv_nsec = RACE_NAP_NS };

	do
		nanosleep(&nap, NULL);
	while (__atomic_load_n(&race->progress, __ATOMIC_RELAXED) == *seen &&
	       race_on(race));
	*seen = __atomic_load_n(&race->progress, __ATOMIC_RELAXED);
}

/* A race that stops after MAX_MS, or NULL (and a message). */
static inline struct race *race_new(double max_ms)
{
	struct race *race = mmap(NULL, sizeof(*race), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (race == MAP_FAILED) {
		perror("race: mmap");
		return NULL;
	}
	race->deadline = race_now_ms() + max_ms;
	return race;
}

/*
 * Runs WRITER and a READER per other CPU (on one CPU, VM_CPUS=1, one
 * reader, which cannot race), each in a process pinned to its CPU, and
 * waits for them. Returns 0 when none failed; else prints what went wrong
 * and returns 1.
 */
static inline int race_run(struct race *race, race_fn *writer,
			   race_fn *reader, void *arg)
{
	int cpus = race_cpus(), racers = cpus < 2 ? 2 : cpus;
	int i, status, failed = 0;
	pid_t pid;

	fflush(stdout);
	for (i = 0; i < racers; i++) {
		pid = fork();
		if (pid < 0) {
			perror("race: fork");
			race->stop = 1;
			failed = 1;
			break;
		}
		if (pid == 0) {
			/* naps as long as asked, not 50 us more */
			prctl(PR_SET_TIMERSLACK, 1UL);
			pin_to_cpu(i);
			if (i == 0) {
				writer(race, 0, arg);
				race->done = 1;
			} else {
				reader(race, i, arg);
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
	}
	return failed;
}

/* The reads every racer counted. */
static inline long race_reads(const struct race *race)
{
	long reads = 0;
	int i;

	for (i = 0; i < RACE_MAX_RACERS; i++)
		reads += race->reads[i];
	return reads;
}

#endif /* KCL_RACE_H */
