// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs-race: a writer and readers of the secret of one device, each pinned
 * to a CPU of its own so that they really run at the same time.
 *
 *   sysfs-race DEVDIR STORES
 *
 * The writer, on CPU 0, stores two secrets in turn into DEVDIR/secret, 31
 * a's and 31 b's, STORES times, now and then one that must be refused, and
 * reads back the one it stored; a reader on every other CPU reads the
 * secret again and again until the writer is done. A store that copies the
 * secret while a show prints it, without the context's lock on both sides,
 * shows as a secret that was never written: a's then b's. Afterwards,
 * DEVDIR/reads and DEVDIR/writes must have counted every show and store: a
 * count updated outside the lock loses some.
 *
 * After each store the writer naps until a reader has shown the secret
 * again: its CPU goes idle, and the next store comes at a moment that has
 * nothing to do with where the reader is, and never twice while the reader
 * stands still. That holds even when the VM's two CPUs take turns on one
 * host core (an emulated VM on a busy host, where a writer in a tight loop
 * makes hundreds of stores while the reader waits for its turn): each
 * store is one more chance to land in the middle of a show.
 *
 * Prints "ok: N stores, M shows", or what went wrong (exit 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPUS	8
#define SECRET_LEN	31
#define SECRET_DEFAULT	"kcl-secret-03\n"
/* the writer's nap after each store, and the most a race may take */
#define NAP_NS		100000
#define RACE_MAX_MS	20000

/* Shared by the racers and the parent (a MAP_SHARED mapping). */
struct race {
	volatile int stop;		/* a racer failed: the others stop */
	volatile int done;		/* the writer is done: so are the readers */
	long progress;			/* shows, all readers together */
	long stores;			/* accepted by the writer */
	long shows[MAX_CPUS];		/* reads of the secret, per racer */
	char error[MAX_CPUS][200];	/* what went wrong, per racer */
};

static char secrets[2][SECRET_LEN + 2];	/* the two secrets, newline ended */

#define racer_failed(race, id, ...) do {				\
	snprintf((race)->error[id], sizeof((race)->error[id]), __VA_ARGS__); \
	(race)->stop = 1;						\
} while (0)

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

/* pread(2) at offset 0, which shows the attribute anew; NUL-terminated. */
static ssize_t reread(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n < 0 ? 0 : n] = '\0';
	return n;
}

/* A number and a newline from FILE, or -1. */
static long read_count(const char *dir, const char *name)
{
	char path[300], buf[32];
	long value = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (reread(fd, buf, sizeof(buf)) > 0)
		value = strtol(buf, NULL, 10);
	close(fd);
	return value;
}

static void writer(struct race *race, const char *path, long target,
		   double deadline)
{
	const struct timespec nap = { .tv_nsec = NAP_NS };
	char back[64];
	const char *secret;
	int fd = open(path, O_RDWR);
	long i, seen = 0;

	if (fd < 0) {
		racer_failed(race, 0, "writer: open: %s", strerror(errno));
		return;
	}
	/* naps as long as asked, not 50 us more */
	prctl(PR_SET_TIMERSLACK, 1UL);
	for (i = 0; i < target && !race->stop && now_ms() < deadline; i++) {
		secret = secrets[i % 2];
		/* without its newline: the store must not need one */
		if (pwrite(fd, secret, SECRET_LEN, 0) != SECRET_LEN) {
			racer_failed(race, 0, "writer: storing %.3s... failed: %s",
				     secret, strerror(errno));
			return;
		}
		race->stores++;
		do
			nanosleep(&nap, NULL);
		while (__atomic_load_n(&race->progress, __ATOMIC_RELAXED) == seen &&
		       !race->stop && now_ms() < deadline);
		seen = __atomic_load_n(&race->progress, __ATOMIC_RELAXED);
		if (i % 8 == 0 &&
		    (pwrite(fd, "two words", 9, 0) != -1 || errno != EINVAL)) {
			racer_failed(race, 0,
				     "writer: \"two words\" was not refused with EINVAL");
			return;
		}
		if (i % 4)
			continue;
		if (reread(fd, back, sizeof(back)) < 0) {
			racer_failed(race, 0, "writer: reading back: %s",
				     strerror(errno));
			return;
		}
		race->shows[0]++;
		if (strcmp(back, secret)) {
			racer_failed(race, 0, "writer: stored %.31s, read back \"%.40s\"",
				     secret, back);
			return;
		}
	}
	close(fd);
}

