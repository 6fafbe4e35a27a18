// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs-race: a writer and readers of the secret of one device, each pinned
 * to a CPU of its own (see kcl-race.h).
 *
 *   sysfs-race DEVDIR STORES
 *
 * The writer stores two secrets in turn into DEVDIR/secret, 31 a's and 31
 * b's, STORES times, now and then one that must be refused, and reads back
 * the one it stored; the readers read the secret again and again until the
 * writer is done. A store that copies the secret while a show prints it,
 * without the context's lock on both sides, shows as a secret that was
 * never written: a's then b's. Afterwards, DEVDIR/reads and DEVDIR/writes
 * must have counted every show and store: a count updated outside the lock
 * loses some.
 *
 * Prints "ok: N stores, M shows", or what went wrong (exit 1).
 */
#include "kcl-race.h"

#include <errno.h>
#include <fcntl.h>

#define SECRET_LEN	31
#define SECRET_DEFAULT	"kcl-secret-03\n"
#define RACE_MAX_MS	20000

static char secrets[2][SECRET_LEN + 2];	/* the two secrets, newline ended */

struct target {
	char path[300];			/* DEVDIR/secret */
	long stores;			/* to make */
};

/* A number and a newline from DIR/NAME, or -1. */
static long read_count(const char *dir, const char *name)
{
	char path[300], buf[32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_path(path, buf, sizeof(buf)) > 0 ? strtol(buf, NULL, 10) : -1;
}

static void writer(struct race *race, int id, void *arg)
{
	struct target *target = arg;
	int fd = open(target->path, O_RDWR);
	long i, seen = 0;
	const char *secret;
	char back[64];

	if (fd < 0) {
		race_failed(race, id, "writer: open: %s", strerror(errno));
		return;
	}
	for (i = 0; i < target->stores && race_on(race); i++) {
		secret = secrets[i % 2];
		/* without its newline: the store must not need one */
		if (pwrite(fd, secret, SECRET_LEN, 0) != SECRET_LEN) {
			race_failed(race, id, "writer: storing %.3s... failed: %s",
				    secret, strerror(errno));
			return;
		}
		race->changes = i + 1;
		race_nap(race, &seen);
		if (i % 8 == 0 &&
		    (pwrite(fd, "two words", 9, 0) != -1 || errno != EINVAL)) {
			race_failed(race, id,
				    "writer: \"two words\" was not refused with EINVAL");
			return;
		}
		if (i % 4)
			continue;
		if (reread(fd, back, sizeof(back)) < 0) {
			race_failed(race, id, "writer: reading back: %s",
				    strerror(errno));
			return;
		}
		race->reads[id]++;
		if (strcmp(back, secret)) {
			race_failed(race, id, "writer: stored %.31s, read back \"%.40s\"",
				    secret, back);
			return;
		}
	}
	close(fd);
}

static void reader(struct race *race, int id, void *arg)
{
	struct target *target = arg;
	int fd = open(target->path, O_RDONLY);
	char buf[64];
	long i;

	if (fd < 0) {
		race_failed(race, id, "reader: open: %s", strerror(errno));
		return;
	}
	for (i = 0; race_reading(race, i); i++) {
		if (reread(fd, buf, sizeof(buf)) < 0) {
			race_failed(race, id, "reader: %s", strerror(errno));
			return;
		}
		race->reads[id]++;
		race_read_done(race);
		if (strcmp(buf, secrets[0]) && strcmp(buf, secrets[1]) &&
		    strcmp(buf, SECRET_DEFAULT)) {
			race_failed(race, id,
				    "reader: read \"%.40s\", a secret nobody wrote (a store seen half done)",
				    buf);
			return;
		}
	}
	close(fd);
}

int main(int argc, char **argv)
{
	long reads0, writes0, reads1, writes1;
	struct target target;
	struct race *race;

	if (argc != 3 || (target.stores = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: sysfs-race DEVDIR STORES\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(secrets[0], 'a', SECRET_LEN);
	memset(secrets[1], 'b', SECRET_LEN);
	secrets[0][SECRET_LEN] = secrets[1][SECRET_LEN] = '\n';
	snprintf(target.path, sizeof(target.path), "%s/secret", argv[1]);
	reads0 = read_count(argv[1], "reads");
	writes0 = read_count(argv[1], "writes");
	if (reads0 < 0 || writes0 < 0) {
		printf("race: cannot read %s/reads and writes\n", argv[1]);
		return 1;
	}
	race = race_new(RACE_MAX_MS);
	if (!race)
		return 1;
	if (race_run(race, writer, reader, &target))
		return 1;
	reads1 = read_count(argv[1], "reads");
	writes1 = read_count(argv[1], "writes");
	if (reads1 - reads0 != race_reads(race) ||
	    writes1 - writes0 != race->changes) {
		printf("race: %ld stores and %ld shows of the secret made, the device counted %ld writes and %ld reads\n",
		       race->changes, race_reads(race), writes1 - writes0,
		       reads1 - reads0);
		return 1;
	}
	printf("ok: %ld stores, %ld shows\n", race->changes, race_reads(race));
	return 0;
}