static void reader(struct race *race, int id, const char *path,
		   double deadline)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	long i;

	if (fd < 0) {
		racer_failed(race, id, "reader: open: %s", strerror(errno));
		return;
	}
	/* until the writer is done (the deadline, should it die, checked every
	 * 16 reads: most of the reader's time goes to reads) */
	for (i = 0; !race->stop && !race->done &&
	     (i % 16 || now_ms() < deadline); i++) {
		if (reread(fd, buf, sizeof(buf)) < 0) {
			racer_failed(race, id, "reader: %s", strerror(errno));
			return;
		}
		race->shows[id]++;
		__atomic_add_fetch(&race->progress, 1, __ATOMIC_RELAXED);
		if (strcmp(buf, secrets[0]) && strcmp(buf, secrets[1]) &&
		    strcmp(buf, SECRET_DEFAULT)) {
			racer_failed(race, id,
				     "reader: read \"%.40s\", a secret nobody wrote (a store seen half done)",
				     buf);
			return;
		}
	}
	close(fd);
}

int main(int argc, char **argv)
{
	long reads0, writes0, reads1, writes1, shows = 0;
	int i, cpus, racers, status, failed = 0;
	long target;
	char path[300];
	struct race *race;
	double deadline;
	pid_t pid;

	if (argc != 3 || (target = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: sysfs-race DEVDIR STORES\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(secrets[0], 'a', SECRET_LEN);
	memset(secrets[1], 'b', SECRET_LEN);
	secrets[0][SECRET_LEN] = secrets[1][SECRET_LEN] = '\n';
	snprintf(path, sizeof(path), "%s/secret", argv[1]);
	/* one racer per CPU; on one CPU (VM_CPUS=1) two, which cannot race */
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpus = cpus < 1 ? 1 : cpus > MAX_CPUS ? MAX_CPUS : cpus;
	racers = cpus < 2 ? 2 : cpus;
	race = mmap(NULL, sizeof(*race), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (race == MAP_FAILED) {
		perror("sysfs-race: mmap");
		return 1;
	}
	reads0 = read_count(argv[1], "reads");
	writes0 = read_count(argv[1], "writes");
	if (reads0 < 0 || writes0 < 0) {
		printf("race: cannot read %s/reads and writes\n", argv[1]);
		return 1;
	}
	/* on a host so slow that STORES take longer, judge what was done */
	deadline = now_ms() + RACE_MAX_MS;
	for (i = 0; i < racers; i++) {
		pid = fork();
		if (pid < 0) {
			perror("sysfs-race: fork");
			race->stop = 1;
			break;
		}
		if (pid == 0) {
			pin_to_cpu(i % cpus);
			if (i == 0) {
				writer(race, path, target, deadline);
				race->done = 1;
			} else {
				reader(race, i, path, deadline);
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
		shows += race->shows[i];
	}
	if (failed)
		return 1;
	reads1 = read_count(argv[1], "reads");
	writes1 = read_count(argv[1], "writes");
	if (reads1 - reads0 != shows || writes1 - writes0 != race->stores) {
		printf("race: %ld stores and %ld shows of the secret made, the device counted %ld writes and %ld reads\n",
		       race->stores, shows, writes1 - writes0, reads1 - reads0);
		return 1;
	}
	printf("ok: %ld stores, %ld shows\n", race->stores, shows);
	return 0;
}
